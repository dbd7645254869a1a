import { db } from "@/lib/db";
import type { UserCtx } from "@/lib/context";
import { UsageSummaryInput } from "./usage-summary";

export interface BalancePoint {
  start: Date;
  /** The balance at the end of the bucket (carried forward through idle buckets). */
  balanceMicros: bigint;
}

/**
 * The balance at the end of every bucket in [from, to), from ledger_entries.balance_after_micros: for
 * each bucket end, the account's last entry before it — one backward probe of the (account_id,
 * created_at) index per bucket, so the cost follows the number of buckets, not of entries.
 */
export async function balanceTrend({ ctx, input }: { ctx: Pick<UserCtx, "userId">; input: UsageSummaryInput }): Promise<BalancePoint[]> {
  const { from, to, bucket } = UsageSummaryInput.parse(input);
  const step = bucket === "hour" ? 3_600_000 : 86_400_000;
  const first = new Date(from);
  first.setUTCMinutes(0, 0, 0);
  if (bucket === "day") first.setUTCHours(0);
  const starts: Date[] = [];
  for (let t = first.getTime(); t < to.getTime(); t += step) starts.push(new Date(t));
  if (starts.length === 0) return [];
  const ends = starts.map((s) => new Date(Math.min(s.getTime() + step, to.getTime())));
  const rows = await db.$queryRaw<Array<{ i: number; balance: bigint | null }>>`
    SELECT b.i::int AS i, l.balance_after_micros AS balance
      FROM unnest(${ends}::timestamptz[]) WITH ORDINALITY AS b(bucket_end, i)
      LEFT JOIN LATERAL (
        SELECT e.balance_after_micros FROM ledger_entries e
         WHERE e.account_id = (SELECT id FROM accounts WHERE user_id = ${ctx.userId}::uuid) AND e.created_at < b.bucket_end
         ORDER BY e.created_at DESC, e.id DESC LIMIT 1) l ON true`;
  const byIndex = new Map(rows.map((r) => [r.i, r.balance]));
  return starts.map((start, index) => ({ start, balanceMicros: byIndex.get(index + 1) ?? 0n }));
}
