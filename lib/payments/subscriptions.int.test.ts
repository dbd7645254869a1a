// The Plans page's verbs with real Stripe (the SDK against the local fake Stripe, webhooks posted to the
// real route handler, a real PostgreSQL): choosing a plan on a subscription set to cancel at the period
// end calls the cancellation off at Stripe — in the same update as the price — and in our database, so
// Stripe renews it instead of deleting it and its webhooks agree with us.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

const STRIPE = vi.hoisted(() => {
  const port = 41_000 + (process.pid % 2000);
  process.env.STRIPE_SECRET_KEY = "sk_test_fake";
  process.env.STRIPE_WEBHOOK_SECRET = "whsec_test_fake";
  process.env.STRIPE_API_BASE = `http://127.0.0.1:${port}`;
  return { port };
});

import { POST as webhook } from "@/app/api/webhooks/stripe/route";
import { db } from "@/lib/db";
import { DECLINING_PAYMENT_METHOD, startFakeStripe, type FakeEvent, type FakeStripe } from "@/scripts/test/fake-stripe";
import { createFunded } from "@/scripts/test/fixtures";
import { getStripe } from "./stripe";
import { cancelSubscription, changePlan, startPlanCheckout } from "./subscriptions";

const DAY = 86_400;
const nowSeconds = () => Math.floor(Date.now() / 1000);

let stripe: FakeStripe;
beforeAll(async () => {
  stripe = await startFakeStripe({ port: STRIPE.port });
});
afterAll(() => stripe.close());

async function deliverAll(events: FakeEvent[]) {
  for (const evt of events) {
    const res = await webhook(new Request("http://localhost/api/webhooks/stripe", { method: "POST", headers: { "stripe-signature": evt.header }, body: evt.payload }));
    expect(res.status, evt.type).toBe(200);
  }
}

/** A Stripe subscriber to a plan (every event delivered) who then canceled it at the period end. */
async function cancelingSubscriber(planSlug: "starter" | "pro", opts: { paymentMethod?: string } = {}) {
  const { user } = await createFunded(0n);
  const ctx = { userId: user.id };
  const { url } = await startPlanCheckout({ ctx, input: { planSlug }, origin: "http://localhost" });
  const paid = stripe.paySubscription(url.split("/").at(-1)!, { start: nowSeconds() - 10 * DAY, paymentMethod: opts.paymentMethod });
  await deliverAll(Object.values(paid.events));
  const stripeSubscriptionId = paid.subscription.id as string;
  const { id: subscriptionId } = await db.subscription.findUniqueOrThrow({ where: { stripeSubscriptionId } });
  await cancelSubscription({ ctx, input: { subscriptionId, cancel: true } });
  await deliverAll(stripe.takeEvents());
  expect(remote(stripeSubscriptionId)).toMatchObject({ cancel_at_period_end: true });
  expect(await ours(stripeSubscriptionId)).toMatchObject({ cancelAtPeriodEnd: true });
  return { ctx, stripeSubscriptionId };
}

const remote = (id: string) => stripe.subscriptions.get(id)!;
const remotePrice = (id: string) => (remote(id).items as { data: { price: { id: string } }[] }).data[0]!.price.id;
const priceOf = async (slug: string) => (await db.plan.findUniqueOrThrow({ where: { slug } })).stripePriceId;
const ours = (stripeSubscriptionId: string) =>
  db.subscription.findUniqueOrThrow({ where: { stripeSubscriptionId }, include: { plan: true, pendingPlan: true } });
const updates = (events: FakeEvent[]) =>
  events.filter((e) => e.type === "customer.subscription.updated").map((e) => JSON.parse(e.payload).data as { object: Record<string, unknown>; previous_attributes?: Record<string, unknown> });

