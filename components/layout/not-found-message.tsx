import Link from "next/link";
import { buttonClasses } from "@/components/ui/button";

/**
 * The 404 body. Outside the portal it is the page's <main>; inside, the portal layout already renders
 * <main>, so it is a plain <div> there (a second main landmark confuses screen readers).
 */
export function NotFoundMessage({ landmark, homeHref = "/" }: { landmark: boolean; homeHref?: string }) {
  const Root = landmark ? "main" : "div";
  return (
    <Root className="mx-auto flex min-h-[60dvh] max-w-xl flex-col items-center justify-center gap-3 px-6 py-16 text-center">
      <p className="text-sm font-semibold text-indigo-700 dark:text-indigo-400">404</p>
      <h1 className="text-2xl font-semibold tracking-tight">Page not found</h1>
      <p className="text-zinc-600 dark:text-zinc-400">The page you asked for doesn&apos;t exist, or it isn&apos;t yours to see.</p>
      <Link href={homeHref} className={buttonClasses({ variant: "secondary", className: "mt-3" })}>
        Go home
      </Link>
    </Root>
  );
}
