// Holds: money set aside before a request goes upstream, then settled (charged) or released.
// Each function is ONE SQL statement (a CTE), so it is atomic without an interactive transaction and
// costs one database round trip on the gateway's hot path. Row locks are always taken in the same
// order — hold, then api key, then account — so concurrent statements cannot deadlock.
import { db, Prisma } from "@/lib/db";
import { now as clockNow } from "@/lib/clock";
import { maybeAutoTopUp } from "./auto-top-up";
import { maybeAlertLowBalance } from "./low-balance";
import { env } from "@/lib/env.js";

export interface ReserveInput {
  /** The clock for key spend periods (lib/clock); defaults to now. */
  at?: Date;
  accountId: string;
  apiKeyId: string;
  requestId: string;
  /** The request's maximum cost. */
  maxMicros: bigint;
  /**
   * The least that must be held for the request to go ahead. Equal to maxMicros when the client fixed
   * its output size; lower when the gateway may cap the output at what the balance can pay for.
   */
  minMicros: bigint;
  ttlSeconds?: number;
}

export type ReserveResult =
  | { ok: true; holdId: string; amountMicros: bigint }
  | { ok: false; limitSource: "balance" | "key_limit"; availableMicros: bigint }
  | { ok: false; limitSource: "rate_limit"; retryAfterSeconds: number };

interface ReserveRow {
  rate_limited: boolean;
  retry_after: number | null;
  amount: bigint;
  available: bigint;
  key_remaining: bigint | null;
  hold_id: string | null;
  key_ok: bigint;
  account_ok: bigint;
  consistent: bigint | null;
}

const ABORT_CODE = "MW402";

/**
 * Reserves min(max, available, key's remaining limit) if that is at least `minMicros`, all or nothing.
 * The amount is computed from the statement's snapshot; the key and account UPDATEs re-check their
 * conditions on the latest row versions, so a concurrent change can only make this one fail, never
 * overdraw. Should the key be reserved but the account not, meterway_abort() rolls the statement back.
 */