describe("choosing a plan on a Stripe subscription set to cancel at the period end", () => {
  it("an upgrade now calls the cancellation off at Stripe in the same update, and in our database; Stripe then renews it", async () => {
    const c = await cancelingSubscriber("starter");

    expect(await changePlan({ ctx: c.ctx, input: { planSlug: "pro" } })).toBe("upgraded");
    expect(remote(c.stripeSubscriptionId)).toMatchObject({ cancel_at_period_end: false, status: "active" });
    expect(remotePrice(c.stripeSubscriptionId)).toBe(await priceOf("pro"));
    expect(await ours(c.stripeSubscriptionId)).toMatchObject({ plan: { slug: "pro" }, cancelAtPeriodEnd: false });

    // One update changed both the price and the cancellation (no window where Stripe bills Pro and still ends it).
    const raised = stripe.takeEvents();
    const [update, ...more] = updates(raised);
    expect(more).toEqual([]);
    expect(update!.previous_attributes).toMatchObject({ cancel_at_period_end: true, items: expect.anything() });
    // Stripe's own events, redelivered, leave it so.
    await deliverAll([...raised, ...raised]);
    expect(await ours(c.stripeSubscriptionId)).toMatchObject({ plan: { slug: "pro" }, cancelAtPeriodEnd: false, status: "ACTIVE" });

    // The period ends: a renewal invoice, not customer.subscription.deleted.
    const renewal = stripe.renewSubscription(c.stripeSubscriptionId);
    expect(renewal.events.map((e) => e.type)).toEqual(["customer.subscription.updated", "invoice.paid"]);
    await deliverAll(renewal.events);
    expect(await ours(c.stripeSubscriptionId)).toMatchObject({ status: "ACTIVE", plan: { slug: "pro" }, cancelAtPeriodEnd: false });
  });

  it("scheduling a downgrade calls the cancellation off at Stripe with the new price, and the lower plan follows at renewal", async () => {
    const c = await cancelingSubscriber("pro");

    expect(await changePlan({ ctx: c.ctx, input: { planSlug: "starter" } })).toBe("downgrade_scheduled");
    expect(remote(c.stripeSubscriptionId)).toMatchObject({ cancel_at_period_end: false });
    expect(remotePrice(c.stripeSubscriptionId)).toBe(await priceOf("starter"));
    expect(await ours(c.stripeSubscriptionId)).toMatchObject({ plan: { slug: "pro" }, pendingPlan: { slug: "starter" }, cancelAtPeriodEnd: false });
    const raised = stripe.takeEvents();
    expect(updates(raised)).toHaveLength(1);
    await deliverAll(raised);
    expect(await ours(c.stripeSubscriptionId)).toMatchObject({ pendingPlan: { slug: "starter" }, cancelAtPeriodEnd: false });

    await deliverAll(stripe.renewSubscription(c.stripeSubscriptionId).events);
    expect(await ours(c.stripeSubscriptionId)).toMatchObject({ status: "ACTIVE", plan: { slug: "starter" }, pendingPlanId: null, cancelAtPeriodEnd: false });
  });

  it("keeping the current plan calls the cancellation off at Stripe too", async () => {
    const c = await cancelingSubscriber("starter");
    const price = remotePrice(c.stripeSubscriptionId);

    expect(await changePlan({ ctx: c.ctx, input: { planSlug: "starter" } })).toBe("unchanged");
    expect(remote(c.stripeSubscriptionId)).toMatchObject({ cancel_at_period_end: false });
    expect(remotePrice(c.stripeSubscriptionId)).toBe(price);
    await deliverAll(stripe.takeEvents());
    expect(await ours(c.stripeSubscriptionId)).toMatchObject({ plan: { slug: "starter" }, cancelAtPeriodEnd: false });
  });

  it("an upgrade the card declines changes nothing: the plan still ends at the period end, here and at Stripe", async () => {
    const c = await cancelingSubscriber("starter", { paymentMethod: DECLINING_PAYMENT_METHOD });

    await expect(changePlan({ ctx: c.ctx, input: { planSlug: "pro" } })).rejects.toMatchObject({ code: "conflict" });
    expect(remote(c.stripeSubscriptionId)).toMatchObject({ cancel_at_period_end: true });
    expect(stripe.takeEvents()).toEqual([]);
    expect(await ours(c.stripeSubscriptionId)).toMatchObject({ plan: { slug: "starter" }, cancelAtPeriodEnd: true });
  });
});

