import type { UserCtx } from "@/lib/context";
import { db } from "@/lib/db";
import { listSubscriptions } from "@/lib/billing/subscriptions/list-subscriptions";
import { assertAdmin } from "./assert-admin";

/** A customer's subscriptions, ended ones too, with their allowance meters; and the models an operator can pick from. */
export async function listCustomerSubscriptions({ ctx, input }: { ctx: Pick<UserCtx, "userId">; input: { userId: string } }) {
  await assertAdmin(ctx);
  const account = /^[0-9a-f-]{36}$/i.test(input.userId)
    ? await db.account.findUnique({ where: { userId: input.userId }, select: { id: true } })
    : null;
  const [subscriptions, models] = await Promise.all([
    account ? listSubscriptions({ accountId: account.id }, { includeEnded: true }) : Promise.resolve([]),
    db.model.findMany({ orderBy: [{ type: "asc" }, { id: "asc" }], select: { id: true, displayName: true, type: true, enabled: true } }),
  ]);
  return { subscriptions, models };
}
