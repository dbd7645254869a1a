import { db } from "@/lib/db";
import type { UserCtx } from "@/lib/context";
import { accountIdOf, keyLabels, usageDetailSelect, usageWhere } from "./list-usage";
import { UsageFilter, type UsageDetail } from "./schemas";
import type { UsageCursor } from "./cursor";

const BATCH = 1_000;

function readBatch(accountId: string, filter: UsageFilter, after: UsageCursor | null) {
  return db.usageRecord.findMany({
    where: usageWhere(accountId, filter, after),
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: BATCH,
    select: usageDetailSelect,
  });
}

/**
 * Every usage record matching the filter, newest first, in batches read with a keyset cursor: memory
 * stays flat whatever the number of rows, and a slow reader only slows the reads down.
 */
export async function* exportUsage({ ctx, input }: { ctx: Pick<UserCtx, "userId">; input: UsageFilter }): AsyncGenerator<UsageDetail[]> {
  const filter = UsageFilter.parse(input);
  const accountId = await accountIdOf(ctx.userId);
  if (!accountId) return;
  const keyCache = new Map<string, { id: string; name: string; prefix: string } | null>();
  let after: UsageCursor | null = null;
  for (;;) {
    const rows = await readBatch(accountId, filter, after);
    if (rows.length === 0) return;
    const missing = rows.map((r) => r.apiKeyId).filter((id): id is string => id !== null && !keyCache.has(id));
    if (missing.length) {
      const found = await keyLabels(ctx.userId, missing);
      for (const id of missing) keyCache.set(id, found.get(id) ?? null);
    }
    yield rows.map(({ apiKeyId, ...row }) => ({ ...row, key: apiKeyId ? (keyCache.get(apiKeyId) ?? null) : null }));
    if (rows.length < BATCH) return;
    const last = rows[rows.length - 1]!;
    after = { createdAt: last.createdAt, id: last.id };
  }
}
