// Who pays, on a real PostgreSQL: the allowance of a subscription covering the model, then the prepaid
// balance (when the subscription allows it), else 402 with limit_source "subscription".
import { randomBytes } from "node:crypto";
import OpenAI from "openai";
import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { accountState, createFunded } from "@/scripts/test/fixtures";
import { BASE_URL, gatewayFetch } from "@/scripts/test/gateway-fetch";
import { checkLedger } from "../check-ledger";
import { release, reserve, settle } from "../holds";
import { applyPlanChange } from "./change-plan";
import { listSubscriptionInvoices } from "./list-invoices";
import { saveCustomSubscription } from "./custom-subscription";
import { setCancelAtPeriodEnd } from "./end-subscription";
import { openPeriod } from "./open-period";
import { recordProration } from "./record-proration";
import { renewDueSubscriptions } from "./renew-due";
import { startSubscription } from "./start-subscription";

const CHAT = { id: "sandbox/chat", type: "CHAT" as const };
const IMAGE = { id: "sandbox/image", type: "IMAGE" as const };
const usage = { modelId: "sandbox/chat", endpoint: "chat.completions", status: "SUCCEEDED" as const, inputTokens: 10, outputTokens: 10, stream: false, latencyMs: 1 };
let seq = 0;
const rid = () => `req_sub_${Date.now()}_${seq++}`;
const DAY = 86_400_000;

async function createPlan(terms: { allowanceMicros: bigint; overageToBalance?: boolean; imageAllowance?: number | null; modelIds?: string[]; priceMicros?: bigint }) {
  return db.plan.create({
    data: {
      slug: `test-${randomBytes(4).toString("hex")}`,
      name: "Test plan",
      priceMicros: terms.priceMicros ?? 5_000_000n,
      allowanceMicros: terms.allowanceMicros,
      overageToBalance: terms.overageToBalance ?? true,
      imageAllowance: terms.imageAllowance ?? null,
      modelIds: terms.modelIds ?? [],
    },
  });
}

async function subscribed(balance: bigint, plan: Awaited<ReturnType<typeof createPlan>>, start = new Date(Date.now() - DAY)) {
  const funded = await createFunded(balance);
  const { subscriptionId } = await startSubscription({ userId: funded.user.id, planId: plan.id, provider: "SANDBOX", periodStart: start });
  return { ...funded, subscriptionId };
}

async function allowance(subscriptionId: string, slot = "shared") {
  return db.allowance.findUniqueOrThrow({ where: { subscriptionId_slot: { subscriptionId, slot } } });
}

async function call(c: { account: { id: string }; keyId: string }, max: bigint, cost: bigint, model: { id: string; type: "CHAT" | "IMAGE" | "EMBEDDING" } = CHAT, min = max) {
  const requestId = rid();
  const hold = await reserve({ accountId: c.account.id, apiKeyId: c.keyId, requestId, maxMicros: max, minMicros: min, model, units: 1 });
  if (!hold.ok) return { hold, settled: null };
  const settled = await settle({ holdId: hold.holdId, requestId, costMicros: cost, usage: { ...usage, modelId: model.id }, description: "test" });
  return { hold, settled, requestId };
}

