import { db } from "@/lib/db";
import type { UserCtx } from "@/lib/context";

export async function listPayments({ ctx, input = {} }: { ctx: Pick<UserCtx, "userId">; input?: { limit?: number } }) {
  return db.payment.findMany({
    where: { userId: ctx.userId },
    orderBy: { createdAt: "desc" },
    take: Math.min(Math.max(input.limit ?? 50, 1), 10_000),
    select: {
      id: true,
      provider: true,
      kind: true,
      externalId: true,
      amountMicros: true,
      refundedMicros: true,
      status: true,
      receiptUrl: true,
      failureReason: true,
      createdAt: true,
      completedAt: true,
    },
  });
}
