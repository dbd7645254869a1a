// Async media tasks on a real PostgreSQL, through the real route handlers: charged exactly the
// per-task price on success, nothing on failure, cancel or timeout; Idempotency-Key; runners racing
// and a runner dying mid-task; the OpenAI-style video and generic music adapters against the mock upstream.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startMockUpstream, type MockUpstream } from "@/bench/mock-upstream";
import { POST as musicPost } from "@/app/v1/music/route";
import { POST as cancelPost } from "@/app/v1/tasks/[id]/cancel/route";
import { GET as contentGet } from "@/app/v1/tasks/[id]/content/route";
import { GET as taskGet } from "@/app/v1/tasks/[id]/route";
import { GET as listGet } from "@/app/v1/tasks/route";
import { POST as videosPost } from "@/app/v1/videos/route";
import { checkLedger } from "@/lib/billing/check-ledger";
import { db } from "@/lib/db";
import { accountState, createFunded } from "@/scripts/test/fixtures";
import { invalidateModels } from "../models";
import { sandboxSubmissions } from "./media/sandbox";
import { purgeExpiredResults, runOnce } from "./runner";
import type { TaskObject } from "./task-object";

const BASE = "http://127.0.0.1:3999/v1";
const VIDEO_PRICE = 250_000n;
const MUSIC_PRICE = 100_000n;
let mock: MockUpstream;

