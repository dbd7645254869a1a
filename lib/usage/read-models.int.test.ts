// The usage and ledger read models: filters, cursors, the one-pass summary, the balance history that
// reconciles to the balance, the CSV batches — and that nobody reads another user's rows.
import { describe, expect, it } from "vitest";
import { postEntryOnce } from "@/lib/billing/ledger";
import { db } from "@/lib/db";
import { createKey } from "@/lib/keys/create-key";
import { createFunded } from "@/scripts/test/fixtures";
import { BASE_URL, gatewayFetch } from "@/scripts/test/gateway-fetch";
import { balanceHistory } from "./balance-history";
import { balanceTrend } from "./balance-trend";
import { exportUsage } from "./export-usage";
import { getUsageRecord } from "./get-usage-record";
import { listUsage } from "./list-usage";
import { usageSummary } from "./usage-summary";

async function call(key: string, model: "sandbox/chat" | "sandbox/embed") {
  const res =
    model === "sandbox/chat"
      ? await gatewayFetch(`${BASE_URL}/chat/completions`, {
          method: "POST",
          headers: { authorization: `Bearer ${key}` },
          body: JSON.stringify({ model, messages: [{ role: "user", content: "hello there" }], max_tokens: 16 }),
        })
      : await gatewayFetch(`${BASE_URL}/embeddings`, { method: "POST", headers: { authorization: `Bearer ${key}` }, body: JSON.stringify({ model, input: "hello" }) });
  expect(res.status).toBe(200);
}

async function customerWithUsage() {
  const c = await createFunded(10_000_000n);
  for (let i = 0; i < 3; i++) await call(c.key, "sandbox/chat");
  await call(c.key, "sandbox/embed");
  return c;
}

const range = () => ({ from: new Date(Date.now() - 86_400_000), to: new Date(Date.now() + 60_000) });

