import { recordAudit } from "@/lib/audit/record";
import { db } from "@/lib/db";
import type { UserCtx } from "@/lib/context";
import { AppError } from "@/lib/errors";
import { generateKey } from "./key-format";
import { CreateKeyInput, KeySummary, keySummarySelect } from "./schemas";

/** Creates a key and returns its secret, the only time it is ever available. */
export async function createKey({ ctx, input }: { ctx: Pick<UserCtx, "userId">; input: CreateKeyInput }) {
  const parsed = CreateKeyInput.parse(input);
  if (parsed.expiresAt && parsed.expiresAt.getTime() <= Date.now()) {
    throw new AppError("invalid_request", "The expiry date must be in the future", { param: "expiresAt" });
  }
  if (parsed.allowedModels.length > 0) {
    const known = await db.model.count({ where: { id: { in: parsed.allowedModels } } });
    if (known !== new Set(parsed.allowedModels).size) {
      throw new AppError("invalid_request", "The allowlist names a model that does not exist", { param: "allowedModels" });
    }
  }
  const { key, prefix, hash } = generateKey(parsed.environment);
  const record = await db.apiKey.create({
    data: {
      userId: ctx.userId,
      name: parsed.name,
      environment: parsed.environment,
      prefix,
      hash,
      spendLimitMicros: parsed.spendLimitMicros,
      spendLimitPeriod: parsed.spendLimitPeriod,
      allowedModels: [...new Set(parsed.allowedModels)],
      expiresAt: parsed.expiresAt,
      rateLimitPerMinute: parsed.rateLimitPerMinute,
    },
    select: keySummarySelect,
  });
  await recordAudit(db, { actorId: ctx.userId, action: "key.created", targetType: "api_key", targetId: record.id, after: { userId: ctx.userId, name: record.name, prefix: record.prefix } });
  return { key, record: KeySummary.parse(record) };
}
