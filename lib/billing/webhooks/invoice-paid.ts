// invoice.paid: a paid subscription invoice opens its period — fresh allowances, no roll-over, a
// pending downgrade applied — exactly once (openPeriod records the invoice id; an older period arriving
// late is only recorded). Only a period's own invoice opens it (billing_reason subscription_create or
// subscription_cycle); a proration invoice for a mid-period upgrade (subscription_update) is recorded
// for the customer to see, and opens nothing.
// API version 2026-10-28.endive: the subscription is at parent.subscription_details.subscription (the
// top-level `subscription` of versions before 2025-03-31.basil is read too), and the service period is
// the subscription line's `period` — the invoice's own period_start/end are not it.
import { z } from "zod";
import { db } from "@/lib/db";
import { MICROS_PER_CENT } from "@/lib/payments/limits";
import { openPeriod } from "../subscriptions/open-period";
import { recordProration } from "../subscriptions/record-proration";
import { ensureSubscription, idOf, retrieveStripeSubscription } from "./stripe-subscription";

const Id = z.union([z.string().min(1), z.object({ id: z.string().min(1) }).loose()]);

const Line = z
  .object({
    period: z.object({ start: z.number().int(), end: z.number().int() }).loose(),
    parent: z
      .object({
        subscription_item_details: z.object({ proration: z.boolean().optional() }).loose().nullable().optional(),
      })
      .loose()
      .nullable()
      .optional(),
    // Before 2025-03-31.basil only.
    proration: z.boolean().optional(),
  })
  .loose();

export const Invoice = z
  .object({
    id: z.string().min(1),
    status: z.string().nullable().optional(),
    billing_reason: z.string().nullable().optional(),
    amount_paid: z.number().int().nonnegative(),
    currency: z.string().optional(),
    hosted_invoice_url: z.string().nullable().optional(),
    parent: z
      .object({ subscription_details: z.object({ subscription: Id }).loose().nullable().optional() })
      .loose()
      .nullable()
      .optional(),
    // Before 2025-03-31.basil only.
    subscription: Id.nullable().optional(),
    lines: z.object({ data: z.array(Line) }).loose(),
  })
  .loose();
export type Invoice = z.infer<typeof Invoice>;

const PERIOD_REASONS = new Set(["subscription_create", "subscription_cycle", "subscription"]);
/** What Stripe charges at once for a plan change within a period (an upgrade's prorated difference). */
const PRORATION_REASON = "subscription_update";

const isProration = (line: z.infer<typeof Line>) => line.parent?.subscription_item_details?.proration ?? line.proration ?? false;

export async function invoicePaid(object: unknown) {
  const invoice = Invoice.parse(object);
  const stripeSubscriptionId = idOf(invoice.parent?.subscription_details?.subscription) ?? idOf(invoice.subscription);
  if (!stripeSubscriptionId) return { opened: false, reason: "not a subscription invoice" };
  if (invoice.currency && invoice.currency.toLowerCase() !== "usd") return { opened: false, reason: "not USD" };
  if (invoice.billing_reason === PRORATION_REASON) return prorationPaid(invoice, stripeSubscriptionId);
  if (invoice.billing_reason && !PERIOD_REASONS.has(invoice.billing_reason)) return { opened: false, reason: `not a period invoice (${invoice.billing_reason})` };
  // The plan's own line (a renewal may also carry prorations from a change made in the last period).
  const line = invoice.lines.data.find((l) => !isProration(l));
  if (!line || line.period.end <= line.period.start) return { opened: false, reason: "no service period" };
  const period = { start: new Date(line.period.start * 1000), end: new Date(line.period.end * 1000) };
  const payment = {
    externalId: invoice.id,
    amountMicros: BigInt(invoice.amount_paid) * MICROS_PER_CENT,
    receiptUrl: invoice.hosted_invoice_url ?? null,
  };

  let ours = await db.subscription.findUnique({ where: { stripeSubscriptionId }, select: { id: true } });
  if (!ours) {
    // Paid before checkout.session.completed (or that event was lost): start it here, with this invoice.
    const started = await ensureSubscription(await retrieveStripeSubscription(stripeSubscriptionId), { period, firstInvoice: payment });
    if (started.subscriptionId === null) return { opened: false, reason: started.reason };
    if (started.created) return { opened: true, started: true };
    ours = { id: started.subscriptionId };
  }
  const result = await openPeriod({ subscriptionId: ours.id, ...payment, periodStart: period.start, periodEnd: period.end });
  return { opened: result === "opened", result };
}

/** A proration invoice: recorded against our subscription, over the span its lines cover. */
async function prorationPaid(invoice: Invoice, stripeSubscriptionId: string) {
  if (invoice.amount_paid === 0) return { opened: false, reason: "a proration with nothing to pay" };
  const lines = invoice.lines.data.filter(isProration);
  const spans = (lines.length ? lines : invoice.lines.data).filter((l) => l.period.end > l.period.start);
  if (!spans.length) return { opened: false, reason: "no service period" };
  const ours = await db.subscription.findUnique({ where: { stripeSubscriptionId }, select: { id: true } });
  // The subscription starts from its own events (or reconcile's pass over them), never from a proration.
  if (!ours) return { opened: false, reason: "proration for a subscription not started here yet" };
  const result = await recordProration({
    subscriptionId: ours.id,
    externalId: invoice.id,
    amountMicros: BigInt(invoice.amount_paid) * MICROS_PER_CENT,
    periodStart: new Date(Math.min(...spans.map((l) => l.period.start)) * 1000),
    periodEnd: new Date(Math.max(...spans.map((l) => l.period.end)) * 1000),
    receiptUrl: invoice.hosted_invoice_url ?? null,
  });
  return { opened: false, result };
}