export async function reserve(input: ReserveInput): Promise<ReserveResult> {
  const ttl = input.ttlSeconds ?? env.HOLD_TTL_SECONDS;
  const at = input.at ?? clockNow();
  const query = Prisma.sql`
    WITH cur AS (
      SELECT a.balance_micros - a.reserved_micros AS available,
             k.spend_limit_micros - k.reserved_micros
               - meterway_key_spent(k.spend_limit_period, k.period_started_at, k.period_spent_micros, k.spent_micros, ${at}::timestamptz) AS key_remaining,
             (k.rate_limit_per_minute IS NOT NULL AND k.rate_window_start > now() - interval '1 minute'
               AND k.rate_window_count >= k.rate_limit_per_minute) AS rate_limited,
             ceil(extract(epoch FROM k.rate_window_start + interval '1 minute' - now()))::int AS retry_after
      FROM accounts a JOIN api_keys k ON k.id = ${input.apiKeyId}::uuid
      WHERE a.id = ${input.accountId}::uuid
    ),
    amt AS (
      SELECT GREATEST(LEAST(${input.maxMicros}::bigint, cur.available, COALESCE(cur.key_remaining, ${input.maxMicros}::bigint)), 0) AS amount,
             cur.available, cur.key_remaining, cur.rate_limited, cur.retry_after
      FROM cur
    ),
    k AS (
      UPDATE api_keys SET
        reserved_micros = api_keys.reserved_micros + amt.amount,
        period_spent_micros = CASE WHEN api_keys.spend_limit_period = 'NONE' THEN api_keys.period_spent_micros
          ELSE meterway_key_spent(api_keys.spend_limit_period, api_keys.period_started_at, api_keys.period_spent_micros, api_keys.spent_micros, ${at}::timestamptz) END,
        period_started_at = meterway_period_start(api_keys.spend_limit_period, ${at}::timestamptz),
        rate_window_count = CASE WHEN api_keys.rate_window_start > now() - interval '1 minute'
                                 THEN api_keys.rate_window_count + 1 ELSE 1 END,
        rate_window_start = CASE WHEN api_keys.rate_window_start > now() - interval '1 minute'
                                 THEN api_keys.rate_window_start ELSE now() END
      FROM amt
      WHERE api_keys.id = ${input.apiKeyId}::uuid AND amt.amount >= ${input.minMicros}::bigint
        AND (api_keys.spend_limit_micros IS NULL
             OR api_keys.spend_limit_micros - api_keys.reserved_micros
                - meterway_key_spent(api_keys.spend_limit_period, api_keys.period_started_at, api_keys.period_spent_micros, api_keys.spent_micros, ${at}::timestamptz)
                >= amt.amount)
        AND (api_keys.rate_limit_per_minute IS NULL
             OR api_keys.rate_window_start IS NULL OR api_keys.rate_window_start <= now() - interval '1 minute'
             OR api_keys.rate_window_count < api_keys.rate_limit_per_minute)
      RETURNING api_keys.id
    ),
    a AS (
      UPDATE accounts SET reserved_micros = accounts.reserved_micros + amt.amount, updated_at = now()
      FROM amt, k
      WHERE accounts.id = ${input.accountId}::uuid AND accounts.balance_micros - accounts.reserved_micros >= amt.amount
      RETURNING accounts.id
    ),
    h AS (
      INSERT INTO holds (account_id, api_key_id, request_id, amount_micros, expires_at)
      SELECT ${input.accountId}::uuid, ${input.apiKeyId}::uuid, ${input.requestId}, amt.amount,
             now() + make_interval(secs => ${ttl})
      FROM amt, a
      RETURNING id
    )
    SELECT amt.amount, amt.available, amt.key_remaining, amt.rate_limited, amt.retry_after,
           (SELECT id::text FROM h) AS hold_id,
           (SELECT count(*) FROM k) AS key_ok,
           (SELECT count(*) FROM a) AS account_ok,
           CASE WHEN (SELECT count(*) FROM k) > (SELECT count(*) FROM a)
                THEN meterway_abort('account cannot cover the hold') END AS consistent
    FROM amt`;

  let row: ReserveRow | undefined;
  try {
    [row] = await db.$queryRaw<ReserveRow[]>(query);
  } catch (error) {
    if (isAbort(error)) return { ok: false, limitSource: "balance", availableMicros: 0n };
    throw error;
  }
  if (!row) throw new Error(`reserve: no account ${input.accountId} with key ${input.apiKeyId}`);
  if (row.hold_id) return { ok: true, holdId: row.hold_id, amountMicros: row.amount };
  if (row.rate_limited) return { ok: false, limitSource: "rate_limit", retryAfterSeconds: Math.max(1, row.retry_after ?? 60) };
  const keyShort = row.key_remaining !== null && row.key_remaining < input.minMicros;
  const balanceShort = row.available < input.minMicros;
  return {
    ok: false,
    // Say "balance" when the balance is short, even if the key limit is too: topping up is the fix to show.
    limitSource: balanceShort || !keyShort ? "balance" : "key_limit",
    availableMicros: row.available,
  };
}

function isAbort(error: unknown): boolean {
  const text = String((error as { message?: string })?.message ?? "") + JSON.stringify(error ?? "");
  return text.includes(ABORT_CODE) || text.includes("account cannot cover the hold");
}

export interface SettleInput {
  /** The clock for key spend periods (lib/clock); defaults to now. */
  at?: Date;
  holdId: string;
  requestId: string;
  costMicros: bigint;
  usage: UsageFields;
  description: string;
}

export interface UsageFields {
  modelId: string;
  endpoint: string;
  status: "SUCCEEDED" | "PARTIAL";
  inputTokens: number;
  outputTokens: number;
  units?: number;
  inputPerMtokMicros?: bigint | null;
  outputPerMtokMicros?: bigint | null;
  unitPriceMicros?: bigint | null;
  stream: boolean;
  latencyMs: number;
  note?: string | null;
  providerId?: string | null;
  upstreamModel?: string | null;
  cachedTokens?: number;
  ttftMs?: number | null;
}

