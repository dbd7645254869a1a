// The overload gate's decisions without a server: the lag estimate, the signal that sheds, and the log
// of each episode. The gate in front of the real route handlers is in ./overload.int.test.ts.
import { EventEmitter } from "node:events";
import type http from "node:http";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createMajorGcWatch, createOverloadGate, limitState, nextLagEstimate, nextLimit, timingOf } from "./overload.js";

/** Feeds samples (how late each was, in ms) through nextLagEstimate and returns the estimate after each. */
function estimates(lates: number[]) {
  let estimate = 0;
  let previous = 0;
  return lates.map((late) => {
    estimate = nextLagEstimate(estimate, previous, late);
    previous = late;
    return estimate;
  });
}

describe("nextLagEstimate", () => {
  it("ignores one late sample between on-time ones: a pause is not saturation", () => {
    expect(Math.max(...estimates([0, 0, 120, 0, 0]))).toBe(0);
    expect(Math.max(...estimates([1, 2, 300, 1, 90, 2]))).toBeLessThan(3);
  });

  it("rises at once when lateness lasts two samples, and decays by halves after", () => {
    const e = estimates([0, 60, 50, 0, 0, 0]);
    expect(e[1]).toBe(0); // one late sample: not yet
    expect(e[2]).toBe(50); // two: the smaller of them
    expect(e[3]).toBe(25); // one on-time sample halves it rather than clearing it
    expect(e[4]).toBe(12.5);
  });
});

