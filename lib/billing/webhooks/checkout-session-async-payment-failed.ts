// checkout.session.async_payment_failed: a delayed payment method (bank debit…) failed; nothing was
// credited, so the top-up is only marked failed.
import { z } from "zod";
import { db } from "@/lib/db";

const Session = z.object({ id: z.string().min(1) }).loose();

export async function checkoutSessionAsyncPaymentFailed(object: unknown) {
  const session = Session.parse(object);
  const { count } = await db.payment.updateMany({
    where: { externalId: session.id, status: "PENDING" },
    data: { status: "FAILED", failureReason: "the payment did not go through", completedAt: new Date() },
  });
  return { updated: count };
}
