// @ts-check
// The production server behind `npm start` (the launcher, scripts/dev.ts --start, runs it once the
// database is ready; with DATABASE_URL set it can also run alone: `node scripts/server.js`).
// A node:cluster primary forks WEB_CONCURRENCY workers (default: one per core) that share one port;
// each worker serves the built app through Next's own request handler (what `next start` runs) behind
// the /v1 load-shedding gate (lib/gateway/overload.js), which answers before Next routes anything;
// the hot /v1 endpoints are served by their route handlers directly (lib/gateway/node-handler.js).
// A worker that dies is replaced; SIGTERM/SIGINT drain every worker and exit.
//   node scripts/server.js [-p PORT] [-H HOSTNAME]
import cluster from "node:cluster";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const log = (/** @type {string} */ line) => console.log(`[meterway] ${line}`);

/** `-p/--port` and `-H/--hostname`, as `next start` takes them; defaults from the environment. */
function parseArgs(/** @type {string[]} */ argv) {
  /** @type {{ port?: number; hostname?: string }} */
  const out = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const [flag, inline] = a?.startsWith("--") && a.includes("=") ? a.split(/=(.*)/s) : [a, undefined];
    const value = () => inline ?? argv[++i];
    if (flag === "-p" || flag === "--port") out.port = Number(value());
    else if (flag === "-H" || flag === "--hostname") out.hostname = value();
    else throw new Error(`unknown argument ${a} (the server takes -p PORT and -H HOSTNAME)`);
  }
  return out;
}

/**
 * Connections the kernel may hold for the worker to accept (capped by net.core.somaxconn). Node's default,
 * 511, overflowed when a flood opened 1,000 connections while the worker's event loop was busy (bench (d),
 * two rounds: 211 ListenOverflows in /proc/net/netstat): the kernel then drops the handshake's last step and
 * the client waits a full second for the retransmission, so those requests' answers, 503s included, took
 * over a second. With 4096 none were dropped, and (d)'s 503 p99 over the whole run fell from 1.1 s to 0.46 s
 * (bench/RESULTS.md); what remains of the first second's tail is the work of accepting the connections.
 */
const LISTEN_BACKLOG = 4096;

/** Method and app route of each gateway endpoint served directly. */
const DIRECT_ROUTES = /** @type {const} */ ([
  ["POST", "v1/chat/completions"],
  ["POST", "v1/messages"],
  ["POST", "v1/embeddings"],
  ["POST", "v1/images/generations"],
  ["GET", "v1/models"],
  ["GET", "v1/balance"],
]);

const { env } = await import("../lib/env.js");
const args = parseArgs(process.argv.slice(2));
const port = args.port ?? env.PORT;
const hostname = args.hostname;

if (cluster.isPrimary) {
  await primary();
} else {
  await worker();
}

async function primary() {
  const count = env.WEB_CONCURRENCY ?? os.availableParallelism();
  let stopping = false;
  /** Recent unexpected exits, to slow down a crash loop instead of spinning. */
  const crashes = /** @type {number[]} */ ([]);

  // One worker accepts its connections itself. The primary's round robin (it accepts each connection
  // and hands the socket to a worker over IPC) is there to spread them over several workers; with one it
  // only costs. Measured (bench (d), one worker on one core): a flood that opened 1,000 connections in a
  // quarter of a second waited up to 2.5–4.6 s for its first answers, 503s included, behind that handoff,
  // and up to 0.5–0.6 s with the worker accepting them.
  if (count === 1) cluster.schedulingPolicy = cluster.SCHED_NONE;
  const fork = () => cluster.fork();
  cluster.on("exit", (w, code, signal) => {
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
      return;
    }
    const now = Date.now();
    crashes.push(now);
    while (crashes.length && crashes[0] < now - 60_000) crashes.shift();
    const delay = crashes.length > count * 3 ? 5_000 : 100;
    log(`worker ${w.process.pid} exited (${signal ?? `code ${code}`}); starting another in ${delay} ms`);
    setTimeout(() => !stopping && fork(), delay).unref();
  });

  const stop = (/** @type {NodeJS.Signals} */ signal) => {
    if (stopping) return;
    stopping = true;
    const workers = Object.values(cluster.workers ?? {});
    if (workers.length === 0) process.exit(0);
    for (const w of workers) w?.process.kill(signal);
    // A worker stuck past its own drain deadline is killed.
    setTimeout(() => {
      for (const w of Object.values(cluster.workers ?? {})) w?.process.kill("SIGKILL");
      process.exit(1);
    }, 15_000).unref();
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGTERM"));

  log(`starting ${count} server process${count === 1 ? "" : "es"} on ${hostname ?? "every interface"}, port ${port}`);
  for (let i = 0; i < count; i++) fork();
}

