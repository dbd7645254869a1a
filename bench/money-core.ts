// The money core alone: how much PostgreSQL work one metered request costs (a reserve and a settle,
// exactly as the gateway runs them), without HTTP, Next or an upstream in the way. It reports pairs per
// second and PostgreSQL CPU per pair at a few concurrencies, so a change to the statements, the indexes
// or the server settings can be judged in a minute.
//
//   node --import tsx bench/money-core.ts                 # 16 customers, concurrency 1, 16, 64
//   MONEY_KEYS=1 MONEY_CONCURRENCY=8 node --import tsx bench/money-core.ts
//   BILLING_BATCH_MAX=1 node --import tsx bench/money-core.ts   # one statement per hold and settlement
//   MONEY_PROCESSES=2 node --import tsx bench/money-core.ts     # the same load from two processes (two instances)
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { promisify } from "node:util";
import { randomUUID } from "node:crypto";
import pg from "pg";
import { freshDatabase, TICK_US, treeCpuUs, treePids } from "./proc";

const num = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const KEYS = Math.max(1, num("MONEY_KEYS", 16));
const SECONDS = num("MONEY_SECONDS", 5);
const CONCURRENCIES = (process.env.MONEY_CONCURRENCY ?? "1,16,64").split(",").map(Number);
const DATA_DIR = ".data/bench-money";
/** MONEY_THINK_MS=50: each pair waits this long between its hold and its settlement, like a model call. */
const THINK_MS = num("MONEY_THINK_MS", 0);
/** MONEY_PROCESSES=2: the concurrency split over that many processes on the one database (see inProcesses). */
const PROCESSES = Math.max(1, num("MONEY_PROCESSES", 1));
const stepMs = { reserve: [] as number[], settle: [] as number[] };
const log = (line: string) => console.log(`[money-core] ${line}`);
const execFileAsync = promisify(execFile);

/** PostgreSQL's CPU by process role (user / system µs): backends, WAL writer, … and "exited" (autovacuum workers, reaped). */
function cpuByRole(postmaster: number): Map<string, { user: number; sys: number }> {
  const roles = new Map<string, { user: number; sys: number }>();
  const add = (role: string, user: number, sys: number) => {
    const r = roles.get(role) ?? { user: 0, sys: 0 };
    roles.set(role, { user: r.user + user, sys: r.sys + sys });
  };
  for (const pid of treePids([postmaster])) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ").map(Number);
      const title = readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ");
      const role = pid === postmaster ? "postmaster" : /postgres: \w+ \w+ 127/.test(title) ? "backends" : title.replace(/^postgres: /, "").split(" ")[0]!;
      add(role, f[11]! * TICK_US, f[12]! * TICK_US);
      add("exited", f[13]! * TICK_US, f[14]! * TICK_US);
    } catch {}
  }
  return roles;
}

type Customer = { accountId: string; apiKeyId: string };
type BatchCounts = Record<"reserve" | "settle", { statements: number; decided: number }>;
const p = (values: number[], q: number) => values.sort((a, b) => a - b)[Math.floor(values.length * q)]?.toFixed(2) ?? "–";
/** Requests decided per batch statement between two holdBatchCounts() readings. */
const perStatement = (before: BatchCounts, after: BatchCounts, kind: "reserve" | "settle") => {
  const statements = after[kind].statements - before[kind].statements;
  return statements ? ((after[kind].decided - before[kind].decided) / statements).toFixed(1) : "–";
};

