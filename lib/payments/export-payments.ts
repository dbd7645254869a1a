// The payment history as CSV (small per user: read at once, then stringified).
import { stringify } from "csv-stringify/sync";
import type { UserCtx } from "@/lib/context";
import { formatUsd } from "@/lib/money";
import { listPayments } from "./list-payments";

export async function exportPaymentsCsv({ ctx }: { ctx: Pick<UserCtx, "userId"> }): Promise<string> {
  const payments = await listPayments({ ctx, input: { limit: 10_000 } });
  return stringify(
    payments.map((p) => ({
      date: p.createdAt.toISOString(),
      kind: p.kind === "AUTO_TOPUP" ? "auto top-up" : "top-up",
      amount_usd: formatUsd(p.amountMicros),
      refunded_usd: formatUsd(p.refundedMicros),
      method: p.provider.toLowerCase(),
      status: p.status.toLowerCase(),
      reference: p.externalId,
      receipt_url: p.receiptUrl ?? "",
      note: p.failureReason ?? "",
    })),
    { header: true, columns: ["date", "kind", "amount_usd", "refunded_usd", "method", "status", "reference", "receipt_url", "note"] },
  );
}
