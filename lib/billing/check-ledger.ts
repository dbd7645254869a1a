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
      SELECT (SELECT a.id::text FROM accounts a WHERE a.user_id = k.user_id) AS account_id,
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
      WHERE u.status <> 'FAILED' AND u.paid_by <> 'SUBSCRIPTION' AND l.id IS NULL`,
    "every charged request has one ledger entry",
  );
  add(
    await db.$queryRaw`
      SELECT u.account_id::text AS account_id,
             format('request %s cost %s, a subscription paid %s, but the ledger says %s', u.request_id, u.cost_micros,
                    u.covered_micros, COALESCE((-l.amount_micros)::text, 'nothing')) AS detail
      FROM usage_records u LEFT JOIN ledger_entries l ON l.usage_record_id = u.id
      WHERE u.status <> 'FAILED' AND (l.id IS NOT NULL OR u.paid_by <> 'SUBSCRIPTION')
        AND COALESCE(-l.amount_micros, 0) <> u.cost_micros - u.covered_micros`,
    "the balance paid exactly what the subscription did not",
  );
  add(
    await db.$queryRaw`
      SELECT s.account_id::text AS account_id,
             format('allowance %s (%s) reserved %s, sum of its active holds %s', al.id, al.label, al.reserved_value, COALESCE(h.total, 0)) AS detail
      FROM allowances al JOIN subscriptions s ON s.id = al.subscription_id
      LEFT JOIN (SELECT allowance_id, sum(allowance_amount) AS total FROM holds WHERE status = 'ACTIVE' GROUP BY 1) h
        ON h.allowance_id = al.id
      WHERE al.reserved_value <> COALESCE(h.total, 0)`,
    "an allowance's reserved equals the sum of its active holds",
  );
  // Async tasks: charged exactly the price on success, nothing otherwise, and no hold left behind.
  add(
    await db.$queryRaw`
      SELECT t.account_id::text AS account_id,
             format('task %s succeeded with cost %s but its usage record says %s', t.id, t.cost_micros, COALESCE(u.cost_micros::text, 'nothing')) AS detail
      FROM tasks t LEFT JOIN usage_records u ON u.request_id = t.id
      WHERE t.status = 'SUCCEEDED' AND t.cost_micros > 0 AND (u.id IS NULL OR u.cost_micros <> t.cost_micros)`,
    "a succeeded task is charged exactly once",
  );
  add(
    await db.$queryRaw`
      SELECT t.account_id::text AS account_id, format('task %s is %s but was charged', t.id, lower(t.status::text)) AS detail
      FROM tasks t JOIN ledger_entries l ON l.reference = 'usage:' || t.id
      WHERE t.status IN ('FAILED', 'CANCELED')`,
    "a failed or canceled task costs nothing",
  );
  add(
    await db.$queryRaw`
      SELECT t.account_id::text AS account_id, format('task %s is %s but its hold is still active', t.id, lower(t.status::text)) AS detail
      FROM tasks t JOIN holds h ON h.id = t.hold_id
      WHERE t.status IN ('SUCCEEDED', 'FAILED', 'CANCELED') AND h.status = 'ACTIVE' AND t.completed_at < now() - interval '5 minutes'`,
    "a finished task holds nothing",
  );
  const accounts = await db.account.count();
  return { ok: violations.length === 0, accounts, violations };
}