/** One reserve + settle, exactly as the gateway runs them (DATABASE_URL must be set first). */
async function pairs(customers: Customer[], model: string) {
  const { reserve, settle, holdBatchCounts } = await import("../lib/billing/holds");
  async function pair(i: number) {
    const c = customers[i % customers.length]!;
    const requestId = `req_${randomUUID()}`;
    const t0 = performance.now();
    const held = await reserve({ ...c, requestId, maxMicros: 5000n, minMicros: 5000n, model: { id: model, type: "CHAT" } });
    if (!held.ok) throw new Error(`reserve refused: ${held.limitSource}`);
    const tHeld = performance.now();
    stepMs.reserve.push(tHeld - t0);
    if (THINK_MS) await new Promise((resolve) => setTimeout(resolve, THINK_MS));
    const t1 = performance.now();
    await settle({
      holdId: held.holdId,
      requestId,
      costMicros: 1234n,
      description: `${model} · 10 in / 20 out`,
      usage: { modelId: model, endpoint: "/v1/chat/completions", status: "SUCCEEDED", inputTokens: 10, outputTokens: 20, inputPerMtokMicros: 1000000n, outputPerMtokMicros: 2000000n, stream: false, latencyMs: 50 },
    });
    stepMs.settle.push(performance.now() - t1);
  }
  return { pair, holdBatchCounts };
}

/** `concurrency` workers running pairs back to back until `deadline` (performance.now()). */
async function loop(pair: (i: number) => Promise<void>, concurrency: number, offset: number, deadline: number) {
  let done = 0;
  const latencies: number[] = [];
  await Promise.all(
    Array.from({ length: concurrency }, async (_, worker) => {
      for (let n = offset + worker; performance.now() < deadline; n += concurrency) {
        const t = performance.now();
        await pair(n);
        latencies.push(performance.now() - t);
        done++;
      }
    }),
  );
  return { done, latencies };
}

/**
 * MONEY_PROCESSES=2: the same pairs from several processes at once on the one database, as several
 * gateway instances (or cluster workers) run them: each process batches on its own, and their
 * statements meet on the same key and account rows. Children start together at a set wall-clock time.
 */
async function inProcesses(url: string, postmaster: number, customers: Customer[], model: string) {
  for (const concurrency of CONCURRENCIES) {
    const each = Math.max(1, Math.round(concurrency / PROCESSES));
    const startAt = Date.now() + 4_000;
    const children = Array.from({ length: PROCESSES }, (_, i) =>
      execFileAsync(process.execPath, ["--import", "tsx", "bench/money-core.ts"], {
        env: { ...process.env, DATABASE_URL: url, MONEY_CHILD: JSON.stringify({ customers, model, concurrency: each, offset: i * 1_000_000, startAt }) },
        maxBuffer: 64 * 1024 * 1024,
      }),
    );
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, startAt - Date.now())));
    const pg0 = treeCpuUs([postmaster]);
    const results = (await Promise.all(children)).map((c) => JSON.parse(c.stdout.trim().split("\n").at(-1)!) as ChildResult);
    const done = results.reduce((s, r) => s + r.done, 0);
    const pgUs = (treeCpuUs([postmaster]) - pg0) / done;
    const all = (k: "latencies" | "reserve" | "settle") => results.flatMap((r) => r[k]);
    log(
      `${PROCESSES} processes × concurrency ${each}: ${(done / SECONDS).toFixed(0).padStart(5)} pairs/s, PostgreSQL ${pgUs.toFixed(0).padStart(5)} µs/pair (incl. the children's warm-up), ` +
        `p50 ${p(all("latencies"), 0.5)} ms, p99 ${p(all("latencies"), 0.99)} ms`,
    );
    log(`  reserve p50 ${p(all("reserve"), 0.5)} p99 ${p(all("reserve"), 0.99)} ms, settle p50 ${p(all("settle"), 0.5)} p99 ${p(all("settle"), 0.99)} ms`);
    log(`  batches per process: ${results.map((r) => `${r.perReserve} holds / ${r.perSettle} settlements`).join("; ")}`);
  }
}

interface ChildResult { done: number; latencies: number[]; reserve: number[]; settle: number[]; perReserve: string; perSettle: string }

