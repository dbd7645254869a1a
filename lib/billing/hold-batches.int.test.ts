// Holds and settlements that arrive together share one statement (./hold-batches.ts). These tests send
// them together (one Promise.all is one batch) and check that the batch decided them — not the single
// statements behind it — and decided them exactly as one-by-one statements would have.
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { accountState, createFunded } from "@/scripts/test/fixtures";
import { checkLedger } from "./check-ledger";
import { reserveBatch, settleBatch } from "./hold-batches";
import { holdBatchCounts, reserve, settle, type ReserveInput } from "./holds";
import { startSubscription } from "./subscriptions/start-subscription";

const usage = { modelId: "sandbox/chat", endpoint: "chat.completions", status: "SUCCEEDED" as const, inputTokens: 10, outputTokens: 10, stream: false, latencyMs: 1 };
let seq = 0;
const rid = () => `req_batch_${Date.now()}_${seq++}`;
const TRICKY = `a "quoted" {braced}, back\\slashed, ünïcode · NULL`;

type Customer = Awaited<ReturnType<typeof createFunded>>;
const ask = (c: Customer, maxMicros: bigint, minMicros = maxMicros): ReserveInput => ({
  accountId: c.account.id,
  apiKeyId: c.keyId,
  requestId: rid(),
  maxMicros,
  minMicros,
  model: { id: "sandbox/chat", type: "CHAT" },
});

/** What the batch statements decided while `fn` ran. */
async function decidedByBatches<T>(fn: () => Promise<T>): Promise<{ result: T; reserve: number; settle: number }> {
  const before = holdBatchCounts();
  const result = await fn();
  const after = holdBatchCounts();
  return { result, reserve: after.reserve.decided - before.reserve.decided, settle: after.settle.decided - before.settle.decided };
}

/** The account's ledger entries in order, each with the balance it says and the running sum of amounts. */
async function runningBalances(accountId: string) {
  const entries = await db.ledgerEntry.findMany({ where: { accountId }, orderBy: { id: "asc" } });
  let sum = 0n;
  return entries.map((e) => ({ says: e.balanceAfterMicros, is: (sum += e.amountMicros) }));
}

