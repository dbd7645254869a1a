// A mock model provider speaking the real OpenAI (chat JSON and SSE, embeddings, images) and
// Anthropic (Messages JSON and SSE) wire formats, for the integration tests and the benchmark.
// Behaviour comes from defaults and from options inside the requested model name, e.g.
//   "mock"                          a normal answer
//   "mock:chunks=200:spacing=5"     200 content chunks, 5 ms apart
//   "mock:latency=50"               50 ms before the response starts
//   "mock:fault=500"                HTTP 500 (also 429, 400…)
//   "mock:fault=slow-first-byte"    headers only after `slow` ms (default 5 s)
//   "mock:fault=reset"              destroys the connection after half the chunks
//   "mock:fault=malformed"          a chunk that is not JSON, after half the chunks
//   "mock:fault=no-usage"           never reports usage
//   "mock:chunks=20:stamp"          each SSE chunk carries `x_sent_ms` (epoch ms when written)
// Async media (OpenAI-style /videos, a generic /music): "mock:ready=300" finishes the job 300 ms after
// submission, "mock:fail=job" makes the job itself fail; "mock:fault=500" fails the submission.
import http from "node:http";
import type { AddressInfo } from "node:net";

export interface MockOptions {
  latencyMs?: number;
  chunks?: number;
  spacingMs?: number;
  usage?: boolean;
  port?: number;
  /** Keep every request in `requests` (tests read them); off for load runs, where it would only grow. */
  record?: boolean;
}

export interface MockUpstream {
  url: string;
  /** Bodies received, newest last. */
  requests: { path: string; headers: http.IncomingHttpHeaders; body: Record<string, unknown> }[];
  close(): Promise<void>;
}

const WORDS = "The quick brown fox jumps over the lazy dog while the gateway meters every token exactly once".split(" ");

function options(model: string, defaults: Required<Omit<MockOptions, "port" | "record">>) {
  const opts: Record<string, string> = {};
  for (const part of model.split(":").slice(1)) {
    const [k, v = ""] = part.split("=");
    if (k) opts[k] = v;
  }
  return {
    fault: opts.fault ?? null,
    latency: Number(opts.latency ?? defaults.latencyMs),
    chunks: Number(opts.chunks ?? defaults.chunks),
    spacing: Number(opts.spacing ?? defaults.spacingMs),
    slow: Number(opts.slow ?? 5000),
    usage: opts.fault === "no-usage" ? false : defaults.usage,
    stamp: "stamp" in opts,
  };
}

const sleep = (ms: number) => (ms > 0 ? new Promise((r) => setTimeout(r, ms)) : Promise.resolve());
const words = (n: number) => Array.from({ length: n }, (_, i) => `${WORDS[i % WORDS.length]} `);
/** The mock's token accounting: one token per word, prompt = characters / 4 (tool definitions included, as providers count them). */
const promptTokens = (body: Record<string, unknown>) =>
  Math.max(1, Math.ceil((JSON.stringify(body.messages ?? body.input ?? "").length + (body.tools ? JSON.stringify(body.tools).length : 0)) / 4));

