// The hold sweeper on a real PostgreSQL: a request whose process died before it settled gets its hold
// back AND a FAILED usage record of cost 0 in the request log, written in the statement that releases
// the hold — once, however many sweepers run — and nothing is charged. The record names the model and
// endpoint the hold kept from its request, single or batched ("(unknown)" for a hold that has none).
// Async tasks' holds are recorded under the task's model only once the task can no longer deliver.
import { describe, expect, it } from "vitest";
import { closeUnpaid } from "@/lib/gateway/tasks/finish-task";
import { db } from "@/lib/db";
import { startSubscription } from "@/lib/billing/subscriptions/start-subscription";
import { getUsageRecord } from "@/lib/usage/get-usage-record";
import { listUsage } from "@/lib/usage/list-usage";
import { usageSummary } from "@/lib/usage/usage-summary";
import { accountState, createFunded } from "@/scripts/test/fixtures";
import { checkLedger } from "./check-ledger";
import { EXPIRED_HOLD_NOTE, holdBatchCounts, reserve, settle, sweepExpiredHolds, UNKNOWN, type ReserveInput } from "./holds";

let seq = 0;
const rid = (prefix = "req_sweep") => `${prefix}_${Date.now()}_${seq++}`;
const TTL_SECONDS = 900;

/** Makes a hold look as if its request's process died and the hold expired a minute ago, after its full TTL. */
async function expire(holdId: string) {
  await db.$executeRaw`UPDATE holds SET created_at = now() - make_interval(secs => ${TTL_SECONDS + 60}), expires_at = now() - interval '1 minute' WHERE id = ${holdId}::uuid`;
}

async function heldRequest(
  c: { account: { id: string }; keyId: string },
  opts: { requestId?: string; micros?: bigint; model?: { id: string; type: "CHAT" | "VIDEO" }; endpoint?: string } = {},
) {
  const requestId = opts.requestId ?? rid();
  const micros = opts.micros ?? 400n;
  const hold = await reserve({
    accountId: c.account.id, apiKeyId: c.keyId, requestId, maxMicros: micros, minMicros: micros, model: opts.model, endpoint: opts.endpoint, ttlSeconds: TTL_SECONDS,
  });
  if (!hold.ok) throw new Error(`expected a hold, got ${hold.limitSource}`);
  await expire(hold.holdId);
  return { requestId, holdId: hold.holdId };
}

