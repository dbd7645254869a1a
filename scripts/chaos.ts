// `npm run chaos`: the money guarantees under failure (issue #9). Against the BUILT app (`npm run build`
// first; NEXT_DIST_DIR is honoured) it starts its own embedded PostgreSQL (.data/chaos, port 54343), a
// mock upstream (bench/mock-upstream.ts) and two `next start` instances (A and B) on that database with
// a short hold expiry, creates accounts (some nearly empty, one key with a tiny spend limit) and
// models on the mock, then runs concurrent clients for about a minute while it
//   - SIGKILLs instance A mid-load and starts it again,
//   - stops PostgreSQL mid-load and starts it again a few seconds later,
//   - streams from a model whose upstream resets the connection half-way, throughout.
// Afterwards it stops the instances, waits for every hold to expire, runs `holds:sweep` and
// `ledger:check` (the operator CLI), checks the database against what every client saw, prints a
// report and exits 1 on any violation. Everything it started is stopped on exit, failure or Ctrl-C.
//   npm run chaos                      CHAOS_SECONDS=70 CHAOS_CLIENTS=16 CHAOS_SEED=1
//   CHAOS_BASE_PORT=7300 (A, B, mock on 7300..7302)   CHAOS_PG_PORT=54343
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createWriteStream, existsSync, readFileSync, writeFileSync } from "node:fs";
import { mkdir, readFile, rm } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import { Agent, request } from "undici";
import { startMockUpstream, type MockUpstream } from "../bench/mock-upstream";
import { ensureDatabase, resolveDataDir, startEmbeddedPostgres, type EmbeddedDatabase } from "./lib/embedded-postgres";
import { migrate } from "./lib/migrate";
import { seed } from "./lib/seed";

// ── configuration ────────────────────────────────────────────────────────────────────────────────

/** A problem with how the run was started (no build, bad settings): said in one line, without a stack. */
class SetupError extends Error {}

const int = (name: string, fallback: number) => {
  const raw = process.env[name];
  const value = raw === undefined || raw === "" ? fallback : Number(raw);
  if (!Number.isInteger(value) || value < 0) {
    console.error(`[chaos] ${name} must be a whole number (got ${raw})`);
    process.exit(2); // read at load time: nothing is started yet
  }
  return value;
};
const BASE_PORT = int("CHAOS_BASE_PORT", 7300);
const PG_PORT = int("CHAOS_PG_PORT", 54343);
const LOAD_SECONDS = int("CHAOS_SECONDS", 70);
const CLIENTS = int("CHAOS_CLIENTS", 16);
const SEED = int("CHAOS_SEED", 1);
const HOLD_TTL_SECONDS = 15;
/** A client gives up on a request after this long: such a request "hung" and is a violation. */
const CLIENT_TIMEOUT_MS = 30_000;
/** When, into the load, instance A is killed and PostgreSQL is restarted, and for how long it stays down. */
const KILL_A_AT_MS = Math.round(LOAD_SECONDS * 1000 * 0.2);
const DB_RESTART_AT_MS = Math.round(LOAD_SECONDS * 1000 * 0.5);
const DB_DOWN_MS = 3_000;
/** A 5xx this long after PostgreSQL is back means an instance did not recover. */
const DB_RECOVERY_GRACE_MS = 2_000;
const DIST_DIR = process.env.NEXT_DIST_DIR || ".next";
const DATA_DIR = path.resolve(".data/chaos");
const PIDS_FILE = path.join(DATA_DIR, "pids.json");
const PORT_A = BASE_PORT;
const PORT_B = BASE_PORT + 1;
const MOCK_PORT = BASE_PORT + 2;

