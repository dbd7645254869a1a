// The daily usage rollup (table usage_daily): each account's usage per UTC day, model and key, for the days
// that are over, so that the dashboard's long periods read a few rows per day instead of every record.
// Run by the background jobs (lib/jobs.ts) on every instance, and on demand (`npm run portal -- usage:rollup`).
//
// Why a watermark on created_at, made safe against in-flight transactions, rather than "recompute the last
// few days": usage records are never updated or deleted, and created_at is always the inserting
// transaction's now() — its START time (lib/billing/holds.ts and meterway_settle_batch never set it). So a
// record can only appear "late" for a day that looks over if the transaction writing it began before the
// day ended and commits after we looked. Recomputing recent days would narrow that window, never close it.
// Instead every run first finds a time W before which no transaction can still add a record: W is the
// earliest of (the statement's time − MARGIN) and the start of every transaction still open in this
// database by a role that may insert usage records (pg_locks lists every open transaction, whatever its
// role; pg_stat_activity says when it began — for a role it cannot see into, we do not guess and skip this
// run). Any transaction that began before W has therefore ended before the next statement's snapshot, which
// sees everything it wrote. The days before W's day are then final: they are rolled up once and never
// touched again, and the read side (usage-summary.ts) adds the records from rolled_until on, live. The
// MARGIN covers the microseconds between a transaction taking its timestamp and taking its lock, and small
// clock steps. Concurrent runs (two app instances) serialize on the state row (FOR UPDATE), and a run
// re-reads rolled_until under that lock, so no day is counted twice; the unique index would refuse it anyway.
//
// Anything that writes usage_records with an explicit, past created_at (an import, a restore) breaks that
// premise; afterwards run `usage:rollup --rebuild`, which starts the rollup over.
import { db, Prisma, type Tx } from "@/lib/db";

/** Transactions may have taken their timestamp this long before they show up as open (and clocks may step). */
const MARGIN_MS = 5 * 60_000;
/** At most this many days per transaction, so a first run over a long history commits as it goes. */
const DAYS_PER_STEP = 31;
const DAY_MS = 86_400_000;
const MARGIN = Prisma.raw(`interval '${MARGIN_MS} milliseconds'`);

export interface RollUpResult {
  /** Every UTC day before this one (YYYY-MM-DD) is rolled up; null: none yet. */
  rolledUntil: string | null;
  /** Days added by this run. */
  days: number;
  /** usage_daily rows written by this run. */
  rows: number;
  /** Why nothing was done: nothing due, another instance holds the rollup, or an open transaction we cannot date. */
  skipped?: "nothing-due" | "busy" | "unknown-transaction";
}

export interface RollUpOptions {
  /** Pretend it is this time (tests); default the database's clock. Open transactions still hold it back. */
  asOf?: Date;
  /** Wait for another instance's run instead of skipping (the command line). */
  wait?: boolean;
}

const dayText = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const dayMs = (text: string) => Date.parse(`${text}T00:00:00.000Z`);

