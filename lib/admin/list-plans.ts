import type { UserCtx } from "@/lib/context";
import { db } from "@/lib/db";
import { assertAdmin } from "./assert-admin";

/** Every plan, active or not, with how many live subscriptions each has, for the admin plans page. */
export async function listAdminPlans({ ctx }: { ctx: Pick<UserCtx, "userId"> }) {
  await assertAdmin(ctx);
  const [plans, live] = await Promise.all([
    db.plan.findMany({ orderBy: [{ active: "desc" }, { priceMicros: "asc" }, { name: "asc" }] }),
    db.subscription.groupBy({ by: ["planId"], where: { kind: "PLAN", status: { not: "CANCELED" } }, _count: { _all: true } }),
  ]);
  const count = new Map(live.map((g) => [g.planId, g._count._all]));
  return plans.map((p) => ({ ...p, liveSubscriptions: count.get(p.id) ?? 0 }));
}
