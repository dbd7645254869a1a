// Stripe webhooks: raw body → signature → record the event id → handler. A redelivered event that
// was processed answers 200 without running again; events we do not handle answer 200 too.
import type Stripe from "stripe";
import { db, Prisma } from "@/lib/db";
import { env } from "@/lib/env.js";
import { AppError } from "@/lib/errors";
import { getStripe } from "@/lib/payments/stripe";
import { chargeDisputeCreated } from "./charge-dispute-created";
import { chargeRefunded } from "./charge-refunded";
import { checkoutSessionAsyncPaymentFailed } from "./checkout-session-async-payment-failed";
import { checkoutSessionCompleted } from "./checkout-session-completed";
import { checkoutSessionExpired } from "./checkout-session-expired";
import { customerSubscriptionDeleted } from "./customer-subscription-deleted";
import { customerSubscriptionUpdated } from "./customer-subscription-updated";
import { invoicePaid } from "./invoice-paid";
import { paymentIntentPaymentFailed, paymentIntentSucceeded } from "./payment-intent";

type Handler = (object: unknown) => Promise<unknown>;

/** The events to enable on the Stripe webhook endpoint (README). */
export const HANDLED_EVENTS = {
  "checkout.session.completed": (o) => checkoutSessionCompleted(o, "STRIPE"),
  "checkout.session.async_payment_succeeded": (o) => checkoutSessionCompleted(o, "STRIPE"),
  "checkout.session.async_payment_failed": checkoutSessionAsyncPaymentFailed,
  "checkout.session.expired": checkoutSessionExpired,
  "payment_intent.succeeded": paymentIntentSucceeded,
  "payment_intent.payment_failed": paymentIntentPaymentFailed,
  "charge.refunded": chargeRefunded,
  "charge.dispute.created": chargeDisputeCreated,
  "invoice.paid": invoicePaid,
  "customer.subscription.created": customerSubscriptionUpdated,
  "customer.subscription.updated": customerSubscriptionUpdated,
  "customer.subscription.deleted": customerSubscriptionDeleted,
} satisfies Record<string, Handler>;

const handlers: Record<string, Handler> = HANDLED_EVENTS;

export async function handleStripeWebhook(rawBody: string, signature: string | null) {
  if (!env.STRIPE_WEBHOOK_SECRET) throw new AppError("not_found", "Stripe is not configured");
  let event: Stripe.Event;
  try {
    event = getStripe().webhooks.constructEvent(rawBody, signature ?? "", env.STRIPE_WEBHOOK_SECRET);
  } catch {
    throw new AppError("invalid_request", "Invalid Stripe signature");
  }
  const handler = handlers[event.type];
  try {
    await db.webhookEvent.create({ data: { id: event.id, source: "stripe", type: event.type } });
  } catch (error) {
    if (!(error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002")) throw error;
    const seen = await db.webhookEvent.findUnique({ where: { id: event.id }, select: { processedAt: true } });
    if (seen?.processedAt) return { received: true, duplicate: true };
    // Seen but not finished (a crash or an error): run it again; the handlers are idempotent.
  }
  if (!handler) {
    await db.webhookEvent.update({ where: { id: event.id }, data: { processedAt: new Date() } });
    return { received: true, handled: false };
  }
  try {
    await handler(event.data.object);
    await db.webhookEvent.update({ where: { id: event.id }, data: { processedAt: new Date(), error: null } });
    return { received: true, handled: true };
  } catch (error) {
    await db.webhookEvent.update({ where: { id: event.id }, data: { error: String((error as Error).message).slice(0, 500) } });
    throw error;
  }
}
