// charge.dispute.created: the cardholder disputed a top-up. The payment is marked and the user told;
// the funds decision is an operator's (the balance is not touched automatically).
import { z } from "zod";
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
  const { count } = await db.payment.updateMany({
    where: { paymentIntentId: intentId },
    data: { status: "DISPUTED", failureReason: `disputed (${dispute.reason ?? "no reason given"}), dispute ${dispute.id}` },
  });
  return { handled: count > 0 };
}
