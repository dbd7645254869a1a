import { db, Prisma } from "@/lib/db";
import type { UserCtx } from "@/lib/context";
import { UsageRangeInput } from "./schemas";
import { z } from "zod";

export const SpendSeriesInput = UsageRangeInput.extend({ bucket: z.enum(["hour", "day"]) });
export type SpendSeriesInput = z.infer<typeof SpendSeriesInput>;

export interface SpendBucket {
  /** Start of the bucket (UTC). */
  start: Date;
  requests: number;
  costMicros: bigint;
}

const STEP_MS = { hour: 3_600_000, day: 86_400_000 } as const;

/** Spend per hour or per day (UTC) in [from, to), every bucket present (zero when idle), oldest first. */
export async function spendSeries({ ctx, input }: { ctx: Pick<UserCtx, "userId">; input: SpendSeriesInput }): Promise<SpendBucket[]> {
  const { from, to, bucket } = SpendSeriesInput.parse(input);
  // date_trunc's unit cannot be a bind parameter; it comes from the enum above, never from the caller's text.
  const unit = Prisma.raw(bucket === "hour" ? "'hour'" : "'day'");
  const rows = await db.$queryRaw<Array<{ bucket: Date; requests: bigint; cost: bigint | null }>>`
    SELECT date_trunc(${unit}, u.created_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS bucket,
           count(*)::bigint AS requests,
           sum(u.cost_micros)::bigint AS cost
      FROM usage_records u
      JOIN accounts a ON a.id = u.account_id
     WHERE a.user_id = ${ctx.userId}::uuid
       AND u.created_at >= ${from}
       AND u.created_at < ${to}
     GROUP BY 1`;
  const byStart = new Map(rows.map((r) => [new Date(r.bucket).getTime(), r]));

  const step = STEP_MS[bucket];
  const first = truncate(from, bucket);
  const series: SpendBucket[] = [];
  for (let t = first.getTime(); t < to.getTime(); t += step) {
    const row = byStart.get(t);
    series.push({ start: new Date(t), requests: row ? Number(row.requests) : 0, costMicros: row?.cost ?? 0n });
  }
  return series;
}

function truncate(date: Date, bucket: "hour" | "day"): Date {
  const d = new Date(date);
  d.setUTCMinutes(0, 0, 0);
  if (bucket === "day") d.setUTCHours(0);
  return d;
}
