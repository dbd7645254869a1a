import type { UserCtx } from "@/lib/context";
import { db } from "@/lib/db";
import { assertAdmin } from "./assert-admin";

/** Every provider and model, enabled or not, for the admin models page. */
export async function listCatalog({ ctx }: { ctx: Pick<UserCtx, "userId"> }) {
  await assertAdmin(ctx);
  const [providers, models] = await Promise.all([
    db.provider.findMany({ orderBy: { id: "asc" }, include: { _count: { select: { models: true } } } }),
    db.model.findMany({ orderBy: { id: "asc" } }),
  ]);
  return { providers, models };
}
