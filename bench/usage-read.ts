// `npx tsx bench/usage-read.ts`: the usage dashboard's summary on an account with 1,000,000 usage records over
// 90 days (+200,000 of another account), seeded with generate_series into a FRESH embedded PostgreSQL — before
// the daily rollup (lib/usage/roll-up-usage.ts) exists, and after. Checks that both give the same answer, and
// times the rollup itself. Prints a Markdown table (also bench/results/usage-read.md).
//   BENCH_ROWS=1000000 BENCH_USAGE_READ_PG_PORT=54361 npx tsx bench/usage-read.ts
import { isDeepStrictEqual } from "node:util";
import { mkdir, writeFile } from "node:fs/promises";
import { addNoiseRecords, DAYS, freshUsageDatabase, medianMs, MODELS } from "./usage-db";

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const PORT = Number(process.env.BENCH_USAGE_READ_PG_PORT ?? 54361);
const RUNS = 7;
const DAY_MS = 86_400_000;

async function main() {
  const { server, url, sql, userId: user_id, accountId: account_id, keys } = await freshUsageDatabase("bench-usage-read", PORT);
  const t0 = performance.now();
  // Evenly over the last 90 days, newest at "now"; one in 97 partial, one in 7 part-paid by a subscription.
  await sql.query(
    `INSERT INTO usage_records (request_id, account_id, api_key_id, model_id, endpoint, status, input_tokens, output_tokens,
                                cost_micros, covered_micros, paid_by, latency_ms, created_at)
     SELECT 'req_bench_' || g, $1::uuid, ($2::uuid[])[1 + g % 5], ($3::text[])[1 + g % 6], '/v1/chat/completions',
            (CASE WHEN g % 97 = 0 THEN 'PARTIAL' ELSE 'SUCCEEDED' END)::"UsageStatus", 20 + g % 500, 10 + g % 300,
            50 + g % 900, CASE WHEN g % 7 = 0 THEN 25 + g % 400 ELSE 0 END,
            (CASE WHEN g % 7 = 0 THEN 'MIXED' ELSE 'BALANCE' END)::"PaidBy", 80 + g % 400,
            now() - (g::double precision / $4) * interval '${DAYS} days'
       FROM generate_series(1, $4) g`,
    [account_id, keys, MODELS, ROWS],
  );
  await addNoiseRecords(sql);
  await sql.query(`VACUUM ANALYZE`);
  const seeded = performance.now() - t0;

  process.env.DATABASE_URL = url;
  process.env.DISABLE_BACKGROUND_JOBS = "true";
  const { usageSummary } = await import("../lib/usage/usage-summary");
  const { rollUpUsage } = await import("../lib/usage/roll-up-usage");
  const { db, disconnectDb } = await import("../lib/db");
  const ctx = { userId: user_id };
  const now = new Date();
  const ago = (days: number) => new Date(now.getTime() - days * DAY_MS);
  const today = Math.floor(now.getTime() / DAY_MS) * DAY_MS;

  // The summary's single-pass query before the rollup (commit 8a36080), for reference: every record in the range.
  const previousQuery = (from: Date, to: Date) => db.$queryRaw`
    SELECT GROUPING(bucket, model_id, api_key_id)::int AS g, bucket, model_id, api_key_id::text AS api_key_id,
           count(*)::bigint AS requests, sum(input_tokens)::bigint AS input_tokens,
           sum(output_tokens)::bigint AS output_tokens, sum(cost_micros)::bigint AS cost,
           sum(covered_micros)::bigint AS covered
      FROM (SELECT date_trunc('day', u.created_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS bucket,
                   u.model_id, u.api_key_id, u.input_tokens, u.output_tokens, u.cost_micros, u.covered_micros
              FROM usage_records u
             WHERE u.account_id = (SELECT id FROM accounts WHERE user_id = ${user_id}::uuid)
               AND u.created_at >= ${from} AND u.created_at < ${to}) s
     GROUP BY GROUPING SETS ((bucket, model_id), (model_id), (api_key_id), ())`;

  const cases: Array<[string, { from: Date; to: Date; bucket: "hour" | "day" }]> = [
    ["usageSummary, 30 days daily (preset)", { from: ago(30), to: now, bucket: "day" }],
    ["usageSummary, 90 days daily (preset)", { from: ago(90), to: now, bucket: "day" }],
    ["usageSummary, 7 days daily (preset)", { from: ago(7), to: now, bucket: "day" }],
    ["usageSummary, 30 whole days ending yesterday (custom)", { from: new Date(today - 30 * DAY_MS), to: new Date(today), bucket: "day" }],
    ["usageSummary, 24 h hourly (preset; never from the rollup)", { from: ago(1), to: now, bucket: "hour" }],
  ];

  const time = (fn: () => Promise<unknown>) => medianMs(fn, RUNS);

  const previous = await time(() => previousQuery(ago(30), now));
  const before: number[] = [];
  const answers: unknown[] = [];
  for (const [, input] of cases) {
    before.push(await time(() => usageSummary({ ctx, input })));
    answers.push(await usageSummary({ ctx, input }));
  }

  let s = performance.now();
  const first = await rollUpUsage();
  const backfillMs = performance.now() - s;
  await sql.query(`VACUUM ANALYZE usage_daily`);
  const after: number[] = [];
  const same: boolean[] = [];
  for (const [i, [, input]] of cases.entries()) {
    after.push(await time(() => usageSummary({ ctx, input })));
    same.push(isDeepStrictEqual(await usageSummary({ ctx, input }), answers[i]));
  }

  // The rollup a day behind (today and yesterday read from the records): the most the records' part can be.
  const yesterday = new Date(today - DAY_MS).toISOString().slice(0, 10);
  await sql.query(`DELETE FROM usage_daily WHERE day >= $1::date`, [yesterday]);
  await sql.query(`UPDATE usage_rollup_state SET rolled_until = $1::date`, [yesterday]);
  const behind = await time(() => usageSummary({ ctx, input: cases[0]![1] }));
  const sameBehind = isDeepStrictEqual(await usageSummary({ ctx, input: cases[0]![1] }), answers[0]);
  s = performance.now();
  const daily = await rollUpUsage();
  const dailyMs = performance.now() - s;
  s = performance.now();
  await rollUpUsage();
  const idleMs = performance.now() - s;
  const rollupRows = Number((await sql.query(`SELECT count(*) FROM usage_daily`)).rows[0].count);

  const ms = (n: number) => `${n.toFixed(1)} ms`;
  const lines = [
    `One account with ${ROWS.toLocaleString("en-US")} usage records over ${DAYS} days (+200,000 records of another account); PostgreSQL ${(await sql.query("SHOW server_version")).rows[0].server_version}, embedded, this machine; median of ${RUNS} warm runs, in-process through lib/ (Prisma + pg adapter). Seeding took ${(seeded / 1000).toFixed(0)} s. Records of today (UTC) are always read from the records; it was ${now.toISOString().slice(11, 16)} UTC.`,
    "",
    "| query | records only (no rollup yet) | with the daily rollup | same answer |",
    "| --- | ---: | ---: | :---: |",
    `| the previous single-pass query alone, 30 days (commit 8a36080) | ${ms(previous)} | — | — |`,
    ...cases.map(([name], i) => `| ${name} | ${ms(before[i]!)} | ${ms(after[i]!)} | ${same[i] ? "yes" : "NO"} |`),
    `| usageSummary, 30 days, the rollup a day behind (yesterday and today from the records) | ${ms(before[0]!)} | ${ms(behind)} | ${sameBehind ? "yes" : "NO"} |`,
    "",
    `The rollup: first run over the whole history ${ms(backfillMs)} (${first.days} days, ${first.rows} rows); one more day ${ms(dailyMs)} (${daily.days} day, ${daily.rows} rows); a run with nothing due ${ms(idleMs)}. usage_daily holds ${rollupRows.toLocaleString("en-US")} rows for ${(ROWS + 200_000).toLocaleString("en-US")} records.`,
  ];
  const table = lines.join("\n");
  console.log(table);
  await mkdir("bench/results", { recursive: true });
  await writeFile("bench/results/usage-read.md", `# Usage summary with the daily rollup\n\n${table}\n`);
  await sql.end();
  await disconnectDb();
  await server.stop();
  process.exit(same.every(Boolean) && sameBehind ? 0 : 1);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
