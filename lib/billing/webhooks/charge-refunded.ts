// charge.refunded: money went back to the card, so it comes off the balance — but never below what
// is available: what was already spent cannot be taken back, and the shortfall is recorded.
// amount_refunded is cumulative, so each new total applies once (reference per total).
import { z } from "zod";
import { recordAudit } from "@/lib/audit/record";
import { db } from "@/lib/db";
import { displayUsd } from "@/lib/money";
import { MICROS_PER_CENT } from "@/lib/payments/limits";
import { postEntry } from "../ledger";

const Charge = z
  .object({
    id: z.string().min(1),
    payment_intent: z.union([z.string(), z.object({ id: z.string() }).loose()]).nullable(),
    amount_refunded: z.number().int().nonnegative(),
  })
  .loose();

export async function chargeRefunded(object: unknown) {
  const charge = Charge.parse(object);
  const intentId = typeof charge.payment_intent === "string" ? charge.payment_intent : charge.payment_intent?.id;
  if (!intentId) return { handled: false, reason: "no payment intent" };
  const refundedTotal = BigInt(charge.amount_refunded) * MICROS_PER_CENT;

  return db.$transaction(async (tx) => {
    // Lock the payment so two deliveries (or two refunds) are applied one after the other.
    const [payment] = await tx.$queryRaw<{ id: string; user_id: string; amount_micros: bigint; refunded_micros: bigint; status: string }[]>`
      SELECT id::text, user_id::text, amount_micros, refunded_micros, status::text FROM payments
      WHERE payment_intent_id = ${intentId} FOR UPDATE`;
    // Not credited yet (the completion event is still to come): fail so Stripe delivers this again later.
    if (!payment || payment.status === "PENDING") throw new Error(`no credited payment for ${intentId} yet`);
    const delta = refundedTotal - payment.refunded_micros;
    if (delta <= 0n) return { handled: true, debited: 0n };

    const account = await tx.account.findUniqueOrThrow({ where: { userId: payment.user_id }, select: { id: true, balanceMicros: true, reservedMicros: true } });
    const available = account.balanceMicros - account.reservedMicros;
    const debit = delta < available ? delta : available > 0n ? available : 0n;
    const shortfall = delta - debit;
    if (debit > 0n) {
      await postEntry(tx, {
        accountId: account.id,
        kind: "REFUND",
        amountMicros: -debit,
        reference: `refund:${charge.id}:${charge.amount_refunded}`,
        description:
          `Refund of ${displayUsd(delta)} to your card` +
          (shortfall > 0n ? ` (${displayUsd(shortfall)} of it had already been spent and was not taken from the balance)` : ""),
        paymentId: payment.id,
      });
    }
    await tx.payment.update({
      where: { id: payment.id },
      data: {
        refundedMicros: refundedTotal,
        status: refundedTotal >= payment.amount_micros ? "REFUNDED" : undefined,
        failureReason: shortfall > 0n ? `refund shortfall ${displayUsd(shortfall)} (already spent)` : undefined,
      },
    });
    await recordAudit(tx, {
      actorLabel: "stripe",
      action: "payment.refunded",
      targetType: "payment",
      targetId: payment.id,
      before: { refundedMicros: payment.refunded_micros },
      after: { refundedMicros: refundedTotal, debitedMicros: debit, shortfallMicros: shortfall, charge: charge.id },
    });
    return { handled: true, debited: debit, shortfall };
  });
}
