// Cancellation. A customer cancels at the period end (the allowance stays usable until then); the
// subscription ends when that period is over (Stripe's customer.subscription.deleted, or the renewal
// job for sandbox and manual subscriptions). In-flight requests keep their holds and settle normally.
import { db } from "@/lib/db";

export async function setCancelAtPeriodEnd(input: { subscriptionId: string; cancel: boolean }): Promise<void> {
  await db.subscription.updateMany({
    where: { id: input.subscriptionId, status: { not: "CANCELED" } },
    data: { cancelAtPeriodEnd: input.cancel, updatedAt: new Date() },
  });
}

/** Ends a subscription now. Ending twice does nothing the second time. */
export async function endSubscription(input: { subscriptionId: string; at?: Date }): Promise<boolean> {
  const ended = await db.subscription.updateMany({
    where: { id: input.subscriptionId, status: { not: "CANCELED" } },
    data: { status: "CANCELED", canceledAt: input.at ?? new Date(), cancelAtPeriodEnd: false, pendingPlanId: null, updatedAt: new Date() },
  });
  return ended.count > 0;
}