describe("nextLimit", () => {
  const bounds = { targetMs: 100, targetLagMs: 10, min: 8, max: 256 };
  const busy = { ...bounds, cpuShare: 0.95, answers: 50, lagMs: 1 };
  type Period = Parameters<typeof nextLimit>[1];
  /** The limit after one period, from a state with no cut pending. */
  const next = (limit: number, period: Period) => nextLimit(limitState(limit), period).limit;

  it("cuts to 80% of the most in flight while a busy process runs over either target, never below the floor", () => {
    expect(next(120, { ...busy, overheadMs: 125, peakInflight: 100 })).toBe(80); // answers over budget
    expect(next(120, { ...busy, overheadMs: 20, lagMs: 40, peakInflight: 100 })).toBe(80); // the loop late
    expect(next(50, { ...busy, overheadMs: 125, peakInflight: 100 })).toBe(40); // of the limit when more were in flight
    expect(next(20, { ...busy, overheadMs: 400, peakInflight: 10 })).toBe(8);
  });

  it("does not cut while its own requests fill less than half the limit: the process is busy with something else", () => {
    expect(next(64, { ...busy, overheadMs: 20, lagMs: 80, peakInflight: 5 })).toBe(64); // starting up, say
  });

  it("grows by a tenth only while the limit is what holds requests back and the process is within its targets (or no answer finished)", () => {
    expect(next(100, { ...busy, overheadMs: 20, peakInflight: 95 })).toBeCloseTo(111);
    expect(next(100, { ...busy, overheadMs: 0, answers: 0, peakInflight: 95 })).toBeCloseTo(111); // streams, still going
    expect(next(100, { ...busy, overheadMs: 20, peakInflight: 60 })).toBe(90); // not binding: see below
    expect(next(100, { ...busy, overheadMs: 95, peakInflight: 100 })).toBeCloseTo(111); // within the budget, just
    expect(next(100, { ...busy, overheadMs: 20, lagMs: 9, peakInflight: 100 })).toBeCloseTo(111); // the loop within its target
    expect(next(250, { ...busy, overheadMs: 0, peakInflight: 250 })).toBe(256); // the ceiling
  });

  it("neither cuts nor grows for slowness the process did not cause (a slow database, a neighbour on its core)", () => {
    const idle = { ...bounds, cpuShare: 0.2, answers: 50 };
    expect(next(64, { ...idle, overheadMs: 400, lagMs: 50, peakInflight: 64 })).toBe(64);
    expect(next(64, { ...idle, rest: 64, overheadMs: 400, lagMs: 50, peakInflight: 12 })).toBe(64);
  });

  it("returns to where it starts once calm after a cut, so that a moderate load is not refused while it climbs", () => {
    expect(next(37, { ...busy, rest: 64, overheadMs: 30, peakInflight: 30 })).toBe(64);
    expect(next(37, { ...busy, rest: 64, overheadMs: 130, peakInflight: 15 })).toBe(37); // still slow: no
  });

  it("follows the demand down while it does not bind, so that a flood does not find the limit a heavier load earned", () => {
    expect(next(200, { ...busy, rest: 64, overheadMs: 30, peakInflight: 30 })).toBe(180); // a tenth a period
    expect(next(200, { ...busy, rest: 64, overheadMs: 30, peakInflight: 171 })).toBe(190); // not below what was in flight, with margin
    expect(next(70, { ...busy, rest: 64, overheadMs: 30, peakInflight: 10 })).toBe(64); // nor below where it starts
    let limit = 240;
    for (let period = 0; period < 20; period++) limit = next(limit, { ...busy, rest: 64, overheadMs: 30, peakInflight: 50 });
    expect(limit).toBeCloseTo(64, 0); // 50 connections after 200: back to the start in 2 s
  });

  it("leaves a signal out when its target is 0", () => {
    expect(next(100, { ...busy, targetLagMs: 0, overheadMs: 20, lagMs: 500, peakInflight: 100 })).toBeCloseTo(111);
  });

  describe("judging a cut", () => {
    const slow = { ...busy, overheadMs: 150, peakInflight: 200, arrivals: 120 };
    const cut = () => nextLimit(limitState(200), slow);

    it("waits for answers admitted after a cut before cutting again: the ones admitted before were slow for the old limit", () => {
      const state = cut();
      expect(state.limit).toBe(160);
      const waiting = nextLimit(state, { ...slow, peakInflight: 160, fresh: 10, freshOverheadMs: 140 });
      expect(waiting.limit).toBe(160);
      expect(nextLimit(waiting, { ...slow, peakInflight: 160, fresh: 30, freshOverheadMs: 120 }).limit).toBe(128);
    });

    it("keeps a cut that made the process quick again, and grows from it as usual", () => {
      const after = nextLimit(cut(), { ...busy, overheadMs: 80, peakInflight: 160, arrivals: 110 });
      expect(after.limit).toBeCloseTo(177);
      expect(after.cut).toBeUndefined();
    });

    it("keeps a cut after which clients only catch up (arrivals under twice those before)", () => {
      const state = nextLimit(cut(), { ...slow, peakInflight: 160, arrivals: 230 });
      expect(state.limit).toBe(128); // kept, and still slow: cut again
    });

    it("keeps cutting an open loop: its arrivals do not depend on the limit", () => {
      let state = limitState(200);
      for (let period = 0; period < 12; period++) state = nextLimit(state, { ...slow, peakInflight: state.limit, arrivals: 500 + (period % 3) * 20 });
      expect(state.limit).toBeLessThan(60);
    });

    it("undoes a cut that brought the refused straight back, and pauses cutting (not growth) for a second, then two, while cuts keep doing so", () => {
      // Clients that retry a 503 at once: refusing them costs the core more than serving them would.
      const pending = nextLimit(cut(), { ...slow, peakInflight: 160, fresh: 0, arrivals: 900 });
      expect(pending.limit).toBe(160); // answers still from before the cut: too early to tell
      const undone = nextLimit(pending, { ...slow, peakInflight: 160, arrivals: 500 });
      expect(undone.limit).toBe(200);
      expect(undone.cut).toBeUndefined();
      let state = undone;
      for (let period = 0; period < 10; period++) {
        state = nextLimit(state, slow);
        expect(state.limit).toBe(200); // still slow, but no cut for 10 periods
      }
      state = nextLimit(state, slow);
      expect(state.limit).toBe(160); // tried again
      state = nextLimit(state, { ...slow, peakInflight: 160, arrivals: 900 });
      expect(state.limit).toBe(200); // and undone again
      expect(nextLimit(state, { ...slow, overheadMs: 20 }).limit).toBeCloseTo(221); // growth goes on
      for (let period = 0; period < 20; period++) state = nextLimit(state, slow);
      expect(state.limit).toBe(200); // no cut for 20 periods now
      state = nextLimit(state, slow);
      expect(state.limit).toBe(160);
      state = nextLimit(state, { ...slow, peakInflight: 160, arrivals: 900 });
      for (let period = 0; period < 20; period++) state = nextLimit(state, slow);
      expect(nextLimit(state, slow).limit).toBe(160); // and no longer: 2 s at most
    });
  });
});

