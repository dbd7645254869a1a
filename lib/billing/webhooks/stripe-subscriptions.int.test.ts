// Stripe Billing end to end below the browser: plan subscriptions through the real Stripe Node SDK
// against the local fake Stripe (API version 2026-10-28.endive's wire format), its webhooks signed with
// the SDK's generateTestHeaderString and posted to the real route handler, on a real PostgreSQL.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

const STRIPE = vi.hoisted(() => {
  const port = 43_000 + (process.pid % 2000);
  process.env.STRIPE_SECRET_KEY = "sk_test_fake";
  process.env.STRIPE_WEBHOOK_SECRET = "whsec_test_fake";
  process.env.STRIPE_API_BASE = `http://127.0.0.1:${port}`;
  return { port };
});

import { POST as webhook } from "@/app/api/webhooks/stripe/route";
import { checkLedger } from "@/lib/billing/check-ledger";
import { reserve, settle } from "@/lib/billing/holds";
import { db } from "@/lib/db";
import { reconcilePayments } from "@/lib/payments/reconcile";
import { getStripe } from "@/lib/payments/stripe";
import { cancelSubscription, changePlan, customerPortalUrl, startPlanCheckout } from "@/lib/payments/subscriptions";
import { DECLINING_PAYMENT_METHOD, startFakeStripe, type FakeEvent, type FakeStripe } from "@/scripts/test/fake-stripe";
import { accountState, createFunded } from "@/scripts/test/fixtures";

const ORIGIN = "http://localhost";
const CHAT = { id: "sandbox/chat", type: "CHAT" as const };
const DAY = 86_400;
const STARTER_ALLOWANCE = 10_000_000n; // prisma/models.json
const PRO_ALLOWANCE = 60_000_000n;
const nowSeconds = () => Math.floor(Date.now() / 1000);

let stripe: FakeStripe;
beforeAll(async () => {
  stripe = await startFakeStripe({ port: STRIPE.port });
});
afterAll(() => stripe.close());

const deliver = async (evt: { payload: string; header: string }) => {
  const res = await webhook(new Request("http://localhost/api/webhooks/stripe", { method: "POST", headers: { "stripe-signature": evt.header }, body: evt.payload }));
  return res.status;
};
async function deliverAll(events: FakeEvent[]) {
  for (const evt of events) expect(await deliver(evt), evt.type).toBe(200);
}

/** A customer who went through Stripe Checkout for a plan and paid (the events are not delivered yet). */
async function subscribe(planSlug: "starter" | "pro", opts: { balance?: bigint; daysAgo?: number; paymentMethod?: string } = {}) {
  const customer = await createFunded(opts.balance ?? 0n);
  const ctx = { userId: customer.user.id };
  const { url, sandbox } = await startPlanCheckout({ ctx, input: { planSlug }, origin: ORIGIN });
  expect(sandbox).toBe(false);
  expect(url).toContain(`${stripe.url}/pay/cs_test_`);
  const sessionId = url.split("/").at(-1)!;
  const paid = stripe.paySubscription(sessionId, { start: nowSeconds() - (opts.daysAgo ?? 0) * DAY, paymentMethod: opts.paymentMethod });
  return { ...customer, ctx, sessionId, stripeSubscriptionId: paid.subscription.id, firstInvoice: paid.invoice, events: paid.events };
}

async function ours(stripeSubscriptionId: string) {
  return db.subscription.findUniqueOrThrow({
    where: { stripeSubscriptionId },
    include: { plan: true, pendingPlan: true, allowances: { where: { slot: "shared" } }, invoices: { orderBy: { createdAt: "asc" } } },
  });
}

async function shared(stripeSubscriptionId: string) {
  const s = await ours(stripeSubscriptionId);
  return s.allowances[0]!;
}

