// @ts-check
// Load shedding for /v1: past a per-process limit, a gateway request is answered at once with 503
// `overloaded` and `retry-after` instead of queueing into multi-second tails. Plain JavaScript so the
// production server (scripts/server.js) decides before Next routes anything — a shed request costs
// microseconds and never reaches the pipeline, so it never holds, charges or records anything.
//
// Three signals, any one sheds:
// - in-flight gateway requests of this process at GATEWAY_MAX_INFLIGHT (bounds memory and sockets);
// - a request waiting for a database connection for longer than GATEWAY_MAX_DB_WAIT_MS: the database
//   (or one hot account's row, which every hold and settlement of that account locks until it
//   commits) is the bottleneck, and neither the in-flight count nor the event loop can see a queue
//   there. The queue's age, not its length: forty waiters are 10 ms on a fast database and seconds
//   behind a hot row, and a length limit that suits one sheds needlessly or too late on the other;
// - the event loop running late by more than GATEWAY_MAX_LAG_MS while requests are in flight. A
//   CPU-bound process queues work in its event loop, where an in-flight count cannot see it (a
//   streaming request waiting on its provider costs nothing; one being routed costs a millisecond),
//   so lag is what tells "busy" from "saturated" whatever the upstream latency.
import { randomBytes } from "node:crypto";

// Request ids for shed responses, from a pool of random bytes (one getrandom() per 340 ids), like
// lib/gateway/http.ts: a shed request must stay cheap.
let idPool = randomBytes(4096);
let idOffset = 0;
function requestId() {
  if (idOffset + 12 > idPool.length) {
    idPool = randomBytes(4096);
    idOffset = 0;
  }
  idOffset += 12;
  return `req_${idPool.toString("hex", idOffset - 12, idOffset)}`;
}

/** How often the event-loop lag is sampled, in milliseconds. */
const SAMPLE_MS = 5;
/** Below this many requests in flight, lag never sheds. */
const LAG_MIN_INFLIGHT = 4;

/**
 * How long the oldest request now waiting for a database connection has waited, in milliseconds (0
 * when none waits). lib/db.ts keeps the waiters on globalThis, oldest first.
 */
function dbQueueAgeMs() {
  const waiters = /** @type {{ __dbWaiters?: Map<number, number> }} */ (globalThis).__dbWaiters;
  if (!waiters || waiters.size === 0) return 0;
  const oldest = waiters.values().next().value;
  return oldest === undefined ? 0 : performance.now() - oldest;
}

/**
 * @param {{ maxInflight: number; maxLagMs: number; maxDbWaitMs?: number; dbQueueAge?: () => number; retryAfterSeconds?: number }} options
 *   maxLagMs 0 turns the lag signal off; maxDbWaitMs 0 (the default) turns the database signal off.
 */
export function createOverloadGate({ maxInflight, maxLagMs, maxDbWaitMs = 0, dbQueueAge = dbQueueAgeMs, retryAfterSeconds = 1 }) {
  let inflight = 0;
  let shed = 0;
  // Lag = how late the sampling timer fires. It decays rather than resetting, so one on-time tick
  // in the middle of a saturated stretch does not reopen the door to a burst.
  let lagMs = 0;
  /** @type {NodeJS.Timeout | undefined} */
  let timer;
  if (maxLagMs > 0) {
    let expected = performance.now() + SAMPLE_MS;
    timer = setInterval(() => {
      const now = performance.now();
      const late = Math.max(0, now - expected);
      lagMs = late >= lagMs ? late : lagMs * 0.5 + late * 0.5;
      expected = now + SAMPLE_MS;
    }, SAMPLE_MS);
    timer.unref();
  }

  const body = JSON.stringify({
    error: {
      message: `The gateway is overloaded. Retry after ${retryAfterSeconds} s.`,
      type: "server_error",
      code: "overloaded",
      param: null,
    },
  });

  return {
    /** Requests this process is serving on /v1 now. */
    get inflight() {
      return inflight;
    },
    /** Requests answered 503 so far. */
    get shed() {
      return shed;
    },
    /** The current event-loop lag estimate, in milliseconds. */
    get lagMs() {
      return lagMs;
    },

    /**
     * Admits or sheds one request. Returns true when it answered 503 (the caller must do nothing
     * more with it); otherwise the request is counted until its response closes.
     * @param {import("node:http").IncomingMessage} req
     * @param {import("node:http").ServerResponse} res
     */
    shedIfOverloaded(req, res) {
      const url = req.url ?? "";
      if (!url.startsWith("/v1/")) return false;
      // Lag alone sheds only with work of our own in flight: a lone request delayed by a GC pause or a
      // noisy neighbour is better served late than refused.
      if (
        inflight >= maxInflight ||
        (maxLagMs > 0 && lagMs > maxLagMs && inflight >= LAG_MIN_INFLIGHT) ||
        (maxDbWaitMs > 0 && dbQueueAge() > maxDbWaitMs)
      ) {
        shed++;
        res.writeHead(503, {
          "content-type": "application/json",
          "content-length": Buffer.byteLength(body),
          "retry-after": String(retryAfterSeconds),
          "x-request-id": requestId(),
        });
        res.end(body);
        return true;
      }
      inflight++;
      res.once("close", () => inflight--);
      return false;
    },

    close() {
      if (timer) clearInterval(timer);
    },
  };
}
