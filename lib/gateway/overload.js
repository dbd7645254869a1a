// @ts-check
// Load shedding for /v1: past a per-process limit, a gateway request is answered at once with 503
// `overloaded` and `retry-after` instead of queueing into multi-second tails. Plain JavaScript so the
// production server (scripts/server.js) decides before Next routes anything — a shed request costs
// microseconds and never reaches the pipeline, so it never holds, charges or records anything.
//
// Three signals, any one sheds:
// - in-flight gateway requests of this process at its limit. The limit adapts (see nextLimit): it
//   shrinks while a busy process is slow — its event loop later than GATEWAY_TARGET_LAG_MS, or its
//   answers spending more than GATEWAY_TARGET_OVERHEAD_MS beyond the provider's time (read from each
//   answer's Server-Timing) — and grows back, up to GATEWAY_MAX_INFLIGHT, while the limit is what holds
//   requests back and the process is quick. A fixed limit cannot suit every load: the hundreds that
//   streams need (each waiting seconds on its provider, costing nothing meanwhile) let short calls in
//   at four times what one core can serve, and the excess then queues in the event loop, where every
//   request — the ones to refuse included — waits its turn to be read;
// - a request waiting for a database connection for longer than GATEWAY_MAX_DB_WAIT_MS: the database
//   (or one hot account's row, which every hold and settlement of that account locks until it
//   commits) is the bottleneck, and neither the in-flight count nor the event loop can see a queue
//   there. The queue's age, not its length: forty waiters are 10 ms on a fast database and seconds
//   behind a hot row, and a length limit that suits one sheds needlessly or too late on the other;
// - the event loop running late by more than GATEWAY_MAX_LAG_MS, sample after sample, while requests
//   are in flight. A CPU-bound process queues work in its event loop, where an in-flight count cannot
//   see it (a streaming request waiting on its provider costs nothing; one being routed costs a
//   millisecond), so lag is what tells "busy" from "saturated" whatever the upstream latency. One late
//   sample is a pause (a GC, a noisy neighbour taking the core), not saturation: the requests that
//   queued up behind it are read in the very next turn of the loop, and refusing them all would turn a
//   pause into a burst of 503s. Nor are the samples taken while V8 collects its old generation (see
//   createMajorGcWatch): that pause comes in several long turns in a row.
//
// Each episode of shedding is logged once when it starts and once when it ends, with its count by
// signal (`onLog`), so that an operator can tell which limit to raise.
import { randomBytes } from "node:crypto";
import { constants as perfConstants, PerformanceObserver } from "node:perf_hooks";

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
/** An episode of shedding ends after this long without a shed request. */
const EPISODE_QUIET_MS = 1000;
/** How often the adaptive in-flight limit is revised: about one short request's lifetime. */
const CONTROL_MS = 100;
/** The adaptive limit's floor, and where it starts (both at most GATEWAY_MAX_INFLIGHT). */
const MIN_LIMIT = 8;
const START_LIMIT = 64;
/**
 * Below this share of one core used by the process, slow answers are not its own doing: a database
 * that has slowed down, or a neighbour taking the core. Cutting the limit then would only refuse
 * requests the process has the time to serve — and on a database hiccup, turn a slowdown into an
 * outage.
 */
const BUSY_CPU_SHARE = 0.8;

/**
 * How long after a major GC's end its samples still do not count: the turn that serves what queued up
 * during the collection comes late too (measured: 70–80 ms after a 30 ms mark-compact, at 600 requests a
 * second).
 */
const MAJOR_GC_GRACE_MS = 150;
/** Incremental marking that has not finished after this long no longer excuses lateness. */
const MAJOR_GC_MAX_MS = 1000;

