"use client";

import { PageError } from "@/components/layout/page-error";

export default function CustomSubscriptionError({ error, retry }: { error: unknown; retry: () => void }) {
  return <PageError error={error} retry={retry} what="this subscription" />;
}
