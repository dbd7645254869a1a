// The read model of an account's subscriptions and what is left of each allowance this period, for the
// portal (Plans, the allowance meters) and GET /v1/balance. Scoped to the account by the caller's ctx.
import { db } from "@/lib/db";
import type { AllowanceUnit, BillingInterval, ModelType, SubscriptionKind, SubscriptionProvider, SubscriptionStatus } from "@/generated/prisma/client";

export interface AllowanceView {
  id: string;
  label: string;
  unit: AllowanceUnit;
  modelIds: string[];
  modelTypes: ModelType[];
  /** Null is unlimited. */
  limit: bigint | null;
  used: bigint;
  reserved: bigint;
  /** Null is unlimited. */
  remaining: bigint | null;
  ratePerMinute: number | null;
}

export interface SubscriptionView {
  id: string;
  kind: SubscriptionKind;
  provider: SubscriptionProvider;
  status: SubscriptionStatus;
  name: string;
  planId: string | null;
  planSlug: string | null;
  priceMicros: bigint;
  interval: BillingInterval;
  balanceFallback: boolean;
  /** Whether the plan lets the customer turn the fallback on. */
  fallbackAllowed: boolean;
  currentPeriodStart: Date;
  currentPeriodEnd: Date;
  cancelAtPeriodEnd: boolean;
  canceledAt: Date | null;
  pendingPlan: { id: string; name: string } | null;
  allowances: AllowanceView[];
}

/** Live subscriptions (not canceled) first, newest first; `includeEnded` adds the ended ones. */
export async function listSubscriptions(ctx: { accountId: string }, options: { includeEnded?: boolean } = {}): Promise<SubscriptionView[]> {
  const rows = await db.subscription.findMany({
    where: { accountId: ctx.accountId, ...(options.includeEnded ? {} : { status: { not: "CANCELED" } }) },
    include: {
      plan: { select: { slug: true, overageToBalance: true } },
      pendingPlan: { select: { id: true, name: true } },
      allowances: { where: { active: true }, orderBy: { slot: "asc" } },
    },
    orderBy: [{ status: "asc" }, { createdAt: "desc" }],
  });
  return rows.map((s) => ({
    id: s.id,
    kind: s.kind,
    provider: s.provider,
    status: s.status,
    name: s.name,
    planId: s.planId,
    planSlug: s.plan?.slug ?? null,
    priceMicros: s.priceMicros,
    interval: s.interval,
    balanceFallback: s.balanceFallback,
    fallbackAllowed: s.kind === "CUSTOM" ? false : (s.plan?.overageToBalance ?? false),
    currentPeriodStart: s.currentPeriodStart,
    currentPeriodEnd: s.currentPeriodEnd,
    cancelAtPeriodEnd: s.cancelAtPeriodEnd,
    canceledAt: s.canceledAt,
    pendingPlan: s.pendingPlan,
    allowances: s.allowances.map((a) => ({
      id: a.id,
      label: a.label,
      unit: a.unit,
      modelIds: a.modelIds,
      modelTypes: a.modelTypes,
      limit: a.limitValue,
      used: a.usedValue,
      reserved: a.reservedValue,
      remaining: a.limitValue === null ? null : maxZero(a.limitValue - a.usedValue - a.reservedValue),
      ratePerMinute: a.ratePerMinute,
    })),
  }));
}

const maxZero = (v: bigint) => (v > 0n ? v : 0n);
