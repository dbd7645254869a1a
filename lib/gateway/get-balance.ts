// GET /v1/balance: the key owner's balance and the key's own spend (API.md; extras in docs/api.md).
import { now } from "@/lib/clock";
import { db } from "@/lib/db";
import { spentThisPeriod } from "@/lib/keys/period-spend";
import { moneyPair, microsToNumber } from "@/lib/money";
import { json } from "./http";
import type { GatewayCtx } from "./route";

export async function balance(ctx: GatewayCtx): Promise<Response> {
  const [account, key] = await Promise.all([
    db.account.findUniqueOrThrow({ where: { id: ctx.key.accountId }, select: { balanceMicros: true, reservedMicros: true } }),
    db.apiKey.findUniqueOrThrow({
      where: { id: ctx.key.id },
      select: { id: true, name: true, spendLimitMicros: true, spentMicros: true, spendLimitPeriod: true, periodStartedAt: true, periodSpentMicros: true },
    }),
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
  });
}