describe("batched holds and settlements", () => {
  it("holds and settles many accounts' requests per statement, with each ledger entry's running balance", async () => {
    const customers = await Promise.all([createFunded(10_000n), createFunded(10_000n), createFunded(10_000n)]);
    const asks = customers.flatMap((c) => Array.from({ length: 8 }, () => ask(c, 500n)));
    const held = await decidedByBatches(() => Promise.all(asks.map((a) => reserve(a))));
    expect(held.result.every((h) => h.ok)).toBe(true);
    expect(held.reserve).toBeGreaterThanOrEqual(asks.length - 1); // the first may go alone, before the rest queue
    for (const c of customers) expect(await accountState(c.account.id)).toEqual({ balance: 10_000n, reserved: 4_000n, available: 6_000n });

    const settled = await decidedByBatches(() =>
      Promise.all(
        held.result.map((h, i) => {
          if (!h.ok) throw new Error("unreachable");
          // Text goes to PostgreSQL as array literals: quotes, backslashes, braces, commas and NULL survive.
          return settle({ holdId: h.holdId, requestId: asks[i]!.requestId, costMicros: BigInt(100 + i), usage: { ...usage, note: i % 2 ? null : `NULL` }, description: TRICKY });
        }),
      ),
    );
    expect(settled.settle).toBeGreaterThanOrEqual(asks.length - 1);
    expect(settled.result.map((r) => r.costMicros)).toEqual(asks.map((_, i) => BigInt(100 + i)));
    for (const [n, c] of customers.entries()) {
      const charged = Array.from({ length: 8 }, (_, i) => BigInt(100 + n * 8 + i)).reduce((a, b) => a + b);
      expect(await accountState(c.account.id)).toEqual({ balance: 10_000n - charged, reserved: 0n, available: 10_000n - charged });
      for (const entry of await runningBalances(c.account.id)) expect(entry.says).toBe(entry.is);
      expect(await db.usageRecord.count({ where: { accountId: c.account.id, paidBy: "BALANCE", costMicros: { gt: 0n } } })).toBe(8);
    }
    const stored = await db.usageRecord.findMany({ where: { requestId: { in: asks.map((a) => a.requestId) } }, select: { note: true } });
    expect(stored.filter((r) => r.note === "NULL")).toHaveLength(12);
    expect(stored.filter((r) => r.note === null)).toHaveLength(12);
    const entries = await db.ledgerEntry.findMany({ where: { reference: { in: asks.map((a) => `usage:${a.requestId}`) } }, select: { description: true } });
    expect(new Set(entries.map((e) => e.description))).toEqual(new Set([TRICKY]));
    // Each response reports the balance right after its own charge, as one-by-one settlements would.
    const last = settled.result[7]!;
    expect(last.balanceMicros).toBe((await accountState(customers[0]!.account.id)).balance);
    expect((await checkLedger()).violations).toEqual([]);
  });

  it("admits in order what the balance covers and leaves the rest to the single statement (capped or refused)", async () => {
    const c = await createFunded(1_000n);
    const asks = Array.from({ length: 5 }, () => ask(c, 300n, 10n));
    const held = await decidedByBatches(() => Promise.all(asks.map((a) => reserve(a))));
    expect(held.reserve).toBeGreaterThanOrEqual(2);
    const outcomes = held.result.map((h) => (h.ok ? h.amountMicros : h.limitSource));
    expect(outcomes.slice(0, 3)).toEqual([300n, 300n, 300n]);
    // The last two race in their single statements: one gets what is left (its output capped), one is refused.
    expect(outcomes.slice(3).map(String).sort()).toEqual(["100", "balance"]);
    expect(await accountState(c.account.id)).toEqual({ balance: 1_000n, reserved: 1_000n, available: 0n });
    expect((await checkLedger()).violations).toEqual([]);
  });

  it("keeps a key's spend limit and rate limit across one batch", async () => {
    const limited = await createFunded(100_000n, { spendLimitMicros: 500n });
    const spend = await Promise.all(Array.from({ length: 3 }, () => reserve(ask(limited, 200n))));
    expect(spend.map((h) => (h.ok ? "held" : h.limitSource))).toEqual(["held", "held", "key_limit"]);

    const throttled = await createFunded(100_000n);
    await db.apiKey.update({ where: { id: throttled.keyId }, data: { rateLimitPerMinute: 2 } });
    const calls = await Promise.all(Array.from({ length: 4 }, () => reserve(ask(throttled, 10n))));
    expect(calls.map((h) => (h.ok ? "held" : h.limitSource))).toEqual(["held", "held", "rate_limit", "rate_limit"]);
    expect(await db.apiKey.findUniqueOrThrow({ where: { id: throttled.keyId } })).toMatchObject({ rateWindowCount: 2, reservedMicros: 20n });
    expect((await checkLedger()).violations).toEqual([]);
  });

  it("hands an account with a subscription to the single statement, so its allowance still pays first", async () => {
    const plan = await db.plan.create({
      data: { slug: `batch-${randomBytes(4).toString("hex")}`, name: "Batch plan", priceMicros: 1_000_000n, allowanceMicros: 1_000n, modelIds: [] },
    });
    const subscriber = await createFunded(10_000n);
    await startSubscription({ userId: subscriber.user.id, planId: plan.id, provider: "SANDBOX", periodStart: new Date(Date.now() - 60_000) });
    const payg = await createFunded(10_000n);
    const asks = [ask(payg, 400n), ask(subscriber, 400n), ask(payg, 400n), ask(subscriber, 400n)];
    const held = await decidedByBatches(() => Promise.all(asks.map((a) => reserve(a))));
    expect(held.reserve).toBe(2);
    expect(held.result.map((h) => h.ok && (h.allowanceId ? "allowance" : "balance"))).toEqual(["balance", "allowance", "balance", "allowance"]);

    const settled = await decidedByBatches(() =>
      Promise.all(held.result.map((h, i) => (h.ok ? settle({ holdId: h.holdId, requestId: asks[i]!.requestId, costMicros: 300n, usage, description: "t" }) : null))),
    );
    expect(settled.settle).toBe(2);
    expect(settled.result.map((r) => r?.paidBy)).toEqual(["BALANCE", "SUBSCRIPTION", "BALANCE", "SUBSCRIPTION"]);
    expect((await accountState(subscriber.account.id)).balance).toBe(10_000n);
    expect((await accountState(payg.account.id)).balance).toBe(9_400n);
    expect((await checkLedger()).violations).toEqual([]);
  });

  it("settles a hold named twice in one batch once, and answers the repeat with the first charge", async () => {
    const c = await createFunded(10_000n);
    const a = ask(c, 500n);
    const other = ask(c, 500n);
    const [h, h2] = await Promise.all([reserve(a), reserve(other)]);
    if (!h?.ok || !h2?.ok) throw new Error("expected holds");
    const done = { holdId: h.holdId, requestId: a.requestId, usage, description: "t" };
    const [first, repeat] = await Promise.all([
      settle({ ...done, costMicros: 250n }),
      settle({ ...done, costMicros: 400n }),
      settle({ holdId: h2.holdId, requestId: other.requestId, costMicros: 100n, usage, description: "t" }),
    ]);
    expect(first).toMatchObject({ settled: true, costMicros: 250n });
    expect(repeat).toMatchObject({ settled: false, costMicros: 250n });
    expect(await accountState(c.account.id)).toEqual({ balance: 9_650n, reserved: 0n, available: 9_650n });
    expect((await checkLedger()).violations).toEqual([]);
  });

  it("falls back to one statement per request when the batch fails, so only the faulty request fails", async () => {
    const c = await createFunded(10_000n);
    const dup = ask(c, 100n);
    const results = await Promise.allSettled([reserve(ask(c, 100n)), reserve(dup), reserve({ ...dup }), reserve(ask(c, 100n))]);
    // The two with the same request id race in their single statements: one holds, one fails.
    expect([results[0]!.status, results[3]!.status]).toEqual(["fulfilled", "fulfilled"]);
    expect([results[1]!.status, results[2]!.status].sort()).toEqual(["fulfilled", "rejected"]);
    expect(await accountState(c.account.id)).toEqual({ balance: 10_000n, reserved: 300n, available: 9_700n });
    expect((await checkLedger()).violations).toEqual([]);
  });
  it("decides batches for the same accounts sent at once (as two gateway processes would) one after the other, never overdrawing", async () => {
    const customers = await Promise.all([createFunded(5_000n), createFunded(5_000n)]);
    // Two batches of 16 holds of 500 each, over both accounts: 10 per account fit, in whatever order the batches get the rows.
    const batches = [0, 1].map(() => Array.from({ length: 16 }, (_, i) => ask(customers[i % 2]!, 500n)));
    const results = await Promise.all(batches.map((batch) => reserveBatch(batch)));
    const held = results.flat().filter((r) => r !== undefined);
    expect(held.length).toBe(20);
    expect(held.every((r) => r.ok)).toBe(true);
    for (const c of customers) expect(await accountState(c.account.id)).toEqual({ balance: 5_000n, reserved: 5_000n, available: 0n });

    const inputs = results.flatMap((batch, b) => batch.flatMap((r, i) => (r?.ok ? [{ holdId: r.holdId, requestId: batches[b]![i]!.requestId, costMicros: 300n, usage, description: "two at once" }] : [])));
    const halves = [inputs.filter((_, i) => i % 2 === 0), inputs.filter((_, i) => i % 2 === 1)];
    const settled = (await Promise.all(halves.map((half) => settleBatch(half, async () => {})))).flat();
    expect(settled.every((r) => r?.settled)).toBe(true);
    for (const c of customers) {
      expect(await accountState(c.account.id)).toEqual({ balance: 2_000n, reserved: 0n, available: 2_000n });
      const running = await runningBalances(c.account.id);
      expect(running.every((e) => e.says === e.is)).toBe(true);
    }
    expect((await checkLedger()).ok).toBe(true);
  });
});