let seq = 0;
/** A chat request through the holds the gateway uses: who pays is decided by reserve(). */
async function spend(c: { account: { id: string }; keyId: string }, micros: bigint) {
  const requestId = `req_stripe_sub_${Date.now()}_${seq++}`;
  const hold = await reserve({ accountId: c.account.id, apiKeyId: c.keyId, requestId, maxMicros: micros, minMicros: micros, model: CHAT });
  if (!hold.ok) throw new Error(`expected a hold, got ${JSON.stringify(hold, (_, v) => (typeof v === "bigint" ? String(v) : v))}`);
  const settled = await settle({
    holdId: hold.holdId, requestId, costMicros: micros, description: "test",
    usage: { modelId: CHAT.id, endpoint: "chat.completions", status: "SUCCEEDED", inputTokens: 1, outputTokens: 1, stream: false, latencyMs: 1 },
  });
  return { hold, settled };
}

/** Gives a plan a Stripe Price, as an operator does in the admin (plans.stripe_price_id). */
async function priceFor(slug: "starter" | "pro") {
  const plan = await db.plan.findUniqueOrThrow({ where: { slug } });
  if (plan.stripePriceId) return plan.stripePriceId;
  const price = await getStripe().prices.create({ currency: "usd", unit_amount: Number(plan.priceMicros / 10_000n), recurring: { interval: "month" }, product_data: { name: plan.name } });
  await db.plan.update({ where: { id: plan.id }, data: { stripePriceId: price.id } });
  return price.id;
}