export interface SettleResult {
  settled: boolean;
  costMicros: bigint;
  balanceMicros: bigint;
  availableMicros: bigint;
  /** Auto top-up / low-balance alert started by this settlement, if it crossed a threshold (not awaited by the gateway). */
  followUp?: Promise<void>;
}

interface SettleRow {
  account_id: string;
  cost: bigint;
  balance: bigint;
  reserved: bigint;
  auto_topup: boolean;
  low_balance: boolean;
}

/**
 * Charges the actual cost (never more than the hold) and writes the usage record and the ledger entry
 * in the same statement that closes the hold. Settling a hold twice does nothing the second time.
 */
export async function settle(input: SettleInput): Promise<SettleResult> {
  const u = input.usage;
  const at = input.at ?? clockNow();
  const rows = await db.$queryRaw<SettleRow[]>(Prisma.sql`
    WITH h AS (
      UPDATE holds SET status = 'SETTLED', closed_at = now()
      WHERE id = ${input.holdId}::uuid AND status = 'ACTIVE'
      RETURNING id, account_id, api_key_id, amount_micros
    ),
    c AS (SELECT h.*, LEAST(${input.costMicros}::bigint, h.amount_micros) AS cost FROM h),
    k AS (
      UPDATE api_keys SET reserved_micros = api_keys.reserved_micros - c.amount_micros,
                          spent_micros = api_keys.spent_micros + c.cost, last_used_at = now(),
                          period_spent_micros = CASE WHEN api_keys.spend_limit_period = 'NONE' THEN api_keys.period_spent_micros
                            ELSE meterway_key_spent(api_keys.spend_limit_period, api_keys.period_started_at, api_keys.period_spent_micros, api_keys.spent_micros, ${at}::timestamptz) + c.cost END,
                          period_started_at = meterway_period_start(api_keys.spend_limit_period, ${at}::timestamptz)
      FROM c WHERE api_keys.id = c.api_key_id
      RETURNING api_keys.id
    ),
    a AS (
      UPDATE accounts SET reserved_micros = accounts.reserved_micros - c.amount_micros,
                          balance_micros = accounts.balance_micros - c.cost, updated_at = now()
      FROM c LEFT JOIN k ON true
      WHERE accounts.id = c.account_id
      RETURNING accounts.id AS account_id, accounts.balance_micros AS balance, accounts.reserved_micros AS reserved,
                (accounts.auto_topup_enabled AND accounts.balance_micros - accounts.reserved_micros
                  < COALESCE(accounts.auto_topup_threshold_micros, 0)) AS auto_topup,
                (accounts.low_balance_alerted_at IS NULL AND accounts.balance_micros - accounts.reserved_micros
                  < COALESCE(accounts.low_balance_threshold_micros, 0)) AS low_balance
    ),
    ur AS (
      INSERT INTO usage_records (request_id, account_id, api_key_id, model_id, endpoint, status, input_tokens,
        output_tokens, units, cost_micros, input_per_mtok_micros, output_per_mtok_micros, unit_price_micros,
        stream, latency_ms, note, provider_id, upstream_model, cached_tokens, ttft_ms)
      SELECT ${input.requestId}, c.account_id, c.api_key_id, ${u.modelId}, ${u.endpoint}, ${u.status}::"UsageStatus",
             ${u.inputTokens}::int, ${u.outputTokens}::int, ${u.units ?? 0}::int, c.cost,
             ${u.inputPerMtokMicros ?? null}::bigint, ${u.outputPerMtokMicros ?? null}::bigint,
             ${u.unitPriceMicros ?? null}::bigint, ${u.stream}, ${u.latencyMs}::int, ${u.note ?? null},
             ${u.providerId ?? null}, ${u.upstreamModel ?? null}, ${u.cachedTokens ?? 0}::int, ${u.ttftMs ?? null}::int
      FROM c, a
      RETURNING id
    ),
    le AS (
      INSERT INTO ledger_entries (account_id, kind, amount_micros, balance_after_micros, reference, description,
                                  api_key_id, usage_record_id)
      SELECT c.account_id, 'USAGE', -c.cost, a.balance, 'usage:' || ${input.requestId}, ${input.description},
             c.api_key_id, ur.id
      FROM c, a, ur
      RETURNING id
    )
    SELECT a.account_id::text, c.cost, a.balance, a.reserved, a.auto_topup, a.low_balance, (SELECT count(*) FROM le) AS entries FROM c, a`);
  const row = rows[0];
  if (!row) return { settled: false, costMicros: 0n, balanceMicros: 0n, availableMicros: 0n };
  return {
    settled: true,
    costMicros: row.cost,
    balanceMicros: row.balance,
    availableMicros: row.balance - row.reserved,
    followUp: row.auto_topup || row.low_balance ? afterCrossing(row.account_id, row.auto_topup, row.low_balance) : undefined,
  };
}

