// Low-balance alerts: one email (and the in-app banner) per crossing below the user's threshold, not
// one per request. The alert re-arms when a credit lifts the available balance back above it.
import { db, Prisma } from "@/lib/db";
import { sendMail } from "@/lib/mail";
import { displayUsd } from "@/lib/money";

/** Sends the alert if the account just crossed its threshold. Safe to call from any instance, any time. */
export async function maybeAlertLowBalance(accountId: string): Promise<boolean> {
  const rows = await db.$queryRaw<{ email: string; available: bigint; threshold: bigint }[]>(Prisma.sql`
    UPDATE accounts a SET low_balance_alerted_at = now()
    FROM users u
    WHERE a.id = ${accountId}::uuid AND u.id = a.user_id
      AND a.low_balance_threshold_micros IS NOT NULL
      AND a.balance_micros - a.reserved_micros < a.low_balance_threshold_micros
      AND a.low_balance_alerted_at IS NULL
    RETURNING u.email, a.balance_micros - a.reserved_micros AS available, a.low_balance_threshold_micros AS threshold`);
  const row = rows[0];
  if (!row) return false;
  await sendMail({
    to: row.email,
    subject: `Your Meterway balance is below ${displayUsd(row.threshold)}`,
    text:
      `Your available balance is ${displayUsd(row.available)}, below the ${displayUsd(row.threshold)} alert you set.\n\n` +
      `Requests are refused with 402 once it runs out. Add funds on the Billing page to keep your apps running.\n`,
  }).catch((error) => console.error("[billing] low-balance mail failed:", (error as Error).message));
  return true;
}

/** After a credit: re-arm the alert if the balance is back at or above the threshold. */
export async function rearmLowBalanceAlert(accountId: string): Promise<void> {
  await db.$executeRaw`
    UPDATE accounts SET low_balance_alerted_at = NULL
    WHERE id = ${accountId}::uuid AND low_balance_alerted_at IS NOT NULL
      AND balance_micros - reserved_micros >= COALESCE(low_balance_threshold_micros, 0)`;
}