const log = (line: string) => console.log(`[chaos ${new Date().toISOString().slice(11, 23)}] ${line}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ── what was started, so that every exit path can stop it ───────────────────────────────────────

interface Instance {
  name: "A" | "B";
  port: number;
  child: ChildProcess | null;
  /** False from the moment it is killed until it answers /api/health again (the "load balancer"). */
  up: boolean;
  agent: Agent;
}

const started: { instances: Instance[]; database: EmbeddedDatabase | null; mock: MockUpstream | null; pgDataDir: string | null } = {
  instances: [],
  database: null,
  mock: null,
  pgDataDir: null,
};

function rememberPids() {
  const pids = started.instances.map((i) => i.child?.pid).filter((p): p is number => typeof p === "number");
  try {
    writeFileSync(PIDS_FILE, JSON.stringify({ apps: pids }));
  } catch {
    // the data folder is gone: nothing to remember
  }
}

function killGroup(pid: number, signal: NodeJS.Signals) {
  try {
    process.kill(-pid, signal); // the instance was spawned detached: its group is its own
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

/** Synchronous last resort (process exit): SIGKILL the app instances and stop the PostgreSQL server. */
function killEverythingNow() {
  for (const i of started.instances) if (i.child?.pid && i.child.exitCode === null && i.child.signalCode === null) killGroup(i.child.pid, "SIGKILL");
  const postmaster = started.pgDataDir ? path.join(started.pgDataDir, "postmaster.pid") : null;
  if (postmaster && existsSync(postmaster)) {
    const pid = Number(readFileSync(postmaster, "utf8").split("\n")[0]);
    if (pid > 0) {
      try {
        process.kill(pid, "SIGINT"); // a fast shutdown; the server finishes it on its own
      } catch {
        // not running
      }
    }
  }
}

let cleaning: Promise<void> | null = null;
function cleanUp(): Promise<void> {
  return (cleaning ??= (async () => {
    await Promise.all(started.instances.map((i) => stopInstance(i, "SIGTERM")));
    await started.mock?.close().catch(() => {});
    started.mock = null;
    await stopDatabase();
    await rm(PIDS_FILE, { force: true }).catch(() => {});
  })());
}

process.on("exit", killEverythingNow);
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  process.on(signal, () => {
    log(`${signal}: stopping everything this run started`);
    const hard = setTimeout(() => process.exit(130), 15_000);
    void cleanUp().finally(() => {
      clearTimeout(hard);
      process.exit(130);
    });
  });
}

/** Stops what a previous run killed with SIGKILL left behind (its app instances and its PostgreSQL). */
async function stopLeftovers() {
  try {
    const { apps } = JSON.parse(await readFile(PIDS_FILE, "utf8")) as { apps: number[] };
    for (const pid of apps) {
      const cmdline = await readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => "");
      if (cmdline.includes("next")) {
        log(`stopping instance pid ${pid} left by an earlier run`);
        killGroup(pid, "SIGKILL");
      }
    }
  } catch {
    // no earlier run
  }
  const pgDir = await resolveDataDir(path.join(DATA_DIR, "pg"));
  const pidFile = path.join(pgDir, "postmaster.pid");
  if (existsSync(pidFile)) {
    const pid = Number((await readFile(pidFile, "utf8")).split("\n")[0]);
    if (pid > 0 && (await readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => "")).includes("postgres")) {
      log(`stopping the PostgreSQL server (pid ${pid}) left by an earlier run`);
      process.kill(pid, "SIGINT");
      for (let i = 0; i < 100 && existsSync(`/proc/${pid}`); i++) await sleep(100);
    }
  }
}

// ── the database ─────────────────────────────────────────────────────────────────────────────────

let pgPassword = "";
async function startDatabase(): Promise<void> {
  if (cleaning) throw new Error("stopping: not starting PostgreSQL again");
  started.pgDataDir = await resolveDataDir(path.join(DATA_DIR, "pg"));
  // Durable settings (fsync on): a restart must not lose a commit the app was told about.
  started.database = await startEmbeddedPostgres({ dataDir: path.join(DATA_DIR, "pg"), port: PG_PORT, password: pgPassword });
}

async function stopDatabase(): Promise<void> {
  const database = started.database;
  started.database = null;
  await database?.stop().catch(() => {});
}

// ── the app instances ────────────────────────────────────────────────────────────────────────────

let appEnv: NodeJS.ProcessEnv = { ...process.env };

function spawnInstance(instance: Instance) {
  if (cleaning) throw new Error(`stopping: not starting instance ${instance.name} again`);
  const out = createWriteStream(path.join(DATA_DIR, `app-${instance.name}.log`), { flags: "a" });
  const child = spawn(process.execPath, [path.resolve("node_modules/next/dist/bin/next"), "start", "-H", "127.0.0.1", "-p", String(instance.port)], {
    env: { ...appEnv, PORT: String(instance.port), NEXTAUTH_URL: `http://127.0.0.1:${instance.port}` },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  child.stdout?.pipe(out);
  child.stderr?.pipe(out);
  instance.child = child;
  rememberPids();
}

async function stopInstance(instance: Instance, signal: NodeJS.Signals) {
  const child = instance.child;
  instance.up = false;
  if (!child?.pid || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once("exit", r));
  killGroup(child.pid, signal);
  const timer = setTimeout(() => child.pid && killGroup(child.pid, "SIGKILL"), 10_000);
  await exited;
  clearTimeout(timer);
}

