// charge.dispute.created: the cardholder disputed a top-up. The payment is marked and the user told;
// the funds decision is an operator's (the balance is not touched automatically).
import { z } from "zod";
import { recordAudit } from "@/lib/audit/record";
import { db } from "@/lib/db";

const Dispute = z
  .object({
    id: z.string(),
    payment_intent: z.union([z.string(), z.object({ id: z.string() }).loose()]).nullable().optional(),
    reason: z.string().optional(),
  })
  .loose();

export async function chargeDisputeCreated(object: unknown) {
  const dispute = Dispute.parse(object);
  const intentId = typeof dispute.payment_intent === "string" ? dispute.payment_intent : dispute.payment_intent?.id;
  if (!intentId) return { handled: false };
  return db.$transaction(async (tx) => {
    const payment = await tx.payment.findUnique({ where: { paymentIntentId: intentId }, select: { id: true, status: true } });
    if (!payment) return { handled: false };
    await tx.payment.update({
      where: { id: payment.id },
      data: { status: "DISPUTED", failureReason: `disputed (${dispute.reason ?? "no reason given"}), dispute ${dispute.id}` },
    });
    await recordAudit(tx, {
      actorLabel: "stripe",
      action: "payment.disputed",
      targetType: "payment",
      targetId: payment.id,
      before: { status: payment.status },
      after: { status: "DISPUTED", dispute: dispute.id, reason: dispute.reason ?? null },
    });
    return { handled: true };
  });
}
