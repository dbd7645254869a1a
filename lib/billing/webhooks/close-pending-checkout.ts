// A Checkout Session that ended without a payment: its top-up, if still pending, is closed with the
// reason; nothing was credited, so the balance is not touched. Shared by the events that end one.
import { z } from "zod";
import { db } from "@/lib/db";

const Session = z.object({ id: z.string().min(1) }).loose();

export async function closePendingCheckout(object: unknown, outcome: { status: "FAILED" | "CANCELED"; reason: string }) {
  const session = Session.parse(object);
  const { count } = await db.payment.updateMany({
    where: { externalId: session.id, status: "PENDING" },
    data: { status: outcome.status, failureReason: outcome.reason, completedAt: new Date() },
  });
  return { updated: count };
}