/** The thresholds a settlement crossed: auto top-up first (it may make the alert moot), then the alert. */
async function afterCrossing(accountId: string, autoTopUp: boolean, lowBalance: boolean): Promise<void> {
  try {
    if (autoTopUp) await maybeAutoTopUp(accountId);
    if (lowBalance) await maybeAlertLowBalance(accountId);
  } catch (error) {
    console.error(`[billing] follow-up after settlement failed for account ${accountId}:`, (error as Error).message);
  }
}

export interface ReleaseInput {
  holdId: string;
  /** When given, a FAILED usage record (cost 0) is written for the request log. */
  failure?: { requestId: string; modelId: string; endpoint: string; stream: boolean; latencyMs: number; note: string };
}

/** Releases a hold without charging. Releasing twice (or after settling) does nothing. */
export async function release(input: ReleaseInput): Promise<boolean> {
  const f = input.failure;
  const rows = await db.$queryRaw<{ released: bigint }[]>(Prisma.sql`
    WITH h AS (
      UPDATE holds SET status = 'RELEASED', closed_at = now()
      WHERE id = ${input.holdId}::uuid AND status = 'ACTIVE'
      RETURNING id, account_id, api_key_id, amount_micros
    ),
    k AS (
      UPDATE api_keys SET reserved_micros = api_keys.reserved_micros - h.amount_micros
      FROM h WHERE api_keys.id = h.api_key_id
      RETURNING api_keys.id
    ),
    a AS (
      UPDATE accounts SET reserved_micros = accounts.reserved_micros - h.amount_micros, updated_at = now()
      FROM h LEFT JOIN k ON true
      WHERE accounts.id = h.account_id
      RETURNING accounts.id
    ),
    ur AS (
      INSERT INTO usage_records (request_id, account_id, api_key_id, model_id, endpoint, status, cost_micros, stream, latency_ms, note)
      SELECT ${f?.requestId ?? null}, h.account_id, h.api_key_id, ${f?.modelId ?? null}, ${f?.endpoint ?? null},
             'FAILED', 0, ${f?.stream ?? false}, ${f?.latencyMs ?? 0}::int, ${f?.note ?? null}
      FROM h, a WHERE ${f ? 1 : 0}::int = 1
      ON CONFLICT (request_id) DO NOTHING
      RETURNING id
    )
    SELECT count(*) AS released, (SELECT count(*) FROM ur) AS recorded FROM a`);
  return (rows[0]?.released ?? 0n) > 0n;
}

/** Releases every hold past its expiry (a crashed process, a lost request). Returns how many. */
export async function sweepExpiredHolds(limit = 1000): Promise<number> {
  const expired = await db.hold.findMany({
    where: { status: "ACTIVE", expiresAt: { lt: new Date() } },
    select: { id: true },
    orderBy: { expiresAt: "asc" },
    take: limit,
  });
  let released = 0;
  for (const { id } of expired) if (await release({ holdId: id })) released++;
  return released;
}
