"use client";

import { PageError } from "@/components/layout/page-error";

export default function BalanceHistoryError({ error, retry }: { error: unknown; retry: () => void }) {
  return <PageError error={error} retry={retry} what="your balance history" />;
}
