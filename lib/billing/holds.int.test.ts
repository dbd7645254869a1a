import { describe, expect, it } from "vitest";
import { refused } from "@/lib/gateway/pipeline";
import { accountState, createFunded } from "@/scripts/test/fixtures";
import { checkLedger } from "./check-ledger";
import { release, reserve, settle, sweepExpiredHolds } from "./holds";
import { db } from "@/lib/db";

const usage = { modelId: "sandbox/chat", endpoint: "chat.completions", status: "SUCCEEDED" as const, inputTokens: 10, outputTokens: 10, stream: false, latencyMs: 1 };
let seq = 0;
const rid = () => `req_test_${Date.now()}_${seq++}`;

describe("holds", () => {
  it("reserves, settles the actual cost and writes one usage record and one ledger entry", async () => {
    const { account, keyId } = await createFunded(1_000n);
    const requestId = rid();
    const hold = await reserve({ accountId: account.id, apiKeyId: keyId, requestId, maxMicros: 400n, minMicros: 400n });
    expect(hold).toMatchObject({ ok: true, amountMicros: 400n });
    expect(await accountState(account.id)).toEqual({ balance: 1_000n, reserved: 400n, available: 600n });
    if (!hold.ok) throw new Error("unreachable");

    const result = await settle({ holdId: hold.holdId, requestId, costMicros: 123n, usage, description: "test" });
    expect(result).toMatchObject({ settled: true, costMicros: 123n, balanceMicros: 877n, availableMicros: 877n });
    expect(await accountState(account.id)).toEqual({ balance: 877n, reserved: 0n, available: 877n });
    expect(await db.usageRecord.count({ where: { requestId } })).toBe(1);
    expect(await db.ledgerEntry.count({ where: { reference: `usage:${requestId}` } })).toBe(1);

    // A second settle of the same hold charges nothing, and reports what the first one charged.
    expect(await settle({ holdId: hold.holdId, requestId, costMicros: 999n, usage, description: "test" })).toMatchObject({
      settled: false,
      costMicros: 123n,
      chargedMicros: 123n,
    });
    expect((await accountState(account.id)).balance).toBe(877n);
    expect((await checkLedger()).violations).toEqual([]);
  });

  it("never charges more than the hold", async () => {
    const { account, keyId } = await createFunded(1_000n);
    const requestId = rid();
    const hold = await reserve({ accountId: account.id, apiKeyId: keyId, requestId, maxMicros: 100n, minMicros: 100n });
    if (!hold.ok) throw new Error("expected a hold");
    const result = await settle({ holdId: hold.holdId, requestId, costMicros: 5_000n, usage, description: "test" });
    expect(result.costMicros).toBe(100n);
    expect((await accountState(account.id)).balance).toBe(900n);
  });

  it("refuses a hold the balance cannot cover, and says so", async () => {
    const { account, keyId } = await createFunded(50n);
    const result = await reserve({ accountId: account.id, apiKeyId: keyId, requestId: rid(), maxMicros: 51n, minMicros: 51n });
    expect(result).toMatchObject({ ok: false, limitSource: "balance" });
    expect(await accountState(account.id)).toEqual({ balance: 50n, reserved: 0n, available: 50n });
  });

  it("holds only what is available when the request may be capped", async () => {
    const { account, keyId } = await createFunded(300n);
    const result = await reserve({ accountId: account.id, apiKeyId: keyId, requestId: rid(), maxMicros: 10_000n, minMicros: 10n });
    expect(result).toMatchObject({ ok: true, amountMicros: 300n });
  });

  it("enforces a key's spend limit with limit_source key_limit", async () => {
    const { account, keyId } = await createFunded(10_000n, { spendLimitMicros: 500n });
    const first = await reserve({ accountId: account.id, apiKeyId: keyId, requestId: rid(), maxMicros: 400n, minMicros: 400n });
    expect(first.ok).toBe(true);
    const second = await reserve({ accountId: account.id, apiKeyId: keyId, requestId: rid(), maxMicros: 200n, minMicros: 200n });
    expect(second).toMatchObject({ ok: false, limitSource: "key_limit" });
    expect(second).not.toHaveProperty("keyLimitToo");
    // Both short: the balance is named (topping up comes first), and the key's limit is flagged too.
    const both = await reserve({ accountId: account.id, apiKeyId: keyId, requestId: rid(), maxMicros: 20_000n, minMicros: 20_000n });
    expect(both).toMatchObject({ ok: false, limitSource: "balance", keyLimitToo: true });
    expect(refused(both as Extract<typeof both, { ok: false }>).message).toContain("also reached its spend limit");
    expect(await accountState(account.id)).toMatchObject({ reserved: 400n });
    expect((await checkLedger()).violations).toEqual([]);
  });

  it("resets a periodic key limit when the period rolls over (controllable clock)", async () => {
    const { account, keyId } = await createFunded(100_000n, { spendLimitMicros: 500n });
    await db.apiKey.update({ where: { id: keyId }, data: { spendLimitPeriod: "DAILY" } });
    const day1 = new Date("2026-11-27T10:00:00Z");
    const spend = async (at: Date, micros: bigint) => {
      const requestId = rid();
      const hold = await reserve({ accountId: account.id, apiKeyId: keyId, requestId, maxMicros: micros, minMicros: micros, at });
      if (hold.ok) await settle({ holdId: hold.holdId, requestId, costMicros: micros, usage, description: "test", at });
      return hold;
    };
    expect((await spend(day1, 400n)).ok).toBe(true);
    expect(await spend(new Date("2026-11-27T23:59:00Z"), 200n)).toMatchObject({ ok: false, limitSource: "key_limit" });
    // The next UTC day: the limit is fresh again.
    expect((await spend(new Date("2026-11-28T00:01:00Z"), 450n)).ok).toBe(true);
    const key = await db.apiKey.findUniqueOrThrow({ where: { id: keyId } });
    expect(key).toMatchObject({ spentMicros: 850n, periodSpentMicros: 450n, periodStartedAt: new Date("2026-11-28T00:00:00Z") });
    expect(await spend(new Date("2026-11-28T12:00:00Z"), 100n)).toMatchObject({ ok: false, limitSource: "key_limit" });
    expect((await checkLedger()).violations).toEqual([]);
  });

  it("releases without charging, once", async () => {
    const { account, keyId } = await createFunded(1_000n);
    const requestId = rid();
    const hold = await reserve({ accountId: account.id, apiKeyId: keyId, requestId, maxMicros: 700n, minMicros: 700n });
    if (!hold.ok) throw new Error("expected a hold");
    const failure = { requestId, modelId: "sandbox/chat", endpoint: "chat.completions", stream: false, latencyMs: 3, note: "upstream_error" };
    expect(await release({ holdId: hold.holdId, failure })).toBe(true);
    expect(await release({ holdId: hold.holdId, failure })).toBe(false);
    expect(await accountState(account.id)).toEqual({ balance: 1_000n, reserved: 0n, available: 1_000n });
    const record = await db.usageRecord.findUniqueOrThrow({ where: { requestId } });
    expect(record).toMatchObject({ status: "FAILED", costMicros: 0n });
    expect((await checkLedger()).violations).toEqual([]);
  });

  it("sweeps holds past their expiry, which ledger:check reports until then", async () => {
    const { account, keyId } = await createFunded(1_000n);
    const hold = await reserve({ accountId: account.id, apiKeyId: keyId, requestId: rid(), maxMicros: 300n, minMicros: 300n, ttlSeconds: 1 });
    if (!hold.ok) throw new Error("expected a hold");
    await db.$executeRaw`UPDATE holds SET expires_at = now() - interval '1 minute' WHERE id = ${hold.holdId}::uuid`;
    const before = await checkLedger();
    expect(before.violations.map((v) => v.rule)).toContain("no hold past its expiry");
    expect(await sweepExpiredHolds()).toBeGreaterThanOrEqual(1);
    expect(await accountState(account.id)).toEqual({ balance: 1_000n, reserved: 0n, available: 1_000n });
    expect((await checkLedger()).violations).toEqual([]);
  });

  it("never overdraws under 200 concurrent reservations", async () => {
    const { account, keyId } = await createFunded(10_000n);
    const attempts = await Promise.all(
      Array.from({ length: 200 }, async () => {
        const requestId = rid();
        const hold = await reserve({ accountId: account.id, apiKeyId: keyId, requestId, maxMicros: 300n, minMicros: 300n });
        if (!hold.ok) return "refused";
        await settle({ holdId: hold.holdId, requestId, costMicros: 250n, usage, description: "test" });
        return "charged";
      }),
    );
    const charged = attempts.filter((a) => a === "charged").length;
    const state = await accountState(account.id);
    expect(charged).toBeGreaterThanOrEqual(33); // at least 10_000 / 300 fit at any one time
    expect(state.balance).toBe(10_000n - BigInt(charged) * 250n);
    expect(state.available).toBeGreaterThanOrEqual(0n);
    expect(state.reserved).toBe(0n);
    expect((await checkLedger()).ok).toBe(true);
  });
});