async function child(spec: { customers: Customer[]; model: string; concurrency: number; offset: number; startAt: number }) {
  const { pair, holdBatchCounts } = await pairs(spec.customers, spec.model);
  const { disconnectDb } = await import("../lib/db");
  await Promise.all(Array.from({ length: 16 }, (_, i) => pair(spec.offset + i)));
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, spec.startAt - Date.now())));
  stepMs.reserve.length = stepMs.settle.length = 0;
  const b0 = holdBatchCounts();
  const { done, latencies } = await loop(pair, spec.concurrency, spec.offset + 1000, performance.now() + SECONDS * 1000);
  const b = holdBatchCounts();
  const result: ChildResult = { done, latencies, reserve: stepMs.reserve, settle: stepMs.settle, perReserve: perStatement(b0, b, "reserve"), perSettle: perStatement(b0, b, "settle") };
  console.log(JSON.stringify(result));
  await disconnectDb();
}

async function main() {
  const database = await freshDatabase(DATA_DIR, String(num("MONEY_PG_PORT", 25530)));
  const { sql, postmaster } = database;
  // Experiments: MONEY_SQL="ALTER SYSTEM SET commit_delay = 200; DROP INDEX …" runs before measuring.
  if (process.env.MONEY_SQL) {
    for (const statement of process.env.MONEY_SQL.split(";").map((s) => s.trim()).filter(Boolean)) await sql.query(statement);
    await sql.query("SELECT pg_reload_conf()");
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const settings = await sql.query<{ name: string; setting: string }>(
    "SELECT name, setting FROM pg_settings WHERE name IN ('synchronous_commit','fsync','full_page_writes','commit_delay','wal_level','shared_buffers')",
  );
  log(`PostgreSQL: ${settings.rows.map((r) => `${r.name}=${r.setting}`).join(" ")}`);

  const model = (await sql.query<{ id: string }>("SELECT id FROM models WHERE type = 'CHAT' ORDER BY id LIMIT 1")).rows[0]!.id;
  const customers: { accountId: string; apiKeyId: string }[] = [];
  for (let i = 0; i < KEYS; i++) {
    const user = await sql.query<{ id: string }>(
      "INSERT INTO users (email, password_hash) VALUES ($1, 'x') RETURNING id",
      [`money-${i}@example.test`],
    );
    const account = await sql.query<{ id: string }>(
      "INSERT INTO accounts (user_id, balance_micros, updated_at) VALUES ($1, 1000000000000, now()) RETURNING id",
      [user.rows[0]!.id],
    );
    const key = await sql.query<{ id: string }>(
      "INSERT INTO api_keys (user_id, name, hash, prefix) VALUES ($1, 'bench', $2, 'mw_test_') RETURNING id",
      [user.rows[0]!.id, randomUUID()],
    );
    customers.push({ accountId: account.rows[0]!.id, apiKeyId: key.rows[0]!.id });
  }
  await sql.end();

  if (PROCESSES > 1) {
    await inProcesses(database.url, postmaster, customers, model);
    await database.release();
    return;
  }
  process.env.DATABASE_URL = database.url;
  const { pair, holdBatchCounts } = await pairs(customers, model);
  const { disconnectDb } = await import("../lib/db");
  // Warm-up: every pooled connection prepares its statements.
  await Promise.all(Array.from({ length: 64 }, (_, i) => pair(i)));
  for (const concurrency of CONCURRENCIES) {
    const pg0 = treeCpuUs([postmaster]);
    const roles0 = cpuByRole(postmaster);
    const self0 = process.cpuUsage();
    const batches0 = holdBatchCounts();
    stepMs.reserve.length = stepMs.settle.length = 0;
    const start = performance.now();
    const { done, latencies } = await loop(pair, concurrency, 0, start + SECONDS * 1000);
    const wall = (performance.now() - start) / 1000;
    const pgUs = (treeCpuUs([postmaster]) - pg0) / done;
    const self = process.cpuUsage(self0);
    const line =
      `concurrency ${String(concurrency).padStart(3)}: ${(done / wall).toFixed(0).padStart(5)} pairs/s, ` +
      `PostgreSQL ${pgUs.toFixed(0).padStart(5)} µs/pair, Node ${((self.user + self.system) / done).toFixed(0).padStart(4)} µs/pair, ` +
      `p50 ${p(latencies, 0.5)} ms, p99 ${p(latencies, 0.99)} ms`;
    log(line);
    log(`  reserve p50 ${p(stepMs.reserve, 0.5)} p99 ${p(stepMs.reserve, 0.99)} ms, settle p50 ${p(stepMs.settle, 0.5)} p99 ${p(stepMs.settle, 0.99)} ms`);
    const batches = holdBatchCounts();
    log(`  batches: ${perStatement(batches0, batches, "reserve")} holds and ${perStatement(batches0, batches, "settle")} settlements per batch statement (the rest one by one)`);
    const roles1 = cpuByRole(postmaster);
    log(
      "  by role (user+sys µs/pair): " +
        [...roles1]
          .map(([role, r]) => [role, (r.user - (roles0.get(role)?.user ?? 0)) / done, (r.sys - (roles0.get(role)?.sys ?? 0)) / done] as const)
          .filter(([, u, sy]) => u + sy >= 1)
          .map(([role, u, sy]) => `${role} ${u.toFixed(0)}+${sy.toFixed(0)}`)
          .join(", "),
    );
  }
  if (process.env.MONEY_EXPLAIN) await explainStatements(database.url, () => pair(0));
  await disconnectDb();
  await database.release();
}

/** MONEY_EXPLAIN=1: EXPLAIN ANALYZE of the money core's statements as the gateway sends them (rolled back). */
async function explainStatements(url: string, runPair: () => Promise<void>) {
  const captured = new Map<string, { text: string; values: unknown[] }>();
  // lib/db's sqlText runs statements on a pooled client (pool.connect(), then client.query).
  const original = pg.Client.prototype.query;
  pg.Client.prototype.query = function (this: pg.Client, config: unknown, ...rest: unknown[]) {
    const c = config as { name?: string; text: string; values: unknown[] };
    if (c?.name && !captured.has(c.name)) captured.set(c.name, { text: c.text, values: c.values });
    return (original as (...a: unknown[]) => unknown).call(this, config, ...rest);
  } as typeof original;
  await runPair();
  pg.Client.prototype.query = original;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const fresh = (values: unknown[], requestId: string) =>
    values.map((v) => (typeof v === "bigint" ? v.toString() : typeof v === "string" && v.startsWith("req_") ? requestId : v));
  const reserveSql = captured.get("meterway_reserve")!;
  const settleSql = captured.get("meterway_settle")!;
  // Twenty times on one connection, in one rolled-back transaction; the last plan is printed (warm caches).
  await client.query("BEGIN");
  let printed = "";
  for (let i = 0; i < 20; i++) {
    const explain = async (name: string, text: string, values: unknown[]) => {
      const plan = await client.query(`EXPLAIN (ANALYZE, BUFFERS) ${text}`, values);
      return `\n── ${name}\n${plan.rows.map((r) => r["QUERY PLAN"]).join("\n")}`;
    };
    const reservePlan = await explain("reserve", reserveSql.text, fresh(reserveSql.values, `req_${randomUUID()}`));
    const requestId = `req_${randomUUID()}`;
    const held = await client.query<{ hold_id: string }>(reserveSql.text, fresh(reserveSql.values, requestId));
    const settleValues = fresh(settleSql.values, requestId);
    settleValues[0] = held.rows[0]!.hold_id;
    printed = reservePlan + (await explain("settle", settleSql.text, settleValues));
  }
  console.log(printed);
  await client.query("ROLLBACK");
  const { sqlQuery, Prisma } = await import("../lib/db");
  const plans = await sqlQuery<{ name: string; generic_plans: bigint; custom_plans: bigint }>(
    Prisma.sql`SELECT name, generic_plans, custom_plans FROM pg_prepared_statements`,
  );
  console.log(`\n── plans on one pooled connection: ${plans.map((p) => `${p.name} generic ${p.generic_plans} custom ${p.custom_plans}`).join("; ")}`);
  await client.end();
}

(process.env.MONEY_CHILD ? child(JSON.parse(process.env.MONEY_CHILD)) : main()).catch((error) => {
  console.error(error);
  process.exit(1);
});