/**
 * Whether V8 is collecting the old generation now (or was, MAJOR_GC_GRACE_MS ago). V8 reports the start
 * of incremental marking and the mark-compact that ends it; in between, its marking steps and the final
 * pause make several turns of the loop in a row late (measured: 44–94 ms each, 2–4 in a row, once every
 * ~30 s at 600 requests a second) — which the lag signal, reading two late samples as saturation, took
 * for overload and shed: hundreds of 503s per collection on a process with half its core free.
 * @returns {{ collecting: () => boolean; close: () => void }}
 */
export function createMajorGcWatch() {
  let markingSince = -Infinity;
  let quietAfter = -Infinity;
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const kind = /** @type {{ detail?: { kind?: number } }} */ (/** @type {unknown} */ (entry)).detail?.kind;
      if (kind === perfConstants.NODE_PERFORMANCE_GC_INCREMENTAL) markingSince = entry.startTime;
      else if (kind === perfConstants.NODE_PERFORMANCE_GC_MAJOR) {
        markingSince = -Infinity;
        quietAfter = entry.startTime + entry.duration + MAJOR_GC_GRACE_MS;
      }
    }
  });
  observer.observe({ entryTypes: ["gc"] });
  return {
    collecting: () => {
      const now = performance.now();
      return now - markingSince < MAJOR_GC_MAX_MS || now < quietAfter;
    },
    close: () => observer.disconnect(),
  };
}

/** @typedef {"inflight" | "lag" | "database"} ShedSignal */
/** @type {Record<ShedSignal, string>} */
const SIGNAL_WORDS = {
  inflight: "too many requests in flight",
  lag: "the server is busy",
  database: "the database is busy",
};

/**
 * The lag estimate after one more sample. Only sustained lateness counts — the smaller of the last two
 * samples — so that one pause does not shed; it rises at once and decays by halves, so that one
 * on-time sample in a saturated stretch does not reopen the door to a burst.
 * @param {number} estimate the estimate so far, in ms
 * @param {number} previousLate how late the previous sample was, in ms
 * @param {number} late how late this sample was, in ms
 */
export function nextLagEstimate(estimate, previousLate, late) {
  const sustained = Math.min(previousLate, late);
  return sustained >= estimate ? sustained : estimate * 0.5 + sustained * 0.5;
}

/**
 * After a cut that brought the refused straight back, no cut for this many control periods, doubling up
 * to MAX_ while that recurs. Not longer: a pause that outlasts the load that caused it leaves a limit
 * that cannot be cut when the next load (a flood) needs it.
 */
const FAILED_CUT_BACKOFF = 10;
const MAX_FAILED_CUT_BACKOFF = 20;
/**
 * Requests arriving while a cut is pending (admitted and refused, per period) more than this many times
 * as many as before it (plus CAME_BACK_SLACK, for small numbers) tell that the refused came straight
 * back. An open loop's arrivals do not depend on the limit. Not much less than 2: a cut also lets
 * clients that were late catch up (measured: a load driver sharing a core with the database sent 2.2
 * times as many for two periods after a cut had eased the database).
 */
const CAME_BACK = 2;
const CAME_BACK_SLACK = 8;
/** Weight of each period's arrivals in their running mean. */
const ARRIVALS_WEIGHT = 0.2;

/**
 * The adaptive limit's state between control periods: the limit; the running mean of arrivals per
 * period (admitted and refused; not updated while a cut is pending); the last cut while its effect is
 * not yet known (`cut`: the limit before it, the mean arrivals before it, and the arrivals and periods
 * since); after a cut that brought the refused straight back, how many periods no cut is tried
 * (`noCutFor`) and the next such pause (`backoff`).
 * @typedef {{ limit: number; arrivals?: number; cut?: { from: number; arrivalsBefore: number; arrivals: number; periods: number }; noCutFor: number; backoff: number }} LimitState
 */

/**
 * A fresh limit state starting at `limit`.
 * @param {number} limit
 * @returns {LimitState}
 */
export function limitState(limit) {
  return { limit, noCutFor: 0, backoff: FAILED_CUT_BACKOFF };
}

