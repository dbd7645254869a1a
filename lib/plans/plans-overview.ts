// Everything the Plans page shows a customer: the plans on offer, their own subscriptions with what is
// left of each allowance, the models' names, and which payment machinery is on (sandbox or Stripe).
import type { UserCtx } from "@/lib/context";
import { db } from "@/lib/db";
import { stripeEnabled } from "@/lib/env.js";
import { canAdvanceSandboxPeriod } from "@/lib/payments/subscriptions";
import { listSubscriptions, type SubscriptionView } from "@/lib/billing/subscriptions/list-subscriptions";
import { listModels } from "@/lib/models/list-models";
import { listPlans, type PublicPlan } from "./list-plans";

export interface PlansOverview {
  plans: PublicPlan[];
  subscriptions: SubscriptionView[];
  /** The live plan subscription (at most one), if any. */
  currentPlan: SubscriptionView | null;
  modelNames: Map<string, string>;
  modelTypes: Map<string, string>;
  /** No Stripe keys: subscriptions go through the sandbox checkout. */
  sandbox: boolean;
  /** A sandbox subscription's period may be advanced by hand (development, or the e2e test clock). */
  canAdvancePeriod: boolean;
}

export async function plansOverview({ ctx }: { ctx: Pick<UserCtx, "userId"> }): Promise<PlansOverview> {
  const account = await db.account.findUnique({ where: { userId: ctx.userId }, select: { id: true } });
  const [plans, subscriptions, models] = await Promise.all([
    listPlans(),
    account ? listSubscriptions({ accountId: account.id }) : Promise.resolve([]),
    listModels(),
  ]);
  return {
    plans,
    subscriptions,
    currentPlan: subscriptions.find((s) => s.kind === "PLAN") ?? null,
    modelNames: new Map(models.map((m) => [m.id, m.displayName])),
    modelTypes: new Map(models.map((m) => [m.id, m.type])),
    sandbox: !stripeEnabled,
    canAdvancePeriod: canAdvanceSandboxPeriod(),
  };
}
