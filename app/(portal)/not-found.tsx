import { NotFoundMessage } from "@/components/layout/not-found-message";

// notFound() in a portal page renders here, inside the portal layout's <main>.
export default function PortalNotFound() {
  return <NotFoundMessage landmark={false} />;
}
