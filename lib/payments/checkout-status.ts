// What the page after Checkout shows: whether the payment has been credited yet (a webhook may still
// be on its way), for the signed-in user's own session only.
import { db } from "@/lib/db";
import type { UserCtx } from "@/lib/context";

export async function getCheckoutStatus({ ctx, input }: { ctx: Pick<UserCtx, "userId">; input: { sessionId: string } }) {
  if (!/^cs_[\w]{1,200}$/.test(input.sessionId)) return null;
  return db.payment.findFirst({
    where: { externalId: input.sessionId, userId: ctx.userId },
    select: { status: true, amountMicros: true },
  });
}
