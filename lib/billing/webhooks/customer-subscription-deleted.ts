// customer.subscription.deleted: the subscription has ended (canceled at its period end, or at once in
// Stripe's dashboard). From now on the gateway charges the prepaid balance only. Ending twice, or after
// a late customer.subscription.updated, does nothing more; an ended subscription never comes back.
import { db } from "@/lib/db";
import { endSubscription } from "../subscriptions/end-subscription";
import { StripeSubscription } from "./stripe-subscription";

export async function customerSubscriptionDeleted(object: unknown) {
  const sub = StripeSubscription.parse(object);
  const ours = await db.subscription.findUnique({ where: { stripeSubscriptionId: sub.id }, select: { id: true } });
  if (!ours) return { ended: false, reason: "not one of ours" };
  const endedAt = sub.ended_at ?? sub.canceled_at;
  const ended = await endSubscription({ subscriptionId: ours.id, at: endedAt ? new Date(endedAt * 1000) : undefined });
  return { ended };
}
