// Load shedding and stream forwarding through a real HTTP server: the overload gate of the production
// server (scripts/server.js) in front of the real /v1 route handlers, a mock upstream behind them.
import { EventEmitter } from "node:events";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { request } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startMockUpstream, type MockUpstream } from "@/bench/mock-upstream";
import { POST as chat } from "@/app/v1/chat/completions/route";
import { checkLedger } from "@/lib/billing/check-ledger";
import { db, Prisma, sqlQuery } from "@/lib/db";
import { env } from "@/lib/env.js";
import { accountState, createFunded } from "@/scripts/test/fixtures";
import nextConfig from "@/next.config.js";
import { invalidateModels } from "./models";
import { serveWebHandler } from "./node-handler.js";
import { createOverloadGate } from "./overload.js";

let mock: MockUpstream;

/** An HTTP server like the production one (scripts/server.js): the gate first, then the route handler served directly. */
async function serve(gate: ReturnType<typeof createOverloadGate>) {
  const server = http.createServer((req, res) => {
    if (gate.shedIfOverloaded(req, res)) return;
    void serveWebHandler(chat, req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }) };
}

function post(url: string, key: string, body: unknown, headers: Record<string, string> = {}) {
  return request(`${url}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
}

beforeAll(async () => {
  mock = await startMockUpstream({ chunks: 8 });
  await db.provider.create({ data: { id: "mock-load", name: "Mock", kind: "OPENAI_COMPATIBLE", baseUrl: `${mock.url}/v1` } });
  for (const [id, upstream] of [["load/slow", "mock:latency=600"], ["load/drip", "mock:chunks=5:spacing=150"]] as const) {
    await db.model.create({
      data: { id, type: "CHAT", providerId: "mock-load", upstreamModel: upstream, displayName: id, inputPerMtokMicros: 1_000_000n, outputPerMtokMicros: 2_000_000n, maxOutputTokens: 100 },
    });
  }
  invalidateModels();
});
afterAll(() => mock.close());

describe("load shedding", () => {
  it("sheds while a request has waited too long for a database connection, and serves again once the queue drains", async () => {
    let age = 150;
    const gate = createOverloadGate({ maxInflight: 100, maxLagMs: 0, maxDbWaitMs: 100, dbQueueAge: () => age });
    const server = await serve(gate);
    try {
      const { key, account } = await createFunded(10_000_000n);
      const body = { model: "sandbox/chat", messages: [{ role: "user", content: "Hello" }], max_tokens: 5 };
      const shed = await post(server.url, key, body);
      expect(shed.statusCode).toBe(503);
      expect(await shed.body.json()).toMatchObject({ error: { code: "overloaded" } });
      expect(await db.hold.count({ where: { accountId: account.id } })).toBe(0);

      age = 20;
      const served = await post(server.url, key, body);
      expect(served.statusCode).toBe(200);
      await served.body.json();
      expect(gate.shed).toBe(1);
    } finally {
      await server.close();
      gate.close();
    }
  });

  it("sees the real database queue: every pooled connection busy, a waiter older than the limit sheds", async () => {
    const gate = createOverloadGate({ maxInflight: 100, maxLagMs: 0, maxDbWaitMs: 100 });
    const server = await serve(gate);
    try {
      const { key } = await createFunded(10_000_000n);
      const body = { model: "sandbox/chat", messages: [{ role: "user", content: "Hello" }], max_tokens: 5 };
      // Occupy every connection of the pool for 600 ms, then queue one more statement behind them.
      const busy = Array.from({ length: env.DATABASE_POOL_SIZE + 1 }, () => sqlQuery(Prisma.sql`SELECT pg_sleep(0.6)`));
      await new Promise((r) => setTimeout(r, 250));
      const shed = await post(server.url, key, body);
      expect(shed.statusCode).toBe(503);
      await shed.body.json();
      await Promise.all(busy);
      const served = await post(server.url, key, body);
      expect(served.statusCode).toBe(200);
      await served.body.json();
    } finally {
      await server.close();
      gate.close();
    }
  });

  it("answers 503 overloaded with retry-after past the in-flight limit, and the shed request holds and records nothing", async () => {
    const gate = createOverloadGate({ maxInflight: 1, maxLagMs: 0 });
    const server = await serve(gate);
    try {
      const { key, account } = await createFunded(10_000_000n);
      const messages = [{ role: "user", content: "Hello" }];
      const first = post(server.url, key, { model: "load/slow", messages, max_tokens: 10 });
      // Wait until the first request is in flight (held, waiting on the slow upstream).
      for (let i = 0; i < 100 && (await db.hold.count({ where: { accountId: account.id } })) === 0; i++) await new Promise((r) => setTimeout(r, 20));
      expect(gate.inflight).toBe(1);

      const started = performance.now();
      const second = await post(server.url, key, { model: "load/slow", messages, max_tokens: 10 });
      const elapsed = performance.now() - started;
      expect(second.statusCode).toBe(503);
      expect(second.headers["retry-after"]).toBe("1");
      expect(second.headers["x-request-id"]).toMatch(/^req_/);
      expect(await second.body.json()).toEqual({
        error: { message: expect.stringContaining("overloaded"), type: "server_error", code: "overloaded", param: null },
      });
      expect(elapsed).toBeLessThan(300); // answered at once, not after the first request's 600 ms

      const done = await first;
      expect(done.statusCode).toBe(200);
      await done.body.json();
      // Exactly one hold and one usage record: the first request's. The shed one never reached the pipeline.
      expect(await db.hold.count({ where: { accountId: account.id } })).toBe(1);
      expect(await db.usageRecord.count({ where: { accountId: account.id } })).toBe(1);
      expect((await accountState(account.id)).reserved).toBe(0n);
      expect((await checkLedger()).ok).toBe(true);

      // The slot is free again once the first response closed.
      for (let i = 0; i < 50 && gate.inflight > 0; i++) await new Promise((r) => setTimeout(r, 10));
      const third = await post(server.url, key, { model: "load/slow", messages, max_tokens: 10 });
      expect(third.statusCode).toBe(200);
      await third.body.dump();
      expect(gate.shed).toBe(1);
    } finally {
      gate.close();
      await server.close();
    }
  });

  it("sheds only /v1 requests", () => {
    const gate = createOverloadGate({ maxInflight: 1, maxLagMs: 0 });
    const fake = (url: string) => {
      const res = Object.assign(new EventEmitter(), { writeHead: () => {}, end: () => {} });
      return gate.shedIfOverloaded({ url } as http.IncomingMessage, res as unknown as http.ServerResponse);
    };
    expect(fake("/v1/chat/completions")).toBe(false); // admitted: 1 in flight
    expect(fake("/api/health")).toBe(false); // portal and health are never counted nor shed
    expect(fake("/billing")).toBe(false);
    expect(fake("/v1/models")).toBe(true);
    gate.close();
  });
});

describe("streams through an HTTP server", () => {
  it("forwards each chunk as it arrives, uncompressed, with no-transform", async () => {
    expect(nextConfig.compress).toBe(false); // `next start`'s gzip would buffer SSE
    const gate = createOverloadGate({ maxInflight: 64, maxLagMs: 0 });
    const server = await serve(gate);
    try {
      const { key } = await createFunded(10_000_000n);
      const started = performance.now();
      const res = await post(server.url, key, { model: "load/drip", stream: true, messages: [{ role: "user", content: "Drip" }] }, { "accept-encoding": "gzip, br" });
      expect(res.statusCode).toBe(200);
      expect(res.headers["content-encoding"]).toBeUndefined();
      expect(String(res.headers["cache-control"])).toContain("no-transform");
      const arrivals: number[] = [];
      let buffered = "";
      for await (const piece of res.body) {
        buffered += piece.toString();
        const events = buffered.split("\n\n");
        buffered = events.pop()!;
        for (const e of events) if (e.includes('"content":"') && !e.includes('"content":""')) arrivals.push(performance.now() - started);
      }
      // 5 content chunks 150 ms apart upstream: each is received on its own, spread over ~600 ms, not in one burst at the end.
      expect(arrivals).toHaveLength(5);
      expect(arrivals.at(-1)! - arrivals[0]!).toBeGreaterThan(400);
    } finally {
      gate.close();
      await server.close();
    }
  });

  it("settles a stream the client abandons for what was delivered, and frees its slot", async () => {
    const gate = createOverloadGate({ maxInflight: 64, maxLagMs: 0 });
    const server = await serve(gate);
    try {
      const { key, account } = await createFunded(10_000_000n);
      const res = await post(server.url, key, { model: "load/drip", stream: true, messages: [{ role: "user", content: "Drip" }] });
      for await (const piece of res.body) {
        if (piece.toString().includes('"content":"The')) break; // first content chunk, then leave
      }
      res.body.destroy();
      for (let i = 0; i < 100 && (await db.usageRecord.count({ where: { accountId: account.id } })) === 0; i++) await new Promise((r) => setTimeout(r, 20));
      const record = await db.usageRecord.findFirstOrThrow({ where: { accountId: account.id } });
      expect(record.status).toBe("PARTIAL");
      expect(record.costMicros).toBeGreaterThan(0n);
      expect((await accountState(account.id)).reserved).toBe(0n);
      expect((await checkLedger()).ok).toBe(true);
      for (let i = 0; i < 50 && gate.inflight > 0; i++) await new Promise((r) => setTimeout(r, 10));
      expect(gate.inflight).toBe(0);
    } finally {
      gate.close();
      await server.close();
    }
  });
});
