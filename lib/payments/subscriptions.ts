// What a customer does with plan subscriptions, behind one interface for Stripe Billing and the
// sandbox: subscribe (Stripe Checkout in subscription mode, or the sandbox checkout), change plan,
// cancel at the period end (or resume), choose whether overage falls back to the balance, and manage
// the payment method (Stripe's Customer Portal). Allowances themselves live in lib/billing/subscriptions.
import Stripe from "stripe";
import { db } from "@/lib/db";
import type { UserCtx } from "@/lib/context";
import { env, stripeEnabled } from "@/lib/env.js";
import { AppError } from "@/lib/errors";
import { now as clockNow, testClockEnabled } from "@/lib/clock";
import { applyPlanChange, choosablePlan, type PlanChange } from "@/lib/billing/subscriptions/change-plan";
import { endSubscription, setCancelAtPeriodEnd } from "@/lib/billing/subscriptions/end-subscription";
import { advancePeriod } from "@/lib/billing/subscriptions/renew-due";
import { monthlyMicros } from "@/lib/billing/subscriptions/plans";
import { startSubscription } from "@/lib/billing/subscriptions/start-subscription";
import { MICROS_PER_CENT } from "./limits";
import { getStripe } from "./stripe";
import { ensureStripeCustomer } from "./stripe-customer";

type Ctx = Pick<UserCtx, "userId">;

async function activePlan(slug: string) {
  const plan = await db.plan.findUnique({ where: { slug } });
  if (!plan || !plan.active) throw new AppError("not_found", "This plan is not available.");
  return plan;
}

async function ownSubscription(ctx: Ctx, subscriptionId: string) {
  const subscription = await db.subscription.findFirst({ where: { id: subscriptionId, userId: ctx.userId } });
  if (!subscription) throw new AppError("not_found", "This subscription does not exist.");
  return subscription;
}

async function livePlanSubscription(ctx: Ctx) {
  return db.subscription.findFirst({ where: { userId: ctx.userId, kind: "PLAN", status: { not: "CANCELED" } } });
}

/** The Stripe Price for a plan, made on first use when the operator did not name one. */
async function stripePriceFor(plan: PlanRow): Promise<string> {
  if (plan.stripePriceId) return plan.stripePriceId;
  // Whole cents, rounded up (a plan's price is entered in cents; never bill less than it says).
  const cents = (plan.priceMicros + MICROS_PER_CENT - 1n) / MICROS_PER_CENT;
  const price = await getStripe().prices.create(
    {
      currency: "usd",
      unit_amount: Number(cents),
      recurring: { interval: plan.interval === "YEAR" ? "year" : "month" },
      product_data: { name: `Meterway ${plan.name}` },
      metadata: { plan_id: plan.id },
    },
    // Two first subscribers at once make one Price (the same terms give the same key).
    { idempotencyKey: `plan-price-${plan.id}-${cents}-${plan.interval}` },
  );
  await db.plan.updateMany({ where: { id: plan.id, stripePriceId: null }, data: { stripePriceId: price.id } });
  return (await db.plan.findUniqueOrThrow({ where: { id: plan.id } })).stripePriceId ?? price.id;
}

/** Starts a subscription to a plan: returns where to send the browser (Stripe Checkout or the sandbox checkout). */
export async function startPlanCheckout({ ctx, input, origin }: { ctx: Ctx; input: { planSlug: string }; origin: string }) {
  const plan = await activePlan(input.planSlug);
  if (await livePlanSubscription(ctx)) {
    throw new AppError("conflict", "You already have a plan. Change it from the Plans page instead of subscribing again.");
  }
  if (!stripeEnabled) return { url: `${origin}/plans/sandbox-checkout/${plan.slug}`, sandbox: true };

  const customer = await ensureStripeCustomer(ctx.userId);
  const metadata = { purpose: "subscription", user_id: ctx.userId, plan_id: plan.id };
  const session = await getStripe().checkout.sessions.create({
    mode: "subscription",
    customer,
    client_reference_id: ctx.userId,
    line_items: [{ price: await stripePriceFor(plan), quantity: 1 }],
    subscription_data: { metadata },
    metadata,
    success_url: `${origin}/plans?checkout=success&session_id={CHECKOUT_SESSION_ID}`,
    cancel_url: `${origin}/plans?checkout=canceled`,
  });
  if (!session.url) throw new Error("Stripe returned a Checkout Session without a url");
  return { url: session.url, sandbox: false };
}

