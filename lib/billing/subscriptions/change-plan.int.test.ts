// Plan changes against a pending cancellation, on a real PostgreSQL, through the verbs the Plans page
// calls (sandbox subscriptions: no Stripe keys in this file): choosing a plan calls a cancellation off,
// and the page offers only changes that agree with the subscription's state.
import { addMonths } from "date-fns";
import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { advanceSandboxPeriod, cancelSubscription, changePlan, paySandboxSubscription } from "@/lib/payments/subscriptions";
import { createFunded } from "@/scripts/test/fixtures";
import { applyPlanChange } from "./change-plan";
import { listSubscriptions } from "./list-subscriptions";
import { planOffer } from "./plan-offers";
import { startSubscription } from "./start-subscription";

const STARTER_ALLOWANCE = 10_000_000n; // prisma/models.json
const PRO_ALLOWANCE = 60_000_000n;

async function plan(slug: "starter" | "pro") {
  return db.plan.findUniqueOrThrow({ where: { slug } });
}

/** A customer who paid for a plan on the sandbox checkout. */
async function subscribed(planSlug: "starter" | "pro") {
  const funded = await createFunded(0n);
  const ctx = { userId: funded.user.id };
  const { subscriptionId } = await paySandboxSubscription({ ctx, input: { planSlug } });
  return { ...funded, ctx, subscriptionId };
}

async function row(subscriptionId: string) {
  return db.subscription.findUniqueOrThrow({ where: { id: subscriptionId }, include: { plan: true, pendingPlan: true, allowances: { where: { slot: "shared" } } } });
}

/** The Plans page's view of the customer's live plan. */
async function view(accountId: string) {
  const [current] = (await listSubscriptions({ accountId })).filter((s) => s.kind === "PLAN");
  return current!;
}

describe("changing plan calls off a cancellation at the period end", () => {
  it("upgrading a plan set to cancel keeps the subscription: the new plan renews instead of ending", async () => {
    const c = await subscribed("starter");
    await cancelSubscription({ ctx: c.ctx, input: { subscriptionId: c.subscriptionId, cancel: true } });
    expect((await row(c.subscriptionId)).cancelAtPeriodEnd).toBe(true);

    expect(await changePlan({ ctx: c.ctx, input: { planSlug: "pro" } })).toBe("upgraded");
    const upgraded = await row(c.subscriptionId);
    expect(upgraded).toMatchObject({ plan: { slug: "pro" }, name: "Pro", cancelAtPeriodEnd: false, pendingPlanId: null, status: "ACTIVE" });
    expect(upgraded.allowances[0]!.limitValue! > STARTER_ALLOWANCE).toBe(true);

    // The period ends: Pro renews (it would have ended had the cancellation stayed).
    expect(await advanceSandboxPeriod({ ctx: c.ctx, input: { subscriptionId: c.subscriptionId } })).not.toBe("ended");
    const renewed = await row(c.subscriptionId);
    expect(renewed).toMatchObject({ status: "ACTIVE", plan: { slug: "pro" }, cancelAtPeriodEnd: false });
    expect(renewed.allowances[0]!.limitValue).toBe(PRO_ALLOWANCE);
  });

  it("scheduling a downgrade on a plan set to cancel calls the cancellation off, and the lower plan follows", async () => {
    const c = await subscribed("pro");
    await cancelSubscription({ ctx: c.ctx, input: { subscriptionId: c.subscriptionId, cancel: true } });

    expect(await changePlan({ ctx: c.ctx, input: { planSlug: "starter" } })).toBe("downgrade_scheduled");
    expect(await row(c.subscriptionId)).toMatchObject({ plan: { slug: "pro" }, pendingPlan: { slug: "starter" }, cancelAtPeriodEnd: false });

    await advanceSandboxPeriod({ ctx: c.ctx, input: { subscriptionId: c.subscriptionId } });
    const renewed = await row(c.subscriptionId);
    expect(renewed).toMatchObject({ status: "ACTIVE", plan: { slug: "starter" }, pendingPlanId: null, cancelAtPeriodEnd: false });
    expect(renewed.allowances[0]!.limitValue).toBe(STARTER_ALLOWANCE);
  });

  it("keeping the current plan calls off both a cancellation and a scheduled downgrade, without touching the allowance", async () => {
    const c = await subscribed("pro");
    await changePlan({ ctx: c.ctx, input: { planSlug: "starter" } });
    await cancelSubscription({ ctx: c.ctx, input: { subscriptionId: c.subscriptionId, cancel: true } });
    expect(await row(c.subscriptionId)).toMatchObject({ pendingPlan: { slug: "starter" }, cancelAtPeriodEnd: true });

    expect(await changePlan({ ctx: c.ctx, input: { planSlug: "pro" } })).toBe("unchanged");
    const kept = await row(c.subscriptionId);
    expect(kept).toMatchObject({ plan: { slug: "pro" }, pendingPlanId: null, cancelAtPeriodEnd: false });
    expect(kept.allowances[0]!.limitValue).toBe(PRO_ALLOWANCE);
  });

  it("resuming (undoing the cancellation) lets the plan renew", async () => {
    const c = await subscribed("starter");
    await cancelSubscription({ ctx: c.ctx, input: { subscriptionId: c.subscriptionId, cancel: true } });
    await cancelSubscription({ ctx: c.ctx, input: { subscriptionId: c.subscriptionId, cancel: false } });
    expect((await row(c.subscriptionId)).cancelAtPeriodEnd).toBe(false);
    expect(await advanceSandboxPeriod({ ctx: c.ctx, input: { subscriptionId: c.subscriptionId } })).not.toBe("ended");
    expect((await row(c.subscriptionId)).status).toBe("ACTIVE");
  });

  it("keeps a plan that was retired from sale since, but offers no way onto a retired plan", async () => {
    const starter = await plan("starter");
    const retired = await db.plan.create({
      data: { slug: `retired-${Date.now()}`, name: "Retired", priceMicros: 5_000_000n, allowanceMicros: 1_000_000n, modelIds: [] },
    });
    const { user } = await createFunded(0n);
    const ctx = { userId: user.id };
    const { subscriptionId } = await startSubscription({ userId: user.id, planId: retired.id, provider: "SANDBOX", periodStart: new Date() });
    await cancelSubscription({ ctx, input: { subscriptionId, cancel: true } });
    await db.plan.update({ where: { id: retired.id }, data: { active: false } });

    expect(await changePlan({ ctx, input: { planSlug: retired.slug } })).toBe("unchanged");
    expect(await row(subscriptionId)).toMatchObject({ planId: retired.id, cancelAtPeriodEnd: false });
    // Someone else cannot subscribe or switch to it.
    const other = await subscribed("starter");
    await expect(changePlan({ ctx: other.ctx, input: { planSlug: retired.slug } })).rejects.toMatchObject({ code: "not_found" });
    expect((await row(other.subscriptionId)).planId).toBe(starter.id);
  });

  it("a change Stripe reports (no resume) leaves Stripe's own cancellation as it is", async () => {
    const c = await subscribed("starter");
    await cancelSubscription({ ctx: c.ctx, input: { subscriptionId: c.subscriptionId, cancel: true } });
    expect(await applyPlanChange({ subscriptionId: c.subscriptionId, planId: (await plan("pro")).id })).toBe("upgraded");
    expect(await row(c.subscriptionId)).toMatchObject({ plan: { slug: "pro" }, cancelAtPeriodEnd: true });
  });
});

