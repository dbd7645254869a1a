import { recordAudit } from "@/lib/audit/record";
import { db } from "@/lib/db";
import type { UserCtx } from "@/lib/context";
import { AppError } from "@/lib/errors";
import { generateKey } from "./key-format";
import { KeySummary, ROTATE_GRACE_MS, RotateKeyInput, keySummarySelect } from "./schemas";
import { forgetKey } from "./verify-key";

/**
 * Replaces a key's secret: a new key with the same settings (and the spend it has already used, so a
 * rotation never resets a spend limit), and the old one ends after the grace period — its expiresAt
 * becomes now + grace, and with no grace it is revoked at once. Until then the old secret acts as the
 * new key (lib/keys/verify-key.ts): its calls count against the new key's spend and rate limits, so
 * the two secrets never get a limit each. Returns the new secret, shown once.
 */
export async function rotateKey({ ctx, input }: { ctx: Pick<UserCtx, "userId">; input: RotateKeyInput }) {
  const { id, grace } = RotateKeyInput.parse(input);
  const at = new Date();
  const ends = new Date(at.getTime() + ROTATE_GRACE_MS[grace]);
  const { key, record, oldHash } = await db.$transaction(async (tx) => {
    // FOR UPDATE: two rotations of one key at once make one new key, not two.
    const rows = await tx.$queryRaw<Array<{ id: string }>>`SELECT id FROM api_keys WHERE id = ${id}::uuid AND user_id = ${ctx.userId}::uuid FOR UPDATE`;
    if (rows.length === 0) throw new AppError("not_found", "No such key");
    const old = await tx.apiKey.findUniqueOrThrow({ where: { id } });
    if (old.revokedAt) throw new AppError("conflict", "A revoked key can't be rotated");
    if (old.successorId) throw new AppError("conflict", "This key was already rotated: rotate the key that replaced it");
    if (old.expiresAt && old.expiresAt.getTime() <= at.getTime()) throw new AppError("conflict", "An expired key can't be rotated");
    const secret = generateKey(old.environment);
    const created = await tx.apiKey.create({
      data: {
        userId: ctx.userId,
        name: old.name,
        environment: old.environment,
        prefix: secret.prefix,
        hash: secret.hash,
        spendLimitMicros: old.spendLimitMicros,
        spendLimitPeriod: old.spendLimitPeriod,
        periodStartedAt: old.periodStartedAt,
        periodSpentMicros: old.periodSpentMicros,
        spentMicros: old.spentMicros,
        allowedModels: old.allowedModels,
        expiresAt: old.expiresAt,
        rateLimitPerMinute: old.rateLimitPerMinute,
      },
      select: keySummarySelect,
    });
    await tx.apiKey.update({
      where: { id },
      data: {
        // Never extend an expiry the key already had.
        expiresAt: old.expiresAt && old.expiresAt < ends ? old.expiresAt : ends,
        ...(grace === "now" ? { revokedAt: at } : {}),
        successorId: created.id,
      },
    });
    // Keys rotated into this one earlier and still in their grace period now stand in for the new key.
    await tx.apiKey.updateMany({ where: { successorId: id }, data: { successorId: created.id } });
    await recordAudit(tx, {
      actorId: ctx.userId,
      action: "key.rotated",
      targetType: "api_key",
      targetId: id,
      after: { newKeyId: created.id, newPrefix: created.prefix, grace, oldKeyEndsAt: ends },
    });
    return { key: secret.key, record: KeySummary.parse(created), oldHash: old.hash };
  });
  forgetKey(oldHash);
  return { key, record, oldKeyEndsAt: ends };
}