/**
 * The hot /v1 routes (static paths), served by calling their handlers directly instead of through
 * Next's router (see lib/gateway/node-handler.js). The handlers come from the build Next itself
 * loads, after `prepare()` (same modules, same caches). Anything that cannot be loaded this way —
 * e.g. a Next version that lays out its build differently — is simply left to Next.
 * @param {string} dir
 * @param {string} distDir
 */
async function loadDirectRoutes(dir, distDir) {
  const { createRequire } = await import("node:module");
  const require = createRequire(import.meta.url);
  /** @type {Map<string, (req: Request) => Promise<Response>>} */
  const routes = new Map();
  for (const [method, route] of DIRECT_ROUTES) {
    try {
      const mod = require(path.join(dir, distDir, "server", "app", route, "route.js"));
      await mod.routeModule.ensureUserland?.();
      const handler = mod.routeModule.userland?.[method];
      if (typeof handler !== "function") throw new Error(`no ${method} export`);
      routes.set(`${method} /${route}`, handler);
    } catch (error) {
      log(`${method} /${route} is served through Next (${error instanceof Error ? error.message : String(error)})`);
    }
  }
  return routes;
}

async function worker() {
  // What `next start` sets up before serving (node_modules/next/dist/bin/next, cli/next-start).
  process.env.NEXT_RUNTIME = "nodejs";
  process.env.NEXT_PRIVATE_START_TIME ??= String(Date.now());
  process.env.PORT = String(port);
  process.env.__NEXT_PRIVATE_ORIGIN = `http://${hostname && hostname !== "0.0.0.0" ? hostname : "localhost"}:${port}`;

  // Until the server listens, a stop simply exits (nothing is in flight yet).
  /** @type {() => void} */
  let stop = () => process.exit(0);
  process.on("SIGTERM", () => stop());
  process.on("SIGINT", () => stop());

  const { createOverloadGate } = await import("../lib/gateway/overload.js");
  const { default: next } = await import("next");
  const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
  const app = next({ dev: false, dir, hostname: hostname ?? "localhost", port });
  await app.prepare();
  const handle = app.getRequestHandler();
  const gate = createOverloadGate({
    maxInflight: env.GATEWAY_MAX_INFLIGHT,
    maxLagMs: env.GATEWAY_MAX_LAG_MS,
    targetOverheadMs: env.GATEWAY_TARGET_OVERHEAD_MS,
    targetLagMs: env.GATEWAY_TARGET_LAG_MS,
    maxDbWaitMs: env.GATEWAY_MAX_DB_WAIT_MS,
    onLog: (line) => log(`worker ${process.pid} ${line}`),
  });
  const direct = await loadDirectRoutes(dir, env.NEXT_DIST_DIR);
  const { serveWebHandler } = await import("../lib/gateway/node-handler.js");

  /** @param {Headers} headers */
  const observe = (headers) => gate.observe(headers);
  const server = http.createServer((req, res) => {
    if (gate.shedIfOverloaded(req, res)) return;
    const url = req.url ?? "/";
    const query = url.indexOf("?");
    const handler = direct.get(`${req.method} ${query === -1 ? url : url.slice(0, query)}`);
    if (handler) {
      void serveWebHandler(handler, req, res, observe);
      return;
    }
    // The socket's address, for sign-in limits and the audit log (lib/http/client-ip.ts); whatever the
    // client sent under this name is replaced.
    req.headers["x-meterway-peer"] = req.socket.remoteAddress ?? "";
    handle(req, res).catch((error) => {
      console.error(`[meterway] unhandled error for ${req.method} ${req.url}:`, error);
      if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
      res.end();
    });
  });
  // Longer than the usual load balancer's idle timeout, so it is the balancer that closes idle sockets.
  server.keepAliveTimeout = 65_000;
  server.on("upgrade", (req, socket, head) => void app.getUpgradeHandler()(req, socket, head));
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen({ port, host: hostname, backlog: LISTEN_BACKLOG }, () => resolve(undefined));
  });
  log(`worker ${process.pid} ready`);

  let stopping = false;
  stop = () => {
    if (stopping) return;
    stopping = true;
    gate.close();
    // Stop accepting, let requests in flight finish (streams included), then close Next.
    const deadline = setTimeout(() => process.exit(0), 10_000);
    deadline.unref();
    server.close(() => {
      void app.close().finally(() => process.exit(0));
    });
    server.closeIdleConnections();
  };
}
