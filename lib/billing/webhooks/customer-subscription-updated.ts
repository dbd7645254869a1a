// customer.subscription.created / customer.subscription.updated: brings ours in line with Stripe's —
// status, cancellation at the period end, and a plan changed elsewhere (the Customer Portal): an
// upgrade applies now with the allowance prorated, a downgrade waits for the period end. Events may
// arrive late, twice or out of order, so the handler reads the subscription's current state from
// Stripe rather than trusting the event's snapshot, and every step is idempotent. Periods are not
// moved here: only a paid invoice opens one (invoice.paid).
import { db } from "@/lib/db";
import { isAppError } from "@/lib/errors";
import { applyPlanChange } from "../subscriptions/change-plan";
import { endSubscription, setCancelAtPeriodEnd } from "../subscriptions/end-subscription";
import { cancelsAtPeriodEnd, ensureSubscription, mapStatus, planForPrice, retrieveStripeSubscription, StripeSubscription } from "./stripe-subscription";

export async function customerSubscriptionUpdated(object: unknown) {
  const snapshot = StripeSubscription.parse(object);
  const sub = await retrieveStripeSubscription(snapshot.id);

  const ensured = await ensureSubscription(sub);
  if (ensured.subscriptionId === null) return { synced: false, reason: ensured.reason };
  const ours = await db.subscription.findUniqueOrThrow({ where: { id: ensured.subscriptionId } });
  if (ours.status === "CANCELED") return { synced: false, reason: "ended" };

  const status = mapStatus(sub.status);
  if (status === "CANCELED") {
    await endSubscription({ subscriptionId: ours.id, at: new Date((sub.ended_at ?? sub.canceled_at ?? Date.now() / 1000) * 1000) });
    return { synced: true, status };
  }
  if (status && status !== ours.status) {
    await db.subscription.updateMany({ where: { id: ours.id, status: { not: "CANCELED" } }, data: { status, updatedAt: new Date() } });
  }
  const cancel = cancelsAtPeriodEnd(sub);
  if (cancel !== ours.cancelAtPeriodEnd) await setCancelAtPeriodEnd({ subscriptionId: ours.id, cancel });

  // By price only: metadata.plan_id is not kept up to date by changes made in the Customer Portal.
  const plan = await planForPrice(sub);
  let change: string = "unchanged";
  // A plan we are already on, or already moving to at the period end (our own changePlan, a
  // redelivery), changes nothing; the current plan while a downgrade is pending drops the downgrade.
  if (plan && (plan.id === ours.planId ? ours.pendingPlanId !== null : plan.id !== ours.pendingPlanId)) {
    try {
      change = await applyPlanChange({ subscriptionId: ours.id, planId: plan.id });
    } catch (error) {
      // A plan since retired: redelivering cannot help; an operator sees the warning.
      if (!isAppError(error)) throw error;
      console.warn(`[webhooks] Stripe subscription ${sub.id}: plan change not applied: ${error.message}`);
      change = "refused";
    }
  }
  return { synced: true, status: status ?? ours.status, cancelAtPeriodEnd: cancel, change };
}
