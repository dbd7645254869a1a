// checkout.session.completed and checkout.session.async_payment_succeeded: a paid top-up is
// credited once. A card saved for auto top-up (the user ticked the box) is kept on the account.
// A Checkout in subscription mode credits nothing: it starts the plan subscription (once, by the
// Stripe subscription id; invoice.paid may already have started it).
import { z } from "zod";
import { db } from "@/lib/db";
import { MICROS_PER_CENT } from "@/lib/payments/limits";
import { getStripe } from "@/lib/payments/stripe";
import { creditTopUp } from "../top-ups";
import { ensureSubscription, idOf, retrieveStripeSubscription } from "./stripe-subscription";

export const CheckoutSession = z.object({
  id: z.string().min(1),
  client_reference_id: z.uuid().nullable(),
  amount_total: z.number().int().nonnegative().nullable(),
  currency: z.string().nullable().optional(),
  mode: z.string().optional(),
  payment_status: z.enum(["paid", "unpaid", "no_payment_required"]),
  payment_intent: z.union([z.string(), z.object({ id: z.string() }).loose()]).nullable().optional(),
  metadata: z.record(z.string(), z.string()).nullable().optional(),
  subscription: z.union([z.string().min(1), z.object({ id: z.string().min(1) }).loose()]).nullable().optional(),
});
export type CheckoutSession = z.infer<typeof CheckoutSession>;

interface IntentDetails {
  id: string;
  paymentMethod: string | null;
  receiptUrl: string | null;
}

async function intentDetails(session: CheckoutSession): Promise<IntentDetails | null> {
  const id = typeof session.payment_intent === "string" ? session.payment_intent : session.payment_intent?.id;
  if (!id) return null;
  try {
    const intent = await getStripe().paymentIntents.retrieve(id, { expand: ["latest_charge"] });
    const charge = intent.latest_charge && typeof intent.latest_charge === "object" ? intent.latest_charge : null;
    const pm = intent.payment_method;
    return { id, paymentMethod: typeof pm === "string" ? pm : (pm?.id ?? null), receiptUrl: charge?.receipt_url ?? null };
  } catch (error) {
    // The credit must not wait on a receipt link: credit now, without it.
    console.warn(`[webhooks] could not load payment intent ${id}:`, (error as Error).message);
    return { id, paymentMethod: null, receiptUrl: null };
  }
}

async function startSubscriptionFromCheckout(session: CheckoutSession, provider: "STRIPE" | "SANDBOX") {
  // Sandbox plans start through paySandboxSubscription, never through a Checkout Session.
  if (provider !== "STRIPE") return { credited: false, reason: "not a Stripe subscription" };
  if (session.payment_status === "unpaid") return { credited: false, reason: "not paid yet" };
  const stripeSubscriptionId = idOf(session.subscription);
  if (!stripeSubscriptionId) return { credited: false, reason: "no subscription" };
  const started = await ensureSubscription(await retrieveStripeSubscription(stripeSubscriptionId), { userId: session.client_reference_id });
  return started.subscriptionId === null
    ? { credited: false, reason: started.reason }
    : { credited: false, subscriptionId: started.subscriptionId, started: started.created };
}

export async function checkoutSessionCompleted(
  object: unknown,
  provider: "STRIPE" | "SANDBOX" = "STRIPE",
): Promise<{ credited: boolean; reason?: string; subscriptionId?: string; started?: boolean }> {
  const session = CheckoutSession.parse(object);
  if (session.mode === "subscription") return startSubscriptionFromCheckout(session, provider);
  if (session.mode && session.mode !== "payment") return { credited: false, reason: "not a top-up" };
  if (session.metadata?.purpose && session.metadata.purpose !== "topup") return { credited: false, reason: "not a top-up" };
  if (session.payment_status !== "paid") return { credited: false, reason: "not paid yet" };
  if (!session.client_reference_id || session.amount_total === null) return { credited: false, reason: "no user or amount" };
  if (session.currency && session.currency.toLowerCase() !== "usd") return { credited: false, reason: "not USD" };

  const intent = provider === "STRIPE" ? await intentDetails(session) : null;
  const { credited } = await creditTopUp({
    provider,
    externalId: session.id,
    userId: session.client_reference_id,
    amountMicros: BigInt(session.amount_total) * MICROS_PER_CENT,
    receiptUrl: intent?.receiptUrl ?? null,
    paymentIntentId: intent?.id ?? null,
  });
  if (session.metadata?.save_card === "1" && intent?.paymentMethod) {
    await db.account.update({
      where: { userId: session.client_reference_id },
      data: { autoTopupPaymentMethodId: intent.paymentMethod, autoTopupFailures: 0, autoTopupNotice: null },
    });
  }
  return { credited };
}
