import { db } from "@/lib/db";
import type { UserCtx } from "@/lib/context";
import { z } from "zod";

export const BalanceHistoryInput = z.object({
  /** Show entries before this instant (a previous page's `olderBefore`); default: everything up to now. */
  before: z.date().optional(),
  /** How many UTC days one page covers. */
  days: z.number().int().min(1).max(366).default(30),
});
export type BalanceHistoryInput = z.input<typeof BalanceHistoryInput>;

export type LedgerKindName = "TOPUP" | "USAGE" | "ADJUSTMENT" | "REFUND";

export interface BalanceHistoryItem {
  /** Stable id: `entry:<id>`, or `usage:<day>:<keyId>:<n>` for a day's requests of one key (n: between which other entries). */
  id: string;
  kind: LedgerKindName;
  /** The entry's time, or the last request's time for a usage group. */
  at: Date;
  /** The entry's time, or the first request's time for a usage group. */
  firstAt: Date;
  /** For usage groups: the UTC day and the key. */
  day: Date | null;
  key: { id: string; name: string; prefix: string } | null;
  keyId: string | null;
  description: string;
  amountMicros: bigint;
  /** How many ledger entries this line sums (requests, for usage). */
  entries: number;
  /** The balance after this line: the line below's plus this amount (see balanceHistory). */
  balanceAfterMicros: bigint;
}

export interface BalanceHistory {
  items: BalanceHistoryItem[];
  /** The balance before the oldest line on this page; opening + Σ amounts = closing. */
  openingBalanceMicros: bigint;
  closingBalanceMicros: bigint;
  /** The account's balance now, and the sum of its whole ledger (always equal: API.md's guarantee). */
  balanceMicros: bigint;
  ledgerSumMicros: bigint;
  /** Pass as `before` for the previous page; null when there is nothing older. */
  olderBefore: Date | null;
  windowStart: Date;
}

interface GroupRow {
  kind: LedgerKindName;
  day: Date | null;
  api_key_id: string | null;
  single_id: bigint | null;
  island: bigint;
  description: string | null;
  amount: bigint;
  entries: bigint;
  first_at: Date;
  at: Date;
}

/**
 * The ledger as the user sees it: top-ups, refunds and adjustments one by one, usage summed per UTC day
 * per key, each with the balance after it, newest first, one window of `days` days per page.
 *
 * The lines add up: each line's balance after is the one below it plus its amount. A day's usage of a key
 * is split where a top-up, refund or adjustment came in between (usage groups never straddle another
 * entry), so every such entry shows the balance it really left, and the usage lines between two of them
 * (several keys' at once) are summed in the order of their last request.
 */
export async function balanceHistory({ ctx, input = {} }: { ctx: Pick<UserCtx, "userId">; input?: BalanceHistoryInput }): Promise<BalanceHistory> {
  const { before, days } = BalanceHistoryInput.parse(input);
  const account = await db.account.findUnique({ where: { userId: ctx.userId }, select: { id: true, balanceMicros: true } });
  const end = before ?? new Date(Date.now() + 60_000);
  const windowStart = new Date(Date.UTC(end.getUTCFullYear(), end.getUTCMonth(), end.getUTCDate() - days + 1));
  if (!account) {
    return { items: [], openingBalanceMicros: 0n, closingBalanceMicros: 0n, balanceMicros: 0n, ledgerSumMicros: 0n, olderBefore: null, windowStart };
  }
  const [groups, opening, sum] = await Promise.all([
    db.$queryRaw<GroupRow[]>`
      SELECT e.kind,
             CASE WHEN e.kind = 'USAGE' THEN date_trunc('day', e.created_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' END AS day,
             CASE WHEN e.kind = 'USAGE' THEN e.api_key_id::text END AS api_key_id,
             CASE WHEN e.kind = 'USAGE' THEN NULL ELSE e.id END AS single_id,
             e.island, max(e.description) AS description,
             sum(e.amount_micros)::bigint AS amount, count(*)::bigint AS entries,
             min(e.created_at) AS first_at, max(e.created_at) AS at
        -- In the ledger's order (the index's, as the opening balance below): each entry's island is the
        -- number of other entries before it, so usage never groups across one.
        FROM (SELECT l.*, count(*) FILTER (WHERE l.kind <> 'USAGE') OVER w AS island, row_number() OVER w AS seq
                FROM ledger_entries l
               WHERE l.account_id = ${account.id}::uuid AND l.created_at >= ${windowStart} AND l.created_at < ${end}
              WINDOW w AS (ORDER BY l.created_at, l.id)) e
       GROUP BY 1, 2, 3, 4, 5
       ORDER BY max(e.seq) DESC`,
    // The last entry before the window: a backward probe of the (account_id, created_at) index.
    db.$queryRaw<Array<{ balanceAfterMicros: bigint }>>`
      SELECT e.balance_after_micros AS "balanceAfterMicros" FROM ledger_entries e
       WHERE e.account_id = ${account.id}::uuid AND e.created_at < ${windowStart}
       ORDER BY e.created_at DESC, e.id DESC LIMIT 1`.then((rows) => rows[0] ?? null),
    db.ledgerEntry.aggregate({ where: { accountId: account.id }, _sum: { amountMicros: true } }),
  ]);
  const keyIds = [...new Set(groups.map((g) => g.api_key_id).filter((id): id is string => id !== null))];
  const keys = keyIds.length ? await db.apiKey.findMany({ where: { id: { in: keyIds }, userId: ctx.userId }, select: { id: true, name: true, prefix: true } }) : [];
  const keyById = new Map(keys.map((k) => [k.id, k]));

  const openingBalanceMicros = opening?.balanceAfterMicros ?? 0n;
  // Balances after each line, oldest first: the running sum from the opening balance.
  let running = openingBalanceMicros;
  const balanceAfter = groups.toReversed().map((g) => (running += g.amount)).reverse();
  const items: BalanceHistoryItem[] = groups.map((g, i) => {
    const key = g.api_key_id ? (keyById.get(g.api_key_id) ?? null) : null;
    const dayText = g.day ? new Date(g.day).toISOString().slice(0, 10) : null;
    return {
      id: g.kind === "USAGE" ? `usage:${dayText}:${g.api_key_id ?? "none"}:${g.island}` : `entry:${g.single_id}`,
      kind: g.kind,
      at: new Date(g.at),
      firstAt: new Date(g.first_at),
      day: g.day ? new Date(g.day) : null,
      key,
      keyId: g.api_key_id,
      description: g.kind === "USAGE" ? `${Number(g.entries)} request${g.entries === 1n ? "" : "s"}` : (g.description ?? ""),
      amountMicros: g.amount,
      entries: Number(g.entries),
      balanceAfterMicros: balanceAfter[i]!,
    };
  });
  return {
    items,
    openingBalanceMicros,
    closingBalanceMicros: items[0]?.balanceAfterMicros ?? openingBalanceMicros,
    balanceMicros: account.balanceMicros,
    ledgerSumMicros: sum._sum.amountMicros ?? 0n,
    olderBefore: opening ? windowStart : null,
    windowStart,
  };
}