/** The sandbox checkout's "Pay": starts the subscription through the same verb a Stripe webhook uses. */
export async function paySandboxSubscription({ ctx, input }: { ctx: Ctx; input: { planSlug: string } }) {
  if (stripeEnabled) throw new AppError("not_found", "The sandbox checkout is off: this portal takes payments through Stripe.");
  const plan = await activePlan(input.planSlug);
  const start = clockNow();
  return startSubscription({
    userId: ctx.userId,
    planId: plan.id,
    provider: "SANDBOX",
    periodStart: start,
    invoice: { externalId: `sandbox:${ctx.userId}:${plan.id}:${start.toISOString()}`, amountMicros: plan.priceMicros },
  });
}

/**
 * Moves the customer's plan. Upgrades apply now with the allowance prorated (Stripe charges the
 * prorated difference at once, and refuses the change if that payment fails); downgrades apply at the
 * period end (Stripe bills the new price from the next invoice, without proration). Choosing a plan —
 * upgrading, scheduling a downgrade, or keeping the current one — also calls off a cancellation at the
 * period end: whoever picks a plan wants to keep a subscription. With Stripe, Stripe changes first
 * (the price and calling off the cancellation in one update): should our write fail after it,
 * customer.subscription.updated makes the same change.
 */
export async function changePlan({ ctx, input }: { ctx: Ctx; input: { planSlug: string } }): Promise<PlanChange> {
  const subscription = await livePlanSubscription(ctx);
  if (!subscription) throw new AppError("not_found", "You have no plan to change. Subscribe to one first.");
  const target = choosablePlan(await db.plan.findUnique({ where: { slug: input.planSlug } }), subscription.planId);
  if (subscription.provider === "STRIPE" && subscription.stripeSubscriptionId && subscription.planId) {
    const current = await db.plan.findUniqueOrThrow({ where: { id: subscription.planId } });
    const upgrade = await updateStripePlan(subscription.stripeSubscriptionId, current, target);
    const applied = await applyPlanChange({ subscriptionId: subscription.id, planId: target.id, resume: true });
    // Stripe's customer.subscription.updated may have applied the upgrade a moment before we did.
    return upgrade && applied === "unchanged" ? "upgraded" : applied;
  }
  return applyPlanChange({ subscriptionId: subscription.id, planId: target.id, resume: true });
}

type PlanRow = Awaited<ReturnType<typeof activePlan>>;

/**
 * The update that calls off a Stripe subscription's scheduled end, or null when none is scheduled.
 * Stripe schedules one in two ways: cancel_at_period_end (our own cancel), or a cancel_at timestamp (the
 * Customer Portal, the Dashboard, the API) — which cancel_at_period_end: false leaves in place, so the
 * subscription would still end. Each is called off by its own parameter, and only one is sent: Stripe
 * shows cancel_at_period_end as a cancel_at at the period end too, and cancel_at_period_end: false clears it.
 */
function callOffCancellation(remote: Pick<Stripe.Subscription, "cancel_at" | "cancel_at_period_end">):
  Pick<Stripe.SubscriptionUpdateParams, "cancel_at" | "cancel_at_period_end"> | null {
  if (remote.cancel_at_period_end) return { cancel_at_period_end: false };
  if (remote.cancel_at != null) return { cancel_at: "" };
  return null;
}

/**
 * Moves the Stripe subscription to the target's price and calls off its scheduled end (in the same
 * update); true when that was an upgrade.
 */
async function updateStripePlan(stripeSubscriptionId: string, current: PlanRow, target: PlanRow): Promise<boolean> {
  const stripe = getStripe();
  const remote = await stripe.subscriptions.retrieve(stripeSubscriptionId);
  const item = remote.items.data[0];
  if (!item) throw new Error(`Stripe subscription ${remote.id} has no items`);
  const price = await stripePriceFor(target);
  const upgrade = target.id !== current.id && monthlyMicros(target) > monthlyMicros(current);
  // Stripe already bills this plan (keeping the current plan, or a retry after our own write failed):
  // only a cancellation may be left to call off.
  const callOff = callOffCancellation(remote);
  if (item.price.id === price && remote.metadata.plan_id === target.id) {
    if (callOff) await stripe.subscriptions.update(remote.id, callOff);
    return upgrade;
  }
  try {
    if (upgrade && current.stripePriceId && item.price.id !== current.stripePriceId) {
      // A downgrade is pending (Stripe already bills the lower price from the next invoice): go back to
      // the price paid for this period first, so the upgrade's proration credits what was paid.
      await stripe.subscriptions.update(remote.id, { items: [{ id: item.id, price: current.stripePriceId }], proration_behavior: "none" });
    }
    await stripe.subscriptions.update(remote.id, {
      items: [{ id: item.id, price }],
      proration_behavior: upgrade ? "always_invoice" : "none",
      // An upgrade whose prorated invoice cannot be paid is refused, and nothing changes.
      ...(upgrade ? { payment_behavior: "error_if_incomplete" as const } : {}),
      ...callOff,
      metadata: { plan_id: target.id },
    });
  } catch (error) {
    if (error instanceof Stripe.errors.StripeCardError) {
      throw new AppError("conflict", `Your card was declined (${error.message}). Your plan has not changed.`);
    }
    throw error;
  }
  return upgrade;
}

