// Editing and rotating keys: owner scoping, the settings a rotation keeps, the grace period, and that
// the gateway sees every change at once.
import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { createFunded } from "@/scripts/test/fixtures";
import { BASE_URL, gatewayFetch } from "@/scripts/test/gateway-fetch";
import { periodEnd, periodStart, spentThisPeriod } from "./period-spend";
import { revokeKey } from "./revoke-key";
import { rotateKey } from "./rotate-key";
import { updateKey } from "./update-key";

const chat = (key: string) =>
  gatewayFetch(`${BASE_URL}/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}` },
    body: JSON.stringify({ model: "sandbox/chat", messages: [{ role: "user", content: "hi" }], max_tokens: 16 }),
  });

/** Polls `probe` until it returns `want` (the key cache hears of changes through NOTIFY, within a second). */
async function eventually<T>(probe: () => Promise<T>, want: T, ms = 2_000): Promise<T> {
  let got = await probe();
  for (const until = Date.now() + ms; got !== want && Date.now() < until; got = await probe()) await new Promise((r) => setTimeout(r, 50));
  return got;
}

const settings = {
  name: "renamed",
  spendLimitMicros: 5_000_000n,
  spendLimitPeriod: "DAILY" as const,
  allowedModels: ["sandbox/chat"],
  expiresAt: null,
  rateLimitPerMinute: 30,
};

describe("updateKey", () => {
  it("changes name, limit, period, allowlist and rate limit, and the gateway applies the allowlist at once", async () => {
    const { user, key, keyId } = await createFunded(10_000_000n);
    expect((await chat(key)).status).toBe(200);
    const updated = await updateKey({ ctx: { userId: user.id }, input: { id: keyId, ...settings, allowedModels: ["sandbox/embed"] } });
    expect(updated).toMatchObject({ name: "renamed", spendLimitMicros: 5_000_000n, spendLimitPeriod: "DAILY", allowedModels: ["sandbox/embed"], rateLimitPerMinute: 30 });
    expect(updated).not.toHaveProperty("hash");
    expect((await chat(key)).status).toBe(403);
    const audit = await db.auditEvent.findFirstOrThrow({ where: { action: "key.limits_changed", targetId: keyId } });
    expect(audit.after).toMatchObject({ name: "renamed", spendLimitPeriod: "DAILY" });
  });

  it("gives not found for another user's key and changes nothing", async () => {
    const owner = await createFunded(0n);
    const other = await createFunded(0n);
    await expect(updateKey({ ctx: { userId: other.user.id }, input: { id: owner.keyId, ...settings } })).rejects.toMatchObject({ code: "not_found" });
    expect((await db.apiKey.findUniqueOrThrow({ where: { id: owner.keyId } })).name).toBe("test");
  });

  it("refuses a model that does not exist, a new past expiry, and a revoked key", async () => {
    const { user, keyId } = await createFunded(0n);
    const ctx = { userId: user.id };
    await expect(updateKey({ ctx, input: { id: keyId, ...settings, allowedModels: ["no/such"] } })).rejects.toMatchObject({ param: "allowedModels" });
    await expect(updateKey({ ctx, input: { id: keyId, ...settings, expiresAt: new Date(Date.now() - 1000) } })).rejects.toMatchObject({ param: "expiresAt" });
    await db.apiKey.update({ where: { id: keyId }, data: { revokedAt: new Date() } });
    await expect(updateKey({ ctx, input: { id: keyId, ...settings } })).rejects.toMatchObject({ code: "conflict" });
  });
});

