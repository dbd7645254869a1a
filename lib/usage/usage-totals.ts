import { db } from "@/lib/db";
import type { UserCtx } from "@/lib/context";
import { UsageRangeInput } from "./schemas";

export interface UsageTotals {
  requests: number;
  inputTokens: number;
  outputTokens: number;
  costMicros: bigint;
}

/** Requests, tokens and spend of the user's account in [from, to), in one aggregate query. */
export async function usageTotals({ ctx, input }: { ctx: Pick<UserCtx, "userId">; input: UsageRangeInput }): Promise<UsageTotals> {
  const { from, to } = UsageRangeInput.parse(input);
  const result = await db.usageRecord.aggregate({
    where: { account: { userId: ctx.userId }, createdAt: { gte: from, lt: to } },
    _count: { _all: true },
    _sum: { inputTokens: true, outputTokens: true, costMicros: true },
  });
  return {
    requests: result._count._all,
    inputTokens: result._sum.inputTokens ?? 0,
    outputTokens: result._sum.outputTokens ?? 0,
    costMicros: result._sum.costMicros ?? 0n,
  };
}
