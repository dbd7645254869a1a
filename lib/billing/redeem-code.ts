// A user redeems a single-use code. The conditional UPDATE claims the code (only one of any number of
// concurrent attempts can match `redeemed_at IS NULL`), and the credit is posted in the same transaction
// with the reference `redeem:<code id>`, so it is credited exactly once.
import { recordAudit } from "@/lib/audit/record";
import type { UserCtx } from "@/lib/context";
import { db, Prisma } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { displayUsd } from "@/lib/money";
import { consume } from "@/lib/rate-limit";
import { postEntry } from "./ledger";
import { hashCode, looksLikeCode } from "./redemption-codes";

/** Attempts per user in REDEEM_WINDOW_SECONDS, right or wrong: guessing codes stays hopeless. */
export const REDEEM_MAX_ATTEMPTS = 10;
export const REDEEM_WINDOW_SECONDS = 600;

export async function redeemCode({ ctx, input }: { ctx: Pick<UserCtx, "userId">; input: { code: string; ip?: string | null } }) {
  const text = String(input.code ?? "").trim();
  // An empty form is no guess at a code: say what is missing, and do not count it as an attempt.
  if (!text) throw new AppError("invalid_request", "Enter a code.", { param: "code" });
  const limit = await consume("redeem", ctx.userId, REDEEM_MAX_ATTEMPTS, REDEEM_WINDOW_SECONDS);
  if (!limit.allowed) {
    throw new AppError("rate_limited", `Too many attempts. Try again in ${Math.ceil(limit.retryAfterSeconds / 60)} minute(s).`, { retryAfter: limit.retryAfterSeconds });
  }
  if (!looksLikeCode(text)) throw new AppError("invalid_request", "That doesn't look like a code. Codes look like MW-ABCD-EFGH-JKMN-PQRS.", { param: "code" });
  const hash = hashCode(text);
  try {
    return await db.$transaction(async (tx) => {
      const account = await tx.account.findUnique({ where: { userId: ctx.userId }, select: { id: true } });
      if (!account) throw new AppError("not_found", "No account");
      const [claimed] = await tx.$queryRaw<{ id: string; prefix: string; amount_micros: bigint }[]>(Prisma.sql`
        UPDATE redemption_codes SET redeemed_by = ${ctx.userId}::uuid, redeemed_at = now()
        WHERE hash = ${hash} AND redeemed_at IS NULL AND expires_at > now()
        RETURNING id::text, prefix, amount_micros`);
      if (!claimed) {
        const code = await tx.redemptionCode.findUnique({ where: { hash }, select: { redeemedAt: true, redeemedById: true } });
        if (!code) throw new AppError("invalid_request", "That code is not valid. Check it and try again.", { param: "code" });
        if (code.redeemedAt) {
          throw new AppError("conflict", code.redeemedById === ctx.userId ? "You have already redeemed this code." : "This code has already been used.", { param: "code" });
        }
        throw new AppError("conflict", "This code has expired.", { param: "code" });
      }
      const entry = await postEntry(tx, {
        accountId: account.id,
        kind: "ADJUSTMENT",
        amountMicros: claimed.amount_micros,
        reference: `redeem:${claimed.id}`,
        description: `Redemption code ${claimed.prefix}… (${displayUsd(claimed.amount_micros)})`,
      });
      await recordAudit(tx, {
        actorId: ctx.userId,
        action: "code.redeemed",
        targetType: "redemption_code",
        targetId: claimed.id,
        after: { prefix: claimed.prefix, amountMicros: claimed.amount_micros, ledgerEntryId: entry.entryId },
        ip: input.ip,
      });
      return { amountMicros: claimed.amount_micros, balanceAfterMicros: entry.balanceAfterMicros };
    });
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") {
      throw new AppError("conflict", "This code has already been used.", { param: "code" });
    }
    throw error;
  }
}