describe("who pays", () => {
  it("charges a covered model to the allowance first and leaves the balance alone", async () => {
    const plan = await createPlan({ allowanceMicros: 1_000n });
    const c = await subscribed(5_000n, plan);
    const { settled, requestId } = await call(c, 400n, 250n);
    expect(settled).toMatchObject({ settled: true, costMicros: 250n, chargedMicros: 0n, paidBy: "SUBSCRIPTION" });
    expect(await accountState(c.account.id)).toEqual({ balance: 5_000n, reserved: 0n, available: 5_000n });
    expect(await allowance(c.subscriptionId)).toMatchObject({ usedValue: 250n, reservedValue: 0n });
    const record = await db.usageRecord.findUniqueOrThrow({ where: { requestId: requestId! } });
    expect(record).toMatchObject({ paidBy: "SUBSCRIPTION", coveredMicros: 250n, costMicros: 250n, subscriptionId: c.subscriptionId });
    // The balance did not move, so there is no ledger entry.
    expect(await db.ledgerEntry.count({ where: { reference: `usage:${requestId}` } })).toBe(0);
    expect((await checkLedger()).violations).toEqual([]);
  });

  it("charges what overflows the allowance at settlement to the balance", async () => {
    const plan = await createPlan({ allowanceMicros: 300n });
    const c = await subscribed(5_000n, plan);
    const { hold, settled, requestId } = await call(c, 1_000n, 500n);
    expect(hold).toMatchObject({ ok: true, amountMicros: 1_000n, balanceMicros: 700n });
    expect(settled).toMatchObject({ costMicros: 500n, chargedMicros: 200n, paidBy: "MIXED" });
    expect(await accountState(c.account.id)).toEqual({ balance: 4_800n, reserved: 0n, available: 4_800n });
    expect(await allowance(c.subscriptionId)).toMatchObject({ usedValue: 300n, reservedValue: 0n });
    expect(await db.ledgerEntry.findUniqueOrThrow({ where: { reference: `usage:${requestId}` } })).toMatchObject({ amountMicros: -200n });
    // Once the allowance is used up, the balance pays it all.
    expect((await call(c, 100n, 100n)).settled).toMatchObject({ chargedMicros: 100n, paidBy: "BALANCE" });
    expect((await checkLedger()).violations).toEqual([]);
  });

  it("refuses with limit_source subscription when the allowance is used up and fallback is off", async () => {
    const plan = await createPlan({ allowanceMicros: 500n, overageToBalance: false });
    const c = await subscribed(1_000_000n, plan);
    expect((await call(c, 400n, 400n)).settled).toMatchObject({ paidBy: "SUBSCRIPTION" });
    const refused = await call(c, 200n, 200n);
    expect(refused.hold).toMatchObject({ ok: false, limitSource: "subscription" });
    // A capped request (no max_tokens) may still use the 100 left.
    expect((await call(c, 200n, 50n, CHAT, 10n)).hold).toMatchObject({ ok: true, amountMicros: 100n, balanceMicros: 0n });
    expect(await accountState(c.account.id)).toEqual({ balance: 1_000_000n, reserved: 0n, available: 1_000_000n });
    // A model the plan does not cover is paid by the balance as usual.
    const uncovered = await createPlan({ allowanceMicros: 500n, overageToBalance: false, modelIds: ["sandbox/embed"] });
    const d = await subscribed(1_000n, uncovered);
    expect((await call(d, 300n, 300n)).settled).toMatchObject({ paidBy: "BALANCE", chargedMicros: 300n });
  });

  it("lets a key past its spend limit make requests the allowance pays in full, and only those", async () => {
    const plan = await createPlan({ allowanceMicros: 10_000n });
    const c = await subscribed(50_000n, plan);
    // The key spent past its limit before (a limit lowered below what it had spent).
    await db.apiKey.update({ where: { id: c.keyId }, data: { spendLimitMicros: 100n, spentMicros: 750n } });
    const covered = await call(c, 400n, 300n);
    expect(covered.hold).toMatchObject({ ok: true, balanceMicros: 0n });
    expect(covered.settled).toMatchObject({ paidBy: "SUBSCRIPTION", chargedMicros: 0n });
    // A request the allowance cannot pay in full needs the balance, which the key's limit closes.
    expect((await call(c, 20_000n, 20_000n)).hold).toMatchObject({ ok: false, limitSource: "key_limit" });
    expect(await db.apiKey.findUniqueOrThrow({ where: { id: c.keyId } })).toMatchObject({ spentMicros: 750n, reservedMicros: 0n });
    expect((await checkLedger()).violations).toEqual([]);
  });

  it("the customer can switch the fallback off even where the plan allows it", async () => {
    const plan = await createPlan({ allowanceMicros: 100n });
    const c = await subscribed(10_000n, plan);
    await db.subscription.update({ where: { id: c.subscriptionId }, data: { balanceFallback: false } });
    expect((await call(c, 300n, 300n)).hold).toMatchObject({ ok: false, limitSource: "subscription" });
  });

  it("counts images against an image allowance, then passes whole requests to the balance", async () => {
    const plan = await createPlan({ allowanceMicros: 0n, imageAllowance: 2 });
    const c = await subscribed(10_000n, plan);
    const first = await reserve({ accountId: c.account.id, apiKeyId: c.keyId, requestId: rid(), maxMicros: 2_000n, minMicros: 2_000n, model: IMAGE, units: 2 });
    expect(first).toMatchObject({ ok: true, balanceMicros: 0n });
    if (!first.ok) throw new Error("unreachable");
    const requestId = rid();
    const settled = await settle({ holdId: first.holdId, requestId, costMicros: 2_000n, usage: { ...usage, modelId: IMAGE.id, units: 2 }, description: "images" });
    expect(settled).toMatchObject({ costMicros: 2_000n, chargedMicros: 0n, paidBy: "SUBSCRIPTION" });
    expect(await allowance(c.subscriptionId, "images")).toMatchObject({ usedValue: 2n });
    const next = await reserve({ accountId: c.account.id, apiKeyId: c.keyId, requestId: rid(), maxMicros: 1_000n, minMicros: 1_000n, model: IMAGE, units: 1 });
    expect(next).toMatchObject({ ok: true, balanceMicros: 1_000n, allowanceId: null });
    if (next.ok) await release({ holdId: next.holdId });
  });

  it("never lets concurrent requests exceed an allowance or the balance", async () => {
    const plan = await createPlan({ allowanceMicros: 1_000n, overageToBalance: false });
    const c = await subscribed(0n, plan);
    const results = await Promise.all(Array.from({ length: 40 }, () => call(c, 100n, 100n)));
    expect(results.filter((r) => r.settled?.settled)).toHaveLength(10);
    expect(results.filter((r) => !r.hold.ok && r.hold.limitSource === "subscription")).toHaveLength(30);
    expect(await allowance(c.subscriptionId)).toMatchObject({ usedValue: 1_000n, reservedValue: 0n });

    // With the fallback on: the allowance, then exactly what the balance can pay.
    const open = await createPlan({ allowanceMicros: 1_000n });
    const d = await subscribed(500n, open);
    const mixed = await Promise.all(Array.from({ length: 40 }, () => call(d, 100n, 100n)));
    expect(mixed.filter((r) => r.settled?.settled)).toHaveLength(15);
    expect(await allowance(d.subscriptionId)).toMatchObject({ usedValue: 1_000n, reservedValue: 0n });
    expect(await accountState(d.account.id)).toEqual({ balance: 0n, reserved: 0n, available: 0n });
    expect((await checkLedger()).violations).toEqual([]);
  });
});

