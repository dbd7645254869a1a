import type { UserCtx } from "@/lib/context";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { recordAudit } from "@/lib/audit/record";
import { forgetKey } from "@/lib/keys/verify-key";
import { assertAdmin } from "./assert-admin";

/** Disables or re-enables one key; every instance drops it from its cache (the api_keys_changed trigger). */
export async function setKeyDisabled({ ctx, input }: { ctx: Pick<UserCtx, "userId">; input: { keyId: string; disabled: boolean; ip?: string | null } }) {
  const admin = await assertAdmin(ctx);
  if (!/^[0-9a-f-]{36}$/i.test(input.keyId)) throw new AppError("not_found", "No such key");
  const result = await db.$transaction(async (tx) => {
    const before = await tx.apiKey.findUnique({ where: { id: input.keyId }, select: { id: true, userId: true, name: true, prefix: true, hash: true, disabledAt: true } });
    if (!before) throw new AppError("not_found", "No such key");
    if (Boolean(before.disabledAt) === input.disabled) return { changed: false, hash: before.hash, userId: before.userId };
    const after = await tx.apiKey.update({ where: { id: before.id }, data: { disabledAt: input.disabled ? new Date() : null }, select: { disabledAt: true } });
    await recordAudit(tx, {
      actorId: admin.userId,
      action: input.disabled ? "key.disabled" : "key.enabled",
      targetType: "api_key",
      targetId: before.id,
      before: { userId: before.userId, name: before.name, prefix: before.prefix, disabledAt: before.disabledAt },
      after: { userId: before.userId, name: before.name, prefix: before.prefix, disabledAt: after.disabledAt },
      ip: input.ip,
    });
    return { changed: true, hash: before.hash, userId: before.userId };
  });
  forgetKey(result.hash);
  return { changed: result.changed, userId: result.userId };
}