describe("timingOf", () => {
  it("is the answer's total, and its total less its upstream time, from Server-Timing", () => {
    const timing = timingOf("auth;dur=0.02, parse;dur=0.05, hold;dur=3.10, upstream;dur=51.00, settle;dur=4.20, total;dur=58.40");
    expect(timing?.total).toBeCloseTo(58.4);
    expect(timing?.overhead).toBeCloseTo(7.4);
    expect(timingOf("auth;dur=0.02, total;dur=0.50")?.overhead).toBeCloseTo(0.5); // refused before any provider call
    expect(timingOf("auth;dur=0.02")).toBeUndefined();
    expect(timingOf(null)).toBeUndefined();
  });
});

/** A response the gate can answer; `answered` holds what it wrote. */
function fakeExchange(url: string) {
  const answered: { status?: number; body?: string } = {};
  const res = Object.assign(new EventEmitter(), {
    writeHead: (status: number) => { answered.status = status; },
    end: (body?: string) => { answered.body = body; },
  });
  return { req: { url } as http.IncomingMessage, res: res as unknown as http.ServerResponse & EventEmitter, answered };
}

describe("shedding episodes", () => {
  afterEach(() => vi.useRealTimers());

  it("counts each refusal by its signal, says which in the message, and logs an episode once at its start and once at its end", async () => {
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval", "setTimeout", "clearTimeout", "performance"] });
    let dbAge = 0;
    const lines: string[] = [];
    const gate = createOverloadGate({ maxInflight: 2, maxLagMs: 0, maxDbWaitMs: 100, dbQueueAge: () => dbAge, onLog: (l) => lines.push(l) });
    const held = [fakeExchange("/v1/chat/completions"), fakeExchange("/v1/chat/completions")];
    for (const x of held) expect(gate.shedIfOverloaded(x.req, x.res)).toBe(false);

    const full = fakeExchange("/v1/chat/completions");
    expect(gate.shedIfOverloaded(full.req, full.res)).toBe(true);
    expect(full.answered.status).toBe(503);
    expect(JSON.parse(full.answered.body!)).toMatchObject({ error: { code: "overloaded", message: expect.stringContaining("too many requests in flight") } });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^shedding load \(too many requests in flight\): 2 requests in flight/);

    held[0]!.res.emit("close");
    dbAge = 150;
    const slowDb = fakeExchange("/v1/embeddings");
    expect(gate.shedIfOverloaded(slowDb.req, slowDb.res)).toBe(true);
    expect(JSON.parse(slowDb.answered.body!).error.message).toContain("the database is busy");
    expect(lines).toHaveLength(1); // the same episode

    expect(gate.shedBy).toEqual({ inflight: 1, lag: 0, database: 1 });
    expect(gate.shed).toBe(2);

    await vi.advanceTimersByTimeAsync(2500); // a quiet second ends the episode
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/^stopped shedding load: 2 requests answered 503 over [\d.]+ s \(inflight 1, database 1\)$/);

    dbAge = 0;
    const served = fakeExchange("/v1/embeddings");
    expect(gate.shedIfOverloaded(served.req, served.res)).toBe(false);
    gate.close();
    expect(lines).toHaveLength(2); // no episode open, nothing more to say
  });

  it("adapts its in-flight limit: grown while it binds and answers are quick, cut while answers run over budget on a busy process", async () => {
    // Real timers; the process's CPU time is told: busy means a core's worth of CPU per ms of wall time.
    let busy = false;
    let cpuMs = 0;
    let last = performance.now();
    const cpuTime = () => {
      const now = performance.now();
      if (busy) cpuMs += now - last;
      last = now;
      return cpuMs;
    };
    const gate = createOverloadGate({ maxInflight: 256, maxLagMs: 0, targetOverheadMs: 100, targetLagMs: 0, cpuTime });
    expect(gate.limit).toBe(64);
    const open = Array.from({ length: 64 }, () => fakeExchange("/v1/chat/completions"));
    for (const x of open) expect(gate.shedIfOverloaded(x.req, x.res)).toBe(false);
    const refused = fakeExchange("/v1/chat/completions");
    expect(gate.shedIfOverloaded(refused.req, refused.res)).toBe(true);
    expect(JSON.parse(refused.answered.body!).error.message).toContain("too many requests in flight");

    await new Promise((r) => setTimeout(r, 350)); // binding, no slow answers: it grows
    const grown = gate.limit;
    expect(grown).toBeGreaterThan(64);
    expect(gate.shedIfOverloaded(refused.req, refused.res)).toBe(false); // the 65th now gets in
    // Fill the grown limit, so that it still binds.
    while (gate.inflight < gate.limit) {
      const x = fakeExchange("/v1/chat/completions");
      expect(gate.shedIfOverloaded(x.req, x.res)).toBe(false);
      open.push(x);
    }
    const admitted = gate.inflight;

    // Every answer spends 350 ms in the gateway beyond its provider's 50 — but the process is idle
    // (a slow database, say): no cut (nor growth).
    const slow = new Headers({ "server-timing": "hold;dur=150.00, upstream;dur=50.00, settle;dur=200.00, total;dur=400.00" });
    const answering = setInterval(() => gate.observe(slow), 2);
    await new Promise((r) => setTimeout(r, 300));
    expect(gate.limit).toBeGreaterThanOrEqual(grown);

    // The same answers on a busy process: cut.
    busy = true;
    await new Promise((r) => setTimeout(r, 300));
    clearInterval(answering);
    expect(gate.limit).toBeLessThanOrEqual(Math.floor(admitted * 0.8));
    expect(gate.limit).toBeGreaterThanOrEqual(8);
    for (const x of [...open, refused]) x.res.emit("close");
    gate.close();
  });

  it("tells answers admitted after a cut from those before it, by their total time, and undoes a cut when the refused come straight back", () => {
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval", "setTimeout", "clearTimeout", "performance"] });
    const gate = createOverloadGate({ maxInflight: 256, maxLagMs: 0, targetOverheadMs: 100, targetLagMs: 0, cpuTime: () => performance.now() });
    const open = Array.from({ length: 64 }, () => fakeExchange("/v1/chat/completions"));
    for (const x of open) expect(gate.shedIfOverloaded(x.req, x.res)).toBe(false);
    /** For `ms`, an answer every 5 ms (`total` ms since its arrival, `upstream` of them the provider's) and `retries` refused requests. */
    const run = (ms: number, total: number, upstream: number, retries = 0) => {
      const headers = new Headers({ "server-timing": `upstream;dur=${upstream}.00, total;dur=${total}.00` });
      for (let t = 0; t < ms; t += 5) {
        gate.observe(headers);
        for (let n = 0; n < retries; n++) {
          const x = fakeExchange("/v1/chat/completions");
          expect(gate.shedIfOverloaded(x.req, x.res)).toBe(true);
        }
        vi.advanceTimersByTime(5);
      }
    };
    run(100, 200, 50); // 150 ms of overhead on a busy process, the limit full: cut
    expect(gate.limit).toBe(51);
    run(200, 400, 50); // still slow, but admitted before the cut: no second cut
    expect(gate.limit).toBe(51);
    run(100, 150, 0); // admitted after it, still slow: cut again
    expect(gate.limit).toBe(40);
    run(200, 150, 0, 10); // and the refused come straight back, 200 a period (none before): undone
    expect(gate.limit).toBe(51);
    run(800, 150, 0, 10); // and no cut for a second
    expect(gate.limit).toBe(51);
    run(300, 150, 0, 10);
    expect(gate.limit).toBe(40);
    for (const x of open) x.res.emit("close");
    gate.close();
  });
});

