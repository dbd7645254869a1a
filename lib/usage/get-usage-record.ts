import { db } from "@/lib/db";
import type { UserCtx } from "@/lib/context";
import { AppError } from "@/lib/errors";
import { z } from "zod";
import { accountIdOf, keyLabels, usageDetailSelect } from "./list-usage";
import { UsageDetail } from "./schemas";

export const GetUsageRecordInput = z.object({ id: z.uuid("No such request") });

/** One of the user's requests with everything its usage record knows; another user's id is "not found". */
export async function getUsageRecord({ ctx, input }: { ctx: { userId: string } & Partial<UserCtx>; input: { id: string } }): Promise<UsageDetail> {
  const parsed = GetUsageRecordInput.safeParse(input);
  if (!parsed.success) throw new AppError("not_found", "No such request");
  const accountId = await accountIdOf(ctx.userId);
  const row = accountId ? await db.usageRecord.findFirst({ where: { id: parsed.data.id, accountId }, select: usageDetailSelect }) : null;
  if (!row) throw new AppError("not_found", "No such request");
  const { apiKeyId, ...rest } = row;
  const keys = await keyLabels(ctx.userId, [apiKeyId]);
  return UsageDetail.parse({ ...rest, key: (apiKeyId && keys.get(apiKeyId)) || null });
}
