// What the Plans page may offer for each plan, given the customer's live plan subscription. Only changes
// that agree with the subscription's state: a plan set to end at the period end is not offered a
// downgrade "at the period end" (the two would contradict each other) but "Keep" (call the
// cancellation off); an upgrade stays on offer, and calls the cancellation off too (changePlan).
// Also what an upgrade now costs, so the confirmation can say it before anyone is charged.
import type { BillingInterval } from "@/generated/prisma/client";
import { monthlyMicros } from "./plans";

const MICROS_PER_CENT = 10_000n;

export interface OfferSubscription {
  planId: string | null;
  pendingPlan: { id: string } | null;
  cancelAtPeriodEnd: boolean;
  priceMicros: bigint;
  interval: BillingInterval;
  currentPeriodStart: Date;
  currentPeriodEnd: Date;
}

export interface OfferPlan {
  id: string;
  priceMicros: bigint;
  interval: BillingInterval;
}

export type PlanOffer =
  /** No plan yet: subscribe through checkout. */
  | { kind: "subscribe" }
  /** The current plan, nothing scheduled. */
  | { kind: "current" }
  /** The current plan with a downgrade or a cancellation scheduled: keeping it calls that off. */
  | { kind: "keep"; because: "downgrade_scheduled" | "canceling" }
  /** The plan a scheduled downgrade moves to. */
  | { kind: "pending" }
  /** Applies now; `chargeNowMicros` is the prorated difference (null when the intervals differ). */
  | { kind: "upgrade"; chargeNowMicros: bigint | null; resumes: boolean }
  | { kind: "downgrade" }
  /** A downgrade at the period end, not offered while the plan is set to end then. */
  | { kind: "unavailable"; because: "canceling" };

/** The offer for `plan`, given the live plan subscription (or null). */
export function planOffer(current: OfferSubscription | null, plan: OfferPlan, at: Date): PlanOffer {
  if (!current) return { kind: "subscribe" };
  if (plan.id === current.planId) {
    if (current.cancelAtPeriodEnd) return { kind: "keep", because: "canceling" };
    return current.pendingPlan ? { kind: "keep", because: "downgrade_scheduled" } : { kind: "current" };
  }
  if (monthlyMicros(plan) > monthlyMicros(current)) {
    return { kind: "upgrade", chargeNowMicros: upgradeChargeMicros(current, plan, at), resumes: current.cancelAtPeriodEnd };
  }
  if (current.cancelAtPeriodEnd) return { kind: "unavailable", because: "canceling" };
  return plan.id === current.pendingPlan?.id ? { kind: "pending" } : { kind: "downgrade" };
}

/**
 * What an upgrade now charges, as Stripe prorates it: the difference between the two prices for the part
 * of the period still to come, in whole cents (rounded up: never say less than will be charged). Null
 * when the intervals differ (Stripe then restarts the billing cycle; no simple estimate).
 */
export function upgradeChargeMicros(current: OfferSubscription, plan: OfferPlan, at: Date): bigint | null {
  if (plan.interval !== current.interval) return null;
  const start = BigInt(current.currentPeriodStart.getTime());
  const end = BigInt(current.currentPeriodEnd.getTime());
  const now = BigInt(Math.min(Math.max(at.getTime(), current.currentPeriodStart.getTime()), current.currentPeriodEnd.getTime()));
  const difference = plan.priceMicros - current.priceMicros;
  if (end <= start || difference <= 0n) return 0n;
  const exact = (difference * (end - now) + (end - start) - 1n) / (end - start);
  return ((exact + MICROS_PER_CENT - 1n) / MICROS_PER_CENT) * MICROS_PER_CENT;
}