/** The customer, in Stripe's Customer Portal, presses one of its buttons. */
async function inPortal(ctx: { userId: string }, form: Record<string, string>) {
  const url = await customerPortalUrl({ ctx, origin: ORIGIN });
  expect(url).toMatch(new RegExp(`^${stripe.url}/portal/bps_`));
  const page = await (await fetch(url!)).text();
  expect(page).toContain(form.subscription!);
  const res = await fetch(url!, { method: "POST", redirect: "manual", headers: { "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams(form).toString() });
  expect(res.status).toBe(303);
  expect(res.headers.get("location")).toBe(`${ORIGIN}/plans`);
}

async function ledgerIsClean() {
  expect((await checkLedger()).violations).toEqual([]);
}

describe("subscribing through Stripe Checkout", () => {
  it("starts exactly one subscription from a subscription-mode Checkout and credits nothing to the balance", async () => {
    const c = await subscribe("starter");
    const session = stripe.sessions.get(c.sessionId)!;
    const starter = await db.plan.findUniqueOrThrow({ where: { slug: "starter" } });
    expect(session).toMatchObject({ mode: "subscription", client_reference_id: c.user.id, amount_total: 900 });
    expect(stripe.subscriptions.get(c.stripeSubscriptionId)).toMatchObject({ customer: session.customer, metadata: { user_id: c.user.id, plan_id: starter.id } });
    expect(stripe.prices.get(starter.stripePriceId!)).toMatchObject({ unit_amount: 900, recurring: { interval: "month" } });

    // checkout.session.completed first (it alone starts the subscription), then the rest, then redeliveries.
    await deliverAll([c.events.completed]);
    expect(await db.subscription.count({ where: { userId: c.user.id, stripeSubscriptionId: c.stripeSubscriptionId } })).toBe(1);
    await deliverAll([c.events.created, c.events.updated, c.events.invoicePaid, c.events.completed]);
    expect(await deliver(stripe.event("checkout.session.async_payment_succeeded", stripe.sessions.get(c.sessionId)!))).toBe(200);

    expect(await db.subscription.count({ where: { userId: c.user.id } })).toBe(1);
    const s = await ours(c.stripeSubscriptionId);
    expect(s).toMatchObject({ provider: "STRIPE", status: "ACTIVE", planId: starter.id, cancelAtPeriodEnd: false });
    expect(s.currentPeriodStart.getTime() / 1000).toBe((c.firstInvoice.lines as { data: { period: { start: number } }[] }).data[0]!.period.start);
    expect(s.allowances[0]).toMatchObject({ limitValue: STARTER_ALLOWANCE, usedValue: 0n });
    // The first invoice is recorded once (for the receipt), without opening another period.
    expect(s.invoices).toHaveLength(1);
    expect(s.invoices[0]).toMatchObject({ externalId: c.firstInvoice.id, amountMicros: 9_000_000n, receiptUrl: `${stripe.url}/invoices/${c.firstInvoice.id}` });
    expect(await accountState(c.account.id)).toEqual({ balance: 0n, reserved: 0n, available: 0n });
    expect(await db.payment.count({ where: { userId: c.user.id } })).toBe(0);
    expect(await db.ledgerEntry.count({ where: { accountId: c.account.id } })).toBe(0);
    // And the allowance pays for requests at once.
    const { settled } = await spend(c, 1_000n);
    expect(settled.paidBy).toBe("SUBSCRIPTION");
    await ledgerIsClean();
  });

  it("starts one subscription when invoice.paid arrives before checkout.session.completed", async () => {
    const c = await subscribe("starter");
    await deliverAll([c.events.invoicePaid, c.events.created]);
    const started = await ours(c.stripeSubscriptionId);
    expect(started).toMatchObject({ status: "ACTIVE", invoices: [expect.objectContaining({ externalId: c.firstInvoice.id })] });
    await deliverAll([c.events.updated, c.events.completed, c.events.invoicePaid]);
    expect(await db.subscription.count({ where: { userId: c.user.id } })).toBe(1);
    expect((await ours(c.stripeSubscriptionId)).invoices).toHaveLength(1);
    expect(await accountState(c.account.id)).toEqual({ balance: 0n, reserved: 0n, available: 0n });
    await ledgerIsClean();
  });

  it("the hosted checkout page delivers the events itself and lands on the success page", async () => {
    const customer = await createFunded(0n);
    const { url } = await startPlanCheckout({ ctx: { userId: customer.user.id }, input: { planSlug: "pro" }, origin: ORIGIN });
    stripe.webhookUrl = `${ORIGIN}/api/webhooks/stripe`;
    const delivered: string[] = [];
    const original = stripe.deliver;
    stripe.deliver = async (evt) => {
      delivered.push(JSON.parse(evt.payload).type);
      return deliver(evt);
    };
    try {
      const res = await fetch(url, { method: "POST", redirect: "manual" });
      expect(res.status).toBe(303);
      expect(res.headers.get("location")).toMatch(new RegExp(`^${ORIGIN}/plans\\?checkout=success&session_id=cs_test_`));
    } finally {
      stripe.deliver = original;
      stripe.webhookUrl = "";
    }
    expect(delivered).toEqual(["customer.subscription.created", "invoice.paid", "customer.subscription.updated", "checkout.session.completed"]);
    const s = await db.subscription.findFirstOrThrow({ where: { userId: customer.user.id }, include: { plan: true } });
    expect(s).toMatchObject({ status: "ACTIVE", provider: "STRIPE", plan: { slug: "pro" } });
    await ledgerIsClean();
  });
});

describe("periods", () => {
  it("resets the allowance exactly once for a duplicated renewal invoice.paid", async () => {
    const c = await subscribe("starter", { daysAgo: 20 });
    await deliverAll(Object.values(c.events));
    await spend(c, 3_000_000n);
    expect(await shared(c.stripeSubscriptionId)).toMatchObject({ usedValue: 3_000_000n });

    const renewal = stripe.renewSubscription(c.stripeSubscriptionId, { start: nowSeconds() });
    const paid = renewal.events.find((e) => e.type === "invoice.paid")!;
    // Concurrent duplicates, and the same invoice announced again under another event id.
    const again = stripe.event("invoice.paid", renewal.invoice!);
    expect(await Promise.all([deliver(paid), deliver(paid), deliver(again), deliver(paid)])).toEqual([200, 200, 200, 200]);
    const renewed = await ours(c.stripeSubscriptionId);
    expect(renewed.currentPeriodStart.getTime()).toBe(((renewal.invoice!.lines as { data: { period: { start: number } }[] }).data[0]!.period.start) * 1000);
    expect(renewed.allowances[0]).toMatchObject({ usedValue: 0n, limitValue: STARTER_ALLOWANCE });
    expect(renewed.invoices.map((i) => i.externalId)).toEqual([c.firstInvoice.id, renewal.invoice!.id]);

    // Spent in the new period, then redelivered late (and the updated event): no second reset.
    await spend(c, 1_000_000n);
    await deliverAll([paid, again, ...renewal.events]);
    expect(await shared(c.stripeSubscriptionId)).toMatchObject({ usedValue: 1_000_000n });
    await ledgerIsClean();
  });

  it("reconciliation starts a subscription and opens a renewal whose webhooks were all lost, once each", async () => {
    const c = await subscribe("starter", { daysAgo: 20 }); // paid at Stripe; no event ever arrives
    const first = await reconcilePayments({ days: 30 });
    expect(first.failed).toEqual([]);
    expect(first.subscriptions).toContainEqual({ id: c.sessionId, kind: "started" });
    expect(await ours(c.stripeSubscriptionId)).toMatchObject({ status: "ACTIVE", plan: { slug: "starter" } });
    await spend(c, 3_000_000n);

    const renewal = stripe.renewSubscription(c.stripeSubscriptionId, { start: nowSeconds() }); // its invoice.paid is lost too
    const second = await reconcilePayments({ days: 30 });
    expect(second.subscriptions).toContainEqual({ id: renewal.invoice!.id, kind: "period_opened" });
    expect(second.subscriptions.find((s) => s.id === c.sessionId)).toBeUndefined();
    expect(await shared(c.stripeSubscriptionId)).toMatchObject({ usedValue: 0n, limitValue: STARTER_ALLOWANCE });

    // Run again, and let the lost events arrive after all: nothing opens twice.
    await spend(c, 1_000_000n);
    const third = await reconcilePayments({ days: 30 });
    expect(third.subscriptions.filter((s) => s.id === renewal.invoice!.id || s.id === c.sessionId)).toEqual([]);
    await deliverAll([...Object.values(c.events), ...renewal.events]);
    expect(await shared(c.stripeSubscriptionId)).toMatchObject({ usedValue: 1_000_000n });
    expect((await ours(c.stripeSubscriptionId)).invoices.map((i) => i.externalId)).toEqual([c.firstInvoice.id, renewal.invoice!.id]);
    await ledgerIsClean();
  });

  it("does not reset back when an older period's invoice.paid arrives after a newer one", async () => {
    const c = await subscribe("starter", { daysAgo: 20 });
    await deliverAll([c.events.completed]);
    const second = stripe.renewSubscription(c.stripeSubscriptionId, { start: nowSeconds() - 10 * DAY });
    const third = stripe.renewSubscription(c.stripeSubscriptionId, { start: nowSeconds() });
    const paid = (r: typeof second) => r.events.find((e) => e.type === "invoice.paid")!;
    await deliverAll([paid(third)]);
    const thirdStart = (await ours(c.stripeSubscriptionId)).currentPeriodStart;
    expect(thirdStart.getTime()).toBe(Number((stripe.subscriptions.get(c.stripeSubscriptionId)!.items as { data: { current_period_start: number }[] }).data[0]!.current_period_start) * 1000);
    await spend(c, 2_000_000n);

    // The second period, then the first: recorded, but neither moves the period nor resets the allowance.
    await deliverAll([paid(second), ...second.events, c.events.invoicePaid, c.events.updated]);
    const s = await ours(c.stripeSubscriptionId);
    expect(s.currentPeriodStart).toEqual(thirdStart);
    expect(s.allowances[0]).toMatchObject({ usedValue: 2_000_000n });
    expect(s.invoices).toHaveLength(3);
    await ledgerIsClean();
  });

  it("follows Stripe's status: past_due stops the allowance, paid again restores it, whatever the order of the events", async () => {
    const c = await subscribe("starter", { balance: 5_000_000n });
    await deliverAll(Object.values(c.events));
    const remote = stripe.subscriptions.get(c.stripeSubscriptionId)!;
    remote.status = "past_due";
    const pastDue = stripe.event("customer.subscription.updated", structuredClone(remote), { status: "active" });
    // The same change announced twice (e.g. with invoice.payment_failed's retry): one copy is delivered late.
    const latePastDue = stripe.event("customer.subscription.updated", structuredClone(remote), { status: "active" });
    await deliverAll([pastDue]);
    expect((await ours(c.stripeSubscriptionId)).status).toBe("PAST_DUE");
    expect((await spend(c, 1_000n)).hold.allowanceId).toBeNull();

    remote.status = "active";
    const active = stripe.event("customer.subscription.updated", structuredClone(remote), { status: "past_due" });
    // The newer event, then an older one late: Stripe's current state wins.
    await deliverAll([active, latePastDue]);
    expect((await ours(c.stripeSubscriptionId)).status).toBe("ACTIVE");
    expect((await spend(c, 1_000n)).hold.allowanceId).not.toBeNull();
    await ledgerIsClean();
  });
});

describe("plan changes", () => {
  it("applies an upgrade made in the Customer Portal at once, with the allowance prorated", async () => {
    const proPrice = await priceFor("pro");
    const c = await subscribe("starter", { daysAgo: 15 });
    await deliverAll(Object.values(c.events));
    await spend(c, 4_000_000n);

    await inPortal(c.ctx, { subscription: c.stripeSubscriptionId, action: "switch", price: proPrice });
    const raised = stripe.takeEvents();
    expect(raised.map((e) => e.type)).toEqual(["customer.subscription.updated", "invoice.paid"]);
    // The proration invoice first (and twice): it does not open a period.
    await deliverAll([raised[1]!, raised[0]!, raised[0]!, raised[1]!]);

    const s = await ours(c.stripeSubscriptionId);
    expect(s.plan?.slug).toBe("pro");
    expect(s.pendingPlanId).toBeNull();
    const elapsed = (Date.now() - s.currentPeriodStart.getTime()) / (s.currentPeriodEnd.getTime() - s.currentPeriodStart.getTime());
    const expected = Number(STARTER_ALLOWANCE) * elapsed + Number(PRO_ALLOWANCE) * (1 - elapsed);
    const limit = Number(s.allowances[0]!.limitValue);
    expect(Math.abs(limit - expected)).toBeLessThan(Number(PRO_ALLOWANCE) / 500);
    expect(limit).toBeGreaterThan(Number(STARTER_ALLOWANCE));
    expect(limit).toBeLessThan(Number(PRO_ALLOWANCE));
    // Same period, usage kept; the proration invoice is not a period.
    expect(s.currentPeriodStart.getTime() / 1000).toBe((c.firstInvoice.lines as { data: { period: { start: number } }[] }).data[0]!.period.start);
    expect(s.allowances[0]!.usedValue).toBe(4_000_000n);
    // The proration is recorded once, for the customer to see, over the rest of the period.
    const proration = JSON.parse(raised[1]!.payload).data.object as { id: string; amount_paid: number };
    expect(proration.amount_paid).toBeGreaterThan(0);
    expect(s.invoices.map((i) => i.kind)).toEqual(["PERIOD", "PRORATION"]);
    expect(s.invoices[1]).toMatchObject({ externalId: proration.id, amountMicros: BigInt(proration.amount_paid) * 10_000n, periodEnd: s.currentPeriodEnd });
    expect(s.invoices[1]!.periodStart.getTime()).toBeGreaterThan(s.currentPeriodStart.getTime());
    await ledgerIsClean();
  });

  it("keeps a downgrade made in the Customer Portal pending until the next invoice.paid", async () => {
    const starterPrice = await priceFor("starter");
    const c = await subscribe("pro", { daysAgo: 20 });
    await deliverAll(Object.values(c.events));
    await spend(c, 2_000_000n);

    await inPortal(c.ctx, { subscription: c.stripeSubscriptionId, action: "switch", price: starterPrice });
    const raised = stripe.takeEvents();
    await deliverAll([...raised, ...raised]);
    const pending = await ours(c.stripeSubscriptionId);
    expect(pending).toMatchObject({ plan: { slug: "pro" }, pendingPlan: { slug: "starter" } });
    expect(pending.allowances[0]).toMatchObject({ limitValue: PRO_ALLOWANCE, usedValue: 2_000_000n });

    const renewal = stripe.renewSubscription(c.stripeSubscriptionId, { start: nowSeconds() });
    await deliverAll(renewal.events);
    const renewed = await ours(c.stripeSubscriptionId);
    expect(renewed).toMatchObject({ plan: { slug: "starter" }, pendingPlanId: null, name: "Starter", priceMicros: 9_000_000n });
    expect(renewed.allowances[0]).toMatchObject({ limitValue: STARTER_ALLOWANCE, usedValue: 0n });
    expect(renewed.invoices.at(-1)).toMatchObject({ externalId: renewal.invoice!.id, amountMicros: 9_000_000n });
    await ledgerIsClean();
  });

  it("changePlan upgrades at Stripe with an immediate proration invoice, and takes a pending downgrade back without one", async () => {
    const c = await subscribe("starter", { daysAgo: 10 });
    await deliverAll(Object.values(c.events));
    const pro = await db.plan.findUniqueOrThrow({ where: { slug: "pro" } });

    expect(await changePlan({ ctx: c.ctx, input: { planSlug: "pro" } })).toBe("upgraded");
    const remote = () => stripe.subscriptions.get(c.stripeSubscriptionId)!;
    const itemPrice = () => ((remote().items as { data: { price: { id: string } }[] }).data[0]!.price.id);
    const proPrice = (await db.plan.findUniqueOrThrow({ where: { slug: "pro" } })).stripePriceId;
    expect(itemPrice()).toBe(proPrice);
    expect(remote().metadata).toMatchObject({ plan_id: pro.id, user_id: c.user.id });
    const upgradeEvents = stripe.takeEvents();
    const proration = stripe.invoices.get(String(remote().latest_invoice))!;
    expect(proration).toMatchObject({ billing_reason: "subscription_update", status: "paid" });
    expect(Number(proration.amount_paid)).toBeGreaterThan(0);
    const upgraded = await ours(c.stripeSubscriptionId);
    expect(upgraded.plan?.slug).toBe("pro");
    const upgradedLimit = upgraded.allowances[0]!.limitValue;
    expect(upgradedLimit! > STARTER_ALLOWANCE && upgradedLimit! < PRO_ALLOWANCE).toBe(true);
    // Stripe's own events about the change change nothing more.
    await deliverAll(upgradeEvents);
    expect((await shared(c.stripeSubscriptionId)).limitValue).toBe(upgradedLimit);
    expect((await ours(c.stripeSubscriptionId)).invoices.map((i) => [i.kind, i.externalId, i.amountMicros])).toEqual([
      ["PERIOD", c.firstInvoice.id, 9_000_000n],
      ["PRORATION", proration.id, BigInt(Number(proration.amount_paid)) * 10_000n],
    ]);

    // Downgrade: Stripe bills the lower price from the next invoice, without proration.
    const invoicesBefore = stripe.invoices.size;
    expect(await changePlan({ ctx: c.ctx, input: { planSlug: "starter" } })).toBe("downgrade_scheduled");
    const starterPrice = (await db.plan.findUniqueOrThrow({ where: { slug: "starter" } })).stripePriceId;
    expect(itemPrice()).toBe(starterPrice);
    expect(stripe.invoices.size).toBe(invoicesBefore);
    await deliverAll(stripe.takeEvents());
    expect(await ours(c.stripeSubscriptionId)).toMatchObject({ plan: { slug: "pro" }, pendingPlan: { slug: "starter" } });

    // Taken back before the period ends: Stripe bills Pro again, nothing prorated, nothing pending.
    expect(await changePlan({ ctx: c.ctx, input: { planSlug: "pro" } })).toBe("unchanged");
    expect(itemPrice()).toBe(proPrice);
    expect(stripe.invoices.size).toBe(invoicesBefore);
    await deliverAll(stripe.takeEvents());
    const back = await ours(c.stripeSubscriptionId);
    expect(back).toMatchObject({ plan: { slug: "pro" }, pendingPlanId: null });
    expect(back.allowances[0]!.limitValue).toBe(upgradedLimit);
    await ledgerIsClean();
  });

  it("refuses an upgrade whose prorated invoice the card declines, and changes nothing", async () => {
    const c = await subscribe("starter", { daysAgo: 5, paymentMethod: DECLINING_PAYMENT_METHOD });
    await deliverAll(Object.values(c.events));
    await expect(changePlan({ ctx: c.ctx, input: { planSlug: "pro" } })).rejects.toMatchObject({ code: "conflict", message: expect.stringContaining("declined") });
    const starterPrice = (await db.plan.findUniqueOrThrow({ where: { slug: "starter" } })).stripePriceId;
    expect((stripe.subscriptions.get(c.stripeSubscriptionId)!.items as { data: { price: { id: string } }[] }).data[0]!.price.id).toBe(starterPrice);
    expect(stripe.takeEvents()).toEqual([]);
    const s = await ours(c.stripeSubscriptionId);
    expect(s).toMatchObject({ plan: { slug: "starter" }, pendingPlanId: null });
    expect(s.allowances[0]!.limitValue).toBe(STARTER_ALLOWANCE);
  });
});

describe("cancellation", () => {
  it("cancels at the period end: the allowance serves until customer.subscription.deleted, then only the balance pays", async () => {
    const c = await subscribe("starter", { balance: 5_000_000n, daysAgo: 3 });
    await deliverAll(Object.values(c.events));
    const s = await ours(c.stripeSubscriptionId);

    await cancelSubscription({ ctx: c.ctx, input: { subscriptionId: s.id, cancel: true } });
    expect(stripe.subscriptions.get(c.stripeSubscriptionId)).toMatchObject({ cancel_at_period_end: true, status: "active" });
    const canceling = stripe.takeEvents();
    expect(canceling.map((e) => e.type)).toEqual(["customer.subscription.updated"]);
    await deliverAll(canceling);
    expect(await ours(c.stripeSubscriptionId)).toMatchObject({ status: "ACTIVE", cancelAtPeriodEnd: true });
    expect((await spend(c, 1_000n)).settled.paidBy).toBe("SUBSCRIPTION");

    // Taken back, then canceled again in the Customer Portal.
    await cancelSubscription({ ctx: c.ctx, input: { subscriptionId: s.id, cancel: false } });
    expect(stripe.subscriptions.get(c.stripeSubscriptionId)).toMatchObject({ cancel_at_period_end: false });
    await deliverAll(stripe.takeEvents());
    expect((await ours(c.stripeSubscriptionId)).cancelAtPeriodEnd).toBe(false);
    await inPortal(c.ctx, { subscription: c.stripeSubscriptionId, action: "cancel" });
    const fromPortal = stripe.takeEvents();
    await deliverAll(fromPortal);
    expect((await ours(c.stripeSubscriptionId)).cancelAtPeriodEnd).toBe(true);

    // The period ends: Stripe deletes the subscription instead of renewing it.
    const end = stripe.renewSubscription(c.stripeSubscriptionId);
    expect(end.events.map((e) => e.type)).toEqual(["customer.subscription.deleted"]);
    await deliverAll([...end.events, ...end.events]);
    const ended = await ours(c.stripeSubscriptionId);
    expect(ended).toMatchObject({ status: "CANCELED", cancelAtPeriodEnd: false });
    expect(ended.canceledAt).not.toBeNull();
    const after = await spend(c, 1_000n);
    expect(after.hold.allowanceId).toBeNull();
    expect(after.settled.paidBy).toBe("BALANCE");

    // Late events cannot bring it back.
    await deliverAll([...fromPortal, c.events.updated, c.events.completed, c.events.invoicePaid]);
    expect((await ours(c.stripeSubscriptionId)).status).toBe("CANCELED");
    expect(await db.subscription.count({ where: { userId: c.user.id } })).toBe(1);
    expect((await spend(c, 1_000n)).hold.allowanceId).toBeNull();
    await ledgerIsClean();
  });

  it("reads a cancel_at set in Stripe at or before the period end as ending, one after it as renewing, and its removal as renewing", async () => {
    const c = await subscribe("starter", { daysAgo: 3 });
    await deliverAll(Object.values(c.events));
    const periodEnd = (stripe.subscriptions.get(c.stripeSubscriptionId)!.items as { data: { current_period_end: number }[] }).data[0]!.current_period_end;
    const setInStripe = async (params: { cancel_at: number | "" }) => {
      await getStripe().subscriptions.update(c.stripeSubscriptionId, params);
      const raised = stripe.takeEvents();
      expect(raised.map((e) => e.type)).toEqual(["customer.subscription.updated"]);
      await deliverAll(raised);
      return (await ours(c.stripeSubscriptionId)).cancelAtPeriodEnd;
    };

    expect(await setInStripe({ cancel_at: periodEnd + 40 * DAY })).toBe(false);
    expect(await setInStripe({ cancel_at: periodEnd - DAY })).toBe(true);
    expect(await setInStripe({ cancel_at: "" })).toBe(false);
    expect(await setInStripe({ cancel_at: periodEnd })).toBe(true);
    expect(stripe.subscriptions.get(c.stripeSubscriptionId)).toMatchObject({ cancel_at_period_end: false, cancel_at: periodEnd });

    // The period ends: Stripe deletes it.
    const end = stripe.renewSubscription(c.stripeSubscriptionId);
    expect(end.events.map((e) => e.type)).toEqual(["customer.subscription.deleted"]);
    await deliverAll(end.events);
    expect(await ours(c.stripeSubscriptionId)).toMatchObject({ status: "CANCELED", cancelAtPeriodEnd: false });
  });

  it("the test control endpoints renew and delete through HTTP, delivering to the app", async () => {
    const c = await subscribe("starter", { daysAgo: 1 });
    await deliverAll(Object.values(c.events));
    const sent: string[] = [];
    const original = stripe.deliver;
    stripe.webhookUrl = `${ORIGIN}/api/webhooks/stripe`;
    stripe.deliver = async (evt) => {
      sent.push(JSON.parse(evt.payload).type);
      return deliver(evt);
    };
    try {
      const renew = await fetch(`${stripe.url}/_test/subscriptions/${c.stripeSubscriptionId}/renew`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "start=now" });
      expect(renew.status).toBe(200);
      expect((await ours(c.stripeSubscriptionId)).invoices).toHaveLength(2);
      const del = await fetch(`${stripe.url}/_test/subscriptions/${c.stripeSubscriptionId}/delete`, { method: "POST" });
      expect(del.status).toBe(200);
    } finally {
      stripe.deliver = original;
      stripe.webhookUrl = "";
    }
    expect(sent).toEqual(["customer.subscription.updated", "invoice.paid", "customer.subscription.deleted"]);
    expect((await ours(c.stripeSubscriptionId)).status).toBe("CANCELED");
  });
});
