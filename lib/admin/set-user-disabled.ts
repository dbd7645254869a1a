import type { UserCtx } from "@/lib/context";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { recordAudit } from "@/lib/audit/record";
import { forgetUserKeys } from "@/lib/keys/verify-key";
import { assertAdmin } from "./assert-admin";

/**
 * Disables or re-enables an account: its keys are refused on every instance at once (the users_changed
 * trigger drops them from every key cache) and it cannot sign in.
 */
export async function setUserDisabled({ ctx, input }: { ctx: Pick<UserCtx, "userId">; input: { userId: string; disabled: boolean; ip?: string | null } }) {
  const admin = await assertAdmin(ctx);
  if (input.userId === admin.userId && input.disabled) throw new AppError("invalid_request", "You cannot disable your own account");
  const result = await db.$transaction(async (tx) => {
    const before = await tx.user.findUnique({ where: { id: input.userId }, select: { id: true, email: true, disabledAt: true } });
    if (!before) throw new AppError("not_found", "No such customer");
    if (Boolean(before.disabledAt) === input.disabled) return { changed: false };
    const after = await tx.user.update({
      where: { id: input.userId },
      data: { disabledAt: input.disabled ? new Date() : null },
      select: { disabledAt: true },
    });
    await recordAudit(tx, {
      actorId: admin.userId,
      action: input.disabled ? "user.disabled" : "user.enabled",
      targetType: "user",
      targetId: before.id,
      before: { email: before.email, disabledAt: before.disabledAt },
      after: { email: before.email, disabledAt: after.disabledAt },
      ip: input.ip,
    });
    return { changed: true };
  });
  // This instance at once; the others on the trigger's NOTIFY.
  if (result.changed) forgetUserKeys(input.userId);
  return result;
}
