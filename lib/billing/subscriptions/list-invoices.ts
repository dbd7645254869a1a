// The read model of a user's subscription invoices — each period paid and each upgrade's proration —
// for the Plans page, newest first. Scoped to the user through the subscription it belongs to.
import { db } from "@/lib/db";
import type { SubscriptionInvoiceKind, SubscriptionProvider } from "@/generated/prisma/client";

export interface SubscriptionInvoiceView {
  id: string;
  kind: SubscriptionInvoiceKind;
  subscriptionName: string;
  provider: SubscriptionProvider;
  amountMicros: bigint;
  periodStart: Date;
  periodEnd: Date;
  receiptUrl: string | null;
  createdAt: Date;
}

/** The latest `limit` (default 24). */
export async function listSubscriptionInvoices(ctx: { userId: string }, options: { limit?: number } = {}): Promise<SubscriptionInvoiceView[]> {
  const rows = await db.subscriptionInvoice.findMany({
    where: { subscription: { userId: ctx.userId } },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: Math.min(Math.max(options.limit ?? 24, 1), 500),
    select: {
      id: true,
      kind: true,
      amountMicros: true,
      periodStart: true,
      periodEnd: true,
      receiptUrl: true,
      createdAt: true,
      subscription: { select: { name: true, provider: true } },
    },
  });
  return rows.map(({ subscription, ...invoice }) => ({ ...invoice, subscriptionName: subscription.name, provider: subscription.provider }));
}
