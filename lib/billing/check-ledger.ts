// The invariants behind API.md's guarantees, checked over every account in SQL.
import { db } from "@/lib/db";

export interface Violation {
  accountId: string | null;
  rule: string;
  detail: string;
}

export async function checkLedger(): Promise<{ ok: boolean; accounts: number; violations: Violation[] }> {
  const violations: Violation[] = [];
  const add = (rows: { account_id: string | null; detail: string }[], rule: string) =>
    rows.forEach((r) => violations.push({ accountId: r.account_id, rule, detail: r.detail }));

  add(
    await db.$queryRaw`
      SELECT a.id::text AS account_id,
             format('balance %s, sum of ledger %s', a.balance_micros, COALESCE(s.total, 0)) AS detail
      FROM accounts a LEFT JOIN (SELECT account_id, sum(amount_micros) AS total FROM ledger_entries GROUP BY 1) s
        ON s.account_id = a.id
      WHERE a.balance_micros <> COALESCE(s.total, 0)`,
    "balance equals the sum of its ledger",
  );
  add(
    await db.$queryRaw`
      SELECT a.id::text AS account_id, format('available %s', a.balance_micros - a.reserved_micros) AS detail
      FROM accounts a WHERE a.balance_micros - a.reserved_micros < 0 OR a.reserved_micros < 0`,
    "no negative available balance",
  );
  add(
    await db.$queryRaw`
      SELECT a.id::text AS account_id,
             format('reserved %s, sum of active holds %s', a.reserved_micros, COALESCE(s.total, 0)) AS detail
      FROM accounts a LEFT JOIN (SELECT account_id, sum(amount_micros) AS total FROM holds WHERE status = 'ACTIVE' GROUP BY 1) s
        ON s.account_id = a.id
      WHERE a.reserved_micros <> COALESCE(s.total, 0)`,
    "reserved equals the sum of active holds",
  );
  add(
    await db.$queryRaw`
      SELECT k.user_id::text AS account_id,
             format('key %s reserved %s, sum of its active holds %s', k.prefix, k.reserved_micros, COALESCE(s.total, 0)) AS detail
      FROM api_keys k LEFT JOIN (SELECT api_key_id, sum(amount_micros) AS total FROM holds WHERE status = 'ACTIVE' GROUP BY 1) s
        ON s.api_key_id = k.id
      WHERE k.reserved_micros <> COALESCE(s.total, 0)`,
    "a key's reserved equals the sum of its active holds",
  );
  add(
    await db.$queryRaw`
      SELECT h.account_id::text AS account_id,
             format('hold %s (request %s) expired %s ago', h.id, h.request_id, date_trunc('second', now() - h.expires_at)) AS detail
      FROM holds h WHERE h.status = 'ACTIVE' AND h.expires_at < now()`,
    "no hold past its expiry",
  );
  add(
    await db.$queryRaw`
      SELECT u.account_id::text AS account_id, format('usage record %s (request %s) has no ledger entry', u.id, u.request_id) AS detail
      FROM usage_records u LEFT JOIN ledger_entries l ON l.usage_record_id = u.id
      WHERE u.status <> 'FAILED' AND l.id IS NULL`,
    "every charged request has one ledger entry",
  );
  const accounts = await db.account.count();
  return { ok: violations.length === 0, accounts, violations };
}