describe("rotateKey", () => {
  it("issues a new secret with the same settings and spend, and revokes the old one at once with no grace", async () => {
    const { user, key, keyId } = await createFunded(10_000_000n, { spendLimitMicros: 3_000_000n });
    expect((await chat(key)).status).toBe(200);
    const before = await db.apiKey.findUniqueOrThrow({ where: { id: keyId } });
    const rotated = await rotateKey({ ctx: { userId: user.id }, input: { id: keyId, grace: "now" } });
    expect(rotated.key).toMatch(/^sk-test-[0-9A-Za-z]{40}$/);
    expect(rotated.key).not.toBe(key);
    expect(rotated.record).toMatchObject({ name: before.name, spendLimitMicros: 3_000_000n, spentMicros: before.spentMicros, environment: before.environment });
    const old = await db.apiKey.findUniqueOrThrow({ where: { id: keyId } });
    expect(old.revokedAt).not.toBeNull();
    expect((await chat(key)).status).toBe(401);
    expect((await chat(rotated.key)).status).toBe(200);
    expect(await db.auditEvent.count({ where: { action: "key.rotated", targetId: keyId } })).toBe(1);
  });

  it("keeps the old key working during the grace period, then it expires", async () => {
    const { user, key, keyId } = await createFunded(10_000_000n);
    const start = Date.now();
    const rotated = await rotateKey({ ctx: { userId: user.id }, input: { id: keyId, grace: "1h" } });
    const old = await db.apiKey.findUniqueOrThrow({ where: { id: keyId } });
    expect(old.revokedAt).toBeNull();
    expect(old.expiresAt!.getTime()).toBeGreaterThanOrEqual(start + 3_600_000 - 1000);
    expect(old.expiresAt!.getTime()).toBeLessThanOrEqual(Date.now() + 3_600_000);
    expect((await chat(key)).status).toBe(200);
    expect((await chat(rotated.key)).status).toBe(200);
    await db.apiKey.update({ where: { id: keyId }, data: { expiresAt: new Date(Date.now() - 1) } });
    // The cache drops the key when the NOTIFY arrives (asynchronously, within a second).
    let status = 200;
    for (const until = Date.now() + 2_000; status !== 401 && Date.now() < until; ) {
      status = (await chat(key)).status;
      if (status !== 401) await new Promise((r) => setTimeout(r, 50));
    }
    expect(status).toBe(401);
  });

  it("bills the old secret to the new key during the grace period: one spend limit, one usage list, not a copy each", async () => {
    const { user, key, keyId } = await createFunded(10_000_000n, { spendLimitMicros: 3_000_000n });
    const ctx = { userId: user.id };
    const rotated = await rotateKey({ ctx, input: { id: keyId, grace: "1h" } });
    const newId = rotated.record.id;
    const spentBefore = (await db.apiKey.findUniqueOrThrow({ where: { id: keyId } })).spentMicros;

    const res = await chat(key);
    expect(res.status).toBe(200);
    const requestId = res.headers.get("x-request-id")!;
    const cost = BigInt(res.headers.get("x-request-cost-micros")!);
    expect((await db.usageRecord.findUniqueOrThrow({ where: { requestId } })).apiKeyId).toBe(newId);
    expect((await db.apiKey.findUniqueOrThrow({ where: { id: newId } })).spentMicros).toBe(spentBefore + cost);
    const old = await db.apiKey.findUniqueOrThrow({ where: { id: keyId } });
    expect(old.spentMicros).toBe(spentBefore);
    // The old key's own "last used" still shows its secret is in use (recorded off the request's path).
    expect(await eventually(async () => (await db.apiKey.findUniqueOrThrow({ where: { id: keyId } })).lastUsedAt !== null, true)).toBe(true);
    const balance = await gatewayFetch(`${BASE_URL}/balance`, { headers: { authorization: `Bearer ${key}` } });
    expect(((await balance.json()) as { key: { id: string } }).key.id).toBe(newId);

    // Lower the new key's limit to what it has spent: both secrets are refused by that one limit.
    const spent = (await db.apiKey.findUniqueOrThrow({ where: { id: newId } })).spentMicros;
    await updateKey({ ctx, input: { id: newId, ...settings, allowedModels: [], spendLimitPeriod: "NONE", spendLimitMicros: spent + 1n } });
    for (const secret of [key, rotated.key]) {
      const refused = await chat(secret);
      expect(refused.status).toBe(402);
      expect(((await refused.json()) as { error: { limit_source: string } }).error.limit_source).toBe("key_limit");
    }

    // The rotated key is no longer edited or rotated itself; revoking the new key ends the old secret too.
    await expect(updateKey({ ctx, input: { id: keyId, ...settings } })).rejects.toMatchObject({ code: "conflict" });
    await expect(rotateKey({ ctx, input: { id: keyId, grace: "1h" } })).rejects.toMatchObject({ code: "conflict" });
    await revokeKey({ ctx, input: { id: newId } });
    expect(await eventually(async () => (await chat(key)).status, 401)).toBe(401);
  });

  it("keeps every earlier secret in its grace period pointing at the latest key", async () => {
    const { user, key, keyId } = await createFunded(10_000_000n);
    const ctx = { userId: user.id };
    const second = await rotateKey({ ctx, input: { id: keyId, grace: "1h" } });
    expect((await chat(key)).status).toBe(200); // cached here as standing in for the second key
    const third = await rotateKey({ ctx, input: { id: second.record.id, grace: "1h" } });
    expect((await db.apiKey.findUniqueOrThrow({ where: { id: keyId } })).successorId).toBe(third.record.id);
    // The change reaches the cache through NOTIFY: the first secret's calls now count on the third key.
    const billedTo = await eventually(async () => {
      const r = await chat(key);
      return (await db.usageRecord.findUniqueOrThrow({ where: { requestId: r.headers.get("x-request-id")! } })).apiKeyId;
    }, third.record.id);
    expect(billedTo).toBe(third.record.id);
  });

  it("gives not found for another user's key, and refuses a revoked one", async () => {
    const owner = await createFunded(0n);
    const other = await createFunded(0n);
    await expect(rotateKey({ ctx: { userId: other.user.id }, input: { id: owner.keyId, grace: "now" } })).rejects.toMatchObject({ code: "not_found" });
    expect(await db.apiKey.count({ where: { userId: owner.user.id } })).toBe(1);
    await rotateKey({ ctx: { userId: owner.user.id }, input: { id: owner.keyId, grace: "now" } });
    await expect(rotateKey({ ctx: { userId: owner.user.id }, input: { id: owner.keyId, grace: "now" } })).rejects.toMatchObject({ code: "conflict" });
  });
});