/**
 * The limit state for the next control period.
 * - Slow — answers over the overhead budget, or the event loop later than its target — while this
 *   process used the CPU and its requests filled at least half the limit ⇒ cut to 80% of the most in
 *   flight in the period: its own queue made it slow, so a shorter queue makes it quick. A loop that
 *   keeps time is what lets the gate read, and refuse, the requests it cannot serve at once: when
 *   admitted work fills the core, the refusals wait in the sockets behind it.
 * - One cut at a time: the next waits until most answers come from requests admitted after it
 *   (`fresh`). Those admitted before were slow for the old limit; cutting again on their account would
 *   cut twice for one queue.
 * - A cut must shed load. Requests arriving, while it is pending, at more than twice the pace of before
 *   it (CAME_BACK) ⇒ back to the limit before it, with no cut for a second (two while cuts keep doing
 *   so; growth goes on as usual). That is what a cut does to clients that retry a 503 at once, whatever
 *   its `retry-after`: each refused one comes straight back, the refusals crowd the event loop that the
 *   answers need, the answers get no quicker, and the next cut makes it worse — measured, a closed loop
 *   of 200 such clients cut from 200 to 8 and fell from 1,200 answers a second to 229. A flood that does
 *   not come back (an open loop) arrives at its own pace whatever the limit, and cuts go on.
 * - The limit binding (in flight reached 90% of it) while the process was within both targets ⇒ grow
 *   by 10% (+1, so that a small limit can grow). Compounding every CONTROL_MS, that climbs from 64 to
 *   1,000 in under 3 s when the work really is cheap (streams waiting on their providers). Binding
 *   and slow while the CPU was left idle (the slowness is someone else's: a database that slowed
 *   down, a neighbour on the core, which refusing our requests would not cure) ⇒ keep it.
 * - Not binding, within both targets (or idle) ⇒ down by a tenth towards what is in flight, or up to
 *   where it starts (`rest`) if below it.
 * - Otherwise keep it.
 * So a binding limit settles just where the process turns slow, cut and grown in turn; no band in
 * between, where a limit cut once (by a cold start, a burst) would stay below the load it can serve.
 * @param {LimitState} state the state so far
 * @param {{ overheadMs: number; answers: number; freshOverheadMs?: number; fresh?: number; arrivals?: number; lagMs: number; cpuShare: number; peakInflight: number; targetMs: number; targetLagMs: number; min: number; max: number; rest?: number }} now
 *   overheadMs: the mean overhead of the `answers` that finished in the period; fresh, freshOverheadMs:
 *   how many of them were admitted after the last cut, and their mean overhead (default: all of them);
 *   arrivals: the requests that arrived in the period, admitted or refused; lagMs: the mean lag
 *   estimate over the period; cpuShare: the CPU time the process used over the period's wall time;
 *   peakInflight: the most in flight at once in the period. A target of 0 turns its signal off. rest:
 *   where the limit starts, and returns to when calm.
 * @returns {LimitState}
 */
