// Refunding a sandbox top-up: a REFUND ledger entry of minus the amount, never taking the available
// balance below zero. If part was already spent, what is available is refunded and the shortfall is
// recorded. The ledger reference `refund:<externalId>` makes it apply once. Stripe payments are refunded
// in Stripe's dashboard (its charge.refunded webhook moves the ledger).
import { z } from "zod";
import { assertAdmin } from "@/lib/admin/assert-admin";
import { parseInput } from "@/lib/admin/parse-input";
import { recordAudit } from "@/lib/audit/record";
import type { UserCtx } from "@/lib/context";
import { db, Prisma } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { displayUsd } from "@/lib/money";
import { postEntry } from "./ledger";

export const RefundTopUpInput = z.object({
  paymentId: z.uuid(),
  reason: z.string().trim().min(3, "Say why (at least 3 characters)").max(500, "Keep the reason under 500 characters"),
  ip: z.string().max(100).nullable().optional(),
});
export type RefundTopUpInput = z.input<typeof RefundTopUpInput>;

export interface RefundResult {
  refundedMicros: bigint;
  shortfallMicros: bigint;
  balanceAfterMicros: bigint;
}

export async function refundTopUp({ ctx, input }: { ctx: Pick<UserCtx, "userId">; input: RefundTopUpInput }): Promise<RefundResult> {
  const admin = await assertAdmin(ctx);
  const data = parseInput(RefundTopUpInput, input);
  try {
    return await db.$transaction(async (tx) => {
      // Lock the payment, then the account (in that order), so two refunds cannot both pass the checks.
      const [payment] = await tx.$queryRaw<{ id: string; user_id: string; provider: string; external_id: string; amount_micros: bigint; status: string }[]>(
        Prisma.sql`SELECT id::text, user_id::text, provider::text, external_id, amount_micros, status::text FROM payments WHERE id = ${data.paymentId}::uuid FOR UPDATE`,
      );
      if (!payment) throw new AppError("not_found", "No such payment");
      if (payment.provider === "STRIPE") throw new AppError("conflict", "Refund Stripe payments in Stripe's dashboard; the balance follows from Stripe's webhook.");
      if (payment.status === "REFUNDED") throw new AppError("conflict", "This payment has already been refunded");
      if (payment.status !== "SUCCEEDED") throw new AppError("conflict", "Only a paid top-up can be refunded");
      const [account] = await tx.$queryRaw<{ id: string; balance: bigint; reserved: bigint }[]>(
        Prisma.sql`SELECT id::text, balance_micros AS balance, reserved_micros AS reserved FROM accounts WHERE user_id = ${payment.user_id}::uuid FOR UPDATE`,
      );
      if (!account) throw new AppError("not_found", "The payment's customer has no account");
      const available = account.balance - account.reserved;
      const refunded = available <= 0n ? 0n : available < payment.amount_micros ? available : payment.amount_micros;
      const shortfall = payment.amount_micros - refunded;
      if (refunded === 0n) throw new AppError("insufficient_balance", "Nothing can be refunded: the customer's available balance is $0.00", { limitSource: "balance" });
      const description =
        `Refund of sandbox top-up ${displayUsd(payment.amount_micros)}: ${data.reason}` +
        (shortfall > 0n ? ` (refunded ${displayUsd(refunded)}; ${displayUsd(shortfall)} was already spent)` : "");
      const entry = await postEntry(tx, {
        accountId: account.id,
        kind: "REFUND",
        amountMicros: -refunded,
        reference: `refund:${payment.external_id}`,
        description,
        paymentId: payment.id,
        actor: `admin:${admin.email}`,
      });
      if (!entry.applied) throw new AppError("conflict", "This payment has already been refunded");
      await tx.payment.update({ where: { id: payment.id }, data: { status: "REFUNDED" } });
      await recordAudit(tx, {
        actorId: admin.userId,
        action: "payment.refunded",
        targetType: "payment",
        targetId: payment.id,
        before: { status: payment.status, amountMicros: payment.amount_micros, userId: payment.user_id, availableMicros: available },
        after: { status: "REFUNDED", refundedMicros: refunded, shortfallMicros: shortfall, reason: data.reason, ledgerEntryId: entry.entryId },
        ip: data.ip,
      });
      return { refundedMicros: refunded, shortfallMicros: shortfall, balanceAfterMicros: entry.balanceAfterMicros };
    });
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") {
      throw new AppError("conflict", "This payment has already been refunded");
    }
    throw error;
  }
}
