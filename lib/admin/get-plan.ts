import type { UserCtx } from "@/lib/context";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { assertAdmin } from "./assert-admin";

/** One plan, for its edit form. */
export async function getAdminPlan({ ctx, input }: { ctx: Pick<UserCtx, "userId">; input: { id: string } }) {
  await assertAdmin(ctx);
  if (!/^[0-9a-f-]{36}$/i.test(input.id)) throw new AppError("not_found", "No such plan");
  const plan = await db.plan.findUnique({ where: { id: input.id } });
  if (!plan) throw new AppError("not_found", "No such plan");
  return plan;
}