describe("period spend (same rules as meterway_key_spent)", () => {
  it("counts the current period only, and lifetime spend without a period", async () => {
    const at = new Date("2026-03-04T15:00:00Z"); // a Wednesday
    expect(periodStart("DAILY", at)).toEqual(new Date("2026-03-04T00:00:00Z"));
    expect(periodStart("WEEKLY", at)).toEqual(new Date("2026-03-02T00:00:00Z"));
    expect(periodStart("MONTHLY", at)).toEqual(new Date("2026-03-01T00:00:00Z"));
    expect(periodEnd("MONTHLY", at)).toEqual(new Date("2026-04-01T00:00:00Z"));
    const key = { spendLimitPeriod: "DAILY" as const, periodStartedAt: new Date("2026-03-04T00:00:00Z"), periodSpentMicros: 7n, spentMicros: 100n };
    expect(spentThisPeriod(key, at)).toBe(7n);
    expect(spentThisPeriod(key, new Date("2026-03-05T00:00:00Z"))).toBe(0n);
    expect(spentThisPeriod({ ...key, spendLimitPeriod: "NONE" }, at)).toBe(100n);
    // And the SQL agrees.
    const [row] = await db.$queryRaw<Array<{ start: Date; spent: bigint }>>`
      SELECT meterway_period_start('WEEKLY', ${at}::timestamptz) AS start,
             meterway_key_spent('DAILY', ${key.periodStartedAt}::timestamptz, 7, 100, ${new Date("2026-03-05T00:00:00Z")}::timestamptz) AS spent`;
    expect(row!.start).toEqual(periodStart("WEEKLY", at));
    expect(row!.spent).toBe(0n);
  });
});
