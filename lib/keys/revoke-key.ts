import { recordAudit } from "@/lib/audit/record";
import { db } from "@/lib/db";
import type { UserCtx } from "@/lib/context";
import { AppError } from "@/lib/errors";
import { KeyIdInput } from "./schemas";
import { forgetKey } from "./verify-key";

/** Revokes one of the user's keys. Every instance drops it from its cache (NOTIFY from a trigger). */
export async function revokeKey({ ctx, input }: { ctx: Pick<UserCtx, "userId">; input: KeyIdInput }) {
  const { id } = KeyIdInput.parse(input);
  const key = await db.apiKey.findFirst({ where: { id, userId: ctx.userId }, select: { hash: true, revokedAt: true, name: true, prefix: true } });
  if (!key) throw new AppError("not_found", "No such key");
  if (!key.revokedAt) {
    await db.apiKey.update({ where: { id }, data: { revokedAt: new Date() } });
    await recordAudit(db, { actorId: ctx.userId, action: "key.revoked", targetType: "api_key", targetId: id, before: { name: key.name, prefix: key.prefix, revokedAt: null } });
  }
  forgetKey(key.hash);
  return { id, revoked: true as const };
}