describe("periods", () => {
  it("opens a new period once per invoice, whatever the duplicates and the order", async () => {
    const plan = await createPlan({ allowanceMicros: 1_000n });
    const start = new Date(Date.now() - 10 * DAY);
    const c = await subscribed(0n, plan, start);
    await call(c, 600n, 600n);
    const next = { start: new Date(start.getTime() + 30 * DAY), end: new Date(start.getTime() + 60 * DAY) };
    const later = { start: next.end, end: new Date(start.getTime() + 90 * DAY) };
    const invoice = (id: string, p: { start: Date; end: Date }) =>
      openPeriod({ subscriptionId: c.subscriptionId, externalId: id, amountMicros: plan.priceMicros, periodStart: p.start, periodEnd: p.end });

    expect(await invoice("in_next", next)).toBe("opened");
    expect(await allowance(c.subscriptionId)).toMatchObject({ usedValue: 0n });
    await db.allowance.update({ where: { id: (await allowance(c.subscriptionId)).id }, data: { usedValue: 250n } });
    expect(await invoice("in_next", next)).toBe("duplicate");
    expect(await allowance(c.subscriptionId)).toMatchObject({ usedValue: 250n });

    expect(await invoice("in_later", later)).toBe("opened");
    await db.allowance.update({ where: { id: (await allowance(c.subscriptionId)).id }, data: { usedValue: 70n } });
    // An older period's invoice arriving late is recorded, but does not reset or move the period back.
    expect(await invoice("in_next_again", next)).toBe("recorded");
    expect(await allowance(c.subscriptionId)).toMatchObject({ usedValue: 70n });
    expect(await db.subscription.findUniqueOrThrow({ where: { id: c.subscriptionId } })).toMatchObject({ currentPeriodStart: later.start });
    expect(await db.subscriptionInvoice.count({ where: { subscriptionId: c.subscriptionId } })).toBe(3);
  });

  it("lists an account's own invoices, newest first, a proration marked as one and recorded once", async () => {
    const plan = await createPlan({ allowanceMicros: 1_000n });
    const start = new Date(Date.now() - 10 * DAY);
    const c = await subscribed(0n, plan, start);
    const other = await subscribed(0n, plan, start);
    const end = new Date(start.getTime() + 30 * DAY);
    await openPeriod({ subscriptionId: c.subscriptionId, externalId: `in_first_${c.subscriptionId}`, amountMicros: 5_000_000n, periodStart: start, periodEnd: end });
    await openPeriod({ subscriptionId: other.subscriptionId, externalId: `in_other_${other.subscriptionId}`, amountMicros: 5_000_000n, periodStart: start, periodEnd: end });
    const proration = { subscriptionId: c.subscriptionId, externalId: `in_upgrade_${c.subscriptionId}`, amountMicros: 1_234_567n, periodStart: new Date(), periodEnd: end, receiptUrl: "https://invoice.example/in_upgrade" };
    expect(await recordProration(proration)).toBe("recorded");
    expect(await recordProration(proration)).toBe("duplicate");

    const listed = await listSubscriptionInvoices({ userId: c.user.id });
    expect(listed.map((i) => [i.kind, i.amountMicros, i.receiptUrl])).toEqual([
      ["PRORATION", 1_234_567n, "https://invoice.example/in_upgrade"],
      ["PERIOD", 5_000_000n, null],
    ]);
    expect(listed[0]).toMatchObject({ subscriptionName: "Test plan", provider: "SANDBOX", periodEnd: end });
    // A proration opens no period: the subscription's period and allowance are as they were.
    expect(await db.subscription.findUniqueOrThrow({ where: { id: c.subscriptionId } })).toMatchObject({ currentPeriodStart: start });
    expect((await listSubscriptionInvoices({ userId: other.user.id })).map((i) => i.kind)).toEqual(["PERIOD"]);
  });

  it("keeps the allowance until the period ends after a cancellation, then the balance pays", async () => {
    const plan = await createPlan({ allowanceMicros: 1_000n });
    const start = new Date(Date.now() - 10 * DAY);
    const c = await subscribed(5_000n, plan, start);
    await setCancelAtPeriodEnd({ subscriptionId: c.subscriptionId, cancel: true });
    expect((await call(c, 100n, 100n)).settled).toMatchObject({ paidBy: "SUBSCRIPTION" });

    const sub = await db.subscription.findUniqueOrThrow({ where: { id: c.subscriptionId } });
    const afterEnd = new Date(sub.currentPeriodEnd.getTime() + 1_000);
    await renewDueSubscriptions(new Date(sub.currentPeriodEnd.getTime() - 1_000));
    expect((await db.subscription.findUniqueOrThrow({ where: { id: c.subscriptionId } })).status).toBe("ACTIVE");
    expect(await renewDueSubscriptions(afterEnd)).toMatchObject({ ended: 1 });
    expect(await db.subscription.findUniqueOrThrow({ where: { id: c.subscriptionId } })).toMatchObject({ status: "CANCELED" });
    const requestId = rid();
    const hold = await reserve({ accountId: c.account.id, apiKeyId: c.keyId, requestId, maxMicros: 100n, minMicros: 100n, model: CHAT, at: afterEnd });
    expect(hold).toMatchObject({ ok: true, allowanceId: null, balanceMicros: 100n });
    if (hold.ok) await release({ holdId: hold.holdId });
  });

  it("renews a sandbox subscription whose period is over with a fresh allowance", async () => {
    const plan = await createPlan({ allowanceMicros: 1_000n });
    const c = await subscribed(0n, plan, new Date(Date.now() - 40 * DAY));
    // The period ended ~10 days ago: the allowance no longer pays until it renews.
    expect((await call(c, 100n, 100n)).hold).toMatchObject({ ok: false, limitSource: "balance" });
    const { renewed } = await renewDueSubscriptions();
    expect(renewed).toBeGreaterThanOrEqual(1);
    const sub = await db.subscription.findUniqueOrThrow({ where: { id: c.subscriptionId } });
    expect(sub.currentPeriodStart.getTime()).toBeLessThanOrEqual(Date.now());
    expect(sub.currentPeriodEnd.getTime()).toBeGreaterThan(Date.now());
    expect((await call(c, 100n, 100n)).settled).toMatchObject({ paidBy: "SUBSCRIPTION" });
  });

  it("upgrades at once with the allowance prorated, and downgrades at the period end", async () => {
    const small = await createPlan({ allowanceMicros: 1_000n, priceMicros: 1_000_000n });
    const big = await createPlan({ allowanceMicros: 3_000n, priceMicros: 3_000_000n });
    const start = new Date(Date.now() - 15 * DAY);
    const c = await subscribed(0n, small, start);
    const sub = await db.subscription.findUniqueOrThrow({ where: { id: c.subscriptionId } });
    const half = new Date((sub.currentPeriodStart.getTime() + sub.currentPeriodEnd.getTime()) / 2);

    expect(await applyPlanChange({ subscriptionId: c.subscriptionId, planId: big.id, at: half })).toBe("upgraded");
    expect(await allowance(c.subscriptionId)).toMatchObject({ limitValue: 2_000n });
    expect(await db.subscription.findUniqueOrThrow({ where: { id: c.subscriptionId } })).toMatchObject({ planId: big.id });

    expect(await applyPlanChange({ subscriptionId: c.subscriptionId, planId: small.id, at: half })).toBe("downgrade_scheduled");
    expect(await allowance(c.subscriptionId)).toMatchObject({ limitValue: 2_000n });
    await openPeriod({ subscriptionId: c.subscriptionId, externalId: `in_${rid()}`, amountMicros: small.priceMicros, periodStart: sub.currentPeriodEnd, periodEnd: new Date(sub.currentPeriodEnd.getTime() + 30 * DAY) });
    expect(await db.subscription.findUniqueOrThrow({ where: { id: c.subscriptionId } })).toMatchObject({ planId: small.id, pendingPlanId: null });
    expect(await allowance(c.subscriptionId)).toMatchObject({ limitValue: 1_000n, usedValue: 0n });
  });
});

