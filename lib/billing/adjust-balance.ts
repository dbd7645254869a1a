// An operator's credit or debit, with its reason, and the audit row that records it — in ONE
// transaction: if either fails, neither is written.
import { randomUUID } from "node:crypto";
import { z } from "zod";
import { assertAdmin } from "@/lib/admin/assert-admin";
import { parseInput } from "@/lib/admin/parse-input";
import { recordAudit } from "@/lib/audit/record";
import type { UserCtx } from "@/lib/context";
import { db, Prisma } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { displayUsd } from "@/lib/money";
import { postEntry } from "./ledger";

/** The largest credit or debit one adjustment may make: $1,000,000. */
export const ADJUSTMENT_MAX_MICROS = 1_000_000_000_000n;

export const AdjustBalanceInput = z.object({
  userId: z.uuid(),
  /** Signed: positive credits, negative debits. */
  amountMicros: z
    .bigint()
    .refine((v) => v !== 0n, "The amount must not be zero")
    .refine((v) => v <= ADJUSTMENT_MAX_MICROS && v >= -ADJUSTMENT_MAX_MICROS, `The largest adjustment is ${displayUsd(ADJUSTMENT_MAX_MICROS)}`),
  reason: z.string().trim().min(3, "Say why (at least 3 characters); it is written to the ledger").max(500, "Keep the reason under 500 characters"),
  /** Makes a double-submitted form apply once (a fresh id per form render). */
  idempotencyKey: z.string().regex(/^[\w-]{8,80}$/).optional(),
  ip: z.string().max(100).nullable().optional(),
});
export type AdjustBalanceInput = z.input<typeof AdjustBalanceInput>;

/** A debit may not take the available balance below zero (postEntry refuses with insufficient_balance). */
export async function adjustBalance({ ctx, input }: { ctx: Pick<UserCtx, "userId">; input: AdjustBalanceInput }) {
  const admin = await assertAdmin(ctx);
  const data = parseInput(AdjustBalanceInput, input);
  const reference = `admin-adjust:${data.idempotencyKey ?? randomUUID()}`;
  const run = () =>
    db.$transaction(async (tx) => {
      const account = await tx.account.findUnique({ where: { userId: data.userId }, select: { id: true, balanceMicros: true, reservedMicros: true } });
      if (!account) throw new AppError("not_found", "No such customer");
      const entry = await postEntry(tx, {
        accountId: account.id,
        kind: "ADJUSTMENT",
        amountMicros: data.amountMicros,
        reference,
        description: data.reason,
        actor: `admin:${admin.email}`,
      });
      if (entry.applied) {
        await recordAudit(tx, {
          actorId: admin.userId,
          action: data.amountMicros > 0n ? "balance.credited" : "balance.debited",
          targetType: "user",
          targetId: data.userId,
          before: { balanceMicros: account.balanceMicros, reservedMicros: account.reservedMicros },
          after: { balanceMicros: entry.balanceAfterMicros, amountMicros: data.amountMicros, reason: data.reason, ledgerEntryId: entry.entryId, reference },
          ip: data.ip,
        });
      }
      return entry;
    });
  try {
    return await run();
  } catch (error) {
    // A concurrent double-submit lost the race on the unique reference: report the first one's result.
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") return run();
    throw error;
  }
}
