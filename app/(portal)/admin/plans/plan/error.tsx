"use client";

import { PageError } from "@/components/layout/page-error";

export default function AdminPlansError({ error, retry }: { error: unknown; retry: () => void }) {
  return <PageError error={error} retry={retry} what="the plans" />;
}