describe("custom subscriptions", () => {
  const EMBED = { id: "sandbox/embed", type: "EMBEDDING" as const };
  const lines = [
    { label: "Images", modelIds: [IMAGE.id], unit: "UNITS" as const, limit: 2n, ratePerMinute: null },
    { label: "Chat", modelIds: [CHAT.id], unit: "UNITS" as const, limit: null, ratePerMinute: 3 },
    { label: "Embeddings", modelIds: [EMBED.id], unit: "MICROS" as const, limit: 1_000n, ratePerMinute: null },
  ];

  it("pays per model: a count for one, dollars for another, a rate limit for the unlimited one", async () => {
    const c = await createFunded(1_000_000n);
    const { subscriptionId } = await saveCustomSubscription({ userId: c.user.id, name: "Acme", priceMicros: 300_000_000n, interval: "MONTH", balanceFallback: false, lines });
    for (let i = 0; i < 3; i++) expect((await call(c, 500n, 500n)).settled).toMatchObject({ paidBy: "SUBSCRIPTION" });
    expect((await call(c, 500n, 500n)).hold).toMatchObject({ ok: false, limitSource: "rate_limit", scope: "subscription" });

    expect((await call(c, 600n, 600n, EMBED)).settled).toMatchObject({ paidBy: "SUBSCRIPTION", chargedMicros: 0n });
    expect((await call(c, 600n, 600n, EMBED)).hold).toMatchObject({ ok: false, limitSource: "subscription" });

    const images = await reserve({ accountId: c.account.id, apiKeyId: c.keyId, requestId: rid(), maxMicros: 9_000n, minMicros: 9_000n, model: IMAGE, units: 2 });
    expect(images).toMatchObject({ ok: true, balanceMicros: 0n });
    if (images.ok) await release({ holdId: images.holdId });
    expect(await reserve({ accountId: c.account.id, apiKeyId: c.keyId, requestId: rid(), maxMicros: 9_000n, minMicros: 9_000n, model: IMAGE, units: 3 }))
      .toMatchObject({ ok: false, limitSource: "subscription" });

    const used = await db.allowance.findMany({ where: { subscriptionId }, orderBy: { slot: "asc" } });
    expect(used.map((l) => [l.label, l.usedValue])).toEqual([["Images", 0n], ["Chat", 3n], ["Embeddings", 600n]]);
    expect(await accountState(c.account.id)).toEqual({ balance: 1_000_000n, reserved: 0n, available: 1_000_000n });
    expect((await checkLedger()).violations).toEqual([]);
  });

  it("pays before the plan, and the plan takes over what the custom lines cannot", async () => {
    const c = await createFunded(0n);
    const plan = await createPlan({ allowanceMicros: 1_000_000n, overageToBalance: false });
    const { subscriptionId: planSubscription } = await startSubscription({ userId: c.user.id, planId: plan.id, provider: "SANDBOX", periodStart: new Date(Date.now() - DAY) });
    await saveCustomSubscription({ userId: c.user.id, name: "Acme", priceMicros: 0n, interval: "MONTH", balanceFallback: false, lines });
    for (let i = 0; i < 3; i++) await call(c, 500n, 500n);
    expect(await allowance(planSubscription)).toMatchObject({ usedValue: 0n });
    // The custom chat line is at its rate limit: the plan's shared allowance pays the next one.
    expect((await call(c, 500n, 500n)).settled).toMatchObject({ paidBy: "SUBSCRIPTION" });
    expect(await allowance(planSubscription)).toMatchObject({ usedValue: 500n });
  });
});

