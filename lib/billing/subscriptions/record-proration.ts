// Records what an upgrade in the middle of a period was charged (Stripe's proration invoice, billing_reason
// subscription_update), so that the customer sees it beside the period invoices on the Plans page. It
// changes nothing else: the upgrade itself arrives as customer.subscription.updated (or was applied by
// changePlan), and only a period's own invoice opens a period. Once per invoice id, whatever the deliveries.
import { db } from "@/lib/db";
import type { OpenPeriodInput } from "./open-period";

/** The invoice as openPeriod takes one; its period is the part the proration covers: from the change to the period's end. */
export async function recordProration(input: OpenPeriodInput): Promise<"recorded" | "duplicate"> {
  const { count } = await db.subscriptionInvoice.createMany({
    data: [{ ...input, kind: "PRORATION", receiptUrl: input.receiptUrl ?? null }],
    skipDuplicates: true,
  });
  return count === 1 ? "recorded" : "duplicate";
}
