import { db } from "@/lib/db";
import type { UserCtx } from "@/lib/context";

export async function listPayments({ ctx, input = {} }: { ctx: Pick<UserCtx, "userId">; input?: { limit?: number } }) {
  return db.payment.findMany({
    where: { userId: ctx.userId },
    orderBy: { createdAt: "desc" },
    take: Math.min(Math.max(input.limit ?? 50, 1), 200),
    select: { id: true, provider: true, externalId: true, amountMicros: true, status: true, receiptUrl: true, createdAt: true, completedAt: true },
  });
}
