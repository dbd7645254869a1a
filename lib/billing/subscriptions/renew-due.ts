// Renews sandbox and manual subscriptions whose period is over (Stripe renews its own and tells us
// with invoice.paid): the next period opens through the same openPeriod as a paid Stripe invoice, or the
// subscription ends if it was canceled at the period end. Safe on many instances: openPeriod records
// each period once (sandbox:<id>:<period start>).
import { db } from "@/lib/db";
import { now as clockNow } from "@/lib/clock";
import { endSubscription } from "./end-subscription";
import { openPeriod } from "./open-period";
import { periodEnd } from "./plans";

export async function renewDueSubscriptions(at: Date = clockNow()): Promise<{ renewed: number; ended: number }> {
  const due = await db.subscription.findMany({
    where: { provider: { in: ["SANDBOX", "MANUAL"] }, status: "ACTIVE", currentPeriodEnd: { lte: at } },
    include: { pendingPlan: true },
    take: 500,
  });
  let renewed = 0;
  let ended = 0;
  for (const s of due) {
    if (s.cancelAtPeriodEnd) {
      if (await endSubscription({ subscriptionId: s.id, at: s.currentPeriodEnd })) ended++;
      continue;
    }
    if ((await advancePeriod(s)) === "opened") renewed++;
  }
  return { renewed, ended };
}

/**
 * Opens the period after the current one, paid at the (pending) plan's price. With `start` (the
 * sandbox's "advance a period" in development), the current period is cut short and the next begins then.
 */
export async function advancePeriod(s: {
  id: string;
  provider: string;
  currentPeriodEnd: Date;
  interval: "MONTH" | "YEAR";
  priceMicros: bigint;
  pendingPlan?: { interval: "MONTH" | "YEAR"; priceMicros: bigint } | null;
}, start: Date = s.currentPeriodEnd) {
  const terms = s.pendingPlan ?? s;
  return openPeriod({
    subscriptionId: s.id,
    externalId: `${s.provider.toLowerCase()}:${s.id}:${start.toISOString()}`,
    amountMicros: terms.priceMicros,
    periodStart: start,
    periodEnd: periodEnd(start, terms.interval),
  });
}
