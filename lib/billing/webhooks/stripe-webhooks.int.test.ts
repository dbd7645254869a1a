// Stripe top-ups end to end below the browser: the real Stripe Node SDK against a local fake Stripe,
// webhooks signed with the SDK's generateTestHeaderString and posted to the real route handler.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

const STRIPE = vi.hoisted(() => {
  const port = 41_000 + (process.pid % 2000);
  process.env.STRIPE_SECRET_KEY = "sk_test_fake";
  process.env.STRIPE_WEBHOOK_SECRET = "whsec_test_fake";
  process.env.STRIPE_API_BASE = `http://127.0.0.1:${port}`;
  return { port };
});

import { POST as webhook } from "@/app/api/webhooks/stripe/route";
import { checkLedger } from "@/lib/billing/check-ledger";
import { reserve, settle } from "@/lib/billing/holds";
import { db } from "@/lib/db";
import { updateAutoTopUp } from "@/lib/payments/billing-settings";
import { createTopUp } from "@/lib/payments/create-top-up";
import { reconcilePayments } from "@/lib/payments/reconcile";
import { DECLINING_PAYMENT_METHOD, startFakeStripe, type FakeStripe } from "@/scripts/test/fake-stripe";
import { accountState, createFunded } from "@/scripts/test/fixtures";

let stripe: FakeStripe;
beforeAll(async () => {
  stripe = await startFakeStripe({ port: STRIPE.port });
});
afterAll(() => stripe.close());

const deliver = async (evt: { payload: string; header: string }) => {
  const res = await webhook(new Request("http://localhost/api/webhooks/stripe", { method: "POST", headers: { "stripe-signature": evt.header }, body: evt.payload }));
  return res.status;
};

async function checkout(amountMicros = 20_000_000n, saveCard = false) {
  const customer = await createFunded(0n);
  const { url, sandbox } = await createTopUp({ ctx: { userId: customer.user.id }, input: { amountMicros, saveCard }, origin: "http://localhost" });
  expect(sandbox).toBe(false);
  const sessionId = url.split("/").at(-1)!;
  return { ...customer, sessionId };
}