async function waitForHealth(instance: Instance, timeoutMs = 120_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (instance.child && (instance.child.exitCode !== null || instance.child.signalCode !== null)) {
      throw new Error(`instance ${instance.name} exited during start-up (see ${path.join(DATA_DIR, `app-${instance.name}.log`)})`);
    }
    try {
      const res = await request(`http://127.0.0.1:${instance.port}/api/health`, { headersTimeout: 2000, bodyTimeout: 2000 });
      await res.body.dump();
      if (res.statusCode === 200) return;
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
  throw new Error(`instance ${instance.name} on port ${instance.port} did not become healthy`);
}

// ── accounts, keys, models ───────────────────────────────────────────────────────────────────────

interface Customer {
  label: string;
  email: string;
  accountId: string;
  key: string;
  grantedMicros: bigint;
  kind: "rich" | "poor" | "key-limited";
}

const CHAOS_PRICE = { input: 1_000_000n, output: 2_000_000n }; // $1 / $2 per million tokens
const MODELS: { id: string; upstream: string }[] = [
  { id: "chaos/quick", upstream: "mock:latency=30" },
  { id: "chaos/slow", upstream: "mock:latency=1200:chunks=16" },
  { id: "chaos/stream", upstream: "mock:chunks=40:spacing=40" },
  { id: "chaos/reset", upstream: "mock:fault=reset:chunks=24:spacing=40" },
];

async function createCustomers(databaseUrl: string, mockUrl: string): Promise<Customer[]> {
  const sql = new pg.Client({ connectionString: databaseUrl });
  await sql.connect();
  try {
    await sql.query(`INSERT INTO providers (id, name, kind, base_url) VALUES ('chaos-mock', 'Chaos mock', 'OPENAI_COMPATIBLE', $1)`, [`${mockUrl}/v1`]);
    for (const m of MODELS) {
      await sql.query(
        `INSERT INTO models (id, type, provider_id, upstream_model, display_name, input_per_mtok_micros, output_per_mtok_micros, max_output_tokens)
         VALUES ($1, 'CHAT', 'chaos-mock', $2, $1, $3, $4, 1000)`,
        [m.id, m.upstream, CHAOS_PRICE.input.toString(), CHAOS_PRICE.output.toString()],
      );
    }
  } finally {
    await sql.end();
  }

  // The app's own verbs (the same ones `npm run portal -- user:create / credits:grant / key:create` runs),
  // imported only now: lib/env.js reads DATABASE_URL once, at import.
  const { signUp } = await import("../lib/auth/sign-up");
  const { postEntryOnce } = await import("../lib/billing/ledger");
  const { createKey } = await import("../lib/keys/create-key");
  const { db, disconnectDb } = await import("../lib/db");
  const plan: { kind: Customer["kind"]; micros: bigint; spendLimit?: bigint }[] = [
    ...Array.from({ length: 6 }, () => ({ kind: "rich" as const, micros: 50_000_000n })),
    // A few hundred micros: a handful of requests, then 402s (and balance-capped max_tokens).
    ...Array.from({ length: 3 }, () => ({ kind: "poor" as const, micros: 3_000n })),
    { kind: "key-limited", micros: 50_000_000n, spendLimit: 2_000n },
  ];
  const customers: Customer[] = [];
  try {
    for (const [n, p] of plan.entries()) {
      const email = `chaos-${n}-${p.kind}@example.test`;
      const user = await signUp({ input: { email, password: "chaos-password-123" } });
      const account = await db.account.findUniqueOrThrow({ where: { userId: user.id }, select: { id: true } });
      await postEntryOnce({ accountId: account.id, kind: "ADJUSTMENT", amountMicros: p.micros, reference: `chaos-grant:${n}`, description: "chaos run" });
      const { key } = await createKey({ ctx: { userId: user.id }, input: { name: `chaos ${p.kind}`, spendLimitMicros: p.spendLimit ?? null } });
      customers.push({ label: `${n}:${p.kind}`, email, accountId: account.id, key, grantedMicros: p.micros, kind: p.kind });
    }
  } finally {
    await disconnectDb();
  }
  return customers;
}

// ── the clients ──────────────────────────────────────────────────────────────────────────────────

/** A small deterministic PRNG (mulberry32), so a seed gives the same mix of requests. */
function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Outcome {
  n: number;
  client: number;
  instance: "A" | "B";
  model: string;
  stream: boolean;
  includeUsage: boolean;
  customer: Customer;
  startedAt: number;
  endedAt: number;
  status: number | null;
  requestId: string | null;
  /** ok | stream-error-event | http-error | killed-in-flight | VIOLATION:… */
  kind: string;
  errorCode: string | null;
  /** The cost the client was told (header or usage chunk), when it was told one. */
  costMicros: bigint | null;
  detail: string;
}

interface Timeline {
  loadStart: number;
  killA?: number;
  aHealthy?: number;
  dbStop?: number;
  dbStopped?: number;
  dbStarted?: number;
  loadEnd?: number;
}

function pickRequest(rand: () => number, customers: Customer[]) {
  const r = rand();
  // Mostly well-funded accounts; a fifth of the requests come from the nearly empty ones and the limited key.
  const pool = rand() < 0.8 ? customers.filter((c) => c.kind === "rich") : customers.filter((c) => c.kind !== "rich");
  const customer = pool[Math.floor(rand() * pool.length)]!;
  let model: string;
  let stream: boolean;
  if (r < 0.25) [model, stream] = ["sandbox/chat", rand() < 0.5];
  else if (r < 0.45) [model, stream] = ["chaos/quick", rand() < 0.5];
  else if (r < 0.55) [model, stream] = ["chaos/slow", rand() < 0.5];
  else if (r < 0.8) [model, stream] = ["chaos/stream", true];
  else [model, stream] = ["chaos/reset", true];
  const includeUsage = stream && rand() < 0.5;
  // Half give max_tokens (the full maximum is held); the rest let the balance cap the output.
  const maxTokens = rand() < 0.5 ? 100 + Math.floor(rand() * 200) : undefined;
  const delay = model === "sandbox/chat" && stream ? " [sandbox:delay=40]" : "";
  const body = {
    model,
    stream,
    ...(includeUsage ? { stream_options: { include_usage: true } } : {}),
    ...(maxTokens ? { max_tokens: maxTokens } : {}),
    messages: [{ role: "user", content: `Chaos request from a client that wants an answer.${delay}` }],
  };
  return { customer, model, stream, includeUsage, body };
}

function isErrorBody(value: unknown): value is { error: { message: string; type: string; code: string } } {
  const e = (value as { error?: Record<string, unknown> } | null)?.error;
  return !!e && typeof e.message === "string" && typeof e.type === "string" && typeof e.code === "string";
}

async function runClient(
  client: number,
  rand: () => number,
  customers: Customer[],
  instances: Instance[],
  deadline: number,
  timeline: Timeline,
  outcomes: Outcome[],
  counter: { n: number },
) {
  let turn = client;
  while (Date.now() < deadline) {
    // The "load balancer": round robin over the instances that are up.
    const up = instances.filter((i) => i.up);
    if (up.length === 0) {
      await sleep(50);
      continue;
    }
    const instance = up[turn++ % up.length]!;
    const pick = pickRequest(rand, customers);
    const o: Outcome = {
      n: counter.n++, client, instance: instance.name, model: pick.model, stream: pick.stream, includeUsage: pick.includeUsage,
      customer: pick.customer, startedAt: Date.now(), endedAt: 0, status: null, requestId: null, kind: "", errorCode: null, costMicros: null, detail: "",
    };
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), CLIENT_TIMEOUT_MS);
    try {
      const res = await request(`http://127.0.0.1:${instance.port}/v1/chat/completions`, {
        method: "POST",
        dispatcher: instance.agent,
        headers: { authorization: `Bearer ${pick.customer.key}`, "content-type": "application/json" },
        body: JSON.stringify(pick.body),
        signal: abort.signal,
      });
      o.status = res.statusCode;
      o.requestId = (res.headers["x-request-id"] as string | undefined) ?? null;
      const contentType = String(res.headers["content-type"] ?? "");
      if (res.statusCode === 200 && contentType.startsWith("text/event-stream")) {
        await readStream(res.body, o);
      } else {
        const text = await res.body.text();
        let parsed: unknown = null;
        try {
          parsed = JSON.parse(text);
        } catch {
          // checked below
        }
        if (res.statusCode === 200) {
          const usage = (parsed as { usage?: { cost_micros?: number } } | null)?.usage;
          const header = res.headers["x-request-cost-micros"];
          if (usage && typeof usage.cost_micros === "number" && typeof header === "string" && BigInt(header) === BigInt(usage.cost_micros)) {
            o.kind = "ok";
            o.costMicros = BigInt(header);
          } else o.kind = "VIOLATION: a 200 without usage.cost_micros matching x-request-cost-micros";
        } else if (isErrorBody(parsed)) {
          o.kind = "http-error";
          o.errorCode = parsed.error.code;
          o.detail = parsed.error.message.slice(0, 160);
        } else {
          o.kind = `VIOLATION: HTTP ${res.statusCode} without an OpenAI error body`;
          o.detail = text.slice(0, 160);
        }
        if (!o.requestId) o.kind = "VIOLATION: no x-request-id";
      }
    } catch (error) {
      const err = error as Error & { code?: string };
      o.detail = `${err.code ?? err.name}: ${err.message}`.slice(0, 160);
      if (abort.signal.aborted) o.kind = `VIOLATION: no answer within ${CLIENT_TIMEOUT_MS / 1000} s (hung)`;
      else if (instance.name === "A" && timeline.killA !== undefined && o.startedAt <= timeline.killA && (timeline.aHealthy === undefined || o.startedAt < timeline.aHealthy)) {
        o.kind = "killed-in-flight";
      } else o.kind = "VIOLATION: connection error outside the kill of instance A";
    } finally {
      clearTimeout(timer);
      o.endedAt = Date.now();
      outcomes.push(o);
    }
  }
}

