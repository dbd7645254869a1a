// payment_intent.succeeded / payment_intent.payment_failed: the outcome of an auto top-up charged
// off-session. Checkout top-ups are credited by checkout.session.completed and ignored here.
import { z } from "zod";
import { db } from "@/lib/db";
import { MICROS_PER_CENT } from "@/lib/payments/limits";
import { finishClaim, recordFailure } from "../auto-top-up";
import { creditTopUp } from "../top-ups";

const Intent = z
  .object({
    id: z.string().min(1),
    amount_received: z.number().int().nonnegative().optional(),
    amount: z.number().int().nonnegative(),
    currency: z.string(),
    metadata: z.record(z.string(), z.string()).nullable().optional(),
    last_payment_error: z.object({ message: z.string().optional() }).loose().nullable().optional(),
  })
  .loose();

async function autoTopUpPayment(object: unknown) {
  const intent = Intent.parse(object);
  if (intent.metadata?.purpose !== "auto_topup" || !intent.metadata.payment_id) return null;
  const payment = await db.payment.findUnique({
    where: { id: intent.metadata.payment_id },
    include: { user: { select: { email: true, account: { select: { id: true } } } } },
  });
  if (!payment || payment.kind !== "AUTO_TOPUP") throw new Error(`auto top-up payment ${intent.metadata.payment_id} not found`);
  return { intent, payment };
}

export async function paymentIntentSucceeded(object: unknown) {
  const found = await autoTopUpPayment(object);
  if (!found) return { handled: false };
  const { intent, payment } = found;
  const { credited } = await creditTopUp({
    provider: "STRIPE",
    kind: "AUTO_TOPUP",
    externalId: payment.externalId,
    userId: payment.userId,
    amountMicros: BigInt(intent.amount_received ?? intent.amount) * MICROS_PER_CENT,
    paymentIntentId: intent.id,
  });
  if (payment.user.account) await finishClaim(payment.user.account.id, true);
  return { handled: true, credited };
}

export async function paymentIntentPaymentFailed(object: unknown) {
  const found = await autoTopUpPayment(object);
  if (!found) return { handled: false };
  const { intent, payment } = found;
  const reason = intent.last_payment_error?.message ?? "the card was declined";
  const { count } = await db.payment.updateMany({
    where: { id: payment.id, status: "PENDING" },
    data: { status: "FAILED", failureReason: reason.slice(0, 300), paymentIntentId: intent.id },
  });
  // Count the failure once, however often Stripe delivers the event.
  if (count > 0 && payment.user.account) {
    await recordFailure({ account_id: payment.user.account.id, email: payment.user.email, amount: payment.amountMicros }, reason);
  }
  return { handled: true };
}
