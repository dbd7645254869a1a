import { recordAudit } from "@/lib/audit/record";
import { db } from "@/lib/db";
import type { UserCtx } from "@/lib/context";
import { AppError } from "@/lib/errors";
import { KeySummary, UpdateKeyInput, keySummarySelect } from "./schemas";
import { forgetKey } from "./verify-key";

/**
 * Changes a key's name and limits. Scoped to the owner: another user's key id is "not found". Every
 * instance drops the key from its cache through the api_keys_notify_change trigger (it fires on the
 * name, limit, period, allowlist, expiry and rate-limit columns).
 */
export async function updateKey({ ctx, input }: { ctx: Pick<UserCtx, "userId">; input: UpdateKeyInput }): Promise<KeySummary> {
  const parsed = UpdateKeyInput.parse(input);
  const key = await db.apiKey.findFirst({
    where: { id: parsed.id, userId: ctx.userId },
    select: { hash: true, successorId: true, revokedAt: true, expiresAt: true, spendLimitPeriod: true, name: true, spendLimitMicros: true, allowedModels: true, rateLimitPerMinute: true },
  });
  if (!key) throw new AppError("not_found", "No such key");
  if (key.revokedAt) throw new AppError("conflict", "A revoked key can't be changed");
  if (key.successorId) throw new AppError("conflict", "This key was rotated: its calls count on the key that replaced it, so change that one");
  const expiryChanged = (parsed.expiresAt?.getTime() ?? null) !== (key.expiresAt?.getTime() ?? null);
  if (expiryChanged && parsed.expiresAt && parsed.expiresAt.getTime() <= Date.now()) {
    throw new AppError("invalid_request", "The expiry date must be in the future", { param: "expiresAt" });
  }
  const allowedModels = [...new Set(parsed.allowedModels)];
  if (allowedModels.length > 0) {
    const known = await db.model.count({ where: { id: { in: allowedModels } } });
    if (known !== allowedModels.length) {
      throw new AppError("invalid_request", "The allowlist names a model that does not exist", { param: "allowedModels" });
    }
  }
  const periodChanged = parsed.spendLimitPeriod !== key.spendLimitPeriod;
  const record = await db.$transaction(async (tx) => {
    const updated = await tx.apiKey.update({
    where: { id: parsed.id },
    data: {
      name: parsed.name,
      spendLimitMicros: parsed.spendLimitMicros,
      spendLimitPeriod: parsed.spendLimitPeriod,
      // A new kind of period starts counting afresh (the SQL would count a mismatched start as 0 anyway).
      ...(periodChanged ? { periodStartedAt: null, periodSpentMicros: 0n } : {}),
      allowedModels,
      expiresAt: parsed.expiresAt,
      rateLimitPerMinute: parsed.rateLimitPerMinute,
    },
    select: keySummarySelect,
    });
    await recordAudit(tx, {
      actorId: ctx.userId,
      action: "key.limits_changed",
      targetType: "api_key",
      targetId: parsed.id,
      before: { name: key.name, spendLimitMicros: key.spendLimitMicros, spendLimitPeriod: key.spendLimitPeriod, allowedModels: key.allowedModels, expiresAt: key.expiresAt, rateLimitPerMinute: key.rateLimitPerMinute },
      after: { name: updated.name, spendLimitMicros: updated.spendLimitMicros, spendLimitPeriod: updated.spendLimitPeriod, allowedModels: updated.allowedModels, expiresAt: updated.expiresAt, rateLimitPerMinute: updated.rateLimitPerMinute },
    });
    return updated;
  });
  forgetKey(key.hash);
  return KeySummary.parse(record);
}