function req(path: string, key: string, init: { method?: string; body?: unknown; headers?: Record<string, string> } = {}) {
  return new Request(`${BASE}${path}`, {
    method: init.method ?? (init.body ? "POST" : "GET"),
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json", ...init.headers },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
}
async function submit(key: string, body: Record<string, unknown>, headers: Record<string, string> = {}, kind: "video" | "music" = "video") {
  const res = await (kind === "video" ? videosPost : musicPost)(req(kind === "video" ? "/videos" : "/music", key, { body, headers }));
  return { status: res.status, body: (await res.json()) as TaskObject & { error: { code: string } } };
}
async function get(key: string, id: string) {
  const res = await taskGet(req(`/tasks/${id}`, key));
  return { status: res.status, body: (await res.json()) as TaskObject };
}
/** Runs the runner until the task is closed (or the time is up). */
async function drive(key: string, id: string, opts: { owner?: string; leaseMs?: number; pollIntervalMs?: number } = {}, timeoutMs = 15_000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    await runOnce({ pollIntervalMs: 20, leaseMs: 5000, ...opts });
    const { body } = await get(key, id);
    if (!["queued", "running"].includes(body.status)) return body;
    if (Date.now() > until) throw new Error(`task ${id} still ${body.status}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
async function expectCleanLedger() {
  const check = await checkLedger();
  expect(check.violations).toEqual([]);
}
/** Closes every other open task (deadline passed), so runOnce() below only sees the test's own. */
async function drainOthers() {
  await db.task.updateMany({ where: { status: { in: ["QUEUED", "RUNNING"] } }, data: { deadlineAt: new Date(0), nextPollAt: new Date(0) } });
  while (await runOnce());
}
async function activeHolds(accountId: string) {
  return db.hold.count({ where: { accountId, status: "ACTIVE" } });
}

beforeAll(async () => {
  mock = await startMockUpstream();
  await db.provider.create({ data: { id: "mock-media", name: "Mock media", kind: "OPENAI_COMPATIBLE", baseUrl: `${mock.url}/v1` } });
  const add = (id: string, type: "VIDEO" | "MUSIC", upstreamModel: string) =>
    db.model.create({ data: { id, type, providerId: "mock-media", upstreamModel, displayName: id, perTaskMicros: type === "VIDEO" ? 300_000n : 120_000n } });
  await add("m/video", "VIDEO", "mock:ready=150");
  await add("m/video-fails", "VIDEO", "mock:fail=job");
  await add("m/video-500", "VIDEO", "mock:fault=500");
  await add("m/video-400", "VIDEO", "mock:fault=400");
  await add("m/music", "MUSIC", "mock:ready=100");
  await add("m/music-fails", "MUSIC", "mock:fail=job");
  invalidateModels();
});
afterAll(() => mock.close());

describe("sandbox video and music tasks", () => {
  it("charges exactly the per-task price on success and serves a real GIF to its owner", async () => {
    const c = await createFunded(5_000_000n);
    const { status, body } = await submit(c.key, { model: "sandbox/video", prompt: "a red fox [sandbox:delay=100]" });
    expect(status).toBe(200);
    expect(body).toMatchObject({ object: "task", kind: "video", model: "sandbox/video", status: "queued", result: null, error: null, cost_micros: 0, cost: "0.000000" });
    expect(body.id).toMatch(/^task_/);
    expect((await accountState(c.account.id)).reserved).toBe(VIDEO_PRICE);

    const done = await drive(c.key, body.id);
    expect(done.status).toBe("succeeded");
    expect(done.cost_micros).toBe(250_000);
    expect(done.cost).toBe("0.250000");
    expect(done.completed_at).toBeGreaterThanOrEqual(done.created_at);
    expect(done.result).toMatchObject({ content_type: "image/gif" });
    expect(done.result!.url).toContain(`/v1/tasks/${body.id}/content?expires=`);
    expect(await accountState(c.account.id)).toEqual({ balance: 5_000_000n - VIDEO_PRICE, reserved: 0n, available: 5_000_000n - VIDEO_PRICE });

    const usage = await db.usageRecord.findUniqueOrThrow({ where: { requestId: body.id } });
    expect(usage).toMatchObject({ endpoint: "videos", units: 1, unitPriceMicros: VIDEO_PRICE, costMicros: VIDEO_PRICE, status: "SUCCEEDED" });
    expect(await db.ledgerEntry.count({ where: { reference: `usage:${body.id}` } })).toBe(1);
    expect(await db.hold.findUniqueOrThrow({ where: { requestId: body.id } })).toMatchObject({ status: "SETTLED" });

    // By API key.
    const byKey = await contentGet(req(`/tasks/${body.id}/content`, c.key));
    expect(byKey.status).toBe(200);
    const gif = Buffer.from(await byKey.arrayBuffer());
    expect(gif.subarray(0, 6).toString("ascii")).toBe("GIF89a");
    expect(gif.length).toBe(done.result!.bytes);
    expect(gif[gif.length - 1]).toBe(0x3b);
    // By the signed URL, without a key; a tampered signature is refused.
    const signed = await contentGet(new Request(done.result!.url));
    expect(signed.status).toBe(200);
    expect(signed.headers.get("content-type")).toBe("image/gif");
    expect((await contentGet(new Request(done.result!.url.replace(/sig=[^&]*/, "sig=AAAA")))).status).toBe(403);
    // Another user sees nothing.
    const other = await createFunded(0n);
    expect((await contentGet(req(`/tasks/${body.id}/content`, other.key))).status).toBe(404);
    expect((await get(other.key, body.id)).status).toBe(404);
    await expectCleanLedger();
  });

  it("makes a WAV melody for music and charges its price", async () => {
    const c = await createFunded(1_000_000n);
    const { body } = await submit(c.key, { model: "sandbox/music", prompt: "a calm sea [sandbox:delay=0]", duration: 2 }, {}, "music");
    const done = await drive(c.key, body.id);
    expect(done).toMatchObject({ kind: "music", status: "succeeded", cost_micros: 100_000 });
    const wav = Buffer.from(await (await contentGet(req(`/tasks/${body.id}/content`, c.key))).arrayBuffer());
    expect(wav.subarray(0, 4).toString("ascii")).toBe("RIFF");
    expect(wav.subarray(8, 12).toString("ascii")).toBe("WAVE");
    expect(wav.readUInt16LE(34)).toBe(16);
    expect((await accountState(c.account.id)).balance).toBe(1_000_000n - MUSIC_PRICE);
    await expectCleanLedger();
  });

  it("charges nothing for a failed task and leaves no active hold", async () => {
    const c = await createFunded(1_000_000n);
    const { body } = await submit(c.key, { model: "sandbox/video", prompt: "[sandbox:fail] [sandbox:delay=0]" });
    const done = await drive(c.key, body.id);
    expect(done).toMatchObject({ status: "failed", cost_micros: 0, result: null, error: { code: "generation_failed" } });
    expect(await accountState(c.account.id)).toEqual({ balance: 1_000_000n, reserved: 0n, available: 1_000_000n });
    expect(await activeHolds(c.account.id)).toBe(0);
    expect(await db.usageRecord.findUniqueOrThrow({ where: { requestId: body.id } })).toMatchObject({ status: "FAILED", costMicros: 0n });
    expect(await db.ledgerEntry.count({ where: { reference: `usage:${body.id}` } })).toBe(0);
    await expectCleanLedger();
  });

  it("charges nothing for a canceled task, and the runner never finishes it afterwards", async () => {
    await drainOthers();
    const c = await createFunded(1_000_000n);
    const { body } = await submit(c.key, { model: "sandbox/video", prompt: "slow [sandbox:delay=300]" });
    await runOnce({ pollIntervalMs: 10 }); // submitted upstream, now running
    const res = await cancelPost(req(`/tasks/${body.id}/cancel`, c.key, { method: "POST" }));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: "canceled", cost_micros: 0, error: { code: "canceled" } });
    await new Promise((r) => setTimeout(r, 350));
    while (await runOnce({ pollIntervalMs: 10 }));
    expect((await get(c.key, body.id)).body.status).toBe("canceled");
    expect(await accountState(c.account.id)).toEqual({ balance: 1_000_000n, reserved: 0n, available: 1_000_000n });
    expect(await activeHolds(c.account.id)).toBe(0);
    // Canceling again answers the task; canceling someone else's is a 404.
    expect((await cancelPost(req(`/tasks/${body.id}/cancel`, c.key, { method: "POST" }))).status).toBe(200);
    const other = await createFunded(0n);
    expect((await cancelPost(req(`/tasks/${body.id}/cancel`, other.key, { method: "POST" }))).status).toBe(404);
    await expectCleanLedger();
  });

  it("times out a task past its deadline: error.code timeout, hold released, nothing charged", async () => {
    const c = await createFunded(1_000_000n);
    await drainOthers();
    const { body } = await submit(c.key, { model: "sandbox/video", prompt: "never ready [sandbox:delay=600000]" });
    await runOnce({ pollIntervalMs: 10 });
    await db.task.update({ where: { id: body.id }, data: { deadlineAt: new Date(Date.now() - 1000) } });
    const done = await drive(c.key, body.id);
    expect(done).toMatchObject({ status: "failed", cost_micros: 0, error: { code: "timeout" } });
    expect(await accountState(c.account.id)).toEqual({ balance: 1_000_000n, reserved: 0n, available: 1_000_000n });
    expect(await activeHolds(c.account.id)).toBe(0);
    await expectCleanLedger();
  });

  it("refuses with 402 when the price cannot be held, and creates no task", async () => {
    const c = await createFunded(100_000n);
    const { status, body } = await submit(c.key, { model: "sandbox/video", prompt: "too dear" });
    expect(status).toBe(402);
    expect(body.error.code).toBe("insufficient_balance");
    expect(await db.task.count({ where: { userId: c.user.id } })).toBe(0);
    await expectCleanLedger();
  });

  it("rejects a bad body with 400 naming the field, and a chat model for a video", async () => {
    const c = await createFunded(1_000_000n);
    const missing = await submit(c.key, { model: "sandbox/video" });
    expect(missing.status).toBe(400);
    const wrongType = await submit(c.key, { model: "sandbox/chat", prompt: "x" });
    expect(wrongType.status).toBe(400);
  });
});

describe("Idempotency-Key", () => {
  it("returns the same task for the same key and body, charged once; another body is a 409", async () => {
    const c = await createFunded(3_000_000n);
    const body = { model: "sandbox/video", prompt: "once [sandbox:delay=0]" };
    const first = await submit(c.key, body, { "idempotency-key": "abc-1" });
    const again = await submit(c.key, { prompt: body.prompt, model: body.model }, { "idempotency-key": "abc-1" });
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(first.body.id);
    const different = await submit(c.key, { ...body, prompt: "other" }, { "idempotency-key": "abc-1" });
    expect(different.status).toBe(409);
    expect(different.body.error.code).toBe("conflict");
    // Concurrent duplicates: one task, one hold.
    const racing = await Promise.all(Array.from({ length: 6 }, () => submit(c.key, { ...body, prompt: "race" }, { "idempotency-key": "abc-2" })));
    expect(new Set(racing.map((r) => r.body.id)).size).toBe(1);
    expect(await db.task.count({ where: { userId: c.user.id } })).toBe(2);
    expect((await accountState(c.account.id)).reserved).toBe(2n * VIDEO_PRICE);
    await drive(c.key, first.body.id);
    await drive(c.key, racing[0]!.body.id);
    expect((await accountState(c.account.id)).balance).toBe(3_000_000n - 2n * VIDEO_PRICE);
    // Another user may use the same key string independently.
    const other = await createFunded(1_000_000n);
    expect((await submit(other.key, body, { "idempotency-key": "abc-1" })).body.id).not.toBe(first.body.id);
    await expectCleanLedger();
  });
});

describe("GET /v1/tasks", () => {
  it("lists the owner's tasks newest first with cursor pagination", async () => {
    const c = await createFunded(5_000_000n);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await submit(c.key, { model: "sandbox/music", prompt: `n${i}` }, {}, "music")).body.id);
    const other = await createFunded(1_000_000n);
    await submit(other.key, { model: "sandbox/music", prompt: "not mine" }, {}, "music");
    const page1 = (await (await listGet(req("/tasks?limit=2", c.key))).json()) as { object: string; data: TaskObject[]; has_more: boolean; next_cursor: string };
    expect(page1).toMatchObject({ object: "list", has_more: true });
    expect(page1.data.map((t) => t.id)).toEqual([ids[4], ids[3]]);
    const page2 = (await (await listGet(req(`/tasks?limit=2&after=${page1.next_cursor}`, c.key))).json()) as typeof page1;
    expect(page2.data.map((t) => t.id)).toEqual([ids[2], ids[1]]);
    const page3 = (await (await listGet(req(`/tasks?limit=2&after=${page2.next_cursor}`, c.key))).json()) as typeof page1;
    expect(page3).toMatchObject({ has_more: false, next_cursor: null });
    expect(page3.data.map((t) => t.id)).toEqual([ids[0]]);
    for (const id of ids) await db.task.update({ where: { id }, data: { deadlineAt: new Date(0) } });
    while (await runOnce());
    await expectCleanLedger();
  });
});

describe("the task runner", () => {
  it("never processes one task twice when runners race", async () => {
    const c = await createFunded(20_000_000n);
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) ids.push((await submit(c.key, { model: "sandbox/video", prompt: `race ${i} [sandbox:delay=50]` })).body.id);
    const loop = async (owner: string) => {
      const until = Date.now() + 20_000;
      while (Date.now() < until) {
        const open = await db.task.count({ where: { id: { in: ids }, status: { in: ["QUEUED", "RUNNING"] } } });
        if (open === 0) return;
        if (!(await runOnce({ owner, pollIntervalMs: 10, leaseMs: 10_000 }))) await new Promise((r) => setTimeout(r, 5));
      }
    };
    await Promise.all([loop("runner-a"), loop("runner-b"), loop("runner-a2"), loop("runner-b2")]);
    for (const id of ids) {
      expect(sandboxSubmissions.get(id)).toBe(1);
      const t = await db.task.findUniqueOrThrow({ where: { id } });
      expect(t).toMatchObject({ status: "SUCCEEDED", submissions: 1, costMicros: VIDEO_PRICE });
    }
    expect((await accountState(c.account.id)).balance).toBe(20_000_000n - 12n * VIDEO_PRICE);
    expect(await db.ledgerEntry.count({ where: { reference: { in: ids.map((id) => `usage:${id}`) } } })).toBe(12);
    await expectCleanLedger();
  });

  it("resumes a task whose runner died mid-task after the lease expires, without resubmitting", async () => {
    await drainOthers();
    const c = await createFunded(1_000_000n);
    const { body } = await submit(c.key, { model: "sandbox/video", prompt: "survive [sandbox:delay=0]" });
    await runOnce({ owner: "runner-1", pollIntervalMs: 10 }); // submitted; job id stored
    const submitted = await db.task.findUniqueOrThrow({ where: { id: body.id } });
    expect(submitted.providerJobId).toMatch(/^sandbox-video:/);
    // runner-1 claims the task again and dies holding the lease.
    await db.task.update({ where: { id: body.id }, data: { leaseOwner: "runner-1", leaseExpiresAt: new Date(Date.now() + 800), nextPollAt: new Date() } });
    expect(await runOnce({ owner: "runner-2" })).toBe(false);
    await new Promise((r) => setTimeout(r, 900));
    expect(await runOnce({ owner: "runner-2" })).toBe(true);
    const done = await get(c.key, body.id);
    expect(done.body.status).toBe("succeeded");
    expect(sandboxSubmissions.get(body.id)).toBe(1);
    expect((await accountState(c.account.id)).balance).toBe(1_000_000n - VIDEO_PRICE);
    await expectCleanLedger();
  });

  it("answers 410 gone once a result has expired and the purge deleted it", async () => {
    const c = await createFunded(1_000_000n);
    const { body } = await submit(c.key, { model: "sandbox/music", prompt: "fleeting [sandbox:delay=0]" }, {}, "music");
    await drive(c.key, body.id);
    await db.task.update({ where: { id: body.id }, data: { resultExpiresAt: new Date(Date.now() - 1000) } });
    expect(await purgeExpiredResults()).toBeGreaterThanOrEqual(1);
    expect(await db.taskResult.count({ where: { taskId: body.id } })).toBe(0);
    const res = await contentGet(req(`/tasks/${body.id}/content`, c.key));
    expect(res.status).toBe(410);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("gone");
  });
});

describe("HTTP media adapters against the mock upstream", () => {
  it("OpenAI-style video: submits once, polls, downloads the content and charges the price", async () => {
    const c = await createFunded(1_000_000n);
    const before = mock.requests.filter((r) => r.path === "/v1/videos").length;
    const { body } = await submit(c.key, { model: "m/video", prompt: "a boat", seconds: 4 });
    const done = await drive(c.key, body.id);
    expect(done).toMatchObject({ status: "succeeded", cost_micros: 300_000, result: { content_type: "video/mp4" } });
    expect(mock.requests.filter((r) => r.path === "/v1/videos").length - before).toBe(1);
    expect(mock.requests.find((r) => r.path === "/v1/videos" && r.body.prompt === "a boat")?.body).toMatchObject({ model: "mock:ready=150", seconds: "4" });
    const bytes = Buffer.from(await (await contentGet(req(`/tasks/${body.id}/content`, c.key))).arrayBuffer());
    expect(bytes.toString("latin1")).toContain("mock video");
    expect((await accountState(c.account.id)).balance).toBe(700_000n);
    await expectCleanLedger();
  });

  it("OpenAI-style video: a failed job, a 4xx and a retried 5xx charge nothing", async () => {
    const c = await createFunded(2_000_000n);
    const failed = await drive(c.key, (await submit(c.key, { model: "m/video-fails", prompt: "x" })).body.id);
    expect(failed).toMatchObject({ status: "failed", cost_micros: 0, error: { code: "generation_failed" } });
    const refused = await drive(c.key, (await submit(c.key, { model: "m/video-400", prompt: "x" })).body.id);
    expect(refused).toMatchObject({ status: "failed", error: { code: "upstream_error" } });
    // A 5xx is retried with backoff until the deadline; then it times out.
    await drainOthers();
    const { body } = await submit(c.key, { model: "m/video-500", prompt: "x" });
    await runOnce();
    const t = await db.task.findUniqueOrThrow({ where: { id: body.id } });
    expect(t).toMatchObject({ status: "RUNNING", attempts: 1, providerJobId: null });
    await db.task.update({ where: { id: body.id }, data: { deadlineAt: new Date(Date.now() - 1), nextPollAt: new Date() } });
    expect(await drive(c.key, body.id)).toMatchObject({ status: "failed", error: { code: "timeout" } });
    expect(await accountState(c.account.id)).toEqual({ balance: 2_000_000n, reserved: 0n, available: 2_000_000n });
    await expectCleanLedger();
  });

  it("generic music: submit, poll, fetch audio_url; a failed job charges nothing", async () => {
    const c = await createFunded(1_000_000n);
    const ok = await drive(c.key, (await submit(c.key, { model: "m/music", prompt: "jazz", duration: 5 }, {}, "music")).body.id);
    expect(ok).toMatchObject({ status: "succeeded", cost_micros: 120_000, result: { content_type: "audio/wav" } });
    expect(mock.requests.find((r) => r.path === "/v1/music" && r.body.prompt === "jazz")?.body).toMatchObject({ duration: 5 });
    const bad = await drive(c.key, (await submit(c.key, { model: "m/music-fails", prompt: "noise" }, {}, "music")).body.id);
    expect(bad).toMatchObject({ status: "failed", cost_micros: 0 });
    expect(await accountState(c.account.id)).toEqual({ balance: 880_000n, reserved: 0n, available: 880_000n });
    await expectCleanLedger();
  });
});
