// Crediting a paid top-up: the one code path behind Stripe's webhook and the sandbox checkout.
import { db, Prisma } from "@/lib/db";
import { displayUsd } from "@/lib/money";
import { postEntry } from "./ledger";
import { rearmLowBalanceAlert } from "./low-balance";

export interface PaidCheckout {
  provider: "STRIPE" | "SANDBOX";
  /** The Checkout Session id: the idempotency key of the credit. */
  externalId: string;
  userId: string;
  amountMicros: bigint;
  receiptUrl?: string | null;
  kind?: "TOPUP" | "AUTO_TOPUP";
  paymentIntentId?: string | null;
}

/**
 * Marks the payment paid and credits its amount, once. Any number of calls, in any order and at the
 * same time, credit exactly once: the ledger reference `topup:<session id>` is unique.
 */
export async function creditTopUp(input: PaidCheckout): Promise<{ credited: boolean; balanceAfterMicros: bigint }> {
  const attempt = () =>
    db.$transaction(async (tx) => {
      const account = await tx.account.findUnique({ where: { userId: input.userId }, select: { id: true } });
      if (!account) throw new Error(`checkout ${input.externalId} names an unknown user ${input.userId}`);
      const payment = await tx.payment.upsert({
        where: { externalId: input.externalId },
        create: {
          userId: input.userId,
          provider: input.provider,
          externalId: input.externalId,
          kind: input.kind ?? "TOPUP",
          paymentIntentId: input.paymentIntentId ?? null,
          amountMicros: input.amountMicros,
          status: "SUCCEEDED",
          receiptUrl: input.receiptUrl ?? null,
          completedAt: new Date(),
        },
        update: {},
        select: { id: true, userId: true, status: true, amountMicros: true },
      });
      if (payment.userId !== input.userId) throw new Error(`checkout ${input.externalId} belongs to another user`);
      const entry = await postEntry(tx, {
        accountId: account.id,
        kind: "TOPUP",
        amountMicros: input.amountMicros,
        reference: `topup:${input.externalId}`,
        description: `${input.kind === "AUTO_TOPUP" ? "Auto top-up" : "Top-up"} ${displayUsd(input.amountMicros)}${input.provider === "SANDBOX" ? " (sandbox)" : ""}`,
        paymentId: payment.id,
      });
      if (entry.applied) {
        await tx.payment.update({
          where: { id: payment.id },
          data: {
            status: "SUCCEEDED",
            completedAt: new Date(),
            amountMicros: input.amountMicros,
            receiptUrl: input.receiptUrl ?? undefined,
            paymentIntentId: input.paymentIntentId ?? undefined,
          },
        });
      }
      return { credited: entry.applied, balanceAfterMicros: entry.balanceAfterMicros, accountId: account.id };
    });
  let result: { credited: boolean; balanceAfterMicros: bigint; accountId: string };
  try {
    result = await attempt();
  } catch (error) {
    // A concurrent delivery won the race on a unique key; the retry sees its result and credits nothing.
    if (!(error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002")) throw error;
    result = await attempt();
  }
  if (result.credited) await rearmLowBalanceAlert(result.accountId);
  return { credited: result.credited, balanceAfterMicros: result.balanceAfterMicros };
}
