import { z } from "zod";
import { displayUsd } from "@/lib/money";

export const KeyEnvironment = z.enum(["DEVELOPMENT", "PRODUCTION"]);
export const KeyLimitPeriod = z.enum(["NONE", "DAILY", "WEEKLY", "MONTHLY"]);

/**
 * The largest spend limit: $1,000,000,000. GET /v1/balance sends spend_limit_micros as a JSON number, exact
 * only below 2^53 micros (≈ $9 billion); a larger limit would make it fail.
 */
export const SPEND_LIMIT_MAX_MICROS = 1_000_000_000_000_000n;
const SpendLimitMicros = z
  .bigint()
  .positive("The spend limit must be more than $0")
  .max(SPEND_LIMIT_MAX_MICROS, `The largest spend limit is ${displayUsd(SPEND_LIMIT_MAX_MICROS)}.`);

export const CreateKeyInput = z.object({
  name: z.string().trim().min(1, "Give the key a name").max(80, "Keep the name under 80 characters"),
  environment: KeyEnvironment.default("DEVELOPMENT"),
  spendLimitMicros: SpendLimitMicros.nullable().default(null),
  /** How often the spend limit resets; NONE means it is a lifetime limit. */
  spendLimitPeriod: KeyLimitPeriod.default("NONE"),
  allowedModels: z.array(z.string().trim().min(1)).max(100).default([]),
  expiresAt: z.date().nullable().default(null),
  rateLimitPerMinute: z.number().int().positive("The rate limit must be at least 1 request a minute").max(1_000_000).nullable().default(null),
});
export type CreateKeyInput = z.input<typeof CreateKeyInput>;

export const KeyIdInput = z.object({ id: z.uuid("Unknown key") });
export type KeyIdInput = z.infer<typeof KeyIdInput>;

/** What the portal may see of a key: never the hash. */
export const KeySummary = z.object({
  id: z.string(),
  name: z.string(),
  environment: KeyEnvironment,
  prefix: z.string(),
  spendLimitMicros: z.bigint().nullable(),
  spentMicros: z.bigint(),
  spendLimitPeriod: KeyLimitPeriod,
  periodStartedAt: z.date().nullable(),
  periodSpentMicros: z.bigint(),
  allowedModels: z.array(z.string()),
  rateLimitPerMinute: z.number().int().nullable(),
  expiresAt: z.date().nullable(),
  revokedAt: z.date().nullable(),
  lastUsedAt: z.date().nullable(),
  createdAt: z.date(),
  /** Set once the key was rotated: the key its calls now count on, until its grace period ends. */
  successor: z.object({ prefix: z.string() }).nullable(),
});
export type KeySummary = z.infer<typeof KeySummary>;

export const keySummarySelect = {
  id: true,
  name: true,
  environment: true,
  prefix: true,
  spendLimitMicros: true,
  spentMicros: true,
  spendLimitPeriod: true,
  periodStartedAt: true,
  periodSpentMicros: true,
  allowedModels: true,
  rateLimitPerMinute: true,
  expiresAt: true,
  revokedAt: true,
  lastUsedAt: true,
  createdAt: true,
  successor: { select: { prefix: true } },
} as const;

/** Editable settings of an existing key (the secret and environment never change here). */
export const UpdateKeyInput = z.object({
  id: z.uuid("Unknown key"),
  name: CreateKeyInput.shape.name,
  spendLimitMicros: SpendLimitMicros.nullable(),
  spendLimitPeriod: KeyLimitPeriod,
  allowedModels: z.array(z.string().trim().min(1)).max(100),
  expiresAt: z.date().nullable(),
  rateLimitPerMinute: z.number().int().positive("The rate limit must be at least 1 request a minute").max(1_000_000).nullable(),
});
export type UpdateKeyInput = z.input<typeof UpdateKeyInput>;

/** How long the old secret keeps working after a rotation. */
export const RotateGrace = z.enum(["now", "1h", "24h", "7d"]);
export type RotateGrace = z.infer<typeof RotateGrace>;
export const ROTATE_GRACE_MS: Record<RotateGrace, number> = { now: 0, "1h": 3_600_000, "24h": 86_400_000, "7d": 7 * 86_400_000 };

export const RotateKeyInput = z.object({ id: z.uuid("Unknown key"), grace: RotateGrace.default("now") });
export type RotateKeyInput = z.input<typeof RotateKeyInput>;
