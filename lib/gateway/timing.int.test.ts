// The `server-timing` header: every /v1 answer says where its time went, step by step, so a client can
// tell the gateway's own time from the provider's.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as chat } from "@/app/v1/chat/completions/route";
import { startMockUpstream, type MockUpstream } from "@/bench/mock-upstream";
import { db } from "@/lib/db";
import { createFunded } from "@/scripts/test/fixtures";
import { invalidateModels } from "./models";
import { parseServerTiming } from "./timing";

const UPSTREAM_MS = 120;

function post(key: string, body: unknown) {
  return chat(
    new Request("http://localhost/v1/chat/completions", {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
      body: JSON.stringify(body),
    }),
  );
}

/** The header's entries in order, and their durations by name. */
function timing(res: Response) {
  const header = res.headers.get("server-timing");
  expect(header).toBeTruthy();
  return { names: header!.split(",").map((entry) => entry.trim().split(";")[0]), ms: parseServerTiming(header) };
}

let mock: MockUpstream;
beforeAll(async () => {
  mock = await startMockUpstream({});
  await db.provider.create({ data: { id: "timed-openai", name: "Timed provider", kind: "OPENAI_COMPATIBLE", baseUrl: `${mock.url}/v1` } });
  await db.model.create({
    data: {
      id: "timed/chat", type: "CHAT", providerId: "timed-openai", upstreamModel: `mock:latency=${UPSTREAM_MS}`, displayName: "Timed chat",
      inputPerMtokMicros: 1_000_000n, outputPerMtokMicros: 2_000_000n,
    },
  });
  invalidateModels();
});
afterAll(() => mock.close());

describe("server-timing", () => {
  it("reports each step of a completed call, the provider's part apart from the gateway's", async () => {
    const { key } = await createFunded(20_000_000n);
    const res = await post(key, { model: "timed/chat", messages: [{ role: "user", content: "Hi" }], max_tokens: 16 });
    expect(res.status).toBe(200);
    const { names, ms } = timing(res);
    expect(names).toEqual(["auth", "parse", "hold", "upstream", "settle", "total"]);
    expect(ms.upstream).toBeGreaterThanOrEqual(UPSTREAM_MS - 5);
    const steps = ms.auth! + ms.parse! + ms.hold! + ms.upstream! + ms.settle!;
    expect(ms.total).toBeGreaterThanOrEqual(steps - 0.05); // each is rounded to 0.01 ms
  });

  it("stops at the first chunk for a stream, whose settlement comes after the headers", async () => {
    const { key } = await createFunded(20_000_000n);
    const res = await post(key, { model: "timed/chat", messages: [{ role: "user", content: "Hi" }], stream: true });
    expect(res.status).toBe(200);
    expect(timing(res).names).toEqual(["auth", "parse", "hold", "upstream", "total"]);
    await res.text();
  });

  it("is on refusals too, up to the step that refused", async () => {
    const { key } = await createFunded(10n);
    const res = await post(key, { model: "timed/chat", messages: [{ role: "user", content: "Hi" }], max_tokens: 16 });
    expect(res.status).toBe(402);
    expect(timing(res).names).toEqual(["auth", "parse", "hold", "total"]);
    const bad = await chat(new Request("http://localhost/v1/chat/completions", { method: "POST", headers: { authorization: "Bearer nope" }, body: "{}" }));
    expect(bad.status).toBe(401);
    expect(timing(bad).names).toEqual(["total"]);
  });
});

describe("parseServerTiming", () => {
  it("reads durations by name and skips entries without one", () => {
    expect(parseServerTiming("auth;dur=0.12, cache;desc=hit, upstream;dur=50.5, total;dur=51.00")).toEqual({ auth: 0.12, upstream: 50.5, total: 51 });
    expect(parseServerTiming(null)).toEqual({});
  });
});