export function nextLimit(state, { overheadMs, answers, freshOverheadMs = overheadMs, fresh = answers, arrivals = 0, lagMs, cpuShare, peakInflight, targetMs, targetLagMs, min, max, rest = min }) {
  const { limit } = state;
  const mayCut = state.noCutFor === 0;
  const noCutFor = Math.max(0, state.noCutFor - 1);
  // How far over each target (1 = on it); 0 where a signal is off or has nothing to say.
  const lagRatio = targetLagMs > 0 ? lagMs / targetLagMs : 0;
  const over = Math.max(targetMs > 0 && answers > 0 ? overheadMs / targetMs : 0, lagRatio);
  const freshOver = Math.max(targetMs > 0 && fresh > 0 ? freshOverheadMs / targetMs : 0, lagRatio);
  const busy = cpuShare >= BUSY_CPU_SHARE;

  if (state.cut) {
    const cut = { ...state.cut, arrivals: state.cut.arrivals + arrivals, periods: state.cut.periods + 1 };
    // Most answers still from before the cut (or none, and no loop to read): too early to tell, and
    // too early to cut again.
    if (fresh * 2 < answers || (fresh === 0 && targetLagMs === 0)) return { ...state, cut, noCutFor };
    if (cut.arrivals / cut.periods > cut.arrivalsBefore * CAME_BACK + CAME_BACK_SLACK) {
      return { limit: cut.from, arrivals: state.arrivals, noCutFor: state.backoff, backoff: Math.min(MAX_FAILED_CUT_BACKOFF, state.backoff * 2) };
    }
    // Kept: the arrivals since it are what the next cut compares with.
    state = { limit, arrivals: cut.arrivals / cut.periods, noCutFor, backoff: FAILED_CUT_BACKOFF };
  } else {
    state = { ...state, arrivals: state.arrivals === undefined ? arrivals : state.arrivals + (arrivals - state.arrivals) * ARRIVALS_WEIGHT, noCutFor };
  }

  // Only while our own requests fill the limit: a busy, slow process with few of them in flight is
  // busy with something else (starting up, a page, a GC), which a lower limit would not cure.
  if (freshOver > 1 && busy && peakInflight >= limit * 0.5) {
    if (!mayCut) return state;
    return { ...state, limit: Math.max(min, Math.min(limit, peakInflight) * 0.8), cut: { from: limit, arrivalsBefore: state.arrivals ?? arrivals, arrivals: 0, periods: 0 } };
  }
  if (peakInflight >= limit * 0.9) {
    // Binding and slow but not busy — a database that slowed down, a neighbour taking the core, a CPU
    // quota — neither: a cut would not cure what the process did not cause, and growth would hand more
    // work to a process short of CPU or waiting on its database (measured: grown so from 64 to 320
    // while a neighbour held half the core, into 5 s client timeouts).
    return over <= 1 ? { ...state, limit: Math.min(max, limit * 1.1 + 1) } : state;
  }
  if (over <= 1 || !busy) {
    // Not binding: follow the demand down by a tenth a period, never below what was in flight (with
    // the growth step's margin) nor below where it starts. A limit a heavy load earned must not be what
    // a sudden flood finds later: it admits that many at once, whose work then queues in the event
    // loop before the loop's lateness can refuse anything. And calm again after a cut: back to where
    // it starts at once, so that the next moderate load is not refused while the limit climbs.
    return { ...state, limit: Math.max(rest, Math.min(limit, Math.max(limit * 0.9, peakInflight / 0.9))) };
  }
  return state;
}

/**
 * An answer's time from its Server-Timing header (lib/gateway/timing.ts): `total` (arrival to headers)
 * and the gateway's own part of it, `overhead` (`total` less `upstream`, the provider's, to its first
 * byte for a stream). Undefined when the header lacks a total.
 * @param {string | null} header
 * @returns {{ total: number; overhead: number } | undefined}
 */
export function timingOf(header) {
  if (!header) return undefined;
  const total = /(?:^|,\s*)total;dur=([\d.]+)/.exec(header);
  if (!total) return undefined;
  const upstream = /(?:^|,\s*)upstream;dur=([\d.]+)/.exec(header);
  return { total: Number(total[1]), overhead: Number(total[1]) - (upstream ? Number(upstream[1]) : 0) };
}

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