/** Reads an SSE body to its end: complete with [DONE], an error event then [DONE], or cut off. */
async function readStream(body: AsyncIterable<Buffer>, o: Outcome) {
  let buffer = "";
  let done = false;
  let errorEvent: { code: string; message: string } | null = null;
  let malformed = false;
  for await (const piece of body) {
    buffer += piece.toString("utf8");
    let boundary: number;
    while ((boundary = buffer.indexOf("\n\n")) !== -1) {
      const event = buffer.slice(0, boundary);
      buffer = buffer.slice(boundary + 2);
      const data = event.split("\n").filter((l) => l.startsWith("data: ")).map((l) => l.slice(6)).join("\n");
      if (!data) continue;
      if (data === "[DONE]") {
        done = true;
        continue;
      }
      try {
        const chunk = JSON.parse(data) as { error?: unknown; usage?: { cost_micros?: number } };
        if (isErrorBody(chunk)) errorEvent = { code: chunk.error.code, message: chunk.error.message };
        else if (chunk.usage && typeof chunk.usage.cost_micros === "number") o.costMicros = BigInt(chunk.usage.cost_micros);
      } catch {
        malformed = true;
      }
    }
  }
  if (malformed) o.kind = "VIOLATION: a stream chunk that is not JSON";
  else if (!done) throw Object.assign(new Error("the stream ended without [DONE]"), { code: "STREAM_CUT" });
  else if (errorEvent) {
    o.kind = "stream-error-event";
    o.errorCode = errorEvent.code;
    o.detail = errorEvent.message.slice(0, 160);
  } else if (o.includeUsage && o.costMicros === null) o.kind = "VIOLATION: include_usage but no usage chunk with cost_micros";
  else o.kind = "ok";
  if (!o.requestId) o.kind = "VIOLATION: no x-request-id";
}

// ── the operator CLI ─────────────────────────────────────────────────────────────────────────────

