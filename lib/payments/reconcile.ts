// Reconciliation: asks Stripe for what recently happened and applies whatever a lost webhook never
// did — through the same idempotent handlers, so running it any number of times (or beside the
// webhooks) credits each payment once and opens each subscription period once:
// - paid Checkout Sessions: a top-up is credited; a plan checkout starts its subscription;
// - succeeded auto top-up PaymentIntents: credited;
// - paid subscription invoices: the period they pay for is opened (the allowance renewed).
import { checkoutSessionCompleted } from "@/lib/billing/webhooks/checkout-session-completed";
import { invoicePaid } from "@/lib/billing/webhooks/invoice-paid";
import { paymentIntentSucceeded } from "@/lib/billing/webhooks/payment-intent";
import { getStripe } from "./stripe";

export interface ReconcileResult {
  sessionsSeen: number;
  intentsSeen: number;
  invoicesSeen: number;
  credited: { id: string; kind: "checkout_session" | "payment_intent" }[];
  /** Subscriptions started (by their Checkout Session or first invoice) and periods opened (by their invoice). */
  subscriptions: { id: string; kind: "started" | "period_opened" }[];
  /** Objects that could not be applied now (the webhook handler refused them); the next run tries again. */
  failed: { id: string; error: string }[];
}

/** Runs one object's handler; a failure is reported and the run goes on with the next object. */
async function attempt<T>(result: ReconcileResult, id: string, apply: () => Promise<T>): Promise<T | null> {
  try {
    return await apply();
  } catch (error) {
    result.failed.push({ id, error: (error as Error).message });
    return null;
  }
}

export async function reconcilePayments({ days = 3 }: { days?: number } = {}): Promise<ReconcileResult> {
  const stripe = getStripe();
  const since = Math.floor(Date.now() / 1000) - days * 86_400;
  const result: ReconcileResult = { sessionsSeen: 0, intentsSeen: 0, invoicesSeen: 0, credited: [], subscriptions: [], failed: [] };

  for await (const session of stripe.checkout.sessions.list({ created: { gte: since }, limit: 100 })) {
    result.sessionsSeen++;
    if (session.payment_status !== "paid") continue;
    if (session.mode === "payment" && session.metadata?.purpose === "topup") {
      const outcome = await attempt(result, session.id, () => checkoutSessionCompleted(session, "STRIPE"));
      if (outcome?.credited) result.credited.push({ id: session.id, kind: "checkout_session" });
    } else if (session.mode === "subscription") {
      const outcome = await attempt(result, session.id, () => checkoutSessionCompleted(session, "STRIPE"));
      if (outcome && "started" in outcome && outcome.started) result.subscriptions.push({ id: session.id, kind: "started" });
    }
  }
  for await (const intent of stripe.paymentIntents.list({ created: { gte: since }, limit: 100 })) {
    result.intentsSeen++;
    if (intent.status !== "succeeded" || intent.metadata?.purpose !== "auto_topup") continue;
    const outcome = await attempt(result, intent.id, () => paymentIntentSucceeded(intent));
    if (outcome && "credited" in outcome && outcome.credited) result.credited.push({ id: intent.id, kind: "payment_intent" });
  }
  // Oldest first, so that periods open in their order (a newer period's invoice never re-opens an older one).
  const invoices = [];
  for await (const invoice of stripe.invoices.list({ created: { gte: since }, status: "paid", limit: 100 })) invoices.push(invoice);
  for (const invoice of invoices.sort((a, b) => a.created - b.created)) {
    result.invoicesSeen++;
    const outcome = await attempt(result, invoice.id, () => invoicePaid(invoice));
    if (outcome?.opened) result.subscriptions.push({ id: invoice.id, kind: "started" in outcome && outcome.started ? "started" : "period_opened" });
  }
  return result;
}
