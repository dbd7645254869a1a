import type { UserCtx } from "@/lib/context";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { recordAudit } from "@/lib/audit/record";
import { CustomSubscriptionInput, saveCustomSubscription } from "@/lib/billing/subscriptions/custom-subscription";
import { assertAdmin } from "./assert-admin";
import { parseInput } from "./parse-input";

/**
 * An operator creates or edits a customer's custom subscription (lines of per-model access at its own
 * price). The subscription is written by the billing core in its own transaction; the audit row follows
 * it at once, with the terms before and after.
 */
export async function saveCustomSubscriptionAsAdmin({ ctx, input, ip }: { ctx: Pick<UserCtx, "userId">; input: CustomSubscriptionInput; ip?: string | null }) {
  const admin = await assertAdmin(ctx);
  const data = parseInput(CustomSubscriptionInput, input);
  const modelIds = [...new Set(data.lines.flatMap((l) => l.modelIds))];
  const found = await db.model.findMany({ where: { id: { in: modelIds } }, select: { id: true } });
  const missing = modelIds.filter((m) => !found.some((f) => f.id === m));
  if (missing.length) throw new AppError("invalid_request", `Unknown model: ${missing.join(", ")}`, { param: "lines" });

  const before = data.subscriptionId
    ? await db.subscription.findFirst({
        where: { id: data.subscriptionId, userId: data.userId },
        include: { allowances: { where: { active: true }, orderBy: { slot: "asc" } } },
      })
    : null;
  const saved = await saveCustomSubscription(data);
  await recordAudit(db, {
    actorId: admin.userId,
    action: saved.created ? "subscription.custom_created" : "subscription.custom_updated",
    targetType: "subscription",
    targetId: saved.subscriptionId,
    before: before ? { ...before, allowances: before.allowances.map((a) => ({ ...a })) } : null,
    after: { ...data, subscriptionId: saved.subscriptionId },
    ip: ip ?? null,
  });
  return saved;
}
