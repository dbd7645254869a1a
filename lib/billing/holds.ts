// Holds: money set aside before a request goes upstream, then settled (charged) or released.
// Each function is ONE SQL statement (a CTE), so it is atomic without an interactive transaction and
// costs one database round trip on the gateway's hot path. Row locks are always taken in the same
// order — hold, then api key, then account — so concurrent statements cannot deadlock. Requests that
// arrive together are held and settled in batches (./hold-batches.ts: one statement and one commit for
// many, the same guarantees); what a batch cannot decide alone comes back to the single statements here.
import { db, isDatabaseUnavailable, Prisma, sqlQuery } from "@/lib/db";
import { now as clockNow } from "@/lib/clock";
import { maybeAutoTopUp } from "./auto-top-up";
import { maybeAlertLowBalance } from "./low-balance";
import { env } from "@/lib/env.js";
import { Batcher } from "./batcher";
import { reserveBatch, settleBatch } from "./hold-batches";
import { ASYNC_COMMIT } from "./async-commit";
import type { ModelType } from "@/generated/prisma/client";
import type { LimitSource } from "@/lib/errors";

export interface ReserveInput {
  /** The clock for key spend periods and subscription periods (lib/clock); defaults to now. */
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
  /**
   * The model asked for: a subscription allowance covering it pays first. Without it, only the balance.
   * The hold keeps its id for the request log, should the hold expire unsettled (sweepExpiredHolds).
   */
  model?: { id: string; type: ModelType };
  /** The request's endpoint as its usage record names it ("chat.completions", "embeddings", …), kept likewise. */
  endpoint?: string;
  /** What a unit allowance counts for this request: images for image models, else 1 (a request, a task). */
  units?: number;
  ttlSeconds?: number;
}

export type { LimitSource };

export type ReserveResult =
  | {
      ok: true;
      holdId: string;
      /** The most the request may cost: the allowance's part plus the balance's part. */
      amountMicros: bigint;
      /** The part held on the prepaid balance. */
      balanceMicros: bigint;
      /** The allowance paying first, if a subscription covers the model. */
      allowanceId: string | null;
    }
  | {
      ok: false;
      limitSource: LimitSource;
      availableMicros: bigint;
      /** The balance is short and the key's spend limit too (limitSource says "balance": topping up comes first). */
      keyLimitToo?: boolean;
    }
  | { ok: false; limitSource: "rate_limit"; retryAfterSeconds: number; scope: "key" | "subscription" };

interface ReserveRow {
  rate_limited: boolean;
  retry_after: number | null;
  al_rate_limited: boolean;
  al_retry_after: number | null;
  covered: boolean;
  fallback: boolean;
  al_id: string | null;
  al_value: bigint;
  bal_part: bigint;
  available: bigint;
  key_remaining: bigint | null;
  hold_id: string | null;
}

const ABORT_CODE = "MW402";
/** A concurrent change between the statement's snapshot and its row locks makes it abort; try again. */
const RESERVE_ATTEMPTS = 3;

/**
 * Sets aside what a request may cost, all or nothing, in one statement. Who pays, in order: the
 * allowance of an active subscription covering the model (custom subscriptions before the plan; within
 * a subscription its most specific allowance), then the prepaid balance — if the subscription allows
 * falling back to it (a model no subscription covers always uses the balance). A micros allowance may
 * pay part and the balance the rest; a unit allowance pays all or passes the whole request on.
 *
 * The amounts come from the statement's snapshot; the key, allowance and account UPDATEs re-check
 * their conditions on the latest row versions, so a concurrent change can only make this one fail,
 * never overdraw an allowance or a balance. Should a later UPDATE fail after an earlier one succeeded,
 * meterway_abort() rolls the whole statement back and it is tried again on fresh numbers.
 */
export async function reserve(input: ReserveInput): Promise<ReserveResult> {
  if (!batches) return reserveAlone(input);
  return (await batches.reserve.submit(input)) ?? reserveAlone(input);
}