describe("Stripe webhooks", () => {
  it("creates a Checkout Session for the user, with a Stripe customer, and credits nothing until paid", async () => {
    const { user, sessionId, account } = await checkout();
    const session = stripe.sessions.get(sessionId)!;
    expect(session).toMatchObject({ client_reference_id: user.id, amount_total: 2000, mode: "payment" });
    expect((await db.user.findUniqueOrThrow({ where: { id: user.id } })).stripeCustomerId).toBe(session.customer);
    expect((await accountState(account.id)).balance).toBe(0n);
    expect((await db.payment.findUniqueOrThrow({ where: { externalId: sessionId } })).status).toBe("PENDING");
  });

  it("credits exactly once for duplicated, reordered, delayed and concurrent deliveries", async () => {
    const { sessionId, account } = await checkout();
    const paid = stripe.pay(sessionId);
    const unrelated = stripe.event("customer.created", { id: "cus_x", created: 0 });
    // Concurrent duplicates of the same event, interleaved with an event we do not handle.
    const statuses = await Promise.all([deliver(paid), deliver(unrelated), deliver(paid), deliver(paid), deliver(paid)]);
    expect(statuses).toEqual([200, 200, 200, 200, 200]);
    // A late redelivery, and the same payment announced by a different event id (async_payment_succeeded).
    expect(await deliver(paid)).toBe(200);
    expect(await deliver(stripe.event("checkout.session.async_payment_succeeded", stripe.sessions.get(sessionId)!))).toBe(200);
    expect((await accountState(account.id)).balance).toBe(20_000_000n);
    const payment = await db.payment.findUniqueOrThrow({ where: { externalId: sessionId } });
    expect(payment).toMatchObject({ status: "SUCCEEDED", receiptUrl: expect.stringContaining("receipts/pi_") });
    expect(await db.ledgerEntry.count({ where: { accountId: account.id, kind: "TOPUP" } })).toBe(1);
    expect((await checkLedger()).violations).toEqual([]);
  });

  it("stops showing a checkout the customer abandoned as pending once Stripe expires it, crediting nothing", async () => {
    const { sessionId, account } = await checkout();
    const expired = stripe.event("checkout.session.expired", { ...stripe.sessions.get(sessionId)!, status: "expired" });
    expect(await deliver(expired)).toBe(200);
    expect(await deliver(expired)).toBe(200);
    expect(await db.payment.findUniqueOrThrow({ where: { externalId: sessionId } })).toMatchObject({
      status: "CANCELED",
      failureReason: "the checkout expired before payment",
    });
    expect((await accountState(account.id)).balance).toBe(0n);
    // A paid top-up is never touched by a (misdirected) expiry.
    const other = await checkout();
    expect(await deliver(stripe.pay(other.sessionId))).toBe(200);
    expect(await deliver(stripe.event("checkout.session.expired", stripe.sessions.get(other.sessionId)!))).toBe(200);
    expect((await db.payment.findUniqueOrThrow({ where: { externalId: other.sessionId } })).status).toBe("SUCCEEDED");
  });

  it("refuses a bad signature with 400 and changes nothing", async () => {
    const { sessionId, account } = await checkout();
    const paid = stripe.pay(sessionId);
    const forged = { payload: paid.payload, header: paid.header.replace(/v1=[0-9a-f]+/, `v1=${"0".repeat(64)}`) };
    expect(await deliver(forged)).toBe(400);
    expect(await deliver({ payload: paid.payload, header: "" })).toBe(400);
    const tampered = { payload: paid.payload.replace('"amount_total":2000', '"amount_total":999999'), header: paid.header };
    expect(await deliver(tampered)).toBe(400);
    expect((await accountState(account.id)).balance).toBe(0n);
    expect(await db.webhookEvent.count({ where: { id: paid.id } })).toBe(0);
  });

  it("takes a refund off the balance, but never what was already spent (the shortfall is recorded)", async () => {
    const { sessionId, account, keyId } = await checkout(10_000_000n);
    expect(await deliver(stripe.pay(sessionId))).toBe(200);
    // Spend $7 of the $10.
    const hold = await reserve({ accountId: account.id, apiKeyId: keyId, requestId: "req_refund_spend", maxMicros: 7_000_000n, minMicros: 7_000_000n });
    if (!hold.ok) throw new Error("expected a hold");
    await settle({ holdId: hold.holdId, requestId: "req_refund_spend", costMicros: 7_000_000n, usage: { modelId: "sandbox/chat", endpoint: "x", status: "SUCCEEDED", inputTokens: 1, outputTokens: 1, stream: false, latencyMs: 1 }, description: "spend" });
    const intentId = stripe.sessions.get(sessionId)!.payment_intent as string;
    const refund = stripe.event("charge.refunded", { id: "ch_refund_1", object: "charge", created: 0, payment_intent: intentId, amount_refunded: 1000 });
    expect(await deliver(refund)).toBe(200);
    expect(await deliver(refund)).toBe(200);
    expect(await accountState(account.id)).toEqual({ balance: 0n, reserved: 0n, available: 0n });
    const payment = await db.payment.findUniqueOrThrow({ where: { externalId: sessionId } });
    expect(payment).toMatchObject({ status: "REFUNDED", refundedMicros: 10_000_000n, failureReason: expect.stringContaining("$7.00") });
    const entry = await db.ledgerEntry.findFirstOrThrow({ where: { accountId: account.id, kind: "REFUND" } });
    expect(entry.amountMicros).toBe(-3_000_000n);
    expect(entry.description).toContain("already been spent");
    expect((await checkLedger()).violations).toEqual([]);
  });

  it("asks Stripe to retry a refund that arrives before the payment's completion", async () => {
    const { sessionId, account } = await checkout(10_000_000n);
    const paid = stripe.pay(sessionId);
    const intentId = stripe.sessions.get(sessionId)!.payment_intent as string;
    const early = stripe.event("charge.refunded", { id: "ch_early", object: "charge", created: 0, payment_intent: intentId, amount_refunded: 400 });
    expect(await deliver(early)).toBe(500);
    expect(await deliver(paid)).toBe(200);
    expect(await deliver(early)).toBe(200); // Stripe's retry
    expect((await accountState(account.id)).balance).toBe(6_000_000n);
  });

  it("marks a disputed payment and audits it, leaving the balance to an operator", async () => {
    const { sessionId, account } = await checkout(10_000_000n);
    expect(await deliver(stripe.pay(sessionId))).toBe(200);
    const intentId = stripe.sessions.get(sessionId)!.payment_intent as string;
    expect(await deliver(stripe.event("charge.dispute.created", { id: "dp_1", object: "dispute", created: 0, payment_intent: intentId, reason: "fraudulent" }))).toBe(200);
    const payment = await db.payment.findUniqueOrThrow({ where: { externalId: sessionId } });
    expect(payment.status).toBe("DISPUTED");
    expect(await db.auditEvent.count({ where: { action: "payment.disputed", targetId: payment.id } })).toBe(1);
    expect((await accountState(account.id)).balance).toBe(10_000_000n);
  });

  it("reconciliation credits a payment whose webhook was lost, once and only once", async () => {
    const { sessionId, account } = await checkout(15_000_000n);
    stripe.pay(sessionId); // paid at Stripe, but the event never arrives
    const first = await reconcilePayments({ days: 1 });
    expect(first.credited).toContainEqual({ id: sessionId, kind: "checkout_session" });
    const second = await reconcilePayments({ days: 1 });
    expect(second.credited.find((c) => c.id === sessionId)).toBeUndefined();
    expect((await accountState(account.id)).balance).toBe(15_000_000n);
  });
});

