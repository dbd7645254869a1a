// `npx tsx bench/usage-queries.ts`: the usage pages' queries on an account with 1,000,000 usage records
// (and as many ledger entries), seeded with generate_series into a FRESH embedded PostgreSQL. Times the
// lib/usage read models as the pages call them, with the indexes of migration 20261127130000 and, for
// comparison, with the indexes that came before it. Prints a Markdown table (also bench/results/usage-queries.md).
//   BENCH_ROWS=1000000 BENCH_USAGE_PG_PORT=54360 npx tsx bench/usage-queries.ts
import { mkdir, writeFile } from "node:fs/promises";
import { addNoiseRecords, DAYS, freshUsageDatabase, medianMs, MODELS } from "./usage-db";

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const PORT = Number(process.env.BENCH_USAGE_PG_PORT ?? 54360);
const RUNS = 7;

async function main() {
  const { server, url, sql, userId: user_id, accountId: account_id, keys } = await freshUsageDatabase("bench-usage", PORT);
  const t0 = performance.now();
  // 1M records evenly over the last 90 days, newest at "now"; every record has its ledger entry.
  await sql.query(
    `INSERT INTO usage_records (id, request_id, account_id, api_key_id, model_id, endpoint, status, input_tokens, output_tokens,
                                cost_micros, input_per_mtok_micros, output_per_mtok_micros, latency_ms, provider_id, upstream_model, created_at)
     SELECT gen_random_uuid(), 'req_bench_' || g, $1::uuid, ($2::uuid[])[1 + g % 5], ($3::text[])[1 + g % 6], '/v1/chat/completions',
            (CASE WHEN g % 97 = 0 THEN 'PARTIAL' ELSE 'SUCCEEDED' END)::"UsageStatus", 20 + g % 500, 10 + g % 300,
            50 + g % 900, 500000, 1500000, 80 + g % 400, 'sandbox', 'sandbox-chat',
            now() - (g::double precision / $4) * interval '${DAYS} days'
       FROM generate_series(1, $4) g`,
    [account_id, keys, MODELS, ROWS],
  );
  await addNoiseRecords(sql);
  await sql.query(
    `INSERT INTO ledger_entries (account_id, kind, amount_micros, balance_after_micros, reference, description, api_key_id, usage_record_id, created_at)
     SELECT $1::uuid, 'TOPUP', 1000000000000, 1000000000000, 'bench-topup', 'Bench top-up', NULL, NULL, now() - interval '${DAYS + 1} days'`,
    [account_id],
  );
  await sql.query(
    `INSERT INTO ledger_entries (account_id, kind, amount_micros, balance_after_micros, reference, description, api_key_id, usage_record_id, created_at)
     SELECT u.account_id, 'USAGE', -u.cost_micros,
            1000000000000 - sum(u.cost_micros) OVER (ORDER BY u.created_at, u.id),
            'usage:' || u.request_id, u.model_id, u.api_key_id, u.id, u.created_at
       FROM usage_records u WHERE u.account_id = $1::uuid`,
    [account_id],
  );
  await sql.query(
    `UPDATE accounts SET balance_micros = (SELECT sum(amount_micros) FROM ledger_entries WHERE account_id = $1::uuid) WHERE id = $1::uuid`,
    [account_id],
  );
  await sql.query(`VACUUM ANALYZE`);
  const seeded = performance.now() - t0;

  process.env.DATABASE_URL = url;
  process.env.DISABLE_BACKGROUND_JOBS = "true";
  const { usageSummary } = await import("../lib/usage/usage-summary");
  const { balanceTrend } = await import("../lib/usage/balance-trend");
  const { listUsage } = await import("../lib/usage/list-usage");
  const { listKeys } = await import("../lib/keys/list-keys");
  const { listModels } = await import("../lib/models/list-models");
  const { balanceHistory } = await import("../lib/usage/balance-history");
  const { disconnectDb } = await import("../lib/db");
  const ctx = { userId: user_id };
  const now = new Date();
  const ago = (days: number) => new Date(now.getTime() - days * 86_400_000);
  const secondPage = (await listUsage({ ctx, input: { limit: 50 } })).nextCursor!;

  const cases: Array<[string, () => Promise<unknown>]> = [
    ["Dashboard, 24 h hourly (page: summary ∥ balance trend ∥ recent 10)", () => Promise.all([usageSummary({ ctx, input: { from: ago(1), to: now, bucket: "hour" } }), balanceTrend({ ctx, input: { from: ago(1), to: now, bucket: "hour" } }), listUsage({ ctx, input: { from: ago(1), to: now, limit: 10 } })])],
    ["Dashboard, 7 days daily (page)", () => Promise.all([usageSummary({ ctx, input: { from: ago(7), to: now, bucket: "day" } }), balanceTrend({ ctx, input: { from: ago(7), to: now, bucket: "day" } }), listUsage({ ctx, input: { from: ago(7), to: now, limit: 10 } })])],
    ["Dashboard, 30 days daily (page)", () => Promise.all([usageSummary({ ctx, input: { from: ago(30), to: now, bucket: "day" } }), balanceTrend({ ctx, input: { from: ago(30), to: now, bucket: "day" } }), listUsage({ ctx, input: { from: ago(30), to: now, limit: 10 } })])],
    ["  usageSummary 30 days (333k rows)", () => usageSummary({ ctx, input: { from: ago(30), to: now, bucket: "day" } })],
    ["  balanceTrend 30 days", () => balanceTrend({ ctx, input: { from: ago(30), to: now, bucket: "day" } })],
    ["Request log, first page (page: 50 rows ∥ keys ∥ models)", () => Promise.all([listUsage({ ctx, input: { limit: 50 } }), listKeys({ ctx }), listModels()])],
    ["Request log, second page (cursor)", () => listUsage({ ctx, input: { limit: 50, cursor: secondPage } })],
    ["Request log, filtered by model (sandbox/embed)", () => listUsage({ ctx, input: { limit: 50, modelId: "sandbox/embed" } })],
    ["Request log, filtered by status (PARTIAL)", () => listUsage({ ctx, input: { limit: 50, status: "PARTIAL" } })],
    ["Request log, filtered by key and 7 days", () => listUsage({ ctx, input: { limit: 50, keyId: keys[2], from: ago(7), to: now } })],
    ["Balance history, latest 30 days", () => balanceHistory({ ctx })],
  ];

  const time = (fn: () => Promise<unknown>) => medianMs(fn, RUNS);

  const withIndexes: number[] = [];
  for (const [, fn] of cases) withIndexes.push(await time(fn));

  // The same queries with the indexes from before migration 20261127130000.
  await sql.query(`
    DROP INDEX usage_records_account_id_created_at_idx;
    DROP INDEX usage_records_account_id_model_id_created_at_idx;
    DROP INDEX usage_records_account_id_status_created_at_idx;
    DROP INDEX ledger_entries_account_id_created_at_idx;
    CREATE INDEX usage_records_account_id_created_at_idx ON usage_records (account_id, created_at);
    CREATE INDEX ledger_entries_account_id_created_at_idx ON ledger_entries (account_id, created_at);
    ANALYZE;`);
  const before: number[] = [];
  for (const [, fn] of cases) before.push(await time(fn));

  const ms = (n: number) => `${n.toFixed(1)} ms`;
  const lines = [
    `Usage queries on one account with ${ROWS.toLocaleString("en-US")} usage records and ${(ROWS + 1).toLocaleString("en-US")} ledger entries over ${DAYS} days (+200,000 records of another account); PostgreSQL ${(await sql.query("SHOW server_version")).rows[0].server_version}, embedded, this machine; median of ${RUNS} warm runs, measured in-process through lib/ (Prisma + pg adapter). Seeding took ${(seeded / 1000).toFixed(0)} s.`,
    "",
    "| query | with migration 20261127130000 | indexes before it |",
    "| --- | ---: | ---: |",
    ...cases.map(([name], i) => `| ${name} | ${ms(withIndexes[i]!)} | ${ms(before[i]!)} |`),
  ];
  const table = lines.join("\n");
  console.log(table);
  await mkdir("bench/results", { recursive: true });
  await writeFile("bench/results/usage-queries.md", `# Usage queries\n\n${table}\n`);
  await sql.end();
  await disconnectDb();
  await server.stop();
  process.exit(0);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
