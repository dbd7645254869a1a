import { db } from "@/lib/db";
import type { UserCtx } from "@/lib/context";
import { KeySummary, keySummarySelect } from "./schemas";

/** The user's keys, newest first, active ones before revoked ones. */
export async function listKeys({ ctx }: { ctx: Pick<UserCtx, "userId"> }): Promise<KeySummary[]> {
  const rows = await db.apiKey.findMany({
    where: { userId: ctx.userId },
    orderBy: [{ createdAt: "desc" }],
    select: keySummarySelect,
  });
  const keys = rows.map((r) => KeySummary.parse(r));
  return [...keys.filter((k) => !k.revokedAt), ...keys.filter((k) => k.revokedAt)];
}