/** A Stripe subscriber to a plan whose end was then set in Stripe as a cancel_at timestamp (the Customer Portal, the API). */
async function cancelAtSubscriber(planSlug: "starter" | "pro") {
  const { user } = await createFunded(0n);
  const ctx = { userId: user.id };
  const { url } = await startPlanCheckout({ ctx, input: { planSlug }, origin: "http://localhost" });
  const paid = stripe.paySubscription(url.split("/").at(-1)!, { start: nowSeconds() - 10 * DAY });
  await deliverAll(Object.values(paid.events));
  const stripeSubscriptionId = paid.subscription.id as string;
  const periodEnd = (remote(stripeSubscriptionId).items as { data: { current_period_end: number }[] }).data[0]!.current_period_end;
  await getStripe().subscriptions.update(stripeSubscriptionId, { cancel_at: periodEnd });
  await deliverAll(stripe.takeEvents());
  expect(remote(stripeSubscriptionId)).toMatchObject({ cancel_at_period_end: false, cancel_at: periodEnd });
  // Our webhook reads it as ending at the period end.
  const row = await ours(stripeSubscriptionId);
  expect(row).toMatchObject({ cancelAtPeriodEnd: true });
  return { ctx, stripeSubscriptionId, subscriptionId: row.id, sent: stripe.requests.length };
}

/** The subscription updates the app sent to Stripe since request number `since`. */
const updatesSent = (stripeSubscriptionId: string, since: number) =>
  stripe.requests.slice(since).filter((r) => r.method === "POST" && r.path === `/v1/subscriptions/${stripeSubscriptionId}`).map((r) => r.params);

describe("a cancellation set in Stripe as a cancel_at timestamp", () => {
  it("resuming unsets cancel_at (cancel_at_period_end: false would leave it), so Stripe renews instead of deleting", async () => {
    const c = await cancelAtSubscriber("starter");

    await cancelSubscription({ ctx: c.ctx, input: { subscriptionId: c.subscriptionId, cancel: false } });
    expect(updatesSent(c.stripeSubscriptionId, c.sent)).toEqual([{ cancel_at: "" }]);
    expect(remote(c.stripeSubscriptionId)).toMatchObject({ cancel_at: null, cancel_at_period_end: false });
    expect(await ours(c.stripeSubscriptionId)).toMatchObject({ cancelAtPeriodEnd: false });
    await deliverAll(stripe.takeEvents());
    expect(await ours(c.stripeSubscriptionId)).toMatchObject({ cancelAtPeriodEnd: false });

    const renewal = stripe.renewSubscription(c.stripeSubscriptionId);
    expect(renewal.events.map((e) => e.type)).toEqual(["customer.subscription.updated", "invoice.paid"]);
    await deliverAll(renewal.events);
    expect(await ours(c.stripeSubscriptionId)).toMatchObject({ status: "ACTIVE", cancelAtPeriodEnd: false });
  });

  it("an upgrade unsets cancel_at in the same update as the price", async () => {
    const c = await cancelAtSubscriber("starter");

    expect(await changePlan({ ctx: c.ctx, input: { planSlug: "pro" } })).toBe("upgraded");
    const [update, ...more] = updatesSent(c.stripeSubscriptionId, c.sent);
    expect(more).toEqual([]);
    expect(update).toMatchObject({ cancel_at: "", items: [{ price: await priceOf("pro") }], metadata: expect.anything() });
    expect(update).not.toHaveProperty("cancel_at_period_end");
    expect(remote(c.stripeSubscriptionId)).toMatchObject({ cancel_at: null, cancel_at_period_end: false });
    await deliverAll(stripe.takeEvents());
    expect(await ours(c.stripeSubscriptionId)).toMatchObject({ plan: { slug: "pro" }, cancelAtPeriodEnd: false });
  });

  it("keeping the current plan unsets cancel_at and sends nothing else", async () => {
    const c = await cancelAtSubscriber("starter");

    expect(await changePlan({ ctx: c.ctx, input: { planSlug: "starter" } })).toBe("unchanged");
    expect(updatesSent(c.stripeSubscriptionId, c.sent)).toEqual([{ cancel_at: "" }]);
    expect(remote(c.stripeSubscriptionId)).toMatchObject({ cancel_at: null });
    await deliverAll(stripe.takeEvents());
    expect(await ours(c.stripeSubscriptionId)).toMatchObject({ plan: { slug: "starter" }, cancelAtPeriodEnd: false });
  });

  it("a cancellation made here is still called off with cancel_at_period_end: false alone", async () => {
    const c = await cancelingSubscriber("starter");
    const since = stripe.requests.length;
    const { id } = await ours(c.stripeSubscriptionId);

    await cancelSubscription({ ctx: c.ctx, input: { subscriptionId: id, cancel: false } });
    expect(updatesSent(c.stripeSubscriptionId, since)).toEqual([{ cancel_at_period_end: "false" }]);
    expect(remote(c.stripeSubscriptionId)).toMatchObject({ cancel_at: null, cancel_at_period_end: false });
  });
});
