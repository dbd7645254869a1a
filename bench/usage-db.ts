// What the usage read benchmarks (usage-queries.ts, usage-read.ts) share: a FRESH embedded PostgreSQL,
// migrated and seeded, with the bench customer (five keys) and a second, busy customer whose records
// owner scoping has to skip; and how they time a query.
import { mkdir, rm } from "node:fs/promises";
import path from "node:path";
import pg from "pg";
import { startEmbeddedPostgres } from "../scripts/lib/embedded-postgres";
import { migrate } from "../scripts/lib/migrate";
import { seed } from "../scripts/lib/seed";

/** The records span this many days, newest at "now". */
export const DAYS = 90;
/** The bench customer's records cycle through these models. */
export const MODELS = ["sandbox/chat", "sandbox/chat", "sandbox/chat", "sandbox/embed", "sandbox/image", "sandbox/video"];

/** Starts a fresh PostgreSQL under .data/<folder> on `port`, and creates the two customers (no records yet). */
export async function freshUsageDatabase(folder: string, port: number) {
  const dataDir = path.resolve(".data", folder);
  await rm(dataDir, { recursive: true, force: true });
  await mkdir(dataDir, { recursive: true });
  const server = await startEmbeddedPostgres({ dataDir, port, password: "bench", fast: true, log: () => {} });
  const admin = new pg.Client({ connectionString: server.adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE meterway_bench`);
  await admin.end();
  const url = server.urlFor("meterway_bench");
  await migrate(url);
  await seed(url);

  const sql = new pg.Client({ connectionString: url });
  await sql.connect();
  const { user_id, account_id } = (
    await sql.query(`
      WITH u AS (INSERT INTO users (email, password_hash) VALUES ('bench@example.test', 'x') RETURNING id),
           a AS (INSERT INTO accounts (user_id) SELECT id FROM u RETURNING id, user_id)
      SELECT user_id, id AS account_id FROM a`)
  ).rows[0] as { user_id: string; account_id: string };
  await sql.query(
    `INSERT INTO api_keys (user_id, name, prefix, hash) SELECT $1, 'key ' || g, 'sk-test-bench' || g, md5('bench' || g) FROM generate_series(1, 5) g`,
    [user_id],
  );
  const keys = (await sql.query(`SELECT id FROM api_keys WHERE user_id = $1 ORDER BY name`, [user_id])).rows.map((r) => r.id as string);
  await sql.query(`
    WITH u AS (INSERT INTO users (email, password_hash) VALUES ('noise@example.test', 'x') RETURNING id)
    INSERT INTO accounts (user_id) SELECT id FROM u`);
  return { server, url, sql, userId: user_id, accountId: account_id, keys };
}

/** The second customer's 200,000 records over the same days. */
export async function addNoiseRecords(sql: pg.Client) {
  await sql.query(
    `INSERT INTO usage_records (request_id, account_id, model_id, endpoint, status, cost_micros, latency_ms, created_at)
     SELECT 'req_noise_' || g, (SELECT a.id FROM accounts a JOIN users u ON u.id = a.user_id WHERE u.email = 'noise@example.test'),
            'sandbox/chat', '/v1/chat/completions', 'SUCCEEDED', 100, 100, now() - (g::double precision / 200000) * interval '${DAYS} days'
       FROM generate_series(1, 200000) g`,
  );
}

/** The median of `runs` timed calls of `fn`, in ms, after one untimed call to warm it. */
export async function medianMs(fn: () => Promise<unknown>, runs: number): Promise<number> {
  await fn();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await fn();
    samples.push(performance.now() - started);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)]!;
}