describe("through the gateway", () => {
  it("says who paid in usage, headers and GET /v1/balance", async () => {
    const plan = await createPlan({ allowanceMicros: 1_000_000n });
    const c = await subscribed(2_000_000n, plan);
    const client = new OpenAI({ apiKey: c.key, baseURL: BASE_URL, fetch: gatewayFetch });
    const { data, response } = await client.chat.completions
      .create({ model: "sandbox/chat", messages: [{ role: "user", content: "hello" }], max_tokens: 16 })
      .withResponse();
    const u = data.usage as unknown as { cost_micros: number; paid_by: string };
    expect(u.paid_by).toBe("subscription");
    expect(u.cost_micros).toBeGreaterThan(0);
    expect(response.headers.get("x-paid-by")).toBe("subscription");
    expect(response.headers.get("x-balance-charged-micros")).toBe("0");

    const balance = (await (await gatewayFetch(`${BASE_URL}/balance`, { headers: { authorization: `Bearer ${c.key}` } })).json()) as {
      balance_micros: number;
      subscriptions: { kind: string; allowances: { unit: string; used_micros: number; remaining_micros: number; limit: string }[] }[];
    };
    expect(balance.balance_micros).toBe(2_000_000);
    expect(balance.subscriptions).toHaveLength(1);
    expect(balance.subscriptions[0]!.kind).toBe("plan");
    const shared = balance.subscriptions[0]!.allowances[0]!;
    expect(shared).toMatchObject({ unit: "usd", limit: "1.000000", used_micros: u.cost_micros, remaining_micros: 1_000_000 - u.cost_micros });
  });
});