export async function startMockUpstream(defaults: MockOptions = {}): Promise<MockUpstream> {
  const d = { latencyMs: defaults.latencyMs ?? 0, chunks: defaults.chunks ?? 8, spacingMs: defaults.spacingMs ?? 0, usage: defaults.usage ?? true };
  const requests: MockUpstream["requests"] = [];
  const mediaJobs = new Map<string, { readyAt: number; fail: boolean; model: string }>();

  const record = defaults.record ?? true;
  const server = http.createServer(async (req, res) => {
    // Events rather than `for await`: the async iterator costs measurably at thousands of requests a second.
    const raw: Buffer[] = [];
    await new Promise<void>((resolve, reject) => req.on("data", (piece: Buffer) => raw.push(piece)).once("end", resolve).once("error", reject));
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(Buffer.concat(raw).toString("utf8") || "{}");
    } catch {
      res.writeHead(400, { "content-type": "application/json" }).end(JSON.stringify({ error: { message: "bad json", type: "invalid_request_error" } }));
      return;
    }
    const path = (req.url ?? "").split("?")[0]!;
    if (record) requests.push({ path, headers: req.headers, body });
    const o = options(String(body.model ?? "mock"), d);

    if (o.fault === "slow-first-byte") await sleep(o.slow);
    else await sleep(o.latency);
    if (o.fault && /^\d{3}$/.test(o.fault)) {
      const status = Number(o.fault);
      const anthropic = path.endsWith("/messages");
      res.writeHead(status, { "content-type": "application/json", ...(status === 429 ? { "retry-after": "1" } : {}) });
      res.end(
        JSON.stringify(
          anthropic
            ? { type: "error", error: { type: status === 429 ? "rate_limit_error" : "api_error", message: `mock failure ${status}` } }
            : { error: { message: `mock failure ${status}`, type: status < 500 ? "invalid_request_error" : "server_error", code: null, param: status === 400 ? "messages" : null } },
        ),
      );
      return;
    }

    const media = mediaRoute(req.method ?? "GET", path);
    if (media) {
      const sendJson = (status: number, payload: unknown) => res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(payload));
      if (media.op === "submit") {
        const opts: Record<string, string> = Object.fromEntries(String(body.model ?? "").split(":").slice(1).map((p) => p.split("=") as [string, string]));
        const id = `${media.kind === "videos" ? "video" : "music"}_mock_${mediaJobs.size + 1}_${Date.now()}`;
        mediaJobs.set(id, { readyAt: Date.now() + Number(opts.ready ?? 0), fail: opts.fail === "job", model: String(body.model) });
        return sendJson(200, media.kind === "videos" ? { id, object: "video", model: body.model, status: "queued", progress: 0 } : { id, status: "queued" });
      }
      const job = mediaJobs.get(media.id);
      if (!job) return sendJson(404, { error: { message: `no such job ${media.id}`, type: "invalid_request_error" } });
      const ready = Date.now() >= job.readyAt;
      if (media.op === "status") {
        if (media.kind === "videos") {
          const status = !ready ? "in_progress" : job.fail ? "failed" : "completed";
          return sendJson(200, { id: media.id, object: "video", model: job.model, status, progress: ready ? 100 : 50, ...(status === "failed" ? { error: { code: "mock_failure", message: "mock video generation failed" } } : {}) });
        }
        const status = !ready ? "running" : job.fail ? "failed" : "succeeded";
        return sendJson(200, { id: media.id, status, audio_url: status === "succeeded" ? `/v1/music/${media.id}/audio` : null, ...(status === "failed" ? { error: { message: "mock music generation failed" } } : {}) });
      }
      if (!ready || job.fail) return sendJson(409, { error: { message: "the job has no content", type: "invalid_request_error" } });
      const bytes = media.kind === "videos" ? Buffer.from(`\x00\x00\x00\x18ftypmp42mock video ${media.id}`) : Buffer.from(`RIFFmock audio ${media.id}`);
      res.writeHead(200, { "content-type": media.kind === "videos" ? "video/mp4" : "audio/wav", "content-length": String(bytes.length) }).end(bytes);
      return;
    }

    const prompt = promptTokens(body);
    const maxTokens = Number(body.max_tokens ?? body.max_completion_tokens ?? Infinity);
    const n = Math.min(o.chunks, maxTokens);
    const pieces = words(n);

    if (path.endsWith("/embeddings")) {
      const inputs = Array.isArray(body.input) ? body.input : [body.input];
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({
        object: "list", model: body.model,
        data: inputs.map((_, index) => ({ object: "embedding", index, embedding: body.encoding_format === "base64" ? Buffer.from(new Float32Array([0.1, 0.2, 0.3]).buffer).toString("base64") : [0.1, 0.2, 0.3] })),
        ...(o.usage ? { usage: { prompt_tokens: prompt, total_tokens: prompt } } : {}),
      }));
      return;
    }
    if (path.endsWith("/images/generations")) {
      const count = Number(body.n ?? 1);
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ created: Math.floor(Date.now() / 1000), data: Array.from({ length: count }, () => ({ b64_json: "iVBORw0KGgo=" })) }));
      return;
    }

    const anthropic = path.endsWith("/messages");
    if (!body.stream) {
      res.writeHead(200, { "content-type": "application/json" });
      const text = pieces.join("");
      res.end(JSON.stringify(
        anthropic
          ? { id: "msg_mock", type: "message", role: "assistant", model: body.model, content: [{ type: "text", text }], stop_reason: n < o.chunks ? "max_tokens" : "end_turn", usage: { input_tokens: prompt, output_tokens: n, cache_read_input_tokens: 0 } }
          : {
              id: "chatcmpl-mock", object: "chat.completion", created: Math.floor(Date.now() / 1000), model: body.model,
              choices: [{ index: 0, message: { role: "assistant", content: text }, finish_reason: n < o.chunks ? "length" : "stop" }],
              ...(o.usage ? { usage: { prompt_tokens: prompt, completion_tokens: n, total_tokens: prompt + n } } : {}),
            },
      ));
      return;
    }

    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
    res.flushHeaders();
    // "stamp": each chunk carries `x_sent_ms`, when it was written (epoch ms), so a client can tell how long
    // a proxy held it.
    const send = (event: string | null, data: unknown) =>
      res.write(`${event ? `event: ${event}\n` : ""}data: ${typeof data === "string" ? data : JSON.stringify(o.stamp ? { ...(data as object), x_sent_ms: performance.timeOrigin + performance.now() } : data)}\n\n`);
    const wantUsage = (body.stream_options as { include_usage?: boolean } | undefined)?.include_usage === true;
    if (anthropic) {
      send("message_start", { type: "message_start", message: { id: "msg_mock", type: "message", role: "assistant", model: body.model, content: [], stop_reason: null, usage: { input_tokens: prompt, output_tokens: 1 } } });
      send("content_block_start", { type: "content_block_start", index: 0, content_block: { type: "text", text: "" } });
      send("ping", { type: "ping" });
    }
    else send(null, { id: "chatcmpl-mock", object: "chat.completion.chunk", created: 0, model: body.model, choices: [{ index: 0, delta: { role: "assistant", content: "" }, finish_reason: null }] });
    for (let i = 0; i < pieces.length; i++) {
      if (i > 0) await sleep(o.spacing);
      if (res.destroyed) return;
      if (o.fault === "reset" && i === Math.floor(pieces.length / 2)) {
        await sleep(20); // let what was written reach the client, then cut the connection
        req.socket.destroy();
        return;
      }
      if (o.fault === "malformed" && i === Math.floor(pieces.length / 2)) {
        send(null, "{this is not json");
        continue;
      }
      if (anthropic) send("content_block_delta", { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: pieces[i] } });
      else send(null, { id: "chatcmpl-mock", object: "chat.completion.chunk", created: 0, model: body.model, choices: [{ index: 0, delta: { content: pieces[i] }, finish_reason: null }] });
    }
    if (anthropic) {
      send("content_block_stop", { type: "content_block_stop", index: 0 });
      send("message_delta", { type: "message_delta", delta: { stop_reason: n < o.chunks ? "max_tokens" : "end_turn" }, usage: { output_tokens: n } });
      send("message_stop", { type: "message_stop" });
    } else {
      send(null, { id: "chatcmpl-mock", object: "chat.completion.chunk", created: 0, model: body.model, choices: [{ index: 0, delta: {}, finish_reason: n < o.chunks ? "length" : "stop" }] });
      if (o.usage && wantUsage) send(null, { id: "chatcmpl-mock", object: "chat.completion.chunk", created: 0, model: body.model, choices: [], usage: { prompt_tokens: prompt, completion_tokens: n, total_tokens: prompt + n } });
      send(null, "[DONE]");
    }
    res.end();
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(defaults.port ?? 0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

// Run standalone: `npx tsx bench/mock-upstream.ts [port]`. It records nothing (so it can serve millions of
// requests); MOCK_WORKERS=n serves the port from n processes (node:cluster) when one core is not enough.
if (import.meta.url === `file://${process.argv[1]}`) {
  const cluster = (await import("node:cluster")).default;
  const workers = Number(process.env.MOCK_WORKERS ?? 1);
  const port = Number(process.argv[2] ?? 4010);
  if (cluster.isPrimary && workers > 1) {
    for (let i = 0; i < workers; i++) cluster.fork();
    let listening = 0;
    cluster.on("listening", () => ++listening === workers && console.log(`mock upstream on http://127.0.0.1:${port} (${workers} processes)`));
    process.on("SIGTERM", () => { for (const w of Object.values(cluster.workers ?? {})) w?.kill(); process.exit(0); });
  } else {
    const mock = await startMockUpstream({ port, record: false, latencyMs: Number(process.env.MOCK_LATENCY_MS ?? 0), chunks: Number(process.env.MOCK_CHUNKS ?? 8) });
    if (cluster.isPrimary) console.log(`mock upstream on ${mock.url}`);
  }
}

/** Which async media call a request is: submit, status or content of a video or music job. */
function mediaRoute(method: string, path: string): { kind: "videos" | "music"; op: "submit" | "status" | "content"; id: string } | null {
  const m = /\/(videos|music)(?:\/([\w-]+)(\/content|\/audio)?)?$/.exec(path);
  if (!m) return null;
  const kind = m[1] as "videos" | "music";
  if (!m[2]) return method === "POST" ? { kind, op: "submit", id: "" } : null;
  if (method !== "GET") return null;
  return { kind, op: m[3] ? "content" : "status", id: m[2] };
}
