// `npm run bench`: the gateway against the alternatives, in one session, interleaved. Four servers behind
// the same mock OpenAI-compatible upstream (bench/mock-upstream.ts, 50 ms before it answers):
//   direct   the mock itself (what the client would see without any proxy)
//   floor    a plain Node proxy on undici with a keep-alive agent (bench/floor-proxy.ts): the least a Node proxy costs
//   portkey  the Portkey gateway from npm (@portkey-ai/gateway, installed into bench/node_modules), no metering
//   gateway  Meterway, built (`next build`) and started as in production, on a real PostgreSQL: every request
//            authenticated, held, settled and recorded
// Each server under test runs on core 1 (taskset); this driver, the mock and PostgreSQL on core 0. Scenarios
// (BENCH_SCENARIOS=a,b,c,d,e,f): (a) non-streaming at 50 connections, (b) at 200 connections (throughput),
// (c) streaming time to first event, (d) overload: an open-loop arrival rate of 4× what the gateway served in
// (b), (e) the gateway on both cores (two processes) against one, (f) (a) with long prompts (16 KB of varied
// text: what a prompt costs to parse, validate and price). Rounds run every scenario × target, rotating
// the order, and the report takes the median of rounds. It writes bench/RESULTS.md and bench/results/<date>.md.
// Knobs: BENCH_ROUNDS=3 BENCH_SECONDS=7 BENCH_WARMUP_SECONDS=2 BENCH_LATENCY_MS=50 BENCH_TIMEOUT_MS=5000
//   BENCH_STREAM_CONCURRENCY=10 BENCH_STREAM_CHUNKS=20 BENCH_STREAM_SPACING_MS=10 BENCH_OVERLOAD_FACTOR=4
//   BENCH_OVERLOAD_RPS (fixed rate instead) BENCH_OVERLOAD_CONNECTIONS=1000 BENCH_BUILD=1 (rebuild the app)
//   NEXT_DIST_DIR (the build to run, default .next; built when missing) BENCH_PORT_BASE=7100 BENCH_PG_PORT=54341
//   BENCH_KEYS=16 (customers the gateway load is spread over, one key each; 1 = a single hot account)
//   BENCH_CONTENDERS=direct,floor,portkey,gateway (a subset, to iterate on one; the report then lacks the rest)
//   BENCH_LONG_PROMPT_KB=16 (the prompts of (f))
import { execFile, execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import { request } from "undici";
import { chatBody, closedLoop, median, OPEN_LOOP_SETTLE_MS, openLoop, percentile, streams, succeeded, timedClosedLoop, type Latencies, type OpenLoopResult, type StreamResult, type Target, type Timings } from "./load";
import { freshDatabase, pin, portFree, startServer, stopServer, treeCpuUs, treePids, waitForPort, type Server } from "./proc";
import { TIMING_STEPS } from "../lib/gateway/timing";

const num = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const ROUNDS = num("BENCH_ROUNDS", 3);
const SECONDS = num("BENCH_SECONDS", 7);
const WARMUP = num("BENCH_WARMUP_SECONDS", 2);
/** How long (a)'s gateway runs again on undici to read its server-timing steps. */
const STEP_SECONDS = num("BENCH_STEP_SECONDS", 3);
const LONG_PROMPT_KB = num("BENCH_LONG_PROMPT_KB", 16);
const LATENCY = num("BENCH_LATENCY_MS", 50);
const TIMEOUT_MS = num("BENCH_TIMEOUT_MS", 5000);
const STREAM_CONCURRENCY = num("BENCH_STREAM_CONCURRENCY", 10);
const STREAM_CHUNKS = num("BENCH_STREAM_CHUNKS", 20);
const STREAM_SPACING = num("BENCH_STREAM_SPACING_MS", 10);
const OVERLOAD_FACTOR = num("BENCH_OVERLOAD_FACTOR", 4);
const OVERLOAD_CONNECTIONS = num("BENCH_OVERLOAD_CONNECTIONS", 1000);
const SCENARIOS = new Set((process.env.BENCH_SCENARIOS ?? "a,b,c,d,e,f").split(",").map((s) => s.trim()));
const PORT = num("BENCH_PORT_BASE", 7100);
const PG_PORT = String(num("BENCH_PG_PORT", 54341));
const KEYS = Math.max(1, num("BENCH_KEYS", 16));
const DIST = process.env.NEXT_DIST_DIR ?? ".next";
const DATA_DIR = ".data/bench";
const CORES = os.availableParallelism();
const SERVER_CPU = CORES > 1 ? "1" : null;
const DRIVER_CPU = CORES > 1 ? "0" : null;
const ALL_CPUS = `0-${CORES - 1}`;

const log = (line: string) => console.log(`[bench] ${line}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const run = promisify(execFile);

// ---------------------------------------------------------------- setup

async function ensureTools() {
  if (!existsSync("bench/node_modules/@portkey-ai/gateway/build/start-server.js") || !existsSync("bench/node_modules/autocannon")) {
    log("installing bench tools (npm ci --prefix bench)");
    execFileSync("npm", ["ci", "--prefix", "bench", "--no-audit", "--no-fund"], { stdio: "inherit" });
  }
  try {
    execFileSync("taskset", ["-V"], { stdio: "ignore" });
  } catch {
    throw new Error("taskset is missing (Debian: apt-get install -y util-linux)");
  }
}

/** What a build is made of: when one of these is newer than the build, the build is stale (tests are not part of it). */
const BUILD_SOURCES = ["app", "lib", "components", "prisma/schema.prisma", "next.config.js", "package-lock.json"];

/** The newest source file that changed after the build at `dist`, if any. */
function newerThanBuild(dist: string): string | undefined {
  const built = statSync(path.join(dist, "BUILD_ID")).mtimeMs;
  for (const source of BUILD_SOURCES) {
    if (!existsSync(source)) continue;
    const files = statSync(source).isDirectory() ? readdirSync(source, { recursive: true, encoding: "utf8" }).map((f) => path.join(source, f)) : [source];
    const newer = files.find((f) => !/\.test\.tsx?$/.test(f) && statSync(f).mtimeMs > built);
    if (newer) return newer;
  }
  return undefined;
}

async function ensureBuild() {
  if (existsSync(path.join(DIST, "BUILD_ID")) && process.env.BENCH_BUILD !== "1") {
    const newer = newerThanBuild(DIST);
    if (!newer) return;
    log(`${newer} changed after the build in ${DIST}: rebuilding`);
  }
  log(`building the app into ${DIST} (next build)`);
  // next build rewrites tsconfig.json; put it back as it was.
  const tsconfig = await readFile("tsconfig.json", "utf8");
  try {
    execFileSync("npx", ["prisma", "generate"], { stdio: "inherit" });
    execFileSync("npx", ["next", "build"], { stdio: "inherit", env: { ...process.env, NEXT_DIST_DIR: DIST, NEXT_TELEMETRY_DISABLED: "1" } });
  } finally {
    await writeFile("tsconfig.json", tsconfig);
  }
}

interface Db { url: string; release(): Promise<void>; postmaster: number; key: string; keys: string[] }

async function startDatabase(mockUrl: string): Promise<Db> {
  const database = await freshDatabase(DATA_DIR, PG_PORT);
  const { sql, postmaster } = database;
  await sql.query(`INSERT INTO providers (id, name, kind, base_url) VALUES ('bench-mock', 'Bench mock', 'OPENAI_COMPATIBLE', $1)`, [`${mockUrl}/v1`]);
  for (const [id, upstream] of [["bench/chat", `mock:latency=${LATENCY}`], ["bench/stream", streamModel()]]) {
    await sql.query(
      `INSERT INTO models (id, type, provider_id, upstream_model, display_name, input_per_mtok_micros, output_per_mtok_micros, max_output_tokens)
       VALUES ($1, 'CHAT', 'bench-mock', $2, $1, 1000000, 2000000, 4096)`,
      [id, upstream],
    );
  }
  await sql.end();
  const env = { ...process.env, DATABASE_URL: database.url };
  const portal = async (...args: string[]) =>
    JSON.parse((await run(process.execPath, ["--import", "tsx", "scripts/portal.ts", ...args], { env })).stdout) as Record<string, unknown>;
  // Many customers, as a gateway serves: each request's hold and settlement lock its own account's
  // row, and one account's rows can change only as fast as PostgreSQL commits (BENCH_KEYS=1 shows
  // that ceiling for a single customer).
  // Four command lines at a time: sixteen at once, each a Node process, overran the CLI's 5 s
  // transaction timeout on a busy machine.
  const keys: string[] = [];
  for (let first = 0; first < KEYS; first += 4) {
    keys.push(
      ...(await Promise.all(
        Array.from({ length: Math.min(4, KEYS - first) }, async (_, j) => {
          const email = `bench-${first + j}@example.test`;
          await portal("user:create", "--email", email, "--password", "bench-password-123");
          await portal("credits:grant", "--email", email, "--usd", "1000000", "--reason", "benchmark");
          return ((await portal("key:create", "--email", email, "--name", "bench")) as { key: string }).key;
        }),
      )),
    );
  }
  return { url: database.url, release: database.release, postmaster, key: keys[0]!, keys };
}

const streamModel = () => `mock:latency=${LATENCY}:chunks=${STREAM_CHUNKS}:spacing=${STREAM_SPACING}:stamp`;

/**
 * How much of each core a busy loop gets right now (CPU time / wall time over 300 ms): 100% on a quiet
 * machine. Other work on a shared machine shows here, and it inflates every number below.
 */
function coreAvailability(): string {
  const loop = "const w=performance.now(),c=process.cpuUsage();while(performance.now()-w<300);const u=process.cpuUsage(c);console.log(((u.user+u.system)/1000/(performance.now()-w)*100).toFixed(0))";
  return Array.from({ length: CORES }, (_, cpu) => `core ${cpu} ${execFileSync("taskset", ["-c", String(cpu), process.execPath, "-e", loop]).toString().trim()}%`).join(", ");
}

// ---------------------------------------------------------------- measuring

interface Closed { rps: number; p50: number; p99: number; cpuUs: number; pgUs: number; non2xx: number; errors: number; timeouts: number; ok: number; statuses: Record<string, number> }
interface Overload { offered: number; acceptedRps: number; p50: number; p99: number; shedShare: number; shedP50: number; shedP99: number; settledP99: number; settledShedP50: number; settledShedP99: number; lateP50: number; lateP99: number; timeouts: number; errors: number; other: number }
interface Streaming { ttfe50: number; ttfe99: number; streams: number; completeShare: number; coalescedShare: number; gap50: number; transit50: number; transit99: number; failed: number; cpuUs: number; steps: Steps }
/** Median milliseconds per `server-timing` step, and the client's median latency (time to first event for streams). */
type Steps = Record<string, number> & { client: number };
const stepMedians = (timings: Timings, client: number[]): Steps => ({
  ...Object.fromEntries(Object.entries(timings).map(([step, ms]) => [step, median(ms)])),
  client: median(client),
});

interface Contender { target: Target; roots: () => number[] }

function cpuMeter(roots: number[], pgRoot: number | null) {
  const cpu0 = treeCpuUs(roots);
  const pg0 = pgRoot ? treeCpuUs([pgRoot]) : 0;
  return () => ({ cpu: treeCpuUs(roots) - cpu0, pg: pgRoot ? treeCpuUs([pgRoot]) - pg0 : 0 });
}

async function measureClosed(c: Contender, connections: number, pgRoot: number | null): Promise<Closed> {
  await closedLoop(c.target, connections, WARMUP, TIMEOUT_MS);
  const meter = cpuMeter(c.roots(), pgRoot);
  const r: Latencies = await closedLoop(c.target, connections, SECONDS, TIMEOUT_MS);
  const used = meter();
  const completed = Object.values(r.byStatus).reduce((a, b) => a + b, 0);
  return {
    rps: r.ok.length / SECONDS,
    p50: median(r.ok),
    p99: percentile(r.ok, 99),
    cpuUs: used.cpu / Math.max(1, completed),
    pgUs: used.pg / Math.max(1, completed),
    non2xx: completed - r.ok.length,
    errors: r.errors,
    timeouts: r.timeouts,
    ok: r.ok.length,
    statuses: Object.fromEntries(Object.entries(r.byStatus).filter(([code]) => !code.startsWith("2"))),
  };
}

async function measureStreams(c: Contender): Promise<Streaming> {
  await streams(c.target, STREAM_CONCURRENCY, WARMUP, STREAM_CHUNKS);
  const meter = cpuMeter(c.roots(), null);
  const r: StreamResult = await streams(c.target, STREAM_CONCURRENCY, SECONDS, STREAM_CHUNKS);
  const used = meter();
  return {
    ttfe50: median(r.ttfe),
    ttfe99: percentile(r.ttfe, 99),
    streams: r.streams,
    completeShare: r.complete / Math.max(1, r.streams),
    coalescedShare: r.coalesced / Math.max(1, r.chunks),
    gap50: median(r.gaps),
    transit50: median(r.transit),
    transit99: percentile(r.transit, 99),
    failed: r.failed,
    cpuUs: used.cpu / Math.max(1, r.streams),
    steps: stepMedians(r.timings, r.ttfe),
  };
}

async function measureOverload(c: Contender, rate: number): Promise<Overload> {
  await closedLoop(c.target, 50, WARMUP, TIMEOUT_MS);
  const r: OpenLoopResult = await openLoop(c.target, rate, SECONDS, OVERLOAD_CONNECTIONS, TIMEOUT_MS);
  const answered = r.accepted.length + r.shed.length + Object.values(r.other).reduce((a, b) => a + b, 0);
  await drain(c.target);
  return {
    offered: r.sent / SECONDS,
    acceptedRps: r.accepted.length / SECONDS,
    p50: median(r.accepted),
    p99: percentile(r.accepted, 99),
    shedShare: r.shed.length / Math.max(1, r.sent),
    shedP50: median(r.shed),
    shedP99: percentile(r.shed, 99),
    settledP99: percentile(r.acceptedSettled, 99),
    settledShedP50: median(r.shedSettled),
    settledShedP99: percentile(r.shedSettled, 99),
    lateP50: median(r.late),
    lateP99: percentile(r.late, 99),
    timeouts: r.timeouts,
    errors: r.errors,
    other: answered - r.accepted.length - r.shed.length,
  };
}

/** After an overload, waits until the server answers one request at the upstream's pace again (queues drained). */
async function drain(target: Target) {
  const until = Date.now() + 15_000;
  while (Date.now() < until) {
    const r = await closedLoop(target, 1, 1, TIMEOUT_MS);
    if (r.ok.length > 3 && median(r.ok) < LATENCY * 3) return;
  }
  log(`${target.name} still slow 15 s after the overload`);
}

// ---------------------------------------------------------------- report

const STEP_ORDER = [...TIMING_STEPS, "total"];
const stepLine = (s: Steps) => `client p50 ${f(s.client)} ms; ${STEP_ORDER.filter((k) => k in s).map((k) => `${k} ${f(s[k]!, 2)}`).join(", ")} ms`;

const f = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : "–");
const fi = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString("en-US") : "–");
const med = <T>(rounds: T[], pick: (r: T) => number) => median(rounds.map(pick).filter(Number.isFinite));
const statusList = (rounds: Closed[]) => {
  const sum: Record<string, number> = {};
  for (const r of rounds) for (const [code, n] of Object.entries(r.statuses)) sum[code] = (sum[code] ?? 0) + n;
  const parts = Object.entries(sum).map(([code, n]) => `${code}×${n}`);
  return parts.length ? ` (${parts.join(", ")})` : "";
};
const ratio = (a: number, b: number) => (b > 0 && Number.isFinite(a) ? `${(a / b).toFixed(2)}×` : "–");

async function main() {
  const started = Date.now();
  const loadBefore = os.loadavg();
  const coresBefore = coreAvailability();
  log(`load average ${loadBefore.map((v) => v.toFixed(2)).join(", ")}; a busy loop gets ${coresBefore}`);
  if (DRIVER_CPU) pin(process.pid, DRIVER_CPU); // this driver, and everything it starts unpinned (mock, PostgreSQL)
  await ensureTools();
  await ensureBuild();

  for (let port = PORT + 1; port <= PORT + 6; port++) if (!(await portFree(port))) throw new Error(`port ${port} is in use (BENCH_PORT_BASE moves the bench's ports)`);
  const servers: Server[] = [];
  let db: Db | undefined;
  // Whatever happens (an error, Ctrl-C), the servers and PostgreSQL must not outlive the run.
  let cleaned = false;
  const cleanup = async () => {
    if (cleaned) return;
    cleaned = true;
    for (const s of [...servers].reverse()) await stopServer(s).catch(() => {});
    await db?.release();
  };
  const abort = (why: unknown) => {
    console.error(`[bench] ${why instanceof Error ? why.stack ?? why.message : String(why)}`);
    void cleanup().finally(() => process.exit(1));
  };
  process.on("uncaughtException", abort);
  process.on("unhandledRejection", abort);
  process.on("SIGINT", () => abort("interrupted"));
  process.on("SIGTERM", () => abort("terminated"));
  process.on("exit", () => { for (const s of servers) for (const pid of treePids([s.pid]).reverse()) try { process.kill(pid, "SIGKILL"); } catch {} });
  const mockUrl = `http://127.0.0.1:${PORT + 1}`;
  try {
    const node = process.execPath;
    const mock = startServer("mock", [node, "--import", "tsx", "bench/mock-upstream.ts", String(PORT + 1)], { cpus: DRIVER_CPU });
    servers.push(mock);
    await waitForPort(mock, PORT + 1);
    log("starting PostgreSQL, the bench user and models");
    db = await startDatabase(mockUrl);
    const floor = startServer("floor", [node, "--import", "tsx", "bench/floor-proxy.ts", String(PORT + 2)], { cpus: SERVER_CPU, env: { ...process.env, UPSTREAM: mockUrl } });
    const portkey = startServer("portkey", [node, "bench/node_modules/@portkey-ai/gateway/build/start-server.js", `--port=${PORT + 3}`, "--headless"], {
      cpus: SERVER_CPU,
      env: { ...process.env, NODE_ENV: "production" },
    });
    // The gateway as `npm start` runs it: the launcher (scripts/dev.ts --start) on the bench database.
    const clusterMode = existsSync("scripts/server.js") && readFileSync("scripts/dev.ts", "utf8").includes("server.js");
    const gwEnv = (port: number, processes: number): NodeJS.ProcessEnv => ({
      ...process.env, PORT: String(port), DATABASE_URL: db!.url, DATA_DIR, NODE_ENV: "production", NEXT_DIST_DIR: DIST, WEB_CONCURRENCY: String(processes), NEXT_TELEMETRY_DISABLED: "1",
      // e.g. BENCH_GATEWAY_NODE_OPTIONS="--perf-basic-prof", then `perf record -g -p <worker pid>` to profile the
      // gateway alone (Node 20 refuses --cpu-prof in NODE_OPTIONS: the gateway then exits at start)
      ...(process.env.BENCH_GATEWAY_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_GATEWAY_NODE_OPTIONS } : {}),
    });
    const launcher = [node, "--import", "tsx", "scripts/dev.ts", "--start", "-H", "127.0.0.1"];
    // The gateway logs each episode of load shedding, with its count by signal (lib/gateway/overload.js).
    const shedding = (line: string) => { if (line.includes("shedding")) log(`  gateway: ${line.replace(/^\[meterway\] /, "")}`); };
    const gateway = startServer("gateway", launcher, { cpus: SERVER_CPU, env: gwEnv(PORT + 4, 1), onLine: shedding });
    servers.push(floor, portkey, gateway);
    // Two processes on both cores: the launcher's cluster (WEB_CONCURRENCY=2), one port.
    const gateway2: Server[] = [];
    if (SCENARIOS.has("e") && CORES > 1) {
      if (clusterMode) gateway2.push(startServer("gateway×2", launcher, { cpus: ALL_CPUS, env: gwEnv(PORT + 5, 2), onLine: shedding }));
      else log("(e) skipped: this launcher has no cluster mode (scripts/server.js)");
      servers.push(...gateway2);
    }
    await waitForPort(floor, PORT + 2);
    await waitForPort(portkey, PORT + 3);
    await waitForPort(gateway, PORT + 4);
    for (const [i, s] of gateway2.entries()) await waitForPort(s, PORT + 5 + i);
    log(`servers up (gateway ${clusterMode ? "via its cluster launcher" : "via next start"}); mock ${mockUrl}`);

    const base = { path: "/v1/chat/completions", model: `mock:latency=${LATENCY}`, streamModel: streamModel() };
    const contenders: Record<string, Contender> = {
      direct: { target: { ...base, name: "direct", origin: mockUrl, headers: {} }, roots: () => [mock.pid] },
      floor: { target: { ...base, name: "floor", origin: `http://127.0.0.1:${PORT + 2}`, headers: {} }, roots: () => [floor.pid] },
      portkey: {
        target: { ...base, name: "portkey", origin: `http://127.0.0.1:${PORT + 3}`, headers: { authorization: "Bearer unused", "x-portkey-provider": "openai", "x-portkey-custom-host": `${mockUrl}/v1` } },
        roots: () => [portkey.pid],
      },
      gateway: {
        target: { ...base, name: "gateway", origin: `http://127.0.0.1:${PORT + 4}`, headers: { authorization: `Bearer ${db.key}` }, keys: db.keys, model: "bench/chat", streamModel: "bench/stream" },
        roots: () => [gateway.pid],
      },
    };
    const gw2: Contender = {
      target: { ...contenders.gateway!.target, name: "gateway×2", origin: `http://127.0.0.1:${PORT + 5}` },
      roots: () => gateway2.map((s) => s.pid),
    };
    // Sanity: every contender answers a chat call and a stream before anything is timed.
    for (const c of [...Object.values(contenders), ...(gateway2.length ? [gw2] : [])]) {
      const res = await request(c.target.origin + c.target.path, { method: "POST", headers: { ...c.target.headers, "content-type": "application/json" }, body: chatBody(c.target.model), headersTimeout: 60_000 });
      const text = await res.body.text();
      if (res.statusCode !== 200) throw new Error(`${c.target.name} answered ${res.statusCode}: ${text.slice(0, 500)}`);
      const s = await streams(c.target, 1, 0.3, STREAM_CHUNKS);
      if (!s.complete) throw new Error(`${c.target.name} did not stream ${STREAM_CHUNKS} chunks (${s.chunks} in ${s.streams} streams, ${s.failed} failed)`);
    }

    if (process.env.BENCH_HOLD === "1") {
      log(`BENCH_HOLD=1: servers stay up until Ctrl-C; gateway key ${db.key}`);
      await new Promise(() => {});
    }

    const names = ["direct", "floor", "portkey", "gateway"].filter((n) => !process.env.BENCH_CONTENDERS || process.env.BENCH_CONTENDERS.split(",").includes(n));
    const a: Record<string, Closed[]> = {};
    const b: Record<string, Closed[]> = {};
    const c: Record<string, Streaming[]> = {};
    const d: Record<string, Overload[]> = {};
    const e: Closed[] = [];
    /** (a)'s gateway, once more for a few seconds on undici, which keeps each answer's server-timing. */
    const aSteps: Steps[] = [];
    const longPrompts: Record<string, Closed[]> = {};
    /** (f)'s gateway likewise. */
    const fSteps: Steps[] = [];
    let overloadRate = Number(process.env.BENCH_OVERLOAD_RPS ?? 0);
    const push = <T>(to: Record<string, T[]>, k: string, v: T) => (to[k] ??= []).push(v);
    const pgOf = (n: string) => (n.startsWith("gateway") ? db!.postmaster : null);

    for (let round = 0; round < ROUNDS; round++) {
      const order = names.map((_, i) => names[(i + round) % names.length]!);
      log(`round ${round + 1}/${ROUNDS}: ${order.join(", ")}`);
      if (SCENARIOS.has("a")) for (const n of order) {
        const r = await measureClosed(contenders[n]!, 50, pgOf(n));
        push(a, n, r);
        log(`  (a) 50 conns   ${n.padEnd(8)} ${fi(r.rps)} rps  p50 ${f(r.p50)}  p99 ${f(r.p99)} ms  cpu ${fi(r.cpuUs)} µs${r.non2xx + r.errors ? `  non-2xx ${r.non2xx} errors ${r.errors}` : ""}`);
        if (n === "gateway") {
          const t = await timedClosedLoop(contenders.gateway!.target, 50, STEP_SECONDS);
          aSteps.push(stepMedians(t.timings, t.latency));
          log(`  (a) steps      gateway  ${stepLine(aSteps.at(-1)!)}`);
        }
      }
      if (SCENARIOS.has("f")) for (const n of order) {
        const long = { ...contenders[n]!, target: { ...contenders[n]!.target, promptKb: LONG_PROMPT_KB } };
        const r = await measureClosed(long, 50, pgOf(n));
        push(longPrompts, n, r);
        log(`  (f) ${LONG_PROMPT_KB} KB      ${n.padEnd(8)} ${fi(r.rps)} rps  p50 ${f(r.p50)}  p99 ${f(r.p99)} ms  cpu ${fi(r.cpuUs)} µs${r.non2xx + r.errors ? `  non-2xx ${r.non2xx} errors ${r.errors}` : ""}`);
        if (n === "gateway") {
          const t = await timedClosedLoop(long.target, 50, STEP_SECONDS);
          fSteps.push(stepMedians(t.timings, t.latency));
          log(`  (f) steps      gateway  ${stepLine(fSteps.at(-1)!)}`);
        }
      }
      if (SCENARIOS.has("b")) for (const n of order) {
        const r = await measureClosed(contenders[n]!, 200, pgOf(n));
        push(b, n, r);
        log(`  (b) 200 conns  ${n.padEnd(8)} ${fi(r.rps)} rps  p50 ${f(r.p50)}  p99 ${f(r.p99)} ms  cpu ${fi(r.cpuUs)} µs${r.non2xx + r.errors ? `  non-2xx ${r.non2xx} errors ${r.errors}` : ""}`);
      }
      if (SCENARIOS.has("c")) for (const n of order) {
        const r = await measureStreams(contenders[n]!);
        push(c, n, r);
        if (n === "gateway") log(`  (c) steps      gateway  ${stepLine(r.steps)}`);
        log(`  (c) streams    ${n.padEnd(8)} ttfe p50 ${f(r.ttfe50)} p99 ${f(r.ttfe99)} ms  chunk transit p50 ${f(r.transit50, 2)} p99 ${f(r.transit99, 2)} ms  complete ${f(r.completeShare * 100, 0)}%  coalesced ${f(r.coalescedShare * 100)}%`);
      }
      if (SCENARIOS.has("d")) {
        if (!overloadRate) {
          const sat = b.gateway?.length ? med(b.gateway, (r) => r.rps) : NaN;
          overloadRate = Math.round(OVERLOAD_FACTOR * (sat > 0 ? sat : 1000));
        }
        // Direct at the same rate calibrates the driver: on a core it shares with the mock and
        // PostgreSQL, an open loop past what it can send makes every request late, whatever the server.
        for (const n of order.filter((n) => n === "direct" || n === "portkey" || n === "gateway")) {
          const r = await measureOverload(contenders[n]!, overloadRate);
          push(d, n, r);
          log(`  (d) overload   ${n.padEnd(8)} offered ${fi(r.offered)} accepted ${fi(r.acceptedRps)} rps p99 ${f(r.p99)} ms  503 ${f(r.shedShare * 100)}% p99 ${f(r.shedP99)} ms  driver late p50 ${f(r.lateP50)} p99 ${f(r.lateP99)} ms  timeouts ${r.timeouts}`);
        }
      }
      if (SCENARIOS.has("e") && gateway2.length) {
        // Both cores for everyone: the driver, the mock and PostgreSQL share them with the two gateway processes.
        const everyone = () => [process.pid, mock.pid, ...treePids([db!.postmaster])];
        for (const pid of everyone()) try { pin(pid, ALL_CPUS); } catch {}
        try {
          const r = await measureClosed(gw2, 200, db.postmaster);
          e.push(r);
          log(`  (e) 2 procs    gateway×2 ${fi(r.rps)} rps  p50 ${f(r.p50)}  p99 ${f(r.p99)} ms  cpu ${fi(r.cpuUs)} µs`);
        } finally {
          for (const pid of everyone()) try { pin(pid, DRIVER_CPU ?? ALL_CPUS); } catch {}
        }
      }
    }

    // ------------------------------------------------------------ checks on the money
    const sql = new pg.Client({ connectionString: db.url });
    await sql.connect();
    await sleep(500);
    const usage = await sql.query<{ n: string; cost: string }>(`SELECT count(*) AS n, coalesce(sum(cost_micros), 0) AS cost FROM usage_records`);
    const openHolds = await sql.query<{ n: string }>(`SELECT count(*) AS n FROM holds WHERE status = 'ACTIVE'`).catch(() => ({ rows: [{ n: "?" }] }));
    await sql.end();
    const ledger = (await run(process.execPath, ["--import", "tsx", "scripts/portal.ts", "ledger:check"], { env: { ...process.env, DATABASE_URL: db.url } }).then(
      (r) => JSON.parse(r.stdout) as { ok?: boolean },
      (err: { stdout?: string }) => ({ ok: false, detail: err.stdout }),
    )) as { ok?: boolean };

    // ------------------------------------------------------------ report
    const seconds = Math.round((Date.now() - started) / 1000);
    const report = renderReport({ a, b, c, d, e, f: longPrompts, aSteps, fSteps, overloadRate, clusterMode, seconds, loadBefore, coresBefore, coresAfter: coreAvailability(), usage: usage.rows[0]!, openHolds: openHolds.rows[0]!.n, ledgerOk: ledger.ok === true });
    console.log(`\n${report}`);
    await writeFile("bench/RESULTS.md", report);
    await mkdir("bench/results", { recursive: true });
    await writeFile(`bench/results/${new Date().toISOString().replace(/[:.]/g, "-")}.md`, report);
    log(`written to bench/RESULTS.md in ${seconds} s`);
  } finally {
    await cleanup();
  }
}

interface ReportInput {
  a: Record<string, Closed[]>; b: Record<string, Closed[]>; c: Record<string, Streaming[]>; d: Record<string, Overload[]>; e: Closed[]; f: Record<string, Closed[]>; aSteps: Steps[]; fSteps: Steps[];
  overloadRate: number; clusterMode: boolean; seconds: number; loadBefore: number[]; coresBefore: string; coresAfter: string; usage: { n: string; cost: string }; openHolds: string; ledgerOk: boolean;
}

function renderReport(x: ReportInput): string {
  const out: string[] = [];
  const cpuModel = /model name\s*:\s*(.*)/.exec(readFileSync("/proc/cpuinfo", "utf8"))?.[1] ?? "unknown CPU";
  const commit = execFileSync("git", ["rev-parse", "--short", "HEAD"]).toString().trim();
  const dirty = execFileSync("git", ["status", "--porcelain", "--", "lib", "app", "scripts"]).toString().trim() ? " (with uncommitted changes in lib/app/scripts)" : "";
  const la = (l: number[]) => l.map((v) => v.toFixed(2)).join(", ");
  out.push(
    `# Gateway benchmark — ${new Date().toISOString()}`,
    "",
    `\`npm run bench\` (bench/compare.ts) at ${commit}${dirty}. ${CORES} × ${cpuModel}, Node ${process.version}. ` +
      `Load average before ${la(x.loadBefore)}, after ${la(os.loadavg())}; share of a core a busy loop got before: ${x.coresBefore}; after: ${x.coresAfter} ` +
      "(other work on this shared machine shows up here and inflates every number below: re-run when it is quiet).",
    "",
    `Mock upstream answers after ${LATENCY} ms. Each server under test is pinned to core 1; the load driver (autocannon; undici for the steps and streams; for (d) the lean client of bench/raw-http.ts), the mock and ` +
      `PostgreSQL share core 0. ${ROUNDS} rounds × ${SECONDS} s per run after ${WARMUP} s of warm-up, targets rotated each round; every number is the median of rounds. ` +
      `Added latency = the contender's percentile minus direct's, in the same round. CPU = utime+stime of the server's process tree per completed request. ` +
      `The gateway runs its production start (\`scripts/dev.ts --start\`${x.clusterMode ? ", one cluster worker" : ", next start"}) on a real PostgreSQL: every request authenticated, held, settled and recorded; PostgreSQL's CPU is shown apart. Total run ${x.seconds} s.`,
    "",
  );
  const names = ["direct", "floor", "portkey", "gateway"];
  const label: Record<string, string> = { direct: "direct to upstream", floor: "floor: Node + undici proxy", portkey: "Portkey gateway (npm, no metering)", gateway: "**Meterway gateway (metered)**" };
  const closedTable = (title: string, rs: Record<string, Closed[]>) => {
    if (!Object.keys(rs).length) return;
    const dir = rs.direct ?? [];
    const pk = rs.portkey ?? [];
    out.push(`## ${title}`, "", "| contender | RPS | × direct | × Portkey | p50 ms | p99 ms | added p50 ms | added p99 ms | CPU µs/req | PostgreSQL CPU µs/req | non-2xx / errors / timeouts |", "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    for (const n of names) {
      const r = rs[n];
      if (!r?.length) continue;
      const added = (p: (c: Closed) => number) => median(r.map((v, i) => p(v) - (dir[i] ? p(dir[i]!) : NaN)).filter(Number.isFinite));
      out.push(
        `| ${label[n]} | ${fi(med(r, (v) => v.rps))} | ${ratio(med(r, (v) => v.rps), med(dir, (v) => v.rps))} | ${ratio(med(r, (v) => v.rps), med(pk, (v) => v.rps))} | ${f(med(r, (v) => v.p50))} | ${f(med(r, (v) => v.p99))} | ` +
          `${n === "direct" ? "" : f(added((v) => v.p50))} | ${n === "direct" ? "" : f(added((v) => v.p99))} | ${fi(med(r, (v) => v.cpuUs))} | ${n === "gateway" ? fi(med(r, (v) => v.pgUs)) : ""} | ` +
          `${r.reduce((s, v) => s + v.non2xx, 0)}${statusList(r)} / ${r.reduce((s, v) => s + v.errors, 0)} / ${r.reduce((s, v) => s + v.timeouts, 0)} |`,
      );
    }
    out.push("");
  };
  closedTable("(a) Non-streaming, 50 connections", x.a);
  closedTable("(b) Non-streaming, 200 connections (throughput)", x.b);
  closedTable(`(f) Non-streaming, 50 connections, ${LONG_PROMPT_KB} KB prompts`, x.f);

  if (Object.keys(x.c).length) {
    const dir = x.c.direct ?? [];
    out.push(
      `## (c) Streaming: ${STREAM_CHUNKS} chunks ${STREAM_SPACING} ms apart, ${STREAM_CONCURRENCY} concurrent streams`,
      "",
      "| contender | streams | first event p50 ms | p99 ms | added p50 ms | added p99 ms | chunk transit p50 ms | p99 ms | complete | chunks coalesced | CPU µs/stream |",
      "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    );
    for (const n of names) {
      const r = x.c[n];
      if (!r?.length) continue;
      const added = (p: (s: Streaming) => number) => median(r.map((v, i) => p(v) - (dir[i] ? p(dir[i]!) : NaN)).filter(Number.isFinite));
      out.push(
        `| ${label[n]} | ${fi(r.reduce((s, v) => s + v.streams, 0))} | ${f(med(r, (v) => v.ttfe50))} | ${f(med(r, (v) => v.ttfe99))} | ${n === "direct" ? "" : f(added((v) => v.ttfe50))} | ${n === "direct" ? "" : f(added((v) => v.ttfe99))} | ` +
          `${f(med(r, (v) => v.transit50), 2)} | ${f(med(r, (v) => v.transit99), 2)} | ${f(med(r, (v) => v.completeShare) * 100, 1)}% | ${f(med(r, (v) => v.coalescedShare) * 100, 1)}% | ${fi(med(r, (v) => v.cpuUs))} |`,
      );
    }
    out.push("", "*Chunk transit* = from the mock writing a chunk (it stamps `x_sent_ms` in it) to the client reading it: a proxy that buffers shows here. *Coalesced* = chunks that reached the client in the same read as the previous one. *Complete* = every content chunk and `[DONE]` arrived.", "");
  }

  if (Object.keys(x.d).length) {
    out.push(
      `## (d) Overload: open loop at ${fi(x.overloadRate)} requests/s (${OVERLOAD_FACTOR}× what the gateway served in (b)), up to ${OVERLOAD_CONNECTIONS} connections, client timeout ${TIMEOUT_MS / 1000} s`,
      "",
      "Latency counts from when each request was due, so time spent waiting for a connection is included. *Driver late* is how long after its due time the driver got to send each request: the driver shares its core with the mock and PostgreSQL, and where it cannot send this rate on time every latency of that row includes its lateness (*direct* calibrates it).",
      "",
      `The driver opens a connection whenever none is free, so it opens nearly all of them in the flood's first quarter second, and each server must accept that storm of new connections at once; *after ${OPEN_LOOP_SETTLE_MS / 1000} s* counts only the requests due after the first second, when the connections are open.`,
      "",
      `| contender | accepted RPS | accepted p50 ms | accepted p99 ms | p99 above upstream ms | 503 share | 503 p50 ms | 503 p99 ms | after ${OPEN_LOOP_SETTLE_MS / 1000} s: accepted p99 / 503 p50 / 503 p99 ms | driver late p50 / p99 ms | client timeouts | errors / other status |`,
      "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    );
    for (const n of ["direct", "portkey", "gateway"]) {
      const r = x.d[n];
      if (!r?.length) continue;
      out.push(
        `| ${label[n]} | ${fi(med(r, (v) => v.acceptedRps))} | ${f(med(r, (v) => v.p50))} | ${f(med(r, (v) => v.p99))} | ${f(med(r, (v) => v.p99) - LATENCY)} | ${f(med(r, (v) => v.shedShare) * 100)}% | ` +
          `${f(med(r, (v) => v.shedP50))} | ${f(med(r, (v) => v.shedP99))} | ${f(med(r, (v) => v.settledP99))} / ${f(med(r, (v) => v.settledShedP50))} / ${f(med(r, (v) => v.settledShedP99))} | ${f(med(r, (v) => v.lateP50))} / ${f(med(r, (v) => v.lateP99))} | ${r.reduce((s, v) => s + v.timeouts, 0)} | ${r.reduce((s, v) => s + v.errors, 0)} / ${r.reduce((s, v) => s + v.other, 0)} |`,
      );
    }
    out.push("");
  }

  // Where the gateway's own time goes, from its server-timing header (medians of rounds of per-run medians).
  const stepRows: [string, Steps[], number][] = [];
  if (x.aSteps.length) stepRows.push(["(a) 50 connections, whole request", x.aSteps, med(x.a.direct ?? [], (v) => v.p50)]);
  if (x.fSteps.length) stepRows.push([`(f) ${LONG_PROMPT_KB} KB prompts, whole request`, x.fSteps, med(x.f.direct ?? [], (v) => v.p50)]);
  if (x.c.gateway?.length) stepRows.push(["(c) streaming, to the first event", x.c.gateway.map((v) => v.steps), med(x.c.direct ?? [], (v) => v.ttfe50)]);
  if (stepRows.length) {
    out.push(
      "## Where the gateway's time goes",
      "",
      "From the gateway's `server-timing` header on each answer (docs/api.md); medians, in ms. *Upstream* is the provider call as the gateway sees it (the mock's " +
        `${LATENCY} ms included; for a stream, up to its first chunk); *outside* is what the client saw beyond the gateway's *total*: the wait to be read off the socket, ` +
        "the response's way back, the driver. For (a) and (f) the gateway runs 50 connections for a few seconds more on an undici driver that keeps the header (autocannon does not).",
      "",
      `| scenario | client p50 | direct p50 | gateway total | ${TIMING_STEPS.join(" | ")} | outside |`,
      `| --- | ---: | ---: | ---: | ${TIMING_STEPS.map(() => "---:").join(" | ")} | ---: |`,
    );
    for (const [name, steps, direct] of stepRows) {
      const m = (k: string) => med(steps, (v) => v[k] ?? NaN);
      out.push(`| ${name} | ${f(m("client"))} | ${f(direct)} | ${f(m("total"), 2)} | ${TIMING_STEPS.map((k) => f(m(k), 2)).join(" | ")} | ${f(m("client") - m("total"), 2)} |`);
    }
    out.push("");
  }

  const one = x.b.gateway ?? [];
  if (x.e.length) {
    out.push(
      "## (e) The gateway on both cores: two processes against one (200 connections)",
      "",
      "Two processes are not pinned, and the load driver, the mock and PostgreSQL then share both cores with them; one process is (b)'s, pinned to core 1.",
      "",
      "| gateway | RPS | × one process | p50 ms | p99 ms | CPU µs/req | PostgreSQL CPU µs/req |",
      "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
      `| one process | ${fi(med(one, (v) => v.rps))} | 1.00× | ${f(med(one, (v) => v.p50))} | ${f(med(one, (v) => v.p99))} | ${fi(med(one, (v) => v.cpuUs))} | ${fi(med(one, (v) => v.pgUs))} |`,
      `| two processes (WEB_CONCURRENCY=2) | ${fi(med(x.e, (v) => v.rps))} | ${ratio(med(x.e, (v) => v.rps), med(one, (v) => v.rps))} | ${f(med(x.e, (v) => v.p50))} | ${f(med(x.e, (v) => v.p99))} | ${fi(med(x.e, (v) => v.cpuUs))} | ${fi(med(x.e, (v) => v.pgUs))} |`,
      "",
    );
  }

  // Targets from issue #9.
  const rows: [string, string, boolean | null, string][] = [];
  const gwB = med(x.b.gateway ?? [], (v) => v.rps);
  const pkB = med(x.b.portkey ?? [], (v) => v.rps);
  const cpuB = (n: string) => med(x.b[n] ?? [], (v) => v.cpuUs);
  const pgB = med(x.b.gateway ?? [], (v) => v.pgUs);
  if (x.b.gateway && x.b.portkey) {
    const met = gwB >= pkB;
    rows.push(["Non-streaming, 200 connections: throughput ≥ 1.0× Portkey's while metering", `${ratio(gwB, pkB)} (${fi(gwB)} vs ${fi(pkB)} RPS)`, met,
      met ? "" : `CPU-bound on one core: the gateway spends ${fi(cpuB("gateway"))} µs of CPU per request against Portkey's ${fi(cpuB("portkey"))} µs (the floor: ${fi(cpuB("floor"))} µs), and PostgreSQL ${fi(pgB)} µs on the driver's core.`]);
  }
  const addedA = (n: string, p: (c: Closed) => number) => median((x.a[n] ?? []).map((v, i) => p(v) - (x.a.direct?.[i] ? p(x.a.direct[i]!) : NaN)).filter(Number.isFinite));
  if (x.a.gateway && x.a.direct) {
    const p50 = addedA("gateway", (v) => v.p50);
    rows.push(["Non-streaming, 50 connections: added median ≤ 3 ms", `${f(p50, 2)} ms`, p50 <= 3,
      p50 <= 3 ? "" : `${x.aSteps.length ? `The hold took ${f(med(x.aSteps, (v) => v.hold ?? NaN), 1)} ms and the settlement ${f(med(x.aSteps, (v) => v.settle ?? NaN), 1)} ms (median, see "Where the gateway's time goes"). ` : ""}At ${fi(med(x.a.gateway, (v) => v.rps))} RPS × ${fi(med(x.a.gateway, (v) => v.cpuUs))} µs the process is ${f((med(x.a.gateway, (v) => v.rps) * med(x.a.gateway, (v) => v.cpuUs)) / 1e4, 0)}% busy: requests wait for the event loop, and for their hold and their settlement: two database statements in series (under load, one statement for all the requests that arrive together), on the core PostgreSQL shares with the driver and the mock.`]);
    if (x.a.portkey) {
      const g99 = addedA("gateway", (v) => v.p99);
      const p99 = addedA("portkey", (v) => v.p99);
      rows.push(["Non-streaming, 50 connections: added p99 ≤ Portkey's", `${f(g99, 2)} ms vs ${f(p99, 2)} ms`, g99 <= p99, g99 <= p99 ? "" : "Tail: garbage collection and database round trips under load (see CPU per request)."]);
    }
  }
  if (x.c.gateway && x.c.direct) {
    const t = median(x.c.gateway.map((v, i) => v.ttfe50 - (x.c.direct![i]?.ttfe50 ?? NaN)).filter(Number.isFinite));
    const complete = med(x.c.gateway, (v) => v.completeShare);
    const transitAdded = median(x.c.gateway.map((v, i) => v.transit99 - (x.c.direct![i]?.transit99 ?? NaN)).filter(Number.isFinite));
    const holdMs = med(x.c.gateway, (v) => v.steps.hold ?? NaN);
    rows.push(["Streaming: time to first event added ≤ 2 ms median", `${f(t, 2)} ms`, t <= 2, t <= 2 ? "" :
      `The hold is committed before the request goes upstream (API.md; without waiting for the disk, lib/billing/async-commit.ts), so its database round trip comes before the first byte${Number.isFinite(holdMs) ? ` (${f(holdMs, 2)} ms median here)` : ""}, with auth and the upstream call.`]);
    // "As it arrives": every chunk there, and none held back as long as the gap to the next one.
    const asArrives = complete >= 0.999 && transitAdded < STREAM_SPACING;
    rows.push(["Streaming: every chunk forwarded as it arrives", `${f(complete * 100, 1)}% of streams complete; chunk transit p99 +${f(transitAdded, 2)} ms over direct (chunks ${STREAM_SPACING} ms apart)`, asArrives,
      asArrives ? "" : complete < 0.999 ? "Chunks were lost on the way." : "Chunks were held back on the way (buffered or queued behind other work)."]);
  }
  if (x.d.gateway) {
    const r = x.d.gateway;
    const above = med(r, (v) => v.p99) - LATENCY;
    const shedP99 = med(r, (v) => v.shedP99);
    const timeouts = r.reduce((s, v) => s + v.timeouts, 0);
    const direct = x.d.direct?.length ? med(x.d.direct, (v) => v.p99) - LATENCY : NaN;
    const lateP50 = med(r, (v) => v.lateP50);
    const driverLate =
      (direct > 250 ? ` The driver itself is late at this rate: direct to upstream has p99 ${f(direct)} ms above the upstream's latency.` : "") +
      (lateP50 > 10 ? ` Against the gateway, the driver sent the median request ${f(lateP50)} ms after it was due (p99 ${f(med(r, (v) => v.lateP99))} ms): that much of every latency in this row is the driver's.` : "");
    const settledAbove = med(r, (v) => v.settledP99) - LATENCY;
    const settledShed = `${f(med(r, (v) => v.settledShedP50))} ms median, ${f(med(r, (v) => v.settledShedP99))} ms p99`;
    // The first second (connections still being opened) is named only where it set the tail.
    const storm = (whole: number, settled: number) => (whole > 2 * settled ? ", and in the first second behind a thousand connections being accepted" : "");
    rows.push(["Overload (4×): accepted p99 ≤ 250 ms above upstream", `${f(above)} ms (after ${OPEN_LOOP_SETTLE_MS / 1000} s: ${f(settledAbove)} ms)`, above <= 250,
      above <= 250 ? "" : `Admitted requests queue behind the event loop before the gate sheds${storm(above, settledAbove)}.${driverLate}`]);
    rows.push(["Overload (4×): the rest 503 in under 10 ms (p99)", `${f(med(r, (v) => v.shedShare) * 100)}% shed, p99 ${f(shedP99)} ms (after ${OPEN_LOOP_SETTLE_MS / 1000} s: ${settledShed})`, Number.isFinite(shedP99) ? shedP99 < 10 : null,
      !Number.isFinite(shedP99) ? "Nothing was shed." : shedP99 < 10 ? "" : `A 503 waits its turn in the same saturated event loop: requests the gate has not read yet wait in the sockets behind the admitted ones${storm(shedP99, med(r, (v) => v.settledShedP99))}.${driverLate}`]);
    rows.push(["Overload (4×): no client timeouts", `${timeouts}`, timeouts === 0, timeouts === 0 ? "" : "Requests waited longer than the client's timeout."]);
  }
  if (x.e.length && one.length) {
    const oneRps = med(one, (v) => v.rps);
    const ratioE = med(x.e, (v) => v.rps) / oneRps;
    // What 1.8× would take of the machine: the CPU (b) measured per request, for the gateway, PostgreSQL and
    // the mock (direct's own row is the mock's), before the load driver's share.
    const perRequestUs = cpuB("gateway") + pgB + cpuB("direct");
    const needCores = (1.8 * oneRps * perRequestUs) / 1e6;
    rows.push(["Two processes (both cores) ≥ 1.8× one", `${ratioE.toFixed(2)}×`, ratioE >= 1.8,
      ratioE >= 1.8 ? "" : `With two processes the load driver, the mock and PostgreSQL (${fi(med(x.e, (v) => v.pgUs))} µs/req) compete for the same two cores; one process had core 1 to itself.` +
        (Number.isFinite(needCores) ? ` 1.8× is ${fi(1.8 * oneRps)} RPS: at (b)'s ${fi(cpuB("gateway"))} µs of gateway, ${fi(pgB)} µs of PostgreSQL and ${fi(cpuB("direct"))} µs of mock CPU per request, ${f(needCores, 2)} cores of the ${CORES} here before the load driver's own share.` : "")]);
  }
  out.push("## Targets (issue #9)", "", "| target | measured | met | why not |", "| --- | --- | --- | --- |");
  for (const [t, m, met, why] of rows) out.push(`| ${t} | ${m} | ${met === null ? "n/a" : met ? "met" : "**missed**"} | ${why} |`);
  out.push(
    "",
    `Money check after the run: ${fi(Number(x.usage.n))} usage records, ${fi(Number(x.usage.cost))} micros charged, ${x.openHolds} holds still active, ` +
      `ledger:check ${x.ledgerOk ? "clean" : "**FAILED**"}. The client saw ${fi((succeeded.gateway ?? 0) + (succeeded["gateway×2"] ?? 0))} successful gateway calls ` +
      "(usage records are more: calls the client gave up on — its timeouts, and calls in flight when a timed run stopped — were still completed, charged and recorded by the gateway).",
    "",
  );
  return out.join("\n");
}

main().catch((error) => {
  console.error(`[bench] ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
  process.exit(1);
});
