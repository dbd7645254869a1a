// What the subscription webhooks share: the Stripe Subscription as we read it (zod, at the edge), and
// how one maps onto ours — who it belongs to (metadata.user_id, else the Stripe customer) and which plan
// it is (the item's price, else metadata.plan_id). API version 2026-10-28.endive: the billing period
// lives on the subscription ITEMS (items.data[].current_period_start/end, since 2025-03-31.basil); the
// subscription-level fields of older versions are read too when present.
import { z } from "zod";
import { db } from "@/lib/db";
import { isAppError } from "@/lib/errors";
import type { SubscriptionStatus } from "@/generated/prisma/client";
import { getStripe } from "@/lib/payments/stripe";
import { startSubscription } from "../subscriptions/start-subscription";

const Id = z.union([z.string().min(1), z.object({ id: z.string().min(1) }).loose()]);
export const idOf = (value: z.infer<typeof Id> | null | undefined): string | null =>
  value == null ? null : typeof value === "string" ? value : value.id;

const SubscriptionItem = z
  .object({
    id: z.string().min(1),
    price: Id,
    current_period_start: z.number().int().optional(),
    current_period_end: z.number().int().optional(),
  })
  .loose();

export const StripeSubscription = z
  .object({
    id: z.string().min(1),
    customer: Id,
    status: z.string(),
    cancel_at_period_end: z.boolean().default(false),
    cancel_at: z.number().int().nullable().optional(),
    canceled_at: z.number().int().nullable().optional(),
    ended_at: z.number().int().nullable().optional(),
    metadata: z.record(z.string(), z.string()).nullable().optional(),
    items: z.object({ data: z.array(SubscriptionItem) }).loose(),
    // Before 2025-03-31.basil only.
    current_period_start: z.number().int().optional(),
    current_period_end: z.number().int().optional(),
  })
  .loose();
export type StripeSubscription = z.infer<typeof StripeSubscription>;

export async function retrieveStripeSubscription(id: string): Promise<StripeSubscription> {
  return StripeSubscription.parse(await getStripe().subscriptions.retrieve(id));
}

const fromUnix = (seconds: number) => new Date(seconds * 1000);

/** The subscription's current billing period (the first item's, or the subscription's in old API versions). */
export function currentPeriod(sub: StripeSubscription): { start: Date; end: Date } | null {
  const item = sub.items.data[0];
  const start = item?.current_period_start ?? sub.current_period_start;
  const end = item?.current_period_end ?? sub.current_period_end;
  return start !== undefined && end !== undefined && end > start ? { start: fromUnix(start), end: fromUnix(end) } : null;
}

/** Our status for Stripe's. `paused` collects no payment, so the allowance is not usable. */
export function mapStatus(status: string): SubscriptionStatus | null {
  switch (status) {
    case "active":
    case "trialing":
      return "ACTIVE";
    case "past_due":
    case "unpaid":
    case "paused":
      return "PAST_DUE";
    case "canceled":
    case "incomplete_expired":
      return "CANCELED";
    case "incomplete":
      return "INCOMPLETE";
    default:
      return null;
  }
}

/**
 * Whether it ends when the period does. The Customer Portal (and newer API versions) may express
 * that with `cancel_at` at the period end instead of `cancel_at_period_end`.
 */
export function cancelsAtPeriodEnd(sub: StripeSubscription): boolean {
  if (sub.cancel_at_period_end) return true;
  const period = currentPeriod(sub);
  return sub.cancel_at != null && period !== null && sub.cancel_at * 1000 <= period.end.getTime();
}

/** Our plan whose Stripe price the subscription bills. */
export async function planForPrice(sub: StripeSubscription): Promise<{ id: string } | null> {
  const priceId = idOf(sub.items.data[0]?.price);
  return priceId ? db.plan.findUnique({ where: { stripePriceId: priceId }, select: { id: true } }) : null;
}

/** Our plan for the subscription's price; metadata.plan_id when the price is not one of our plans'. */
export async function planFor(sub: StripeSubscription): Promise<{ id: string } | null> {
  const byPrice = await planForPrice(sub);
  if (byPrice) return byPrice;
  const planId = sub.metadata?.plan_id;
  if (planId && z.uuid().safeParse(planId).success) return db.plan.findUnique({ where: { id: planId }, select: { id: true } });
  return null;
}

/** Our user for the subscription: metadata.user_id (set by our Checkout), else its Stripe customer. */
export async function userFor(sub: StripeSubscription, hint?: string | null): Promise<{ id: string } | null> {
  for (const userId of [sub.metadata?.user_id, hint]) {
    if (!userId || !z.uuid().safeParse(userId).success) continue;
    const user = await db.user.findUnique({ where: { id: userId }, select: { id: true } });
    if (user) return user;
  }
  const customer = idOf(sub.customer);
  return customer ? db.user.findFirst({ where: { stripeCustomerId: customer }, select: { id: true } }) : null;
}

export type EnsureResult =
  | { subscriptionId: string; created: boolean }
  | { subscriptionId: null; reason: string };

/**
 * Our subscription for a Stripe one, started when it does not exist yet (whichever of
 * checkout.session.completed, invoice.paid or customer.subscription.* arrives first). Starting is
 * idempotent by the Stripe subscription id. `firstInvoice` records the paid invoice of that period.
 */
export async function ensureSubscription(
  sub: StripeSubscription,
  options: {
    period?: { start: Date; end: Date } | null;
    firstInvoice?: { externalId: string; amountMicros: bigint; receiptUrl: string | null } | null;
    /** Who paid, when the caller knows (a Checkout Session's client_reference_id). */
    userId?: string | null;
  } = {},
): Promise<EnsureResult> {
  const existing = await db.subscription.findUnique({ where: { stripeSubscriptionId: sub.id }, select: { id: true } });
  if (existing) return { subscriptionId: existing.id, created: false };

  const status = mapStatus(sub.status);
  if (status === "CANCELED") return { subscriptionId: null, reason: `ended (${sub.status})` };
  if (status !== "ACTIVE" && !options.firstInvoice) return { subscriptionId: null, reason: `not paid yet (${sub.status})` };
  const period = options.period ?? currentPeriod(sub);
  if (!period) return { subscriptionId: null, reason: "no billing period" };
  const [user, plan] = await Promise.all([userFor(sub, options.userId), planFor(sub)]);
  if (!user) return { subscriptionId: null, reason: "not one of our customers" };
  if (!plan) return { subscriptionId: null, reason: "not one of our plans" };
  try {
    return await startSubscription({
      userId: user.id,
      planId: plan.id,
      provider: "STRIPE",
      stripeSubscriptionId: sub.id,
      periodStart: period.start,
      periodEnd: period.end,
      invoice: options.firstInvoice ?? null,
    });
  } catch (error) {
    // The account already has another live plan (two Checkouts completed): retrying cannot help, so
    // answer 200 and leave it to an operator rather than have Stripe redeliver for days.
    if (isAppError(error) && error.code === "conflict") {
      console.warn(`[webhooks] Stripe subscription ${sub.id} not started: ${error.message}`);
      return { subscriptionId: null, reason: "the account already has a plan" };
    }
    throw error;
  }
}
