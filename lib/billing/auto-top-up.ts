// Auto top-up (as OpenAI and OpenRouter offer it): when a settlement leaves the available balance
// under the account's threshold, charge the saved card off-session for the chosen amount.
// Never two in flight for one account (a conditional UPDATE claims the account), never over the
// monthly cap, and turned off with a notice after repeated failures.
import { randomBytes } from "node:crypto";
import { db, Prisma } from "@/lib/db";
import { stripeEnabled } from "@/lib/env.js";
import { sendMail } from "@/lib/mail";
import { displayUsd } from "@/lib/money";
import { MICROS_PER_CENT } from "@/lib/payments/limits";
import { getStripe } from "@/lib/payments/stripe";
import { creditTopUp } from "./top-ups";

export const MAX_AUTO_TOPUP_FAILURES = 3;
/** A claim older than this is considered abandoned (a crashed instance) and may be taken again. */
const IN_FLIGHT_TIMEOUT = "15 minutes";
/** The saved "card" of the sandbox checkout: auto top-up works end to end without Stripe too. */
export const SANDBOX_PAYMENT_METHOD = "pm_sandbox_saved";

interface Claim {
  account_id: string;
  user_id: string;
  email: string;
  amount: bigint;
  payment_method: string;
  customer: string | null;
}

export type AutoTopUpResult = "not_needed" | "succeeded" | "pending" | "failed";

export async function maybeAutoTopUp(accountId: string): Promise<AutoTopUpResult> {
  const claims = await db.$queryRaw<Claim[]>(Prisma.sql`
    UPDATE accounts a SET auto_topup_in_flight_at = now()
    FROM users u
    WHERE a.id = ${accountId}::uuid AND u.id = a.user_id
      AND a.auto_topup_enabled AND a.auto_topup_payment_method_id IS NOT NULL
      AND a.auto_topup_amount_micros IS NOT NULL AND a.auto_topup_threshold_micros IS NOT NULL
      AND a.balance_micros - a.reserved_micros < a.auto_topup_threshold_micros
      AND (a.auto_topup_in_flight_at IS NULL OR a.auto_topup_in_flight_at < now() - ${IN_FLIGHT_TIMEOUT}::interval)
      AND (a.auto_topup_retry_after IS NULL OR a.auto_topup_retry_after <= now())
      AND (a.auto_topup_monthly_cap_micros IS NULL OR a.auto_topup_amount_micros + (
            SELECT COALESCE(sum(p.amount_micros), 0) FROM payments p
            WHERE p.user_id = a.user_id AND p.kind = 'AUTO_TOPUP' AND p.status IN ('SUCCEEDED', 'PENDING')
              AND p.created_at >= date_trunc('month', now())) <= a.auto_topup_monthly_cap_micros)
    RETURNING a.id AS account_id, u.id AS user_id, u.email, a.auto_topup_amount_micros AS amount,
              a.auto_topup_payment_method_id AS payment_method, u.stripe_customer_id AS customer`);
  const claim = claims[0];
  if (!claim) return "not_needed";

  const sandbox = claim.payment_method === SANDBOX_PAYMENT_METHOD;
  if (!sandbox && !stripeEnabled) {
    await recordFailure(claim, "Stripe is not configured on this server");
    return "failed";
  }
  const payment = await db.payment.create({
    data: {
      userId: claim.user_id,
      provider: sandbox ? "SANDBOX" : "STRIPE",
      kind: "AUTO_TOPUP",
      externalId: `autotopup_${randomBytes(12).toString("hex")}`,
      amountMicros: claim.amount,
    },
  });

  if (sandbox) {
    await creditTopUp({ provider: "SANDBOX", externalId: payment.externalId, userId: claim.user_id, amountMicros: claim.amount, kind: "AUTO_TOPUP" });
    await finishClaim(claim.account_id, true);
    return "succeeded";
  }

  try {
    const intent = await getStripe().paymentIntents.create(
      {
        amount: Number(claim.amount / MICROS_PER_CENT),
        currency: "usd",
        customer: claim.customer ?? undefined,
        payment_method: claim.payment_method,
        off_session: true,
        confirm: true,
        description: "Meterway auto top-up",
        metadata: { purpose: "auto_topup", user_id: claim.user_id, payment_id: payment.id },
      },
      { idempotencyKey: `auto-topup-${payment.id}` },
    );
    await db.payment.update({ where: { id: payment.id }, data: { paymentIntentId: intent.id } });
    if (intent.status === "succeeded") {
      await creditTopUp({ provider: "STRIPE", externalId: payment.externalId, userId: claim.user_id, amountMicros: claim.amount, kind: "AUTO_TOPUP", paymentIntentId: intent.id });
      await finishClaim(claim.account_id, true);
      return "succeeded";
    }
    return "pending"; // processing: payment_intent.succeeded / .payment_failed settles it
  } catch (error) {
    const message = (error as { message?: string }).message ?? "the card was declined";
    await db.payment.update({ where: { id: payment.id }, data: { status: "FAILED", failureReason: message.slice(0, 300) } });
    await recordFailure(claim, message);
    return "failed";
  }
}

/** Clears the in-flight claim; a success also clears the failure count. */
export async function finishClaim(accountId: string, succeeded: boolean): Promise<void> {
  await db.account.update({
    where: { id: accountId },
    data: succeeded
      ? { autoTopupInFlightAt: null, autoTopupFailures: 0, autoTopupRetryAfter: null, autoTopupNotice: null }
      : { autoTopupInFlightAt: null },
  });
}

/** Minutes to wait after each failure in a row before charging the card again. */
export const RETRY_BACKOFF_MINUTES = 15;

/** Counts a failure and backs off; the third in a row turns auto top-up off and tells the user. */
export async function recordFailure(claim: { account_id: string; email: string; amount: bigint }, reason: string): Promise<void> {
  const [account] = await db.$queryRaw<{ failures: number }[]>`
    UPDATE accounts SET auto_topup_in_flight_at = NULL, auto_topup_failures = auto_topup_failures + 1,
      auto_topup_retry_after = now() + make_interval(mins => ${RETRY_BACKOFF_MINUTES} * (auto_topup_failures + 1))
    WHERE id = ${claim.account_id}::uuid
    RETURNING auto_topup_failures AS failures`;
  if (!account) return;
  if (account.failures < MAX_AUTO_TOPUP_FAILURES) return;
  const notice = `Auto top-up was turned off after ${account.failures} failed charges (last: ${reason}). Update your card and turn it on again.`;
  await db.account.update({ where: { id: claim.account_id }, data: { autoTopupEnabled: false, autoTopupNotice: notice } });
  await sendMail({
    to: claim.email,
    subject: "Meterway auto top-up is off",
    text: `${notice}\n\nWe tried to add ${displayUsd(claim.amount)} to your balance.\n`,
  }).catch((e) => console.error("[billing] auto top-up mail failed:", (e as Error).message));
}