async function reserveAlone(input: ReserveInput): Promise<ReserveResult> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await reserveOnce(input);
    } catch (error) {
      if (!isAbort(error)) throw error;
      if (attempt >= RESERVE_ATTEMPTS) return { ok: false, limitSource: "balance", availableMicros: 0n };
    }
  }
}

async function reserveOnce(input: ReserveInput): Promise<ReserveResult> {
  const ttl = input.ttlSeconds ?? env.HOLD_TTL_SECONDS;
  const at = input.at ?? clockNow();
  const max = input.maxMicros;
  const units = BigInt(Math.max(1, input.units ?? 1));
  const modelId = input.model?.id ?? null;
  const modelType = input.model?.type ?? null;
  const query = Prisma.sql`
    WITH async_commit AS (SELECT ${Prisma.raw(ASYNC_COMMIT)}),
    cur AS (
      SELECT a.balance_micros - a.reserved_micros AS available,
             k.spend_limit_micros - k.reserved_micros
               - meterway_key_spent(k.spend_limit_period, k.period_started_at, k.period_spent_micros, k.spent_micros, ${at}::timestamptz) AS key_remaining,
             (k.rate_limit_per_minute IS NOT NULL AND k.rate_window_start > now() - interval '1 minute'
               AND k.rate_window_count >= k.rate_limit_per_minute) AS rate_limited,
             ceil(extract(epoch FROM k.rate_window_start + interval '1 minute' - now()))::int AS retry_after
      FROM accounts a JOIN api_keys k ON k.id = ${input.apiKeyId}::uuid
      WHERE a.id = ${input.accountId}::uuid
    ),
    cand AS (
      -- Each live subscription's most specific allowance covering the model.
      SELECT DISTINCT ON (s.id) al.id, al.unit, s.balance_fallback AS fallback, s.kind, s.created_at AS since,
             al.limit_value - al.used_value - al.reserved_value AS remaining,
             (al.rate_limit_per_minute IS NOT NULL AND al.rate_window_start > now() - interval '1 minute'
               AND al.rate_window_count >= al.rate_limit_per_minute) AS rate_limited,
             ceil(extract(epoch FROM al.rate_window_start + interval '1 minute' - now()))::int AS retry_after
      FROM allowances al JOIN subscriptions s ON s.id = al.subscription_id
      WHERE ${modelId}::text IS NOT NULL AND al.account_id = ${input.accountId}::uuid AND al.active
        AND s.status = 'ACTIVE' AND s.current_period_start <= ${at}::timestamptz AND s.current_period_end > ${at}::timestamptz
        AND (cardinality(al.model_ids) = 0 OR ${modelId}::text = ANY (al.model_ids))
        AND (cardinality(al.model_types) = 0 OR ${modelType}::"ModelType" = ANY (al.model_types))
      ORDER BY s.id, cardinality(al.model_ids) > 0 DESC, cardinality(al.model_types) > 0 DESC, al.slot
    ),
    usable AS (
      SELECT * FROM cand
      WHERE NOT cand.rate_limited
        AND CASE WHEN cand.unit = 'MICROS' THEN COALESCE(cand.remaining, 1) > 0
                 ELSE COALESCE(cand.remaining, ${units}::bigint) >= ${units}::bigint END
      ORDER BY (cand.kind = 'CUSTOM') DESC, cand.since, cand.id LIMIT 1
    ),
    head AS (SELECT * FROM cand ORDER BY (cand.kind = 'CUSTOM') DESC, cand.since, cand.id LIMIT 1),
    pick AS (
      SELECT cur.*, u.id AS al_id,
             CASE WHEN u.id IS NULL THEN 0::bigint WHEN u.unit = 'UNITS' THEN ${units}::bigint
                  ELSE LEAST(${max}::bigint, COALESCE(u.remaining, ${max}::bigint)) END AS al_amount,
             CASE WHEN u.id IS NULL THEN 0::bigint WHEN u.unit = 'UNITS' THEN ${max}::bigint
                  ELSE LEAST(${max}::bigint, COALESCE(u.remaining, ${max}::bigint)) END AS al_value,
             COALESCE(u.fallback, hd.fallback, true) AS fallback,
             hd.id IS NOT NULL AS covered,
             (u.id IS NULL AND COALESCE(hd.rate_limited, false)) AS al_rate_limited,
             hd.retry_after AS al_retry_after
      FROM cur LEFT JOIN usable u ON true LEFT JOIN head hd ON true
    ),
    amt AS (
      SELECT pick.*,
             CASE WHEN pick.fallback
                  THEN GREATEST(LEAST(${max}::bigint - pick.al_value, pick.available,
                                      COALESCE(pick.key_remaining, ${max}::bigint - pick.al_value)), 0)
                  ELSE 0::bigint END AS bal_part
      FROM pick
    ),
    k AS (
      UPDATE api_keys SET
        reserved_micros = api_keys.reserved_micros + amt.bal_part,
        period_spent_micros = CASE WHEN api_keys.spend_limit_period = 'NONE' THEN api_keys.period_spent_micros
          ELSE meterway_key_spent(api_keys.spend_limit_period, api_keys.period_started_at, api_keys.period_spent_micros, api_keys.spent_micros, ${at}::timestamptz) END,
        period_started_at = meterway_period_start(api_keys.spend_limit_period, ${at}::timestamptz),
        rate_window_count = CASE WHEN api_keys.rate_window_start > now() - interval '1 minute'
                                 THEN api_keys.rate_window_count + 1 ELSE 1 END,
        rate_window_start = CASE WHEN api_keys.rate_window_start > now() - interval '1 minute'
                                 THEN api_keys.rate_window_start ELSE now() END
      FROM amt
      WHERE api_keys.id = ${input.apiKeyId}::uuid AND amt.al_value + amt.bal_part >= ${input.minMicros}::bigint
        AND NOT amt.al_rate_limited
        -- The key's spend limit counts only what the balance pays: nothing to check when it pays nothing
        -- (a key already past its limit may still make requests an allowance pays in full).
        AND (api_keys.spend_limit_micros IS NULL OR amt.bal_part = 0
             OR api_keys.spend_limit_micros - api_keys.reserved_micros
                - meterway_key_spent(api_keys.spend_limit_period, api_keys.period_started_at, api_keys.period_spent_micros, api_keys.spent_micros, ${at}::timestamptz)
                >= amt.bal_part)
        AND (api_keys.rate_limit_per_minute IS NULL
             OR api_keys.rate_window_start IS NULL OR api_keys.rate_window_start <= now() - interval '1 minute'
             OR api_keys.rate_window_count < api_keys.rate_limit_per_minute)
      RETURNING api_keys.id
    ),
    al AS (
      UPDATE allowances SET
        reserved_value = allowances.reserved_value + amt.al_amount,
        rate_window_count = CASE WHEN allowances.rate_window_start > now() - interval '1 minute'
                                 THEN allowances.rate_window_count + 1 ELSE 1 END,
        rate_window_start = CASE WHEN allowances.rate_window_start > now() - interval '1 minute'
                                 THEN allowances.rate_window_start ELSE now() END
      FROM amt, k
      WHERE allowances.id = amt.al_id
        AND (allowances.limit_value IS NULL
             OR allowances.limit_value - allowances.used_value - allowances.reserved_value >= amt.al_amount)
        AND (allowances.rate_limit_per_minute IS NULL
             OR allowances.rate_window_start IS NULL OR allowances.rate_window_start <= now() - interval '1 minute'
             OR allowances.rate_window_count < allowances.rate_limit_per_minute)
      RETURNING allowances.id
    ),
    a AS (
      UPDATE accounts SET reserved_micros = accounts.reserved_micros + amt.bal_part, updated_at = now()
      FROM amt, k
      WHERE accounts.id = ${input.accountId}::uuid AND accounts.balance_micros - accounts.reserved_micros >= amt.bal_part
        AND (amt.al_id IS NULL OR EXISTS (SELECT 1 FROM al))
      RETURNING accounts.id
    ),
    h AS (
      INSERT INTO holds (account_id, api_key_id, request_id, amount_micros, allowance_id, allowance_amount, expires_at, model_id, endpoint)
      SELECT ${input.accountId}::uuid, ${input.apiKeyId}::uuid, ${input.requestId}, amt.bal_part, amt.al_id, amt.al_amount,
             now() + make_interval(secs => ${ttl}), ${modelId}::text, ${input.endpoint ?? null}::text
      FROM amt, a
      RETURNING id
    )
    SELECT amt.available, amt.key_remaining, amt.rate_limited, amt.retry_after, amt.al_rate_limited, amt.al_retry_after,
           amt.covered, amt.fallback, amt.al_id::text AS al_id, amt.al_value, amt.bal_part,
           (SELECT id::text FROM h) AS hold_id,
           CASE WHEN (SELECT count(*) FROM k) > (SELECT count(*) FROM a)
                THEN meterway_abort('an allowance or the account cannot cover the hold') END AS consistent
    FROM amt, async_commit`;

  const [row] = await sqlQuery<ReserveRow>(query, "meterway_reserve");
  if (!row) throw new Error(`reserve: no account ${input.accountId} with key ${input.apiKeyId}`);
  if (row.hold_id) {
    return { ok: true, holdId: row.hold_id, amountMicros: row.al_value + row.bal_part, balanceMicros: row.bal_part, allowanceId: row.al_id };
  }
  if (row.rate_limited) return { ok: false, limitSource: "rate_limit", scope: "key", retryAfterSeconds: Math.max(1, row.retry_after ?? 60) };
  if (row.al_rate_limited) {
    return { ok: false, limitSource: "rate_limit", scope: "subscription", retryAfterSeconds: Math.max(1, row.al_retry_after ?? 60) };
  }
  // A subscription covers the model but may not fall back to the balance: its allowance is the limit.
  if (row.covered && !row.fallback) return { ok: false, limitSource: "subscription", availableMicros: row.al_value };
  const needed = input.minMicros - row.al_value;
  const keyShort = row.key_remaining !== null && row.key_remaining < needed;
  const balanceShort = row.available < needed;
  return {
    ok: false,
    // Say "balance" when the balance is short, even if the key limit is too: topping up is the fix to show.
    limitSource: balanceShort || !keyShort ? "balance" : "key_limit",
    availableMicros: row.available,
    ...(balanceShort && keyShort ? { keyLimitToo: true } : {}),
  };
}

