// The load drivers: closed loop (autocannon: N connections, each sends its next request when the last one
// answered), open loop (a fixed arrival rate whatever the server does, over up to N connections of the
// lean client in ./raw-http.ts: latency is counted from when a request was due, so a server that queues
// cannot hide it) and streaming (N concurrent SSE streams, time to first event and chunk by chunk arrival).
import { readFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { Pool } from "undici";
import { parseServerTiming } from "../lib/gateway/timing";
import { postBytes, RawHttpPool } from "./raw-http";

export interface Target {
  name: string;
  /** http://127.0.0.1:PORT */
  origin: string;
  path: string;
  headers: Record<string, string>;
  /** Bearer keys to rotate through, one per request (many customers); none ⇒ `headers` as they are. */
  keys?: string[];
  /** The `model` to send for a non-streaming and a streaming call. */
  model: string;
  streamModel: string;
  /** Non-streaming prompts this many KB long (see chatBody); a short line without. */
  promptKb?: number;
}

/**
 * A chat prompt: one short line, or — with `promptKb` — that many KB of this project's own docs after it
 * (varied prose and code, as a real prompt is: a repeated sentence would flatter a tokenizer's cache).
 */
function prompt(line: string, promptKb = 0): string {
  if (!(promptKb > 0)) return line;
  const docs = readFileSync("README.md", "utf8") + readFileSync("docs/api.md", "utf8");
  return `${line}\n\n${docs.repeat(Math.ceil((promptKb * 1024) / docs.length)).slice(0, promptKb * 1024)}`;
}

export const chatBody = (model: string, promptKb = 0) =>
  JSON.stringify({ model, messages: [{ role: "user", content: prompt("Benchmark: say hello.", promptKb) }], max_tokens: 32 });
export const streamBody = (model: string) =>
  JSON.stringify({ model, stream: true, messages: [{ role: "user", content: "Benchmark: stream." }] });

export interface Latencies { ok: number[]; byStatus: Record<string, number>; errors: number; timeouts: number; seconds: number }

/** 2xx answers (complete streams) each target gave, over every run, warm-ups included: compared with the usage records. */
export const succeeded: Record<string, number> = {};
const count = (target: Target) => (succeeded[target.name] = (succeeded[target.name] ?? 0) + 1);

export function percentile(values: number[], p: number): number {
  if (!values.length) return NaN;
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}
export const median = (values: number[]) => percentile(values, 50);

/** The headers of the n-th request: the target's own, with the next key in turn when it has keys. */
function headersFor(target: Target, n: number): Record<string, string> {
  const headers: Record<string, string> = { ...target.headers, "content-type": "application/json" };
  if (target.keys?.length) headers.authorization = `Bearer ${target.keys[n % target.keys.length]}`;
  return headers;
}

// autocannon lives in bench/node_modules (installed on demand), so it is loaded by path: the typecheck must
// not depend on it being there.
interface AutocannonInstance extends PromiseLike<{ errors: number; timeouts: number; duration: number }> {
  on(event: "response", fn: (client: unknown, status: number, bytes: number, ms: number) => void): void;
}
type Autocannon = (opts: Record<string, unknown>) => AutocannonInstance;
let autocannon: Autocannon | undefined;
async function loadAutocannon(): Promise<Autocannon> {
  autocannon ??= ((await import(pathToFileURL(path.resolve("bench/node_modules/autocannon/autocannon.js")).href)) as { default: Autocannon }).default;
  return autocannon;
}

/** Closed loop: `connections` keep-alive connections, each sending back to back for `seconds`. */
export async function closedLoop(target: Target, connections: number, seconds: number, timeoutMs: number): Promise<Latencies> {
  const run = await loadAutocannon();
  const out: Latencies = { ok: [], byStatus: {}, errors: 0, timeouts: 0, seconds };
  let sent = 0;
  const instance = run({
    url: target.origin + target.path,
    method: "POST",
    headers: headersFor(target, 0),
    body: chatBody(target.model, target.promptKb),
    ...(target.keys?.length
      ? { requests: [{ setupRequest: (req: { headers: Record<string, string> }) => ({ ...req, headers: headersFor(target, sent++) }) }] }
      : {}),
    connections,
    duration: seconds,
    timeout: timeoutMs / 1000,
    skipAggregateResult: true,
  });
  instance.on("response", (_client, status, _bytes, ms) => {
    if (status >= 200 && status < 300) {
      out.ok.push(ms);
      count(target);
    }
    out.byStatus[status] = (out.byStatus[status] ?? 0) + 1;
  });
  const result = await instance;
  out.errors = result.errors - result.timeouts;
  out.timeouts = result.timeouts;
  return out;
}

/** `late`: for each request, how long after it was due the driver got to send it (its own event loop's lateness). */
export interface OpenLoopResult {
  accepted: number[];
  shed: number[];
  /** The same, of the requests due after the first second (OPEN_LOOP_SETTLE_MS): the connections are open by then. */
  acceptedSettled: number[];
  shedSettled: number[];
  late: number[];
  other: Record<string, number>;
  timeouts: number;
  errors: number;
  sent: number;
  seconds: number;
}

/**
 * The pool opens a connection whenever none is free, so a flood opens nearly all of them in its first
 * quarter second: a storm of new connections that every server under test must accept at once. Latencies
 * of requests due after this long show the steady state apart from it.
 */
export const OPEN_LOOP_SETTLE_MS = 1000;

/** Open loop: `rate` requests a second, evenly spaced, for `seconds`, over at most `connections` connections. */
export async function openLoop(target: Target, rate: number, seconds: number, connections: number, timeoutMs: number): Promise<OpenLoopResult> {
  // The lean client (./raw-http.ts): at these rates undici's own cost made the driver the bottleneck.
  const pool = new RawHttpPool(target.origin, connections);
  const out: OpenLoopResult = { accepted: [], shed: [], acceptedSettled: [], shedSettled: [], late: [], other: {}, timeouts: 0, errors: 0, sent: 0, seconds };
  const body = chatBody(target.model, target.promptKb);
  const host = new URL(target.origin).host;
  // One prebuilt request per key in turn (or one for all).
  const requests = Array.from({ length: Math.max(1, target.keys?.length ?? 0) }, (_, n) => postBytes(host, target.path, headersFor(target, n), body));
  const pending = new Set<Promise<void>>();
  const start = performance.now();
  const fire = (due: number) => {
    const now = performance.now();
    const settled = due - start >= OPEN_LOOP_SETTLE_MS;
    out.late.push(now - due);
    const p = pool.request(requests[out.sent % requests.length]!, Math.max(1, timeoutMs - (now - due))).then((outcome) => {
      pending.delete(p);
      if ("timeout" in outcome) out.timeouts++;
      else if ("error" in outcome) out.errors++;
      else if (outcome.status === 200) {
        const ms = performance.now() - due;
        out.accepted.push(ms);
        if (settled) out.acceptedSettled.push(ms);
        count(target);
      } else if (outcome.status === 503) {
        const ms = performance.now() - due;
        out.shed.push(ms);
        if (settled) out.shedSettled.push(ms);
      } else out.other[outcome.status] = (out.other[outcome.status] ?? 0) + 1;
    });
    pending.add(p);
  };
  await new Promise<void>((resolve) => {
    const tick = () => {
      const elapsed = performance.now() - start;
      const due = Math.min(Math.floor((elapsed / 1000) * rate), Math.floor(seconds * rate));
      while (out.sent < due) {
        fire(start + (out.sent * 1000) / rate);
        out.sent++;
      }
      if (elapsed >= seconds * 1000) resolve();
      else setTimeout(tick, 1);
    };
    tick();
  });
  await Promise.allSettled([...pending]);
  pool.close();
  return out;
}

/** Milliseconds by step, from each answer's `server-timing` header (the Meterway gateway sends one). */
export type Timings = Record<string, number[]>;
function addTimings(into: Timings, header: string | string[] | undefined) {
  for (const [step, ms] of Object.entries(parseServerTiming(Array.isArray(header) ? header.join(", ") : header))) (into[step] ??= []).push(ms);
}

export interface StreamResult { ttfe: number[]; total: number[]; streams: number; complete: number; chunks: number; coalesced: number; failed: number; gaps: number[]; transit: number[]; timings: Timings }

/**
 * `concurrency` streams at a time for `seconds`. A stream is complete when all `expectedChunks` content
 * events and [DONE] arrived; a chunk is "coalesced" when it arrived in the same read as the previous
 * content event; its transit is the time from the mock writing it (`x_sent_ms`) to its arrival here.
 */
export async function streams(target: Target, concurrency: number, seconds: number, expectedChunks: number): Promise<StreamResult> {
  const pool = new Pool(target.origin, { connections: concurrency, pipelining: 1, keepAliveTimeout: 60_000 });
  const out: StreamResult = { ttfe: [], total: [], streams: 0, complete: 0, chunks: 0, coalesced: 0, failed: 0, gaps: [], transit: [], timings: {} };
  let started = 0;
  const body = streamBody(target.streamModel);
  const until = performance.now() + seconds * 1000;
  const one = async () => {
    const t0 = performance.now();
    const res = await pool.request({ path: target.path, method: "POST", headers: headersFor(target, started++), body });
    if (res.statusCode !== 200) {
      await res.body.dump();
      out.failed++;
      return;
    }
    addTimings(out.timings, res.headers["server-timing"]);
    let first = 0;
    let last = 0;
    let chunks = 0;
    let done = false;
    let buffered = "";
    for await (const piece of res.body) {
      const now = performance.now();
      if (!first) first = now - t0;
      buffered += piece.toString();
      const events = buffered.split("\n\n");
      buffered = events.pop()!;
      let here = 0;
      for (const e of events) {
        if (e.includes("data: [DONE]")) done = true;
        else if (/"content":"[^"]/.test(e)) {
          here++;
          // Stamped by the mock when written: how long the chunk took to reach us (one clock, one machine).
          const sent = /"x_sent_ms":([\d.]+)/.exec(e);
          if (sent) out.transit.push(performance.timeOrigin + now - Number(sent[1]));
        }
      }
      if (here) {
        if (last) out.gaps.push(now - last);
        last = now;
      }
      out.coalesced += Math.max(0, here - 1);
      chunks += here;
    }
    out.streams++;
    out.chunks += chunks;
    out.ttfe.push(first);
    out.total.push(performance.now() - t0);
    if (done) count(target);
    if (done && chunks === expectedChunks) out.complete++;
  };
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < until) await one().catch(() => out.failed++);
    }),
  );
  await pool.destroy();
  return out;
}

/**
 * A closed loop like closedLoop's, on undici, that keeps what autocannon does not expose: each answer's
 * `server-timing` steps, beside the latency the client saw — where a request's time went.
 */
export async function timedClosedLoop(target: Target, connections: number, seconds: number): Promise<{ latency: number[]; timings: Timings }> {
  const pool = new Pool(target.origin, { connections, pipelining: 1, keepAliveTimeout: 60_000 });
  const out = { latency: [] as number[], timings: {} as Timings };
  const body = chatBody(target.model, target.promptKb);
  const until = performance.now() + seconds * 1000;
  let n = 0;
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (performance.now() < until) {
        const t0 = performance.now();
        const res = await pool.request({ path: target.path, method: "POST", headers: headersFor(target, n++), body });
        await res.body.dump();
        if (res.statusCode !== 200) continue;
        out.latency.push(performance.now() - t0);
        count(target);
        addTimings(out.timings, res.headers["server-timing"]);
      }
    }),
  );
  await pool.destroy();
  return out;
}
