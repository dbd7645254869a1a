// checkout.session.expired: the customer left Stripe Checkout without paying and the session ran out
// (24 h by default). Nothing was credited; the top-up stops showing as pending.
import { z } from "zod";
import { db } from "@/lib/db";

const Session = z.object({ id: z.string().min(1) }).loose();

export async function checkoutSessionExpired(object: unknown) {
  const session = Session.parse(object);
  const { count } = await db.payment.updateMany({
    where: { externalId: session.id, status: "PENDING" },
    data: { status: "CANCELED", failureReason: "the checkout expired before payment", completedAt: new Date() },
  });
  return { updated: count };
}