function isAbort(error: unknown): boolean {
  const text = String((error as { message?: string })?.message ?? "") + JSON.stringify(error ?? "");
  return text.includes(ABORT_CODE) || text.includes("cannot cover the hold");
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
  /** The request's price (what it is worth), whoever paid. */
  costMicros: bigint;
  /** The part of the price the prepaid balance paid; the rest was covered by a subscription allowance. */
  chargedMicros: bigint;
  paidBy: PaidBy;
  balanceMicros: bigint;
  availableMicros: bigint;
  /** Auto top-up / low-balance alert started by this settlement, if it crossed a threshold (not awaited by the gateway). */
  followUp?: Promise<void>;
}

export type PaidBy = "BALANCE" | "SUBSCRIPTION" | "MIXED";

interface SettleRow {
  account_id: string;
  cost: bigint;
  charged: bigint;
  paid_by: PaidBy;
  balance: bigint;
  reserved: bigint;
  auto_topup: boolean;
  low_balance: boolean;
}

/**
 * Charges the actual cost (never more than was held) and writes the usage record and the ledger entry
 * in the same statement that closes the hold. The allowance held pays first — a micros allowance up to
 * what it held, the balance the overflow; a unit allowance the whole request — and the usage record
 * says who paid (a request the allowance paid in full leaves no ledger entry: the balance did not move).
 * Settling a hold twice does nothing the second time. Lock order: hold, key, allowance, account.
 */
