// `npm run bench`: the gateway's latency for a non-streaming sandbox/chat call, measured end to end
// over N sequential calls against the BUILT app (`npm run build` first) on its own embedded PostgreSQL.
// Every call is authenticated, held, settled and recorded, exactly as in production. The sandbox
// model answers in-process in microseconds, so its latency is (almost) all gateway overhead.
// Also measured, for reference: GET /v1/models (auth + cache, no money) and time to first SSE event.
//   BENCH_CALLS=1000 npm run bench
import { execFile, spawn } from "node:child_process";
import { mkdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import { Agent, request } from "undici";
import { startMockUpstream } from "./mock-upstream";

const PORT = Number(process.env.BENCH_PORT ?? 3200);
const CALLS = Number(process.env.BENCH_CALLS ?? 1000);
const WARMUP = 100;
const BASE = `http://127.0.0.1:${PORT}`;
const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(PORT), DATA_DIR: ".data/bench", EMBEDDED_PG_PORT: process.env.BENCH_PG_PORT ?? "54332", NODE_ENV: "production" };
delete env.DATABASE_URL; // the benchmark always runs on its own embedded database

const run = promisify(execFile);
async function portal(...args: string[]) {
  const { stdout } = await run(process.execPath, ["--import", "tsx", "scripts/portal.ts", ...args], { env });
  return JSON.parse(stdout) as Record<string, unknown>;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function main() {
  await rm(".data/bench", { recursive: true, force: true });
  const server = spawn(process.execPath, ["--import", "tsx", "scripts/dev.ts", "--start", "-H", "127.0.0.1"], { env, stdio: ["ignore", "ignore", "inherit"] });
  try {
    for (let i = 0; ; i++) {
      if (i > 240) throw new Error("the app did not start (did you run `npm run build`?)");
      try {
        if ((await fetch(`${BASE}/api/health`)).ok) break;
      } catch {}
      await new Promise((r) => setTimeout(r, 500));
    }
    const email = `bench-${Date.now()}@example.test`;
    await portal("user:create", "--email", email, "--password", "bench-password-123");
    await portal("credits:grant", "--email", email, "--usd", "1000", "--reason", "benchmark");
    const { key } = (await portal("key:create", "--email", email, "--name", "bench")) as { key: string };

    const agent = new Agent({ keepAliveTimeout: 30_000, connections: 4 });
    const headers = { authorization: `Bearer ${key}`, "content-type": "application/json" };
    const chatBody = JSON.stringify({ model: "sandbox/chat", messages: [{ role: "user", content: "Benchmark: say hello." }], max_tokens: 32 });

    const time = async (fn: () => Promise<void>) => {
      const t0 = performance.now();
      await fn();
      return performance.now() - t0;
    };
    const chat = async () => {
      const res = await request(`${BASE}/v1/chat/completions`, { method: "POST", headers, body: chatBody, dispatcher: agent });
      if (res.statusCode !== 200) throw new Error(`chat answered ${res.statusCode}: ${await res.body.text()}`);
      await res.body.dump();
    };
    const models = async () => {
      const res = await request(`${BASE}/v1/models`, { headers, dispatcher: agent });
      if (res.statusCode !== 200) throw new Error(`models answered ${res.statusCode}`);
      await res.body.dump();
    };
    const firstEvent = async () => {
      const t0 = performance.now();
      const res = await request(`${BASE}/v1/chat/completions`, {
        method: "POST", headers, dispatcher: agent,
        body: JSON.stringify({ model: "sandbox/chat", stream: true, messages: [{ role: "user", content: "Benchmark: stream." }], max_tokens: 32 }),
      });
      let ttfe = 0;
      for await (const _chunk of res.body) {
        if (!ttfe) ttfe = performance.now() - t0;
      }
      return ttfe;
    };

    // A real provider behind the gateway: the mock upstream, streaming 200 chunks 5 ms apart.
    const mock = await startMockUpstream({ chunks: 200, spacingMs: 5 });
    const { resolveDatabaseUrl } = await import("../scripts/lib/database-url");
    Object.assign(process.env, { DATA_DIR: env.DATA_DIR, EMBEDDED_PG_PORT: env.EMBEDDED_PG_PORT });
    const database = await resolveDatabaseUrl();
    const sql = new pg.Client({ connectionString: database.url });
    await sql.connect();
    await sql.query(`INSERT INTO providers (id, name, kind, base_url) VALUES ('bench-mock', 'Bench mock', 'OPENAI_COMPATIBLE', $1)`, [`${mock.url}/v1`]);
    await sql.query(`INSERT INTO models (id, type, provider_id, upstream_model, display_name, input_per_mtok_micros, output_per_mtok_micros, max_output_tokens)
                     VALUES ('bench/stream', 'CHAT', 'bench-mock', 'mock', 'Bench stream', 1000000, 2000000, 4096)`);
    await sql.end();
    const streamBody = (model: string) => JSON.stringify({ model, stream: true, messages: [{ role: "user", content: "Benchmark: stream 200 chunks." }] });
    const timeStream = async (url: string, model: string, auth: boolean) => {
      const t0 = performance.now();
      const res = await request(url, { method: "POST", headers: auth ? headers : { "content-type": "application/json" }, body: streamBody(model), dispatcher: agent });
      let first = 0;
      let chunks = 0;
      let buffered = "";
      for await (const piece of res.body) {
        if (!first) first = performance.now() - t0;
        buffered += piece.toString();
        const events = buffered.split("\n\n");
        buffered = events.pop()!;
        chunks += events.filter((e) => e.includes('"content":"') && !e.includes('"content":""')).length;
      }
      return { first, total: performance.now() - t0, chunks };
    };
    const streams: { direct: number[]; gateway: number[]; chunksDirect: number; chunksGateway: number; totalDirect: number[]; totalGateway: number[] } =
      { direct: [], gateway: [], chunksDirect: 0, chunksGateway: 0, totalDirect: [], totalGateway: [] };
    const STREAMS = Math.min(CALLS, 100);
    for (let i = 0; i < STREAMS; i++) {
      const d = await timeStream(`${mock.url}/v1/chat/completions`, "mock", false);
      const g = await timeStream(`${BASE}/v1/chat/completions`, "bench/stream", true);
      streams.direct.push(d.first);
      streams.gateway.push(g.first);
      streams.totalDirect.push(d.total);
      streams.totalGateway.push(g.total);
      streams.chunksDirect = d.chunks;
      streams.chunksGateway = g.chunks;
    }
    await mock.close();
    await database.release();

    for (let i = 0; i < WARMUP; i++) await chat();
    const series: Record<string, number[]> = { "POST /v1/chat/completions (sandbox, non-streaming)": [], "GET /v1/models": [], "streaming: time to first event": [] };
    for (let i = 0; i < CALLS; i++) series["POST /v1/chat/completions (sandbox, non-streaming)"]!.push(await time(chat));
    for (let i = 0; i < CALLS; i++) series["GET /v1/models"]!.push(await time(models));
    for (let i = 0; i < Math.min(CALLS, 300); i++) series["streaming: time to first event"]!.push(await firstEvent());

    const rows = Object.entries(series).map(([name, values]) => {
      const sorted = [...values].sort((a, b) => a - b);
      return `| ${name} | ${values.length} | ${percentile(sorted, 50).toFixed(2)} | ${percentile(sorted, 90).toFixed(2)} | ${percentile(sorted, 99).toFixed(2)} | ${sorted.at(-1)!.toFixed(2)} |`;
    });
    const med = (v: number[]) => percentile([...v].sort((a, b) => a - b), 50);
    const p99 = (v: number[]) => percentile([...v].sort((a, b) => a - b), 99);
    const added = streams.gateway.map((g, i) => g - streams.direct[i]!);
    const streamRows = [
      "",
      `## Streaming through a real provider adapter (mock upstream, 200 chunks 5 ms apart, ${STREAMS} streams each, interleaved)`,
      "",
      "| path | time to first byte p50 ms | p99 ms | whole stream p50 ms | content chunks received |",
      "| --- | ---: | ---: | ---: | ---: |",
      `| direct to the mock | ${med(streams.direct).toFixed(2)} | ${p99(streams.direct).toFixed(2)} | ${med(streams.totalDirect).toFixed(1)} | ${streams.chunksDirect} |`,
      `| through the gateway | ${med(streams.gateway).toFixed(2)} | ${p99(streams.gateway).toFixed(2)} | ${med(streams.totalGateway).toFixed(1)} | ${streams.chunksGateway} |`,
      `| added by the gateway | ${med(added).toFixed(2)} | ${p99(added).toFixed(2)} | | |`,
    ];
    const report = [
      `# Gateway latency — ${new Date().toISOString()}`,
      "",
      `Built app (\`next start\`), one instance, embedded PostgreSQL, sequential calls over keep-alive, after ${WARMUP} warm-up calls.`,
      "Each chat call: key check (cached), hold (1 SQL statement), sandbox completion, settlement (1 SQL statement).",
      "",
      "| what | calls | p50 ms | p90 ms | p99 ms | max ms |",
      "| --- | ---: | ---: | ---: | ---: | ---: |",
      ...rows,
      ...streamRows,
      "",
    ].join("\n");
    console.log(report);
    await mkdir("bench/results", { recursive: true });
    await writeFile(path.join("bench/results", "latency.md"), report);

    const check = await portal("ledger:check");
    console.log(`ledger:check after the run: ${check.ok ? "clean" : JSON.stringify(check)}`);
    await agent.close();
  } finally {
    server.kill("SIGTERM");
    await new Promise((r) => server.once("exit", r));
  }
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
