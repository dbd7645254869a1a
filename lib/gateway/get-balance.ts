// GET /v1/balance: the key owner's balance, the key's own spend, and the live subscriptions with what
// is left of each allowance this period (API.md; extras in docs/api.md).
import { now } from "@/lib/clock";
import { db } from "@/lib/db";
import { listSubscriptions, type AllowanceView, type SubscriptionView } from "@/lib/billing/subscriptions/list-subscriptions";
import { spentThisPeriod } from "@/lib/keys/period-spend";
import { moneyPair, microsToNumber } from "@/lib/money";
import { json } from "./http";
import type { GatewayCtx } from "./route";

export async function balance(ctx: GatewayCtx): Promise<Response> {
  const [account, key, subscriptions] = await Promise.all([
    db.account.findUniqueOrThrow({ where: { id: ctx.key.accountId }, select: { balanceMicros: true, reservedMicros: true } }),
    db.apiKey.findUniqueOrThrow({
      where: { id: ctx.key.id },
      select: { id: true, name: true, spendLimitMicros: true, spentMicros: true, spendLimitPeriod: true, periodStartedAt: true, periodSpentMicros: true },
    }),
    listSubscriptions({ accountId: ctx.key.accountId }),
  ]);
  return json({
    object: "balance",
    currency: "usd",
    ...moneyPair("balance", account.balanceMicros),
    ...moneyPair("reserved", account.reservedMicros),
    ...moneyPair("available", account.balanceMicros - account.reservedMicros),
    key: {
      id: key.id,
      name: key.name,
      spend_limit_micros: key.spendLimitMicros === null ? null : microsToNumber(key.spendLimitMicros),
      spent_micros: microsToNumber(spentThisPeriod(key, now())),
      spend_limit_period: key.spendLimitPeriod.toLowerCase(),
      lifetime_spent_micros: microsToNumber(key.spentMicros),
    },
    subscriptions: subscriptions.map(subscriptionObject),
  });
}

function subscriptionObject(s: SubscriptionView) {
  return {
    id: s.id,
    object: "subscription",
    kind: s.kind.toLowerCase(),
    name: s.name,
    plan: s.planSlug,
    status: s.status.toLowerCase(),
    current_period_start: s.currentPeriodStart.toISOString(),
    current_period_end: s.currentPeriodEnd.toISOString(),
    cancel_at_period_end: s.cancelAtPeriodEnd,
    balance_fallback: s.balanceFallback,
    allowances: s.allowances.map(allowanceObject),
  };
}

/** Micros allowances in the API's money pairs; unit allowances (images, tasks, requests) as counts. Null is unlimited. */
function allowanceObject(a: AllowanceView) {
  const base = {
    label: a.label,
    models: a.modelIds.length > 0 ? a.modelIds : null,
    model_types: a.modelTypes.length > 0 ? a.modelTypes.map((t) => t.toLowerCase()) : null,
    unit: a.unit === "MICROS" ? "usd" : "count",
    rate_limit_per_minute: a.ratePerMinute,
  };
  if (a.unit === "UNITS") {
    return {
      ...base,
      limit: a.limit === null ? null : microsToNumber(a.limit),
      used: microsToNumber(a.used),
      reserved: microsToNumber(a.reserved),
      remaining: a.remaining === null ? null : microsToNumber(a.remaining),
    };
  }
  return {
    ...base,
    ...nullablePair("limit", a.limit),
    ...moneyPair("used", a.used),
    ...moneyPair("reserved", a.reserved),
    ...nullablePair("remaining", a.remaining),
  };
}

function nullablePair<K extends string>(name: K, micros: bigint | null) {
  return micros === null ? { [name]: null, [`${name}_micros`]: null } : moneyPair(name, micros);
}