export async function settle(input: SettleInput): Promise<SettleResult> {
  if (!batches) return settleAlone(input);
  return (await batches.settle.submit(input)) ?? settleAlone(input);
}

async function settleAlone(input: SettleInput): Promise<SettleResult> {
  const u = input.usage;
  const at = input.at ?? clockNow();
  const rows = await sqlQuery<SettleRow>(Prisma.sql`
    WITH h AS (
      UPDATE holds SET status = 'SETTLED', closed_at = now()
      WHERE id = ${input.holdId}::uuid AND status = 'ACTIVE'
      RETURNING id, account_id, api_key_id, amount_micros, allowance_id, allowance_amount
    ),
    c0 AS (
      SELECT h.*, al.unit, al.subscription_id,
             CASE WHEN al.id IS NULL THEN 0::bigint
                  WHEN al.unit = 'UNITS' THEN ${input.costMicros}::bigint
                  ELSE LEAST(${input.costMicros}::bigint, h.allowance_amount) END AS covered,
             CASE WHEN al.id IS NULL THEN 0::bigint
                  WHEN al.unit = 'UNITS' THEN CASE WHEN ${u.units ?? 0}::bigint > 0 THEN LEAST(${u.units ?? 0}::bigint, h.allowance_amount)
                                                   ELSE h.allowance_amount END
                  ELSE LEAST(${input.costMicros}::bigint, h.allowance_amount) END AS al_used
      FROM h LEFT JOIN allowances al ON al.id = h.allowance_id
    ),
    c AS (
      SELECT c0.*, ch.charged, c0.covered + ch.charged AS cost,
             CASE WHEN c0.allowance_id IS NULL THEN 'BALANCE' WHEN charged = 0 THEN 'SUBSCRIPTION' ELSE 'MIXED' END::"PaidBy" AS paid_by
      FROM c0, LATERAL (SELECT CASE WHEN c0.unit = 'UNITS' THEN 0::bigint
                                    ELSE LEAST(${input.costMicros}::bigint - c0.covered, c0.amount_micros) END AS charged) ch
    ),
    k AS (
      UPDATE api_keys SET reserved_micros = api_keys.reserved_micros - c.amount_micros,
                          spent_micros = api_keys.spent_micros + c.charged, last_used_at = now(),
                          period_spent_micros = CASE WHEN api_keys.spend_limit_period = 'NONE' THEN api_keys.period_spent_micros
                            ELSE meterway_key_spent(api_keys.spend_limit_period, api_keys.period_started_at, api_keys.period_spent_micros, api_keys.spent_micros, ${at}::timestamptz) + c.charged END,
                          period_started_at = meterway_period_start(api_keys.spend_limit_period, ${at}::timestamptz)
      FROM c WHERE api_keys.id = c.api_key_id
      RETURNING api_keys.id
    ),
    al AS (
      UPDATE allowances SET reserved_value = allowances.reserved_value - c.allowance_amount,
                            used_value = allowances.used_value + c.al_used
      FROM c LEFT JOIN k ON true
      WHERE allowances.id = c.allowance_id
      RETURNING allowances.id
    ),
    a AS (
      UPDATE accounts SET reserved_micros = accounts.reserved_micros - c.amount_micros,
                          balance_micros = accounts.balance_micros - c.charged, updated_at = now()
      FROM c LEFT JOIN k ON true LEFT JOIN al ON true
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
        stream, latency_ms, note, provider_id, upstream_model, cached_tokens, ttft_ms, paid_by, subscription_id, covered_micros)
      SELECT ${input.requestId}, c.account_id, c.api_key_id, ${u.modelId}, ${u.endpoint}, ${u.status}::"UsageStatus",
             ${u.inputTokens}::int, ${u.outputTokens}::int, ${u.units ?? 0}::int, c.cost,
             ${u.inputPerMtokMicros ?? null}::bigint, ${u.outputPerMtokMicros ?? null}::bigint,
             ${u.unitPriceMicros ?? null}::bigint, ${u.stream}, ${u.latencyMs}::int, ${u.note ?? null},
             ${u.providerId ?? null}, ${u.upstreamModel ?? null}, ${u.cachedTokens ?? 0}::int, ${u.ttftMs ?? null}::int,
             c.paid_by, c.subscription_id, c.covered
      FROM c, a
      RETURNING id
    ),
    le AS (
      INSERT INTO ledger_entries (account_id, kind, amount_micros, balance_after_micros, reference, description,
                                  api_key_id, usage_record_id)
      SELECT c.account_id, 'USAGE', -c.charged, a.balance, 'usage:' || ${input.requestId}, ${input.description},
             c.api_key_id, ur.id
      FROM c, a, ur WHERE c.paid_by <> 'SUBSCRIPTION'
      RETURNING id
    )
    SELECT a.account_id::text, c.cost, c.charged, c.paid_by::text AS paid_by, a.balance, a.reserved, a.auto_topup, a.low_balance,
           (SELECT count(*) FROM le) AS entries
    FROM c, a`, "meterway_settle");
  const row = rows[0];
  if (!row) return alreadyClosed(input);
  return {
    settled: true,
    costMicros: row.cost,
    chargedMicros: row.charged,
    paidBy: row.paid_by,
    balanceMicros: row.balance,
    availableMicros: row.balance - row.reserved,
    followUp: row.auto_topup || row.low_balance ? afterCrossing(row.account_id, row.auto_topup, row.low_balance) : undefined,
  };
}