const execFileP = promisify(execFile);
async function portal(databaseUrl: string, command: string): Promise<{ code: number; output: Record<string, unknown> | null; stderr: string }> {
  try {
    const { stdout, stderr } = await execFileP(process.execPath, ["--import", "tsx", "scripts/portal.ts", command], {
      env: { ...process.env, DATABASE_URL: databaseUrl, DISABLE_BACKGROUND_JOBS: "true" },
    });
    return { code: 0, output: JSON.parse(stdout), stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    let output: Record<string, unknown> | null = null;
    try {
      output = JSON.parse(e.stdout ?? "");
    } catch {
      // no JSON
    }
    return { code: typeof e.code === "number" ? e.code : 1, output, stderr: e.stderr ?? String(error) };
  }
}

// ── the run ──────────────────────────────────────────────────────────────────────────────────────

async function main(): Promise<number> {
  const t0 = Date.now();
  if (BASE_PORT < 7300 || BASE_PORT + 2 > 7399) throw new SetupError("CHAOS_BASE_PORT must leave A, B and the mock within 7300..7399");
  if (!existsSync(path.join(DIST_DIR, "BUILD_ID"))) {
    throw new SetupError(`no built app in ${DIST_DIR}/: run \`npm run build\` first${DIST_DIR !== ".next" ? ` (with NEXT_DIST_DIR=${DIST_DIR})` : ""}`);
  }

  await stopLeftovers();
  await rm(DATA_DIR, { recursive: true, force: true });
  await mkdir(DATA_DIR, { recursive: true, mode: 0o755 });
  pgPassword = randomBytes(18).toString("base64url");
  await startDatabase();
  const database = started.database!;
  await ensureDatabase(database.adminUrl, "meterway");
  const databaseUrl = database.urlFor("meterway");
  await migrate(databaseUrl);
  await seed(databaseUrl);
  process.env.DATABASE_URL = databaseUrl;
  process.env.DISABLE_BACKGROUND_JOBS = "true";
  log(`PostgreSQL on 127.0.0.1:${PG_PORT} (data in ${started.pgDataDir})`);

  started.mock = await startMockUpstream({ port: MOCK_PORT });
  const customers = await createCustomers(databaseUrl, started.mock.url);
  log(`mock upstream on ${started.mock.url}; ${customers.length} accounts, models ${MODELS.map((m) => m.id).join(", ")} and sandbox/chat`);

  appEnv = {
    ...process.env,
    NODE_ENV: "production",
    NEXT_DIST_DIR: DIST_DIR,
    DATABASE_URL: databaseUrl,
    NEXTAUTH_SECRET: "chaos-only-secret-not-for-production-0123456789",
    NEXT_TELEMETRY_DISABLED: "1",
    HOLD_TTL_SECONDS: String(HOLD_TTL_SECONDS),
    DISABLE_BACKGROUND_JOBS: "false",
    UPSTREAM_FIRST_BYTE_TIMEOUT_MS: "10000",
    UPSTREAM_IDLE_TIMEOUT_MS: "10000",
  };
  const agentFor = () => new Agent({ connections: CLIENTS, keepAliveTimeout: 2_000, keepAliveMaxTimeout: 2_000 });
  const a: Instance = { name: "A", port: PORT_A, child: null, up: false, agent: agentFor() };
  const b: Instance = { name: "B", port: PORT_B, child: null, up: false, agent: agentFor() };
  started.instances.push(a, b);
  spawnInstance(a);
  spawnInstance(b);
  await Promise.all([waitForHealth(a), waitForHealth(b)]);
  a.up = b.up = true;
  log(`instances A (:${PORT_A}) and B (:${PORT_B}) are up (logs in ${DATA_DIR}/app-*.log); setup took ${((Date.now() - t0) / 1000).toFixed(1)} s`);

  // ── load with chaos ──
  const timeline: Timeline = { loadStart: Date.now() };
  const deadline = timeline.loadStart + LOAD_SECONDS * 1000;
  const outcomes: Outcome[] = [];
  const counter = { n: 0 };
  log(`load: ${CLIENTS} clients for ${LOAD_SECONDS} s; SIGKILL A at +${KILL_A_AT_MS / 1000} s, PostgreSQL down at +${DB_RESTART_AT_MS / 1000} s for ${DB_DOWN_MS / 1000} s`);
  const clients = Array.from({ length: CLIENTS }, (_, c) => runClient(c, prng(SEED * 1000 + c), customers, [a, b], deadline, timeline, outcomes, counter));

  const chaos = (async () => {
    await sleep(timeline.loadStart + KILL_A_AT_MS - Date.now());
    a.up = false; // taken out of the rotation first, as a load balancer's failed health check would
    timeline.killA = Date.now();
    const inFlight = counter.n - outcomes.length;
    killGroup(a.child!.pid!, "SIGKILL");
    await new Promise((r) => (a.child!.exitCode !== null || a.child!.signalCode !== null ? r(null) : a.child!.once("exit", r)));
    log(`SIGKILLed instance A (${inFlight} requests were in flight across A and B); starting it again`);
    spawnInstance(a);
    await waitForHealth(a);
    timeline.aHealthy = Date.now();
    a.up = true;
    log(`instance A is back after ${((timeline.aHealthy - timeline.killA) / 1000).toFixed(1)} s`);

    await sleep(timeline.loadStart + DB_RESTART_AT_MS - Date.now());
    timeline.dbStop = Date.now();
    log("stopping PostgreSQL (fast shutdown: open connections are terminated)");
    await stopDatabase();
    timeline.dbStopped = Date.now();
    await sleep(DB_DOWN_MS);
    await startDatabase();
    timeline.dbStarted = Date.now();
    log(`PostgreSQL is back after ${((timeline.dbStarted - timeline.dbStop) / 1000).toFixed(1)} s`);
  })();
  const progress = setInterval(() => log(`${outcomes.length} requests done`), 10_000);
  await Promise.all([chaos, ...clients]);
  clearInterval(progress);
  timeline.loadEnd = Date.now();
  log(`load done: ${outcomes.length} requests`);

  // ── afterwards ──
  await Promise.all([stopInstance(a, "SIGTERM"), stopInstance(b, "SIGTERM")]);
  await Promise.all([a.agent.close(), b.agent.close()]);
  const sql = new pg.Client({ connectionString: databaseUrl });
  await sql.connect();
  try {
    const { rows: [last] } = await sql.query<{ wait_ms: number | null }>(
      `SELECT ceil(extract(epoch FROM max(expires_at) - now()) * 1000)::int AS wait_ms FROM holds WHERE status = 'ACTIVE'`,
    );
    if (last?.wait_ms !== null && last?.wait_ms !== undefined && last.wait_ms > -1000) {
      log(`waiting ${((last.wait_ms + 1000) / 1000).toFixed(1)} s for the last active hold to expire`);
      await sleep(last.wait_ms + 1000);
    }
    const sweep = await portal(databaseUrl, "holds:sweep");
    const check = await portal(databaseUrl, "ledger:check");
    const verdict = await verify(sql, outcomes, customers, timeline, sweep, check);
    log(`finished in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
    return verdict;
  } finally {
    await sql.end().catch(() => {});
  }
}

// ── verification and the report ─────────────────────────────────────────────────────────────────

async function verify(
  sql: pg.Client,
  outcomes: Outcome[],
  customers: Customer[],
  timeline: Timeline,
  sweep: Awaited<ReturnType<typeof portal>>,
  check: Awaited<ReturnType<typeof portal>>,
): Promise<number> {
  const violations: string[] = [];
  const notes: string[] = [];
  const rel = (t: number | undefined) => (t === undefined ? "-" : `+${((t - timeline.loadStart) / 1000).toFixed(1)} s`);
  const q = async <T extends pg.QueryResultRow>(text: string, values: unknown[] = []) => (await sql.query<T>(text, values)).rows;

  // The operator CLI.
  if (sweep.code !== 0) violations.push(`holds:sweep exited ${sweep.code}: ${sweep.stderr.trim()}`);
  if (check.code !== 0) violations.push(`ledger:check exited ${check.code}: ${JSON.stringify(check.output?.violations ?? check.stderr)}`);

  // Holds: none active past its expiry (none active at all: every request is over), none settled after it.
  const [holds] = await q<{ active: number; active_expired: number; settled: number; released: number; expired: number; settled_late: number }>(`
    SELECT count(*) FILTER (WHERE status = 'ACTIVE')::int AS active,
           count(*) FILTER (WHERE status = 'ACTIVE' AND expires_at < now())::int AS active_expired,
           count(*) FILTER (WHERE status = 'SETTLED')::int AS settled,
           count(*) FILTER (WHERE status = 'RELEASED')::int AS released,
           -- Expired: released with no record but the sweeper's own (lib/billing/holds.ts EXPIRED_HOLD_NOTE).
           count(*) FILTER (WHERE status = 'RELEASED' AND NOT EXISTS (SELECT 1 FROM usage_records u WHERE u.request_id = holds.request_id
                                                                      AND COALESCE(u.note, '') NOT LIKE 'hold_expired:%'))::int AS expired,
           count(*) FILTER (WHERE status = 'SETTLED' AND closed_at > expires_at)::int AS settled_late
    FROM holds`);
  if (holds!.active_expired > 0) violations.push(`${holds!.active_expired} active hold(s) past their expiry after the sweep`);
  if (holds!.active > 0) violations.push(`${holds!.active} hold(s) still active after every request ended and the sweep ran`);
  if (holds!.settled_late > 0) violations.push(`${holds!.settled_late} hold(s) settled after their expiry (the sweeper could have released them first)`);

  // Charged once: one usage record and one ledger entry per request id, and they agree.
  const twice = await q<{ request_id: string; n: number }>(`
    SELECT request_id, count(*)::int AS n FROM (
      SELECT request_id FROM usage_records
      UNION ALL SELECT substr(reference, 7) FROM ledger_entries WHERE kind = 'USAGE'
    ) x GROUP BY 1 HAVING count(*) > 2
    UNION ALL SELECT request_id, count(*)::int FROM holds GROUP BY 1 HAVING count(*) > 1`);
  for (const r of twice) violations.push(`request ${r.request_id} appears ${r.n} times (charged or held more than once)`);
  const mismatched = await q<{ request_id: string | null; reference: string | null; detail: string }>(`
    SELECT u.request_id, l.reference,
           format('usage record status %s cost %s; ledger entry %s amount %s; hold %s', u.status, u.cost_micros, l.reference, l.amount_micros, h.status) AS detail
    FROM usage_records u
    FULL JOIN (SELECT * FROM ledger_entries WHERE kind = 'USAGE') l ON l.usage_record_id = u.id
    LEFT JOIN holds h ON h.request_id = COALESCE(u.request_id, substr(l.reference, 7))
    WHERE (u.status = 'FAILED' AND (l.id IS NOT NULL OR u.cost_micros <> 0))
       OR (u.status IS DISTINCT FROM 'FAILED' AND (l.id IS NULL OR u.id IS NULL OR l.amount_micros <> -u.cost_micros
           OR l.reference <> 'usage:' || u.request_id OR h.status IS DISTINCT FROM 'SETTLED' OR u.cost_micros > h.amount_micros))
       OR (h.status = 'RELEASED' AND l.id IS NOT NULL)`);
  for (const r of mismatched) violations.push(`usage/ledger mismatch for ${r.request_id ?? r.reference}: ${r.detail}`);
  const settledWithout = await q<{ request_id: string }>(`
    SELECT h.request_id FROM holds h LEFT JOIN usage_records u ON u.request_id = h.request_id AND u.status <> 'FAILED'
    WHERE h.status = 'SETTLED' AND u.id IS NULL`);
  for (const r of settledWithout) violations.push(`hold of ${r.request_id} settled without a usage record`);

  // What the database says about each request a client saw.
  const usage = new Map(
    (await q<{ request_id: string; status: string; cost: string; charged: string | null; hold: string | null }>(`
      SELECT u.request_id, u.status::text, u.cost_micros::text AS cost, (-l.amount_micros)::text AS charged, h.status::text AS hold
      FROM usage_records u LEFT JOIN ledger_entries l ON l.usage_record_id = u.id LEFT JOIN holds h ON h.request_id = u.request_id`)).map((r) => [r.request_id, r]),
  );
  const holdStatus = new Map((await q<{ request_id: string; status: string }>(`SELECT request_id, status::text FROM holds`)).map((r) => [r.request_id, r.status]));
  /** Whether a request overlapped the PostgreSQL outage (plus the recovery grace). */
  const dbDown = (o: Outcome) =>
    timeline.dbStop !== undefined && o.startedAt <= (timeline.dbStarted ?? Infinity) + DB_RECOVERY_GRACE_MS && o.endedAt >= timeline.dbStop;
  for (const o of outcomes) {
    if (o.kind.startsWith("VIOLATION")) continue;
    const u = o.requestId ? usage.get(o.requestId) : undefined;
    const charged = u?.charged ? BigInt(u.charged) : 0n;
    if (o.kind === "ok" && !o.stream) {
      if (!u || u.status !== "SUCCEEDED" || charged !== o.costMicros) o.kind = `VIOLATION: a 200 told cost ${o.costMicros} but the ledger charged ${u ? charged : "nothing (no usage record)"}`;
    } else if (o.kind === "ok" || o.kind === "stream-error-event") {
      if (!u || u.status === "FAILED") {
        // Delivered but never settled: the gateway must wait out a short database outage (it retries
        // the settlement until shortly before the hold expires), so this is "charged once" broken.
        o.kind = `VIOLATION: a delivered stream was never charged (hold ${holdStatus.get(o.requestId!) ?? "missing"}${dbDown(o) ? ", it ended while PostgreSQL was down" : ""})`;
      } else if (o.costMicros !== null && o.costMicros !== charged) o.kind = `VIOLATION: the usage chunk said ${o.costMicros} but the ledger charged ${charged}`;
    } else if (o.kind === "http-error") {
      if (u && u.status !== "FAILED") o.kind = `VIOLATION: HTTP ${o.status} ${o.errorCode} but charged ${charged}`;
    }
    // Killed mid-answer: a stream (the client had its headers) was released by a sweeper once its hold
    // expired, or settled if its usage had arrived before the kill — never left active.
    else if (o.kind === "killed-in-flight" && o.requestId) {
      const status = holdStatus.get(o.requestId);
      if (status !== "RELEASED" && status !== "SETTLED") o.kind = `VIOLATION: killed in flight, but its hold is ${status ?? "missing"}`;
    }
  }
  // A 5xx while PostgreSQL was up (beyond a short grace after its restart) means an instance did not recover.
  for (const o of outcomes) {
    if (o.kind === "http-error" && o.status! >= 500 && !dbDown(o) && !(o.errorCode === "upstream_error" || o.errorCode === "upstream_timeout")) {
      o.kind = `VIOLATION: HTTP ${o.status} ${o.errorCode} while PostgreSQL was up`;
    }
  }

  // Per account: the balance decrease equals the sum of the charges, and balance = grant − charges.
  const accounts = await q<{ id: string; balance: string; reserved: string; charges: string; usage: string }>(`
    SELECT a.id, a.balance_micros::text AS balance, a.reserved_micros::text AS reserved,
           COALESCE((SELECT -sum(amount_micros) FROM ledger_entries l WHERE l.account_id = a.id AND l.kind = 'USAGE'), 0)::text AS charges,
           COALESCE((SELECT sum(cost_micros) FROM usage_records u WHERE u.account_id = a.id AND u.status <> 'FAILED'), 0)::text AS usage
    FROM accounts a`);
  const byId = new Map(accounts.map((r) => [r.id, r]));
  const accountLines: string[] = [];
  for (const c of customers) {
    const r = byId.get(c.accountId)!;
    const decrease = c.grantedMicros - BigInt(r.balance);
    if (decrease !== BigInt(r.charges) || BigInt(r.charges) !== BigInt(r.usage)) {
      violations.push(`account ${c.label}: balance decreased by ${decrease}, ledger charges ${r.charges}, usage records ${r.usage}`);
    }
    if (BigInt(r.balance) < 0n || BigInt(r.reserved) !== 0n) violations.push(`account ${c.label}: balance ${r.balance}, reserved ${r.reserved}`);
    const mine = outcomes.filter((o) => o.customer === c);
    accountLines.push(
      `  ${c.label.padEnd(15)} granted ${String(c.grantedMicros).padStart(9)}  charged ${r.charges.padStart(8)}  balance ${r.balance.padStart(9)}  ` +
        `requests ${String(mine.length).padStart(5)}  402s ${String(mine.filter((o) => o.status === 402).length).padStart(4)}`,
    );
  }

  // Did the chaos happen? (Otherwise a clean report proves little.)
  const afterDb = (i: "A" | "B") => outcomes.filter((o) => o.instance === i && o.kind === "ok" && o.startedAt > (timeline.dbStarted ?? Infinity)).length;
  const afterKill = outcomes.filter((o) => o.instance === "A" && o.kind === "ok" && o.startedAt > (timeline.aHealthy ?? Infinity)).length;
  if (timeline.killA === undefined || afterKill === 0) violations.push("instance A did not serve a successful request after it was killed and restarted");
  if (afterDb("A") === 0 || afterDb("B") === 0) violations.push(`after the PostgreSQL restart, successes on A: ${afterDb("A")}, on B: ${afterDb("B")} (an instance did not recover)`);
  if (!outcomes.some((o) => o.model === "chaos/reset" && o.kind.startsWith("stream-error-event"))) violations.push("no stream saw the upstream reset");
  if (!outcomes.some((o) => o.status === 402)) violations.push("no request was refused for its balance (402)");

  for (const o of outcomes) if (o.kind.startsWith("VIOLATION")) violations.push(`request #${o.n} ${o.model}${o.stream ? " stream" : ""} on ${o.instance} (${o.requestId ?? "no id"}, started ${rel(o.startedAt)}): ${o.kind.slice(11)}${o.detail ? ` — ${o.detail}` : ""}`);

  // The report.
  const classes = new Map<string, number>();
  const klass = (o: Outcome) => {
    if (o.kind.startsWith("VIOLATION")) return "VIOLATION";
    const when = o.kind === "http-error" && o.status! >= 500 ? (dbDown(o) ? " during the PostgreSQL outage" : " (PostgreSQL up)") : "";
    if (o.kind === "http-error") return `HTTP ${o.status} ${o.errorCode}${when}`;
    if (o.kind === "stream-error-event") return `200 stream ended by an error event (${o.errorCode})`;
    if (o.kind === "ok") return `200 ${o.stream ? "stream completed" : "completed"}${dbDown(o) ? " across the PostgreSQL outage" : ""}`;
    if (o.kind === "killed-in-flight") return "connection lost: in flight on A when it was SIGKILLed";
    return o.kind;
  };
  for (const o of outcomes) classes.set(klass(o), (classes.get(klass(o)) ?? 0) + 1);
  const byModel = new Map<string, number>();
  for (const o of outcomes) byModel.set(`${o.model}${o.stream ? " (stream)" : ""}`, (byModel.get(`${o.model}${o.stream ? " (stream)" : ""}`) ?? 0) + 1);
  const durations = outcomes.map((o) => o.endedAt - o.startedAt).sort((x, y) => x - y);
  const killed = outcomes.filter((o) => o.kind === "killed-in-flight");

  const lines = [
    "",
    "══ chaos report ══════════════════════════════════════════════════════════════════════════",
    `load: ${outcomes.length} requests from ${CLIENTS} clients over ${((timeline.loadEnd! - timeline.loadStart) / 1000).toFixed(1)} s (seed ${SEED}); ` +
      `A ${outcomes.filter((o) => o.instance === "A").length}, B ${outcomes.filter((o) => o.instance === "B").length}; ` +
      `slowest ${durations.at(-1)} ms, p99 ${durations[Math.floor(durations.length * 0.99)]} ms (client timeout ${CLIENT_TIMEOUT_MS / 1000} s)`,
    `chaos: SIGKILL A at ${rel(timeline.killA)}, A healthy again at ${rel(timeline.aHealthy)}; PostgreSQL stopped at ${rel(timeline.dbStop)} ` +
      `(down by ${rel(timeline.dbStopped)}), started at ${rel(timeline.dbStarted)}; chaos/reset (mock:fault=reset) throughout`,
    "by model:",
    ...[...byModel].sort().map(([k, v]) => `  ${String(v).padStart(6)}  ${k}`),
    "outcomes:",
    ...[...classes].sort((x, y) => y[1] - x[1]).map(([k, v]) => `  ${String(v).padStart(6)}  ${k}`),
    `  (the ${killed.length} lost connection(s) were requests in flight on A at the SIGKILL: the process died mid-answer, so the ` +
      "client saw its socket close — before the headers, or mid-stream without [DONE]; their holds expired and were released by a sweeper, " +
      "uncharged, unless a stream's usage had been settled before the kill. Any other connection error counts as a violation.)",
    "accounts:",
    ...accountLines,
    `holds: ${holds!.settled} settled, ${holds!.released} released (${holds!.released - holds!.expired} failures before output, ` +
      `${holds!.expired} expired: ${holds!.expired - Number(sweep.output?.released ?? 0)} by the instances' own sweepers during the run, ` +
      `${String(sweep.output?.released ?? "?")} by holds:sweep at the end), ${holds!.active} active`,
    `ledger:check: exit ${check.code}, ${String(check.output?.accounts ?? "?")} accounts, ${JSON.stringify(check.output?.violations ?? [])}`,
    ...notes.map((n) => `note: ${n}`),
    violations.length === 0
      ? "verdict: OK — ledger clean, no hold past expiry, nothing charged twice or without a usage record, every client got a result or a clear error"
      : `verdict: ${violations.length} VIOLATION(S)`,
    ...violations.slice(0, 50).map((v) => `  ✗ ${v}`),
    ...(violations.length > 50 ? [`  … and ${violations.length - 50} more`] : []),
    "",
  ];
  console.log(lines.join("\n"));
  return violations.length === 0 ? 0 : 1;
}

main()
  .then(async (code) => {
    await cleanUp();
    process.exit(code);
  })
  .catch(async (error: unknown) => {
    console.error(`[chaos] ${error instanceof SetupError ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    await cleanUp();
    process.exit(1);
  });