describe("auto top-up", () => {
  async function withSavedCard(thresholdUsd: bigint, amount = 10_000_000n) {
    const c = await checkout(10_000_000n, true);
    expect(await deliver(stripe.pay(c.sessionId))).toBe(200);
    const account = await db.account.findUniqueOrThrow({ where: { id: c.account.id } });
    expect(account.autoTopupPaymentMethodId).toBe("pm_card_visa");
    await updateAutoTopUp({ ctx: { userId: c.user.id }, input: { enabled: true, thresholdMicros: thresholdUsd, amountMicros: amount, monthlyCapMicros: null } });
    return c;
  }

  it("many concurrent settlements crossing the threshold trigger exactly one charge", async () => {
    const { account, keyId, user } = await withSavedCard(9_000_000n);
    const results = await Promise.all(
      Array.from({ length: 30 }, async (_, i) => {
        const requestId = `req_auto_${i}_${Date.now()}`;
        const hold = await reserve({ accountId: account.id, apiKeyId: keyId, requestId, maxMicros: 100_000n, minMicros: 100_000n });
        if (!hold.ok) return null;
        const settled = await settle({ holdId: hold.holdId, requestId, costMicros: 100_000n, usage: { modelId: "sandbox/chat", endpoint: "x", status: "SUCCEEDED", inputTokens: 1, outputTokens: 1, stream: false, latencyMs: 1 }, description: "spend" });
        await settled.followUp;
        return settled;
      }),
    );
    expect(results.filter(Boolean)).toHaveLength(30);
    const autos = await db.payment.findMany({ where: { userId: user.id, kind: "AUTO_TOPUP" } });
    expect(autos).toHaveLength(1);
    expect(autos[0]).toMatchObject({ status: "SUCCEEDED", amountMicros: 10_000_000n });
    // $10 − 30 × $0.10 + $10
    expect((await accountState(account.id)).balance).toBe(17_000_000n);
    // The webhook for the same intent credits nothing more.
    expect(await deliver(stripe.event("payment_intent.succeeded", stripe.intents.get(autos[0]!.paymentIntentId!)!))).toBe(200);
    expect((await accountState(account.id)).balance).toBe(17_000_000n);
    expect((await checkLedger()).violations).toEqual([]);
  });

  it("backs off after a failed charge and turns itself off with a notice after three", async () => {
    const { account, keyId } = await withSavedCard(50_000_000n);
    await db.account.update({ where: { id: account.id }, data: { autoTopupPaymentMethodId: DECLINING_PAYMENT_METHOD, autoTopupFailures: 0, autoTopupRetryAfter: null, autoTopupInFlightAt: null } });
    for (let i = 0; i < 3; i++) {
      if (i > 0) {
        // Right after a failure, the next settlement does not try the card again…
        const state = await db.account.findUniqueOrThrow({ where: { id: account.id } });
        expect(state.autoTopupFailures).toBe(i);
        expect(state.autoTopupRetryAfter!.getTime()).toBeGreaterThan(Date.now() + (i * 15 - 1) * 60_000);
        // …until the backoff has passed.
        await db.account.update({ where: { id: account.id }, data: { autoTopupRetryAfter: new Date(Date.now() - 1000) } });
      }
      const requestId = `req_decline_${i}_${Date.now()}`;
      const hold = await reserve({ accountId: account.id, apiKeyId: keyId, requestId, maxMicros: 200_000n, minMicros: 200_000n });
      if (!hold.ok) throw new Error("expected a hold");
      await (await settle({ holdId: hold.holdId, requestId, costMicros: 200_000n, usage: { modelId: "sandbox/chat", endpoint: "x", status: "SUCCEEDED", inputTokens: 1, outputTokens: 1, stream: false, latencyMs: 1 }, description: "spend" })).followUp;
    }
    const after = await db.account.findUniqueOrThrow({ where: { id: account.id } });
    expect(after).toMatchObject({ autoTopupEnabled: false, autoTopupFailures: 3, autoTopupInFlightAt: null });
    expect(after.autoTopupNotice).toContain("turned off");
    // $10 paid, $10 auto top-up when it was switched on below the $50 threshold, 3 × $0.20 spent.
    expect((await accountState(account.id)).balance).toBe(19_400_000n);
    const autos = await db.payment.findMany({ where: { userId: after.userId, kind: "AUTO_TOPUP" }, orderBy: { createdAt: "asc" } });
    expect(autos.map((p) => p.status)).toEqual(["SUCCEEDED", "FAILED", "FAILED", "FAILED"]);
  });
});
