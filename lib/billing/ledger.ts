// Credits and adjustments: balance changes that are not request charges. Each is idempotent by its
// `reference` (a payment id, a grant id…): the same reference applies once, whatever the retries.
import { db, type Tx } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { displayUsd } from "@/lib/money";
import { Prisma } from "@/lib/db";

export interface PostEntryInput {
  accountId: string;
  kind: "TOPUP" | "ADJUSTMENT" | "REFUND";
  /** Signed: positive credits, negative debits. */
  amountMicros: bigint;
  reference: string;
  description: string;
  paymentId?: string;
  actor?: string;
}

export interface PostEntryResult {
  applied: boolean;
  entryId: bigint;
  balanceAfterMicros: bigint;
}

/**
 * Posts one ledger entry and moves the balance with it, inside `tx` (the caller's transaction, so a
 * payment's status and its credit commit together). A reference seen before returns the first result.
 * A debit may not take the available balance below zero.
 */
export async function postEntry(tx: Tx, input: PostEntryInput): Promise<PostEntryResult> {
  if (input.amountMicros === 0n) throw new AppError("invalid_request", "The amount must not be zero", { param: "amount" });
  const existing = await tx.ledgerEntry.findUnique({
    where: { reference: input.reference },
    select: { id: true, balanceAfterMicros: true, accountId: true },
  });
  if (existing) {
    if (existing.accountId !== input.accountId) throw new Error(`ledger reference ${input.reference} belongs to another account`);
    return { applied: false, entryId: existing.id, balanceAfterMicros: existing.balanceAfterMicros };
  }
  const rows = await tx.$queryRaw<{ balance: bigint }[]>(Prisma.sql`
    UPDATE accounts SET balance_micros = balance_micros + ${input.amountMicros}::bigint, updated_at = now()
    WHERE id = ${input.accountId}::uuid
      AND (${input.amountMicros}::bigint > 0 OR balance_micros - reserved_micros + ${input.amountMicros}::bigint >= 0)
    RETURNING balance_micros AS balance`);
  const balance = rows[0]?.balance;
  if (balance === undefined) {
    const account = await tx.account.findUnique({ where: { id: input.accountId }, select: { balanceMicros: true, reservedMicros: true } });
    if (!account) throw new AppError("not_found", "No such account");
    // Say how much could be debited: what the operator needs to correct the amount.
    const available = account.balanceMicros - account.reservedMicros;
    throw new AppError(
      "insufficient_balance",
      `The debit of ${displayUsd(-input.amountMicros)} is larger than the available balance of ${displayUsd(available)}`,
      { limitSource: "balance" },
    );
  }
  const entry = await tx.ledgerEntry.create({
    data: {
      accountId: input.accountId,
      kind: input.kind,
      amountMicros: input.amountMicros,
      balanceAfterMicros: balance,
      reference: input.reference,
      description: input.description,
      paymentId: input.paymentId,
      actor: input.actor,
    },
    select: { id: true },
  });
  return { applied: true, entryId: entry.id, balanceAfterMicros: balance };
}

/**
 * postEntry in a transaction of its own. Two concurrent posts of one reference: the loser's INSERT hits
 * the unique reference, its transaction rolls back, and it reports the winner's entry.
 */
export async function postEntryOnce(input: PostEntryInput): Promise<PostEntryResult> {
  try {
    return await db.$transaction((tx) => postEntry(tx, input));
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") {
      const entry = await db.ledgerEntry.findUniqueOrThrow({ where: { reference: input.reference } });
      return { applied: false, entryId: entry.id, balanceAfterMicros: entry.balanceAfterMicros };
    }
    throw error;
  }
}
