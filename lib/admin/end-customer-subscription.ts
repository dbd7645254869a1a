import type { UserCtx } from "@/lib/context";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { recordAudit } from "@/lib/audit/record";
import { endSubscription } from "@/lib/billing/subscriptions/end-subscription";
import { assertAdmin } from "./assert-admin";

/**
 * An operator ends a customer's subscription now (a custom one, or a sandbox plan). A Stripe
 * subscription is canceled in Stripe's dashboard, whose webhook ends it here: ending it only here
 * would leave Stripe billing for it.
 */
export async function endCustomerSubscription({ ctx, input }: { ctx: Pick<UserCtx, "userId">; input: { userId: string; subscriptionId: string; ip?: string | null } }) {
  const admin = await assertAdmin(ctx);
  if (!/^[0-9a-f-]{36}$/i.test(input.subscriptionId)) throw new AppError("not_found", "No such subscription");
  const subscription = await db.subscription.findFirst({ where: { id: input.subscriptionId, userId: input.userId } });
  if (!subscription) throw new AppError("not_found", "No such subscription");
  if (subscription.status === "CANCELED") throw new AppError("conflict", "This subscription has already ended.");
  if (subscription.provider === "STRIPE") throw new AppError("conflict", "This subscription is billed by Stripe: cancel it in Stripe's dashboard and it ends here too.");
  const ended = await endSubscription({ subscriptionId: subscription.id });
  if (ended) {
    await recordAudit(db, {
      actorId: admin.userId,
      action: "subscription.ended",
      targetType: "subscription",
      targetId: subscription.id,
      before: { ...subscription },
      after: { status: "CANCELED" },
      ip: input.ip ?? null,
    });
  }
  return { ended };
}
