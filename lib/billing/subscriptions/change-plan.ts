// Moves a live plan subscription to another plan. Upgrades (a higher monthly price) take effect now,
// with each allowance prorated between the two plans over the period; downgrades wait for the period
// end (pending_plan_id, applied by openPeriod). The payment side (Stripe's proration) is the caller's.
// A customer who picks a plan wants a subscription, so `resume` also calls off a cancellation at the
// period end in the same transaction. Stripe's webhook does not pass it: there Stripe's own
// cancellation (cancel_at_period_end, or a cancel_at timestamp) is the truth, set just before.
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { now as clockNow } from "@/lib/clock";
import { writeAllowances } from "./allowances";
import { monthlyMicros, planAllowances } from "./plans";

export type PlanChange = "upgraded" | "downgrade_scheduled" | "unchanged";

/**
 * The plan a subscription may move to: one on sale, or its own current plan even once retired (keeping
 * it calls off a pending change or cancellation). Anything else is "not available".
 */
export function choosablePlan<P extends { id: string; active: boolean }>(target: P | null, currentPlanId: string | null): P {
  if (!target || (!target.active && target.id !== currentPlanId)) throw new AppError("not_found", "This plan is not available.");
  return target;
}

export async function applyPlanChange(input: { subscriptionId: string; planId: string; at?: Date; resume?: boolean }): Promise<PlanChange> {
  const at = input.at ?? clockNow();
  return db.$transaction(async (tx) => {
    await tx.$queryRaw`SELECT id FROM subscriptions WHERE id = ${input.subscriptionId}::uuid FOR UPDATE`;
    const subscription = await tx.subscription.findUnique({ where: { id: input.subscriptionId }, include: { plan: true } });
    if (!subscription || subscription.kind !== "PLAN" || !subscription.plan) throw new AppError("not_found", "This subscription does not exist.");
    if (subscription.status === "CANCELED") throw new AppError("conflict", "This subscription has ended.");
    const target = choosablePlan(await tx.plan.findUnique({ where: { id: input.planId } }), subscription.planId);

    const resume = input.resume && subscription.cancelAtPeriodEnd ? { cancelAtPeriodEnd: false } : {};

    if (target.id === subscription.planId) {
      if (subscription.pendingPlanId || "cancelAtPeriodEnd" in resume) {
        await tx.subscription.update({ where: { id: subscription.id }, data: { pendingPlanId: null, ...resume, updatedAt: new Date() } });
      }
      return "unchanged";
    }
    if (monthlyMicros(target) <= monthlyMicros(subscription.plan)) {
      await tx.subscription.update({ where: { id: subscription.id }, data: { pendingPlanId: target.id, ...resume, updatedAt: new Date() } });
      return "downgrade_scheduled";
    }
    const span = subscription.currentPeriodEnd.getTime() - subscription.currentPeriodStart.getTime();
    const elapsed = span > 0 ? (at.getTime() - subscription.currentPeriodStart.getTime()) / span : 0;
    await tx.subscription.update({
      where: { id: subscription.id },
      data: {
        planId: target.id,
        pendingPlanId: null,
        name: target.name,
        priceMicros: target.priceMicros,
        interval: target.interval,
        balanceFallback: subscription.balanceFallback && target.overageToBalance,
        ...resume,
        updatedAt: new Date(),
      },
    });
    await writeAllowances(tx, subscription, planAllowances(target), { mode: "prorate", elapsed });
    return "upgraded";
  });
}
