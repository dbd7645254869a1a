import { z } from "zod";
import type { UserCtx } from "@/lib/context";
import { db, Prisma } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { recordAudit } from "@/lib/audit/record";
import { PlanInput } from "@/lib/billing/subscriptions/plans";
import { assertAdmin } from "./assert-admin";
import { parseInput } from "./parse-input";
import { PRICE_MAX_MICROS } from "./schemas";

export const SavePlanInput = PlanInput.extend({
  /** Absent creates a plan. */
  id: z.uuid().optional(),
  priceMicros: z.bigint().min(0n, "The price cannot be negative").max(PRICE_MAX_MICROS, "That price is too large"),
  allowanceMicros: z.bigint().min(0n, "The allowance cannot be negative").max(PRICE_MAX_MICROS, "That allowance is too large"),
});
export type SavePlanInput = z.input<typeof SavePlanInput>;

/**
 * Creates or edits a plan, with an audit row in the same transaction. New terms (price, allowance,
 * covered models) apply to subscriptions from their next period, and to new subscribers at once;
 * a deactivated plan takes no new subscribers but its subscriptions run on.
 */
export async function savePlan({ ctx, input }: { ctx: Pick<UserCtx, "userId">; input: SavePlanInput }) {
  const admin = await assertAdmin(ctx);
  const { id, ...data } = parseInput(SavePlanInput, input);
  try {
    return await db.$transaction(async (tx) => {
      if (data.modelIds.length) {
        const found = await tx.model.findMany({ where: { id: { in: data.modelIds } }, select: { id: true } });
        const missing = data.modelIds.filter((m) => !found.some((f) => f.id === m));
        if (missing.length) throw new AppError("invalid_request", `Unknown model: ${missing.join(", ")}`, { param: "modelIds" });
      }
      const before = id ? await tx.plan.findUnique({ where: { id } }) : null;
      if (id && !before) throw new AppError("not_found", "No such plan");
      const after = before
        ? await tx.plan.update({ where: { id: before.id }, data: { ...data, updatedAt: new Date() } })
        : await tx.plan.create({ data });
      await recordAudit(tx, {
        actorId: admin.userId,
        action: before ? "plan.updated" : "plan.created",
        targetType: "plan",
        targetId: after.id,
        before: before ? { ...before } : null,
        after: { ...after },
      });
      return after;
    });
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") {
      const target = String((error.meta as { target?: unknown } | undefined)?.target ?? "");
      if (target.includes("stripe")) throw new AppError("conflict", "Another plan already uses this Stripe price.", { param: "stripePriceId" });
      throw new AppError("conflict", `A plan with the slug ${data.slug} already exists`, { param: "slug" });
    }
    throw error;
  }
}
