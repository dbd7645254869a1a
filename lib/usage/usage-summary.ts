import { db, Prisma } from "@/lib/db";
import type { UserCtx } from "@/lib/context";
import { z } from "zod";
import { UsageRangeInput } from "./schemas";

export const UsageSummaryInput = UsageRangeInput.extend({ bucket: z.enum(["hour", "day"]) });
export type UsageSummaryInput = z.infer<typeof UsageSummaryInput>;

export type ModelTypeName = "CHAT" | "EMBEDDING" | "IMAGE" | "VIDEO" | "MUSIC";

export interface UsageAmounts {
  requests: number;
  inputTokens: number;
  outputTokens: number;
  costMicros: bigint;
  /** The part of costMicros subscription allowances paid (the balance paid the rest). */
  coveredMicros: bigint;
}

export interface UsageSummary {
  totals: UsageAmounts;
  /** Every bucket in [from, to), zero when idle, oldest first; `byType` splits its spend by model type. */
  series: Array<UsageAmounts & { start: Date; byType: Partial<Record<ModelTypeName, bigint>> }>;
  byModel: Array<UsageAmounts & { modelId: string; displayName: string | null; type: ModelTypeName | null }>;
  byKey: Array<UsageAmounts & { keyId: string | null; name: string | null; prefix: string | null }>;
  byType: Array<UsageAmounts & { type: ModelTypeName | "OTHER" }>;
}

interface Row {
  g: number;
  bucket: Date | null;
  model_id: string | null;
  api_key_id: string | null;
  requests: bigint;
  input_tokens: bigint | null;
  output_tokens: bigint | null;
  cost: bigint | null;
  covered: bigint | null;
}

const STEP_MS = { hour: 3_600_000, day: 86_400_000 } as const;

const amounts = (r: Row): UsageAmounts => ({
  requests: Number(r.requests),
  inputTokens: Number(r.input_tokens ?? 0n),
  outputTokens: Number(r.output_tokens ?? 0n),
  costMicros: r.cost ?? 0n,
  coveredMicros: r.covered ?? 0n,
});
const zero = (): UsageAmounts => ({ requests: 0, inputTokens: 0, outputTokens: 0, costMicros: 0n, coveredMicros: 0n });
const add = (a: UsageAmounts, b: UsageAmounts) => {
  a.requests += b.requests;
  a.inputTokens += b.inputTokens;
  a.outputTokens += b.outputTokens;
  a.costMicros += b.costMicros;
  a.coveredMicros += b.coveredMicros;
};
const byCostDesc = (a: UsageAmounts, b: UsageAmounts) => (a.costMicros === b.costMicros ? b.requests - a.requests : a.costMicros > b.costMicros ? -1 : 1);

const DAY_MS = 86_400_000;

/**
 * The usage dashboard in ONE statement: totals, the time series (per bucket and per bucket × model), and the
 * breakdowns by model and by key, as GROUPING SETS over
 *   - the daily rollup (usage_daily, roll-up-usage.ts) for the whole UTC days of [from, to) that it holds
 *     (every day before usage_rollup_state.rolled_until, complete and final), when bucketing by day, and
 *   - the records themselves for the rest: the partial days at either end, the days not rolled up yet
 *     (today, at least), and everything when bucketing by hour — index-only range scans of (account_id,
 *     created_at) INCLUDE (model_id, api_key_id, cost_micros, covered_micros, token counts).
 * Both sum the same columns per (day, model, key), so the answer is exactly what the records alone give. The
 * watermark is read in the same statement (one snapshot), so a rollup committing meanwhile cannot be half seen.
 */
