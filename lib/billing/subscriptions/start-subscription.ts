// Starts a plan subscription for a customer: from a paid Stripe Checkout (subscription mode), or the
// sandbox checkout. Idempotent: a second call for the same Stripe subscription, or while the account
// already has a live plan, returns what exists instead of starting another.
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import type { SubscriptionProvider } from "@/generated/prisma/client";
import { writeAllowances } from "./allowances";
import { periodEnd, planAllowances } from "./plans";

export interface StartSubscriptionInput {
  userId: string;
  planId: string;
  provider: Exclude<SubscriptionProvider, "MANUAL">;
  stripeSubscriptionId?: string | null;
  periodStart: Date;
  periodEnd?: Date;
  /** The payment for the first period (Stripe invoice id, or a sandbox reference). */
  invoice?: { externalId: string; amountMicros: bigint; receiptUrl?: string | null } | null;
  balanceFallback?: boolean;
}

export async function startSubscription(input: StartSubscriptionInput): Promise<{ subscriptionId: string; created: boolean }> {
  return db.$transaction(async (tx) => {
    const account = await tx.account.findUnique({ where: { userId: input.userId }, select: { id: true } });
    if (!account) throw new AppError("not_found", "This customer has no account.");
    // Serialize starts for one account (a double click, a webhook racing the success page).
    await tx.$queryRaw`SELECT id FROM accounts WHERE id = ${account.id}::uuid FOR UPDATE`;

    if (input.stripeSubscriptionId) {
      const same = await tx.subscription.findUnique({ where: { stripeSubscriptionId: input.stripeSubscriptionId }, select: { id: true } });
      if (same) return { subscriptionId: same.id, created: false };
    }
    const live = await tx.subscription.findFirst({
      where: { accountId: account.id, kind: "PLAN", status: { not: "CANCELED" } },
      select: { id: true, planId: true },
    });
    if (live) {
      if (live.planId === input.planId && !input.stripeSubscriptionId) return { subscriptionId: live.id, created: false };
      throw new AppError("conflict", "You already have a plan. Change it from the Plans page instead of subscribing again.");
    }

    const plan = await tx.plan.findUnique({ where: { id: input.planId } });
    if (!plan || !plan.active) throw new AppError("not_found", "This plan is not available.");
    const end = input.periodEnd ?? periodEnd(input.periodStart, plan.interval);
    const subscription = await tx.subscription.create({
      data: {
        accountId: account.id,
        userId: input.userId,
        kind: "PLAN",
        planId: plan.id,
        name: plan.name,
        priceMicros: plan.priceMicros,
        interval: plan.interval,
        provider: input.provider,
        stripeSubscriptionId: input.stripeSubscriptionId ?? null,
        balanceFallback: plan.overageToBalance && (input.balanceFallback ?? true),
        currentPeriodStart: input.periodStart,
        currentPeriodEnd: end,
      },
    });
    await writeAllowances(tx, subscription, planAllowances(plan), { mode: "reset" });
    if (input.invoice) {
      await tx.subscriptionInvoice.createMany({
        data: [{
          subscriptionId: subscription.id,
          externalId: input.invoice.externalId,
          amountMicros: input.invoice.amountMicros,
          periodStart: input.periodStart,
          periodEnd: end,
          receiptUrl: input.invoice.receiptUrl ?? null,
        }],
        skipDuplicates: true,
      });
    }
    return { subscriptionId: subscription.id, created: true };
  });
}
