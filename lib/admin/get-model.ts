import type { UserCtx } from "@/lib/context";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { assertAdmin } from "./assert-admin";

/** One model with its price history, newest first. */
export async function getModel({ ctx, input }: { ctx: Pick<UserCtx, "userId">; input: { id: string } }) {
  await assertAdmin(ctx);
  const model = await db.model.findUnique({
    where: { id: input.id },
    include: { prices: { orderBy: [{ changedAt: "desc" }, { id: "desc" }], take: 50 } },
  });
  if (!model) throw new AppError("not_found", `No model ${input.id}`);
  return model;
}