export async function usageSummary({ ctx, input }: { ctx: Pick<UserCtx, "userId">; input: UsageSummaryInput }): Promise<UsageSummary> {
  const { from, to, bucket } = UsageSummaryInput.parse(input);
  // date_trunc's unit cannot be a bind parameter; it comes from the enum above, never from the caller's text.
  const unit = Prisma.raw(bucket === "hour" ? "'hour'" : "'day'");
  // [lo, hi): the whole UTC days the rollup may answer; empty (lo = hi = from) for hourly buckets or no whole day.
  const firstWhole = Math.ceil(from.getTime() / DAY_MS) * DAY_MS;
  const lastWhole = Math.floor(to.getTime() / DAY_MS) * DAY_MS;
  const [lo, hi] = bucket === "day" && firstWhole < lastWhole ? [new Date(firstWhole), new Date(lastWhole)] : [from, from];
  const rows = await db.$queryRaw<Row[]>`
    WITH acct AS MATERIALIZED (SELECT id FROM accounts WHERE user_id = ${ctx.userId}::uuid),
         w AS MATERIALIZED (
           SELECT ${lo}::timestamptz AS lo,
                  GREATEST(${lo}::timestamptz, LEAST(${hi}::timestamptz,
                    COALESCE((SELECT rolled_until FROM usage_rollup_state WHERE id = 1)::timestamp AT TIME ZONE 'UTC', ${lo}::timestamptz))) AS hi)
    SELECT GROUPING(bucket, model_id, api_key_id)::int AS g, bucket, model_id, api_key_id::text AS api_key_id,
           sum(requests)::bigint AS requests, sum(input_tokens)::bigint AS input_tokens,
           sum(output_tokens)::bigint AS output_tokens, sum(cost_micros)::bigint AS cost,
           sum(covered_micros)::bigint AS covered
      FROM (SELECT d.day::timestamp AT TIME ZONE 'UTC' AS bucket, d.model_id, d.api_key_id, d.requests,
                   d.input_tokens, d.output_tokens, d.cost_micros, d.covered_micros
              FROM usage_daily d
             WHERE d.account_id = (SELECT id FROM acct)
               AND d.day >= (SELECT (lo AT TIME ZONE 'UTC')::date FROM w) AND d.day < (SELECT (hi AT TIME ZONE 'UTC')::date FROM w)
            UNION ALL
            SELECT date_trunc(${unit}, u.created_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', u.model_id, u.api_key_id, 1::bigint,
                   u.input_tokens, u.output_tokens, u.cost_micros, u.covered_micros
              FROM usage_records u
             WHERE u.account_id = (SELECT id FROM acct) AND u.created_at >= ${from} AND u.created_at < (SELECT lo FROM w)
            UNION ALL
            SELECT date_trunc(${unit}, u.created_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', u.model_id, u.api_key_id, 1::bigint,
                   u.input_tokens, u.output_tokens, u.cost_micros, u.covered_micros
              FROM usage_records u
             WHERE u.account_id = (SELECT id FROM acct) AND u.created_at >= (SELECT hi FROM w) AND u.created_at < ${to}) s
     GROUP BY GROUPING SETS ((bucket, model_id), (model_id), (api_key_id), ())
     -- A fixed order, so that rows the (stable) sorts below find equal keep one order, however they were summed.
     ORDER BY g, bucket, model_id, api_key_id`;

  // GROUPING bits: bucket=4, model_id=2, api_key_id=1 (1 = rolled up).
  const totalsRow = rows.find((r) => r.g === 7);
  const modelRows = rows.filter((r) => r.g === 5);
  const keyRows = rows.filter((r) => r.g === 6);
  const bucketModelRows = rows.filter((r) => r.g === 1);

  const modelIds = modelRows.map((r) => r.model_id).filter((id): id is string => id !== null);
  const keyIds = keyRows.map((r) => r.api_key_id).filter((id): id is string => id !== null);
  const [models, keys] = await Promise.all([
    modelIds.length ? db.model.findMany({ where: { id: { in: modelIds } }, select: { id: true, displayName: true, type: true } }) : [],
    keyIds.length ? db.apiKey.findMany({ where: { id: { in: keyIds }, userId: ctx.userId }, select: { id: true, name: true, prefix: true } }) : [],
  ]);
  const modelById = new Map(models.map((m) => [m.id, m]));
  const keyById = new Map(keys.map((k) => [k.id, k]));
  const typeOf = (modelId: string | null): ModelTypeName | null => (modelId ? (modelById.get(modelId)?.type ?? null) : null);

  const step = STEP_MS[bucket];
  const series: UsageSummary["series"] = [];
  const index = new Map<number, number>();
  const first = new Date(from);
  first.setUTCMinutes(0, 0, 0);
  if (bucket === "day") first.setUTCHours(0);
  for (let t = first.getTime(); t < to.getTime(); t += step) {
    index.set(t, series.length);
    series.push({ start: new Date(t), ...zero(), byType: {} });
  }
  for (const r of bucketModelRows) {
    const at = r.bucket ? index.get(new Date(r.bucket).getTime()) : undefined;
    if (at === undefined) continue;
    const point = series[at]!;
    add(point, amounts(r));
    const type = typeOf(r.model_id) ?? "CHAT";
    point.byType[type] = (point.byType[type] ?? 0n) + (r.cost ?? 0n);
  }

  const byType = new Map<ModelTypeName | "OTHER", UsageAmounts>();
  const byModel = modelRows
    .map((r) => {
      const model = r.model_id ? modelById.get(r.model_id) : undefined;
      const type = model?.type ?? null;
      const bucketTotals = byType.get(type ?? "OTHER") ?? zero();
      add(bucketTotals, amounts(r));
      byType.set(type ?? "OTHER", bucketTotals);
      return { modelId: r.model_id ?? "", displayName: model?.displayName ?? null, type, ...amounts(r) };
    })
    .sort(byCostDesc);

  return {
    totals: totalsRow ? amounts(totalsRow) : zero(),
    series,
    byModel,
    byKey: keyRows
      .map((r) => {
        const key = r.api_key_id ? keyById.get(r.api_key_id) : undefined;
        return { keyId: key?.id ?? null, name: key?.name ?? null, prefix: key?.prefix ?? null, ...amounts(r) };
      })
      .sort(byCostDesc),
    byType: [...byType.entries()].map(([type, a]) => ({ type, ...a })).sort(byCostDesc),
  };
}