/** The process's CPU time so far (user and system, all threads), in ms. */
function processCpuMs() {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/**
 * @param {{ maxInflight: number; maxLagMs: number; targetOverheadMs?: number; targetLagMs?: number; maxDbWaitMs?: number; dbQueueAge?: () => number; cpuTime?: () => number; majorGc?: () => boolean; retryAfterSeconds?: number; onLog?: (line: string) => void }} options
 *   maxLagMs 0 turns the lag signal off; targetOverheadMs and targetLagMs both 0 (the default) keep
 *   the in-flight limit fixed at maxInflight; maxDbWaitMs 0 (the default) turns the database signal off; cpuTime: the
 *   process's CPU time so far, in ms; majorGc: whether a lag sample now is V8's doing (default: createMajorGcWatch).
 */
export function createOverloadGate({ maxInflight, maxLagMs, targetOverheadMs = 0, targetLagMs = 0, maxDbWaitMs = 0, dbQueueAge = dbQueueAgeMs, cpuTime = processCpuMs, majorGc, retryAfterSeconds = 1, onLog = () => {} }) {
  let inflight = 0;
  const adaptive = targetOverheadMs > 0 || targetLagMs > 0;
  // The answers of the current control period: their count and summed overhead, and the same for those
  // admitted since the last cut (see observe()).
  let answers = 0;
  let overheadSum = 0;
  let fresh = 0;
  let freshOverheadSum = 0;
  let state = limitState(adaptive ? Math.min(maxInflight, START_LIMIT) : maxInflight);
  let lastCutAt = -Infinity;
  // Requests that arrived in the current control period, admitted or refused.
  let arrivals = 0;
  let peakInflight = 0;
  /** @type {Record<ShedSignal, number>} */
  const shedBy = { inflight: 0, lag: 0, database: 0 };
  // Lag = how late the sampling timer fires (see nextLagEstimate).
  let lagMs = 0;
  /** @type {NodeJS.Timeout | undefined} */
  let sampler;
  /** @type {ReturnType<typeof createMajorGcWatch> | undefined} */
  let gcWatch;
  if (maxLagMs > 0 || adaptive) {
    if (!majorGc) {
      gcWatch = createMajorGcWatch();
      majorGc = gcWatch.collecting;
    }
    const collecting = majorGc;
    let expected = performance.now() + SAMPLE_MS;
    let previousLate = 0;
    // The control period: when it started, the CPU used by then, and when it ends.
    let periodStart = performance.now();
    let cpuAtStart = cpuTime();
    let periodEnds = periodStart + CONTROL_MS;
    let lagSum = 0;
    let lagSamples = 0;
    sampler = setInterval(() => {
      const now = performance.now();
      const late = Math.max(0, now - expected);
      expected = now + SAMPLE_MS;
      // A sample V8's collection made late says nothing of the load: the estimate keeps its value
      // (high in a saturated stretch, low otherwise) and the period's mean leaves it out.
      const counts = !collecting();
      if (counts) {
        lagMs = nextLagEstimate(lagMs, previousLate, late);
        previousLate = late;
      }
      if (!adaptive) return;
      if (counts) {
        lagSum += lagMs;
        lagSamples++;
      }
      if (now < periodEnds) return;
      const cpuNow = cpuTime();
      const cpuShare = (cpuNow - cpuAtStart) / (now - periodStart);
      const overheadMs = answers ? overheadSum / answers : 0;
      const freshOverheadMs = fresh ? freshOverheadSum / fresh : 0;
      state = nextLimit(state, { overheadMs, answers, freshOverheadMs, fresh, arrivals, lagMs: lagSamples ? lagSum / lagSamples : lagMs, cpuShare, peakInflight, targetMs: targetOverheadMs, targetLagMs, min: Math.min(MIN_LIMIT, maxInflight), max: maxInflight, rest: Math.min(START_LIMIT, maxInflight) });
      if (state.cut?.periods === 0) lastCutAt = now; // a cut just made
      lagSum = 0;
      lagSamples = 0;
      answers = 0;
      overheadSum = 0;
      fresh = 0;
      freshOverheadSum = 0;
      arrivals = 0;
      peakInflight = inflight;
      periodStart = now;
      cpuAtStart = cpuNow;
      periodEnds = now + CONTROL_MS;
    }, SAMPLE_MS);
    sampler.unref();
  }

  // The current episode of shedding: when it started, its last shed, and its counts by signal.
  /** @type {{ started: number; last: number; by: Record<ShedSignal, number> } | undefined} */
  let episode;
  const endEpisode = () => {
    if (!episode) return;
    const total = episode.by.inflight + episode.by.lag + episode.by.database;
    const by = Object.entries(episode.by).filter(([, n]) => n > 0).map(([signal, n]) => `${signal} ${n}`).join(", ");
    onLog(`stopped shedding load: ${total} requests answered 503 over ${((episode.last - episode.started) / 1000).toFixed(1)} s (${by})`);
    episode = undefined;
  };
  const watcher = setInterval(() => {
    if (episode && performance.now() - episode.last > EPISODE_QUIET_MS) endEpisode();
  }, EPISODE_QUIET_MS);
  watcher.unref();

  /** @param {ShedSignal} signal */
  const bodyFor = (signal) =>
    JSON.stringify({
      error: {
        message: `The gateway is overloaded (${SIGNAL_WORDS[signal]}). Retry after ${retryAfterSeconds} s.`,
        type: "server_error",
        code: "overloaded",
        param: null,
      },
    });
  const bodies = { inflight: bodyFor("inflight"), lag: bodyFor("lag"), database: bodyFor("database") };

  /** Which signal sheds this request now, if any. @returns {ShedSignal | undefined} */
  const signalNow = () => {
    if (inflight >= state.limit) return "inflight";
    // Lag alone sheds only with work of our own in flight: a lone request delayed by a GC pause or a
    // noisy neighbour is better served late than refused.
    if (maxLagMs > 0 && lagMs > maxLagMs && inflight >= LAG_MIN_INFLIGHT) return "lag";
    if (maxDbWaitMs > 0 && dbQueueAge() > maxDbWaitMs) return "database";
    return undefined;
  };

  return {
    /**
     * Takes one admitted answer's Server-Timing header (its response headers, as they go out) into the
     * adaptive limit's account.
     * @param {Headers} headers
     */
    observe(headers) {
      if (!adaptive) return;
      const timing = timingOf(headers.get("server-timing"));
      if (timing === undefined) return;
      answers++;
      overheadSum += timing.overhead;
      if (performance.now() - timing.total >= lastCutAt) {
        fresh++;
        freshOverheadSum += timing.overhead;
      }
    },

    /** Requests this process is serving on /v1 now. */
    get inflight() {
      return inflight;
    },
    /** Requests answered 503 so far. */
    get shed() {
      return shedBy.inflight + shedBy.lag + shedBy.database;
    },
    /** Requests answered 503 so far, by the signal that refused them. */
    get shedBy() {
      return { ...shedBy };
    },
    /** The in-flight limit now (GATEWAY_MAX_INFLIGHT, or below it while adapting). */
    get limit() {
      return Math.floor(state.limit);
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
      arrivals++;
      const signal = signalNow();
      if (signal) {
        shedBy[signal]++;
        const now = performance.now();
        if (!episode) {
          episode = { started: now, last: now, by: { inflight: 0, lag: 0, database: 0 } };
          const oldestDbWait = Math.round(dbQueueAge());
          onLog(`shedding load (${SIGNAL_WORDS[signal]}): ${inflight} requests in flight (limit ${Math.floor(state.limit)}), event loop ${Math.round(lagMs)} ms late, oldest database wait ${oldestDbWait} ms`);
        }
        episode.last = now;
        episode.by[signal]++;
        const body = bodies[signal];
        res.writeHead(503, {
          "content-type": "application/json",
          "content-length": Buffer.byteLength(body),
          "retry-after": String(retryAfterSeconds),
          "x-request-id": requestId(),
        });
        res.end(body);
        return true;
      }
      if (++inflight > peakInflight) peakInflight = inflight;
      res.once("close", () => inflight--);
      return false;
    },

    close() {
      if (sampler) clearInterval(sampler);
      gcWatch?.close();
      clearInterval(watcher);
      endEpisode();
    },
  };
}