/** Cancels at the period end (the allowance stays usable until then), or takes that back. */
export async function cancelSubscription({ ctx, input }: { ctx: Ctx; input: { subscriptionId: string; cancel: boolean } }) {
  const subscription = await ownSubscription(ctx, input.subscriptionId);
  if (subscription.kind !== "PLAN") throw new AppError("conflict", "A custom subscription is changed through your account manager.");
  if (subscription.status === "CANCELED") throw new AppError("conflict", "This subscription has already ended.");
  if (subscription.provider === "STRIPE" && subscription.stripeSubscriptionId) {
    const stripe = getStripe();
    if (input.cancel) {
      await stripe.subscriptions.update(subscription.stripeSubscriptionId, { cancel_at_period_end: true });
    } else {
      // Resuming: call off whichever way Stripe has the end scheduled (a cancel_at set in the Customer Portal too).
      const callOff = callOffCancellation(await stripe.subscriptions.retrieve(subscription.stripeSubscriptionId));
      if (callOff) await stripe.subscriptions.update(subscription.stripeSubscriptionId, callOff);
    }
  }
  await setCancelAtPeriodEnd({ subscriptionId: subscription.id, cancel: input.cancel });
}

/** Whether usage past the allowance may be charged to the prepaid balance (only where the plan allows it). */
export async function setBalanceFallback({ ctx, input }: { ctx: Ctx; input: { subscriptionId: string; enabled: boolean } }) {
  const subscription = await ownSubscription(ctx, input.subscriptionId);
  const plan = subscription.planId ? await db.plan.findUnique({ where: { id: subscription.planId } }) : null;
  if (input.enabled && !plan?.overageToBalance) {
    throw new AppError("conflict", "This subscription does not allow charging overage to the balance.");
  }
  await db.subscription.update({ where: { id: subscription.id }, data: { balanceFallback: input.enabled, updatedAt: new Date() } });
}

/** Stripe's Customer Portal (payment method, invoices, cancellation); null in the sandbox. */
export async function customerPortalUrl({ ctx, origin }: { ctx: Ctx; origin: string }): Promise<string | null> {
  if (!stripeEnabled) return null;
  const customer = await ensureStripeCustomer(ctx.userId);
  const session = await getStripe().billingPortal.sessions.create({ customer, return_url: `${origin}/plans` });
  return session.url;
}

/** Whether a sandbox subscription's period may be advanced by hand: in development, or with the test clock on. */
export function canAdvanceSandboxPeriod(): boolean {
  return env.NODE_ENV !== "production" || testClockEnabled();
}

/** Development only: ends the current period of a sandbox subscription now and opens the next (paid in the sandbox). */
export async function advanceSandboxPeriod({ ctx, input }: { ctx: Ctx; input: { subscriptionId: string } }) {
  if (!canAdvanceSandboxPeriod()) throw new AppError("not_found", "Advancing a period by hand is for development only.");
  const subscription = await ownSubscription(ctx, input.subscriptionId);
  if (subscription.provider !== "SANDBOX") throw new AppError("conflict", "Only sandbox subscriptions can be advanced by hand.");
  if (subscription.status === "CANCELED") throw new AppError("conflict", "This subscription has ended.");
  const pendingPlan = subscription.pendingPlanId ? await db.plan.findUnique({ where: { id: subscription.pendingPlanId } }) : null;
  if (subscription.cancelAtPeriodEnd) {
    await endSubscription({ subscriptionId: subscription.id });
    return "ended" as const;
  }
  return advancePeriod({ ...subscription, pendingPlan }, clockNow());
}