/**
 * A hold that was not active: settled before (a retry whose first attempt committed but whose answer
 * was lost reports that charge again, charging nothing more), or released/expired (nothing charged).
 */
async function alreadyClosed(input: SettleInput): Promise<SettleResult> {
  const earlier = await db.usageRecord.findUnique({
    where: { requestId: input.requestId },
    select: { status: true, costMicros: true, coveredMicros: true, paidBy: true, accountId: true },
  });
  const account = earlier ? await db.account.findUnique({ where: { id: earlier.accountId }, select: { balanceMicros: true, reservedMicros: true } }) : null;
  if (!earlier || earlier.status === "FAILED" || !account) {
    return { settled: false, costMicros: 0n, chargedMicros: 0n, paidBy: "BALANCE", balanceMicros: 0n, availableMicros: 0n };
  }
  return {
    settled: false,
    costMicros: earlier.costMicros,
    chargedMicros: earlier.costMicros - earlier.coveredMicros,
    paidBy: earlier.paidBy,
    balanceMicros: account.balanceMicros,
    availableMicros: account.balanceMicros - account.reservedMicros,
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

// ── batches: many holds or settlements per statement when requests arrive together (./batcher.ts) ──

/**
 * A batch of holds; a request the batch statement hands back, or the whole batch when it fails for any
 * reason but an unreachable database, is decided by the single statement.
 */
async function reserveMany(inputs: ReserveInput[]): Promise<(ReserveResult | undefined)[]> {
  if (inputs.length === 1) return [await reserveAlone(inputs[0]!)];
  const results = await fallBackOnRefusal(() => reserveBatch(inputs), inputs.length);
  counted(batchCounts.reserve, results);
  return results;
}

/** A batch of settlements, as reserveMany; a hold named twice is settled once, the repeat by itself. */
async function settleMany(inputs: SettleInput[]): Promise<(SettleResult | undefined)[]> {
  if (inputs.length === 1) return [await settleAlone(inputs[0]!)];
  const seen = new Set<string>();
  const once = inputs.filter((input) => !seen.has(input.holdId) && seen.add(input.holdId));
  const results = await fallBackOnRefusal(() => settleBatch(once, afterCrossing), once.length);
  counted(batchCounts.settle, results);
  const byInput = new Map(once.map((input, i) => [input, results[i]]));
  return inputs.map((input) => byInput.get(input));
}

async function fallBackOnRefusal<T>(run: () => Promise<(T | undefined)[]>, count: number): Promise<(T | undefined)[]> {
  try {
    return await run();
  } catch (error) {
    if (isDatabaseUnavailable(error)) throw error;
    if (!isAbort(error)) console.warn("[billing] a batch statement failed; its requests go one by one:", (error as Error).message);
    return new Array<T | undefined>(count).fill(undefined);
  }
}

/** Batch statements run, and the requests they decided (the rest went to the single statements). */
const batchCounts = { reserve: { statements: 0, decided: 0 }, settle: { statements: 0, decided: 0 } };
function counted(count: { statements: number; decided: number }, results: unknown[]) {
  count.statements++;
  count.decided += results.filter((result) => result !== undefined).length;
}

/** This process's batch counts so far (for tests and the benchmark). */
export function holdBatchCounts(): typeof batchCounts {
  return structuredClone(batchCounts);
}

/** One batcher per kind and process, or none when BILLING_BATCH_MAX is 1. */
const batches =
  env.BILLING_BATCH_MAX > 1
    ? {
        reserve: new Batcher<ReserveInput, ReserveResult | undefined>(reserveMany, env.BILLING_BATCH_MAX),
        settle: new Batcher<SettleInput, SettleResult | undefined>(settleMany, env.BILLING_BATCH_MAX),
      }
    : null;

export interface ReleaseInput {
  holdId: string;
  /** When given, a FAILED usage record (cost 0) is written for the request log. */
  failure?: { requestId: string; modelId: string; endpoint: string; stream: boolean; latencyMs: number; note: string };
}

/**
 * The CTEs k, al, a of a release: what the closed hold `h` (a CTE with amount_micros, api_key_id,
 * allowance_id, allowance_amount, account_id) set aside goes back to its key, its allowance and its
 * account, each UPDATE joined to the one before so that they run in that order.
 */
const GIVE_BACK_RESERVED = Prisma.sql`k AS (
      UPDATE api_keys SET reserved_micros = api_keys.reserved_micros - h.amount_micros
      FROM h WHERE api_keys.id = h.api_key_id
      RETURNING api_keys.id
    ),
    al AS (
      UPDATE allowances SET reserved_value = allowances.reserved_value - h.allowance_amount
      FROM h LEFT JOIN k ON true WHERE allowances.id = h.allowance_id
      RETURNING allowances.id
    ),
    a AS (
      UPDATE accounts SET reserved_micros = accounts.reserved_micros - h.amount_micros, updated_at = now()
      FROM h LEFT JOIN k ON true LEFT JOIN al ON true
      WHERE accounts.id = h.account_id
      RETURNING accounts.id
    )`;

/** Releases a hold without charging. Releasing twice (or after settling) does nothing. */
export async function release(input: ReleaseInput): Promise<boolean> {
  const f = input.failure;
  const rows = await sqlQuery<{ released: bigint }>(Prisma.sql`
    WITH h AS (
      UPDATE holds SET status = 'RELEASED', closed_at = now()
      WHERE id = ${input.holdId}::uuid AND status = 'ACTIVE'
      RETURNING id, account_id, api_key_id, amount_micros, allowance_id, allowance_amount
    ),
    ${GIVE_BACK_RESERVED},
    ur AS (
      INSERT INTO usage_records (request_id, account_id, api_key_id, model_id, endpoint, status, cost_micros, stream, latency_ms, note)
      SELECT ${f?.requestId ?? null}, h.account_id, h.api_key_id, ${f?.modelId ?? null}, ${f?.endpoint ?? null},
             'FAILED', 0, ${f?.stream ?? false}, ${f?.latencyMs ?? 0}::int, ${f?.note ?? null}
      FROM h, a WHERE ${f ? 1 : 0}::int = 1
      ON CONFLICT (request_id) DO NOTHING
      RETURNING id
    )
    SELECT count(*) AS released, (SELECT count(*) FROM ur) AS recorded FROM a`, "meterway_release");
  return (rows[0]?.released ?? 0n) > 0n;
}

/** The request log's note on a request whose hold expired before it settled (error code: message, as the gateway's). */
export const EXPIRED_HOLD_NOTE = "hold_expired: The request did not complete; its hold expired and was released. Nothing was charged.";
/** What a swept request's record shows for what the hold does not know (a hold made before holds kept the model and endpoint). */
export const UNKNOWN = "(unknown)";

/**
 * Releases every hold past its expiry (a crashed process, a lost request), each with a FAILED usage
 * record of cost 0 so the request log says what became of the request. Returns how many were released.
 */
export async function sweepExpiredHolds(limit = 1000): Promise<number> {
  const expired = await db.hold.findMany({
    where: { status: "ACTIVE", expiresAt: { lt: new Date() } },
    select: { id: true },
    orderBy: { expiresAt: "asc" },
    take: limit,
  });
  let released = 0;
  for (const { id } of expired) if (await releaseExpired(id)) released++;
  return released;
}

/**
 * release() for a hold past its expiry, writing its FAILED usage record (cost 0) in the same statement.
 * Only the first of several sweepers closes the hold (status = 'ACTIVE' under its row lock), and a
 * request has at most one record (request_id is unique): sweeping twice, or from two processes at
 * once, writes one record and charges nothing.
 *
 * The record names the model and endpoint the hold kept from its request (UNKNOWN for a hold made
 * before holds kept them). An async task's hold has the task's id as request id, so its record names
 * the task's model and endpoint — but only when the task can no longer deliver (it failed or was
 * canceled and then crashed before releasing, or is past its deadline, which the runner fails as a
 * timeout): a task that succeeded, or may still, is released without a record, as closeSucceeded
 * leaves none for a task delivered after its hold closed. A request's latency_ms is its hold's TTL:
 * how long it was given (when it actually stopped is unknown).
 */
async function releaseExpired(holdId: string): Promise<boolean> {
  const rows = await sqlQuery<{ released: bigint }>(Prisma.sql`
    WITH h AS (
      UPDATE holds SET status = 'RELEASED', closed_at = now()
      WHERE id = ${holdId}::uuid AND status = 'ACTIVE' AND expires_at < now()
      RETURNING id, account_id, api_key_id, request_id, amount_micros, allowance_id, allowance_amount, created_at, expires_at,
                model_id, endpoint
    ),
    ${GIVE_BACK_RESERVED},
    t AS (
      SELECT tasks.id, tasks.model_id, tasks.kind, tasks.status, tasks.error, tasks.deadline_at, tasks.created_at, tasks.completed_at
      FROM tasks JOIN h ON tasks.id = h.request_id AND tasks.account_id = h.account_id
    ),
    ur AS (
      INSERT INTO usage_records (request_id, account_id, api_key_id, model_id, endpoint, status, cost_micros, stream, latency_ms, note)
      SELECT h.request_id, h.account_id, h.api_key_id,
             COALESCE(t.model_id, h.model_id, ${UNKNOWN}),
             COALESCE(CASE t.kind WHEN 'VIDEO' THEN 'videos' WHEN 'MUSIC' THEN 'music' END, h.endpoint, ${UNKNOWN}),
             'FAILED', 0, false,
             -- A request: how long it was given. A task: until it closed, or until now.
             GREATEST(0, LEAST(2147483647, round(extract(epoch FROM
               CASE WHEN t.id IS NULL THEN h.expires_at - h.created_at ELSE COALESCE(t.completed_at, now()) - t.created_at END) * 1000)))::int,
             -- A task that failed before its process could release the hold: the error it failed with.
             COALESCE(left(CASE WHEN t.status IN ('FAILED', 'CANCELED') THEN (t.error->>'code') || ': ' || (t.error->>'message') END, 500),
                      ${EXPIRED_HOLD_NOTE})
      FROM h JOIN a ON true LEFT JOIN t ON true
      WHERE t.id IS NULL OR t.status IN ('FAILED', 'CANCELED') OR (t.status IN ('QUEUED', 'RUNNING') AND t.deadline_at <= now())
      ON CONFLICT (request_id) DO NOTHING
      RETURNING id
    )
    SELECT count(*) AS released, (SELECT count(*) FROM ur) AS recorded FROM a`, "meterway_release_expired");
  return (rows[0]?.released ?? 0n) > 0n;
}