/** Rolls up every day that is over and not yet rolled up. Idempotent; safe to run from many processes at once. */
export async function rollUpUsage(options: RollUpOptions = {}): Promise<RollUpResult> {
  const asOf = options.asOf ?? null;
  const [state] = await db.$queryRaw<Array<{ rolled_until: string | null; due: string }>>`
    SELECT rolled_until::text AS rolled_until,
           ((COALESCE(${asOf}::timestamptz, statement_timestamp()) - ${MARGIN}) AT TIME ZONE 'UTC')::date::text AS due
      FROM usage_rollup_state WHERE id = 1`;
  if (!state) throw new Error("usage_rollup_state has no row: the migrations have not run");
  // The cheap test every 30 s: the next day to roll up is not over yet.
  if (state.rolled_until !== null && state.rolled_until >= state.due) return { rolledUntil: state.rolled_until, days: 0, rows: 0, skipped: "nothing-due" };

  const target = await safeDay(asOf);
  if (target === null) return { rolledUntil: state.rolled_until, days: 0, rows: 0, skipped: "unknown-transaction" };

  // Every statement from here takes its snapshot after safeDay's: it sees every record dated before `target`.
  let days = 0;
  let rows = 0;
  for (;;) {
    const step = await db.$transaction(
      async (tx) => {
        const [locked] = await tx.$queryRaw<Array<{ rolled_until: string | null }>>`
          SELECT rolled_until::text AS rolled_until FROM usage_rollup_state WHERE id = 1
             FOR UPDATE ${options.wait ? Prisma.empty : Prisma.sql`SKIP LOCKED`}`;
        if (!locked) return { busy: true as const };
        const from = locked.rolled_until ?? (await firstDay(tx)) ?? target;
        if (from >= target) {
          // No record before `target` at all: say so, so that later runs start from there.
          if (locked.rolled_until !== null) return { rolledUntil: locked.rolled_until, until: null };
          await tx.$executeRaw`UPDATE usage_rollup_state SET rolled_until = ${target}::date, updated_at = now() WHERE id = 1`;
          return { rolledUntil: target, until: null };
        }
        const until = dayText(Math.min(dayMs(target), dayMs(from) + DAYS_PER_STEP * DAY_MS));
        // Per account, an index-only range scan of (account_id, created_at) INCLUDE (model_id, api_key_id, …).
        const written = await tx.$executeRaw`
          INSERT INTO usage_daily (account_id, day, model_id, api_key_id, requests, input_tokens, output_tokens, cost_micros, covered_micros)
          SELECT a.id, s.day, s.model_id, s.api_key_id, s.requests, s.input_tokens, s.output_tokens, s.cost_micros, s.covered_micros
            FROM accounts a
            CROSS JOIN LATERAL (
              SELECT (u.created_at AT TIME ZONE 'UTC')::date AS day, u.model_id, u.api_key_id, count(*) AS requests,
                     sum(u.input_tokens) AS input_tokens, sum(u.output_tokens) AS output_tokens,
                     sum(u.cost_micros)::bigint AS cost_micros, sum(u.covered_micros)::bigint AS covered_micros
                FROM usage_records u
               WHERE u.account_id = a.id
                 AND u.created_at >= (${from}::date::timestamp AT TIME ZONE 'UTC')
                 AND u.created_at < (${until}::date::timestamp AT TIME ZONE 'UTC')
               GROUP BY 1, 2, 3) s`;
        await tx.$executeRaw`UPDATE usage_rollup_state SET rolled_until = ${until}::date, updated_at = now() WHERE id = 1`;
        return { rolledUntil: until, until, days: Math.round((dayMs(until) - dayMs(from)) / DAY_MS), written };
      },
      // A background job, not a request: a first run over a long history may take a while per step.
      { timeout: 10 * 60_000, maxWait: 30_000 },
    );
    if ("busy" in step) return { rolledUntil: state.rolled_until, days, rows, skipped: "busy" };
    if (step.until === null) return { rolledUntil: step.rolledUntil, days, rows, ...(days === 0 ? { skipped: "nothing-due" as const } : {}) };
    days += step.days;
    rows += step.written;
    if (step.until >= target) return { rolledUntil: step.until, days, rows };
  }
}

/**
 * The first UTC day (YYYY-MM-DD) that may not be rolled up yet because a record dated on it could still be
 * committed — or null when an open transaction's start cannot be known (another role's session, a prepared
 * transaction): then this run does nothing and a later one tries again.
 */
async function safeDay(asOf: Date | null): Promise<string | null> {
  const [row] = await db.$queryRaw<Array<{ unknown: number; day: string }>>`
    WITH open AS (
      SELECT a.xact_start
        FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
       WHERE l.locktype = 'virtualxid' AND l.granted AND l.pid <> pg_backend_pid()
         AND a.datid = (SELECT oid FROM pg_database WHERE datname = current_database())
         AND has_table_privilege(a.usesysid, 'usage_records', 'INSERT'))
    SELECT ((SELECT count(*) FROM open WHERE xact_start IS NULL)
             + (SELECT count(*) FROM pg_prepared_xacts WHERE database = current_database()))::int AS unknown,
           (LEAST(COALESCE(${asOf}::timestamptz, statement_timestamp()) - ${MARGIN},
                  (SELECT min(xact_start) FROM open)) AT TIME ZONE 'UTC')::date::text AS day`;
  return row && row.unknown === 0 ? row.day : null;
}

/** The first day with a record, from each account's (account_id, created_at) index. */
async function firstDay(tx: Tx): Promise<string | null> {
  const [row] = await tx.$queryRaw<Array<{ day: string | null }>>`
    SELECT (min(f.at) AT TIME ZONE 'UTC')::date::text AS day
      FROM accounts a CROSS JOIN LATERAL (SELECT min(u.created_at) AS at FROM usage_records u WHERE u.account_id = a.id) f`;
  return row?.day ?? null;
}

/** Starts the rollup over (after records were written with explicit past dates); the dashboard reads records meanwhile. */
export async function rebuildUsageRollup(): Promise<RollUpResult> {
  await db.$transaction(async (tx) => {
    await tx.$queryRaw`SELECT id FROM usage_rollup_state WHERE id = 1 FOR UPDATE`;
    await tx.$executeRaw`DELETE FROM usage_daily`;
    await tx.$executeRaw`UPDATE usage_rollup_state SET rolled_until = NULL, updated_at = now() WHERE id = 1`;
  });
  return rollUpUsage({ wait: true });
}
