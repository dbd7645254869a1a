// The overload gate's decisions without a server: the lag estimate, the signal that sheds, and the log
// of each episode. The gate in front of the real route handlers is in ./overload.int.test.ts.
import { EventEmitter } from "node:events";
import type http from "node:http";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createOverloadGate, nextLagEstimate } from "./overload.js";

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
});