describe("what the Plans page offers", () => {
  it("offers Keep instead of a downgrade on a plan set to end, and an upgrade that says it calls the cancellation off", async () => {
    const [starter, pro] = [await plan("starter"), await plan("pro")];
    const onPro = await subscribed("pro");
    const at = new Date();
    expect(planOffer(await view(onPro.account.id), starter, at)).toEqual({ kind: "downgrade" });
    expect(planOffer(await view(onPro.account.id), pro, at)).toEqual({ kind: "current" });

    await cancelSubscription({ ctx: onPro.ctx, input: { subscriptionId: onPro.subscriptionId, cancel: true } });
    const canceling = await view(onPro.account.id);
    expect(planOffer(canceling, starter, at)).toEqual({ kind: "unavailable", because: "canceling" });
    expect(planOffer(canceling, pro, at)).toEqual({ kind: "keep", because: "canceling" });

    // Ending with a downgrade scheduled before: still no "starts at the period end" for the lower plan.
    await cancelSubscription({ ctx: onPro.ctx, input: { subscriptionId: onPro.subscriptionId, cancel: false } });
    await changePlan({ ctx: onPro.ctx, input: { planSlug: "starter" } });
    expect(planOffer(await view(onPro.account.id), starter, at)).toEqual({ kind: "pending" });
    expect(planOffer(await view(onPro.account.id), pro, at)).toEqual({ kind: "keep", because: "downgrade_scheduled" });
    await cancelSubscription({ ctx: onPro.ctx, input: { subscriptionId: onPro.subscriptionId, cancel: true } });
    expect(planOffer(await view(onPro.account.id), starter, at)).toEqual({ kind: "unavailable", because: "canceling" });
    expect(planOffer(await view(onPro.account.id), pro, at)).toEqual({ kind: "keep", because: "canceling" });

    const onStarter = await subscribed("starter");
    await cancelSubscription({ ctx: onStarter.ctx, input: { subscriptionId: onStarter.subscriptionId, cancel: true } });
    expect(planOffer(await view(onStarter.account.id), pro, at)).toMatchObject({ kind: "upgrade", resumes: true });
    expect(planOffer(null, pro, at)).toEqual({ kind: "subscribe" });
  });

  it("quotes an upgrade now as the price difference for what is left of the period, in whole cents", async () => {
    const [starter, pro] = [await plan("starter"), await plan("pro")];
    const { user } = await createFunded(0n);
    const start = new Date(Date.UTC(2026, 0, 1));
    const { subscriptionId } = await startSubscription({ userId: user.id, planId: starter.id, provider: "SANDBOX", periodStart: start });
    const account = await db.account.findUniqueOrThrow({ where: { userId: user.id } });
    const current = await view(account.id);
    expect(current.id).toBe(subscriptionId);
    const end = addMonths(start, 1).getTime();
    const half = new Date((start.getTime() + end) / 2);
    // ($49 − $9) × ½ = $20.00 exactly; a third of a period left rounds up to the next cent.
    expect(planOffer(current, pro, half)).toEqual({ kind: "upgrade", chargeNowMicros: 20_000_000n, resumes: false });
    const third = new Date(end - (end - start.getTime()) / 3);
    expect(planOffer(current, pro, third)).toMatchObject({ chargeNowMicros: 13_340_000n });
    // Before the period (clock skew) counts as all of it; after its end, nothing.
    expect(planOffer(current, pro, new Date(start.getTime() - 1000))).toMatchObject({ chargeNowMicros: 40_000_000n });
    expect(planOffer(current, pro, new Date(end + 1000))).toMatchObject({ chargeNowMicros: 0n });
  });
});
