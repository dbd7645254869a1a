import { randomUUID } from "node:crypto";
import { z } from "zod";
import { recordAudit } from "@/lib/audit/record";
import { generateCode } from "@/lib/billing/redemption-codes";
import type { UserCtx } from "@/lib/context";
import { db } from "@/lib/db";
import { assertAdmin } from "./assert-admin";
import { parseInput } from "./parse-input";

/** The most one code may be worth: $10,000. The admin form names it when refusing more. */
export const CODE_AMOUNT_MAX_MICROS = 10_000_000_000n;

export const CreateCodesInput = z.object({
  amountMicros: z.bigint().min(10_000n, "Each code must be worth at least $0.01").max(CODE_AMOUNT_MAX_MICROS, "Each code can be worth at most $10,000"),
  count: z.number().int().min(1, "Create at least one code").max(1000, "Create at most 1,000 codes at a time"),
  expiresAt: z.date().refine((d) => d.getTime() > Date.now(), "The expiry must be in the future"),
});
export type CreateCodesInput = z.input<typeof CreateCodesInput>;

/**
 * Creates a batch of single-use codes. The codes are returned once, here; only their SHA-256 and a
 * short prefix are stored.
 */
export async function createCodes({ ctx, input, actorLabel }: { ctx: Pick<UserCtx, "userId"> | null; input: CreateCodesInput; actorLabel?: string }) {
  // The operator command line (actorLabel "cli:…", no ctx) acts as the system; everyone else must be an admin.
  const admin = ctx || !actorLabel ? await assertAdmin(ctx) : null;
  const data = parseInput(CreateCodesInput, input);
  const batchId = randomUUID();
  const codes = Array.from({ length: data.count }, () => generateCode());
  await db.$transaction(async (tx) => {
    await tx.redemptionCode.createMany({
      data: codes.map((c) => ({ batchId, prefix: c.prefix, hash: c.hash, amountMicros: data.amountMicros, expiresAt: data.expiresAt, createdBy: admin?.email ?? actorLabel! })),
    });
    await recordAudit(tx, {
      actorId: admin?.userId ?? null,
      actorLabel: admin ? undefined : actorLabel,
      action: "codes.created",
      targetType: "code_batch",
      targetId: batchId,
      after: { count: data.count, amountMicros: data.amountMicros, expiresAt: data.expiresAt.toISOString(), prefixes: codes.map((c) => c.prefix) },
    });
  });
  return { batchId, amountMicros: data.amountMicros, expiresAt: data.expiresAt, codes: codes.map((c) => c.code) };
}