describe("sweeping expired holds", () => {
  // A hold without a model or endpoint (as every hold made before holds kept them): the record says UNKNOWN.
  it("releases a crashed request's hold with one FAILED, cost-0 usage record, even when swept concurrently and again", async () => {
    const c = await createFunded(1_000n);
    const { requestId, holdId } = await heldRequest(c);
    expect(await accountState(c.account.id)).toMatchObject({ reserved: 400n });

    const released = await Promise.all(Array.from({ length: 4 }, () => sweepExpiredHolds()));
    expect(released.reduce((sum, n) => sum + n, 0)).toBe(1);
    expect(await sweepExpiredHolds()).toBe(0);

    expect(await db.hold.findUniqueOrThrow({ where: { id: holdId } })).toMatchObject({ status: "RELEASED" });
    const records = await db.usageRecord.findMany({ where: { requestId } });
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      accountId: c.account.id, apiKeyId: c.keyId, status: "FAILED", costMicros: 0n, coveredMicros: 0n,
      modelId: UNKNOWN, endpoint: UNKNOWN, stream: false, note: EXPIRED_HOLD_NOTE, latencyMs: TTL_SECONDS * 1000,
    });
    expect(EXPIRED_HOLD_NOTE).toBe("hold_expired: The request did not complete; its hold expired and was released. Nothing was charged.");

    // Nothing charged: the balance, the key and the ledger are as before the request.
    expect(await accountState(c.account.id)).toEqual({ balance: 1_000n, reserved: 0n, available: 1_000n });
    expect(await db.apiKey.findUniqueOrThrow({ where: { id: c.keyId } })).toMatchObject({ reservedMicros: 0n, spentMicros: 0n });
    expect(await db.ledgerEntry.count({ where: { accountId: c.account.id, kind: "USAGE" } })).toBe(0);
    expect((await checkLedger()).violations).toEqual([]);

    // The request's own settlement arriving after the sweep charges nothing, and writes nothing more.
    const late = await settle({
      holdId, requestId, costMicros: 123n, description: "late",
      usage: { modelId: "sandbox/chat", endpoint: "chat.completions", status: "SUCCEEDED", inputTokens: 1, outputTokens: 1, stream: false, latencyMs: 1 },
    });
    expect(late).toMatchObject({ settled: false, chargedMicros: 0n });
    expect(await db.usageRecord.count({ where: { requestId } })).toBe(1);
    expect(await accountState(c.account.id)).toEqual({ balance: 1_000n, reserved: 0n, available: 1_000n });
    expect((await checkLedger()).violations).toEqual([]);
  });

  it("shows the swept request in the owner's request log and detail as failed, with nothing charged", async () => {
    const c = await createFunded(1_000n);
    const { requestId } = await heldRequest(c);
    await sweepExpiredHolds();
    const ctx = { userId: c.user.id };

    const { items } = await listUsage({ ctx, input: { status: "FAILED" } });
    const row = items.find((r) => r.requestId === requestId);
    expect(row).toMatchObject({ status: "FAILED", costMicros: 0n, modelId: UNKNOWN, key: { name: "test" } });
    expect(await getUsageRecord({ ctx, input: { id: row!.id } })).toMatchObject({ note: EXPIRED_HOLD_NOTE, costMicros: 0n, paidBy: "BALANCE" });
    const summary = await usageSummary({ ctx, input: { from: new Date(Date.now() - 3_600_000), to: new Date(Date.now() + 60_000), bucket: "hour" } });
    expect(summary.totals).toMatchObject({ requests: 1, costMicros: 0n });
  });

  it("records the model and endpoint the hold kept, for a hold made alone and for holds made in one batch", async () => {
    const c = await createFunded(10_000n);
    const ctx = { userId: c.user.id };

    // Alone: the single statement (reserveOnce).
    const alone = await heldRequest(c, { model: { id: "sandbox/chat", type: "CHAT" }, endpoint: "chat.completions" });
    expect(await db.hold.findUniqueOrThrow({ where: { id: alone.holdId } })).toMatchObject({ modelId: "sandbox/chat", endpoint: "chat.completions" });

    // Together: one batch statement (meterway_reserve_batch) holds them all, a request without a model among them.
    const TRICKY = `a "quoted" {braced}, back\\slashed, ünïcode · NULL`;
    const wanted = [
      { model: "sandbox/embed", endpoint: "embeddings" },
      { model: "sandbox/image", endpoint: "images.generations" },
      { model: TRICKY, endpoint: "chat.completions" },
      { model: null, endpoint: null },
    ];
    const inputs: ReserveInput[] = wanted.map((w) => ({
      accountId: c.account.id, apiKeyId: c.keyId, requestId: rid("req_sweep_batch"), maxMicros: 100n, minMicros: 100n, ttlSeconds: TTL_SECONDS,
      ...(w.model ? { model: { id: w.model, type: "CHAT" as const } } : {}),
      ...(w.endpoint ? { endpoint: w.endpoint } : {}),
    }));
    const before = holdBatchCounts().reserve;
    const holds = await Promise.all(inputs.map((input) => reserve(input)));
    const after = holdBatchCounts().reserve;
    expect(after.statements - before.statements).toBe(1);
    expect(after.decided - before.decided).toBe(inputs.length);
    const holdIds = holds.map((hold) => {
      if (!hold.ok) throw new Error(`expected a hold, got ${hold.limitSource}`);
      return hold.holdId;
    });
    for (const [i, holdId] of holdIds.entries()) {
      expect(await db.hold.findUniqueOrThrow({ where: { id: holdId } })).toMatchObject({ modelId: wanted[i]!.model, endpoint: wanted[i]!.endpoint });
      await expire(holdId);
    }

    expect(await sweepExpiredHolds()).toBe(1 + inputs.length);
    expect(await db.usageRecord.findUniqueOrThrow({ where: { requestId: alone.requestId } })).toMatchObject({
      status: "FAILED", costMicros: 0n, modelId: "sandbox/chat", endpoint: "chat.completions", note: EXPIRED_HOLD_NOTE, latencyMs: TTL_SECONDS * 1000,
    });
    for (const [i, input] of inputs.entries()) {
      expect(await db.usageRecord.findUniqueOrThrow({ where: { requestId: input.requestId } })).toMatchObject({
        status: "FAILED", costMicros: 0n, modelId: wanted[i]!.model ?? UNKNOWN, endpoint: wanted[i]!.endpoint ?? UNKNOWN,
        note: EXPIRED_HOLD_NOTE, latencyMs: TTL_SECONDS * 1000,
      });
    }

    // The request log filtered by model finds the swept requests.
    const { items } = await listUsage({ ctx, input: { modelId: "sandbox/chat" } });
    expect(items.map((r) => r.requestId)).toEqual([alone.requestId]);
    expect((await listUsage({ ctx, input: { modelId: "sandbox/embed" } })).items).toMatchObject([{ requestId: inputs[0]!.requestId, status: "FAILED" }]);

    expect(await accountState(c.account.id)).toEqual({ balance: 10_000n, reserved: 0n, available: 10_000n });
    expect((await checkLedger()).violations).toEqual([]);
  });

  it("gives a subscription allowance's part of the hold back too", async () => {
    const c = await createFunded(1_000n);
    const plan = await db.plan.create({ data: { slug: `sweep-${Date.now()}`, name: "Sweep plan", priceMicros: 1_000_000n, allowanceMicros: 300n } });
    await startSubscription({ userId: c.user.id, planId: plan.id, provider: "SANDBOX", periodStart: new Date(Date.now() - 86_400_000) });
    const { requestId } = await heldRequest(c, { micros: 500n, model: { id: "sandbox/chat", type: "CHAT" } });
    const allowance = await db.allowance.findFirstOrThrow({ where: { accountId: c.account.id } });
    expect(allowance.reservedValue).toBe(300n);

    expect(await sweepExpiredHolds()).toBe(1);
    expect(await db.allowance.findUniqueOrThrow({ where: { id: allowance.id } })).toMatchObject({ reservedValue: 0n, usedValue: 0n });
    expect(await db.usageRecord.findUniqueOrThrow({ where: { requestId } })).toMatchObject({ status: "FAILED", costMicros: 0n, coveredMicros: 0n });
    expect(await accountState(c.account.id)).toEqual({ balance: 1_000n, reserved: 0n, available: 1_000n });
    expect((await checkLedger()).violations).toEqual([]);
  });

  it("records a task's swept hold under the task's model once the task can no longer deliver, and only once", async () => {
    const c = await createFunded(10_000n);
    const task = async (status: "QUEUED" | "RUNNING" | "SUCCEEDED" | "FAILED", deadlineAt: Date, error?: { code: string; message: string }) => {
      const id = rid("task_sweep");
      const { holdId } = await heldRequest(c, { requestId: id, micros: 1_000n });
      return db.task.create({
        data: {
          id, userId: c.user.id, accountId: c.account.id, apiKeyId: c.keyId, kind: "VIDEO", modelId: "sandbox/video", status, input: {},
          requestHash: id, holdId, priceMicros: 1_000n, deadlineAt, error, createdAt: new Date(Date.now() - 3_600_000),
          ...(status === "SUCCEEDED" || status === "FAILED" ? { completedAt: new Date(Date.now() - 1_800_000) } : {}),
        },
      });
    };
    const past = new Date(Date.now() - 60_000);
    const future = new Date(Date.now() + 3_600_000);
    const timedOut = await task("RUNNING", past);
    const failed = await task("FAILED", past, { code: "upstream_error", message: "The model provider refused the task." });
    const succeeded = await task("SUCCEEDED", past);
    const stillRunning = await task("QUEUED", future);

    expect(await sweepExpiredHolds()).toBe(4);
    expect(await db.hold.count({ where: { accountId: c.account.id, status: "ACTIVE" } })).toBe(0);
    expect(await db.usageRecord.findUniqueOrThrow({ where: { requestId: timedOut.id } })).toMatchObject({
      status: "FAILED", costMicros: 0n, modelId: "sandbox/video", endpoint: "videos", note: EXPIRED_HOLD_NOTE, latencyMs: expect.any(Number),
    });
    // Failed before its process could release the hold: the record says what the task failed with, as closeUnpaid's would.
    expect(await db.usageRecord.findUniqueOrThrow({ where: { requestId: failed.id } })).toMatchObject({
      status: "FAILED", costMicros: 0n, modelId: "sandbox/video", endpoint: "videos", note: "upstream_error: The model provider refused the task.", latencyMs: 1_800_000,
    });
    // Delivered, or may still deliver: no "failed" record (a task delivered after its hold closed is not charged).
    expect(await db.usageRecord.count({ where: { requestId: { in: [succeeded.id, stillRunning.id] } } })).toBe(0);

    // The runner then fails the timed-out task as its lifecycle says: the request log keeps one record.
    expect(await closeUnpaid(timedOut, { status: "FAILED", error: { code: "timeout", message: "The task did not finish before its deadline; nothing was charged." } })).toBe(true);
    expect(await db.usageRecord.count({ where: { requestId: timedOut.id } })).toBe(1);

    expect(await accountState(c.account.id)).toEqual({ balance: 10_000n, reserved: 0n, available: 10_000n });
    expect(await db.ledgerEntry.count({ where: { accountId: c.account.id, kind: "USAGE" } })).toBe(0);
    expect((await checkLedger()).violations).toEqual([]);
  });
});
