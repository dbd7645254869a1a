// Reconciliation: asks Stripe for recent paid Checkout Sessions and auto top-up PaymentIntents and
// credits any that a lost webhook never credited — through the same idempotent handlers, so running
// it any number of times (or beside the webhooks) credits each payment once.
import { checkoutSessionCompleted } from "@/lib/billing/webhooks/checkout-session-completed";
import { paymentIntentSucceeded } from "@/lib/billing/webhooks/payment-intent";
import { getStripe } from "./stripe";

export interface ReconcileResult {
  sessionsSeen: number;
  intentsSeen: number;
  credited: { id: string; kind: "checkout_session" | "payment_intent" }[];
}

export async function reconcilePayments({ days = 3 }: { days?: number } = {}): Promise<ReconcileResult> {
  const stripe = getStripe();
  const since = Math.floor(Date.now() / 1000) - days * 86_400;
  const result: ReconcileResult = { sessionsSeen: 0, intentsSeen: 0, credited: [] };

  for await (const session of stripe.checkout.sessions.list({ created: { gte: since }, limit: 100 })) {
    result.sessionsSeen++;
    if (session.mode !== "payment" || session.payment_status !== "paid" || session.metadata?.purpose !== "topup") continue;
    const { credited } = await checkoutSessionCompleted(session, "STRIPE");
    if (credited) result.credited.push({ id: session.id, kind: "checkout_session" });
  }
  for await (const intent of stripe.paymentIntents.list({ created: { gte: since }, limit: 100 })) {
    result.intentsSeen++;
    if (intent.status !== "succeeded" || intent.metadata?.purpose !== "auto_topup") continue;
    const outcome = await paymentIntentSucceeded(intent);
    if ("credited" in outcome && outcome.credited) result.credited.push({ id: intent.id, kind: "payment_intent" });
  }
  return result;
}