/** Runs `turns` turns of the event loop of `ms` each, letting timers (the gate's sampler) run between them. */
async function lateTurns(turns: number, ms: number) {
  for (let i = 0; i < turns; i++) {
    const until = performance.now() + ms;
    while (performance.now() < until);
    await new Promise((r) => setTimeout(r, 0));
  }
}

describe("the lag signal", () => {
  it("sheds while the loop stays late, but not for the late turns of V8's old-generation collection", async () => {
    for (const collecting of [false, true]) {
      const gate = createOverloadGate({ maxInflight: 64, maxLagMs: 20, majorGc: () => collecting });
      for (let i = 0; i < 4; i++) {
        const x = fakeExchange("/v1/chat/completions");
        expect(gate.shedIfOverloaded(x.req, x.res)).toBe(false);
      }
      await lateTurns(3, 60);
      const next = fakeExchange("/v1/chat/completions");
      expect(gate.shedIfOverloaded(next.req, next.res), collecting ? "while collecting" : "a late loop").toBe(!collecting);
      if (!collecting) expect(JSON.parse(next.answered.body!).error.message).toContain("the server is busy");
      gate.close();
    }
  });

  it("knows a major collection from V8's own report, and for a moment after it", async () => {
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as () => void;
    const watch = createMajorGcWatch();
    expect(watch.collecting()).toBe(false);
    gc(); // a full mark-compact
    await new Promise((r) => setTimeout(r, 10)); // its report comes in a later turn
    expect(watch.collecting()).toBe(true);
    await new Promise((r) => setTimeout(r, 300));
    expect(watch.collecting()).toBe(false);
    watch.close();
  });
});