describe("usage read models", () => {
  it("lists, filters by model and key, and pages with a cursor without gaps or repeats", async () => {
    const { user, keyId } = await customerWithUsage();
    const ctx = { userId: user.id };
    const all = await listUsage({ ctx, input: {} });
    expect(all.items).toHaveLength(4);
    expect((await listUsage({ ctx, input: { modelId: "sandbox/embed" } })).items).toHaveLength(1);
    expect((await listUsage({ ctx, input: { keyId } })).items).toHaveLength(4);
    expect((await listUsage({ ctx, input: { status: "FAILED" } })).items).toHaveLength(0);
    const first = await listUsage({ ctx, input: { limit: 3 } });
    const second = await listUsage({ ctx, input: { limit: 3, cursor: first.nextCursor! } });
    expect([...first.items, ...second.items].map((r) => r.id)).toEqual(all.items.map((r) => r.id));
    expect(second.nextCursor).toBeNull();
  });

  it("summarises totals, series, models, keys and types in one pass, consistently", async () => {
    const { user, keyId } = await customerWithUsage();
    const s = await usageSummary({ ctx: { userId: user.id }, input: { ...range(), bucket: "hour" } });
    const records = await db.usageRecord.findMany({ where: { apiKeyId: keyId } });
    const cost = records.reduce((sum, r) => sum + r.costMicros, 0n);
    expect(s.totals).toMatchObject({ requests: 4, costMicros: cost });
    expect(s.series.reduce((sum, b) => sum + b.costMicros, 0n)).toBe(cost);
    expect(s.byModel.map((m) => m.modelId).sort()).toEqual(["sandbox/chat", "sandbox/embed"]);
    expect(s.byKey).toEqual([expect.objectContaining({ keyId, requests: 4, costMicros: cost })]);
    expect(s.byType.map((t) => t.type).sort()).toEqual(["CHAT", "EMBEDDING"]);
    const trend = await balanceTrend({ ctx: { userId: user.id }, input: { ...range(), bucket: "hour" } });
    expect(trend[trend.length - 1]!.balanceMicros).toBe(10_000_000n - cost);
  });

  it("shows the ledger grouped per day and key, reconciling exactly to the balance", async () => {
    const { user, account } = await customerWithUsage();
    const h = await balanceHistory({ ctx: { userId: user.id } });
    const balance = (await db.account.findUniqueOrThrow({ where: { id: account.id } })).balanceMicros;
    expect(h.items.map((i) => i.kind)).toEqual(["USAGE", "ADJUSTMENT"]);
    expect(h.items[0]!.entries).toBe(4);
    expect(h.openingBalanceMicros + h.items.reduce((sum, i) => sum + i.amountMicros, 0n)).toBe(balance);
    expect(h.closingBalanceMicros).toBe(balance);
    expect(h.ledgerSumMicros).toBe(balance);
    expect(h.balanceMicros).toBe(balance);
  });

  it("adds up line by line when a top-up comes between a day's requests of two keys", async () => {
    const c = await createFunded(10_000_000n);
    const second = await createKey({ ctx: { userId: c.user.id }, input: { name: "second" } });
    await call(c.key, "sandbox/chat");
    await call(second.key, "sandbox/chat");
    await postEntryOnce({ accountId: c.account.id, kind: "ADJUSTMENT", amountMicros: 1_000_000n, reference: `test-mid:${c.keyId}`, description: "mid-day grant" });
    await call(c.key, "sandbox/chat");
    await call(second.key, "sandbox/embed");
    await call(c.key, "sandbox/chat");

    const h = await balanceHistory({ ctx: { userId: c.user.id } });
    // Newest first: the two keys' usage after the grant, the grant, the two keys' usage before it, the first grant.
    expect(h.items.map((i) => [i.kind, i.entries])).toEqual([
      ["USAGE", expect.any(Number)],
      ["USAGE", expect.any(Number)],
      ["ADJUSTMENT", 1],
      ["USAGE", 1],
      ["USAGE", 1],
      ["ADJUSTMENT", 1],
    ]);
    expect(h.items.slice(0, 2).map((i) => i.entries).sort()).toEqual([1, 2]);
    // Every line is the one below it plus its amount, from the opening balance up to the balance now.
    let below = h.openingBalanceMicros;
    for (const item of h.items.toReversed()) {
      expect(item.balanceAfterMicros).toBe(below + item.amountMicros);
      below = item.balanceAfterMicros;
    }
    expect(below).toBe(h.balanceMicros);
    // The grant shows the balance it really left.
    const grant = await db.ledgerEntry.findUniqueOrThrow({ where: { reference: `test-mid:${c.keyId}` } });
    expect(h.items[2]!.balanceAfterMicros).toBe(grant.balanceAfterMicros);
    // Each usage line spans its own requests: the first key's line after the grant starts after it.
    const lateFirstKey = h.items.find((i) => i.kind === "USAGE" && i.keyId === c.keyId && i.entries === 2)!;
    expect(lateFirstKey.firstAt.getTime()).toBeGreaterThanOrEqual(grant.createdAt.getTime());
  });

  it("exports every matching row in batches with the details", async () => {
    const { user } = await customerWithUsage();
    const rows = [];
    for await (const batch of exportUsage({ ctx: { userId: user.id }, input: { modelId: "sandbox/chat" } })) rows.push(...batch);
    expect(rows).toHaveLength(3);
    expect(rows[0]).toMatchObject({ modelId: "sandbox/chat", providerId: "sandbox", upstreamModel: expect.any(String) });
    expect(rows[0]!.inputPerMtokMicros).toBe(500_000n);
  });

  it("never shows one user's usage, records or ledger to another", async () => {
    const owner = await customerWithUsage();
    const other = await createFunded(0n);
    const ctx = { userId: other.user.id };
    const ownerRecord = (await listUsage({ ctx: { userId: owner.user.id }, input: {} })).items[0]!;
    expect((await getUsageRecord({ ctx: { userId: owner.user.id }, input: { id: ownerRecord.id } })).requestId).toBe(ownerRecord.requestId);
    await expect(getUsageRecord({ ctx, input: { id: ownerRecord.id } })).rejects.toMatchObject({ code: "not_found" });
    expect((await listUsage({ ctx, input: { keyId: owner.keyId } })).items).toHaveLength(0);
    expect((await usageSummary({ ctx, input: { ...range(), bucket: "day" } })).totals.requests).toBe(0);
    const rows = [];
    for await (const batch of exportUsage({ ctx, input: { keyId: owner.keyId } })) rows.push(...batch);
    expect(rows).toHaveLength(0);
    expect((await balanceHistory({ ctx })).items).toHaveLength(0);
  });
});
