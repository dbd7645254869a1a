-- Real payments: a Stripe customer per user, auto top-up (opt-in, saved card, threshold, amount,
-- monthly cap, one in flight at a time, disabled after repeated failures), low-balance alerts (once
-- per crossing), and payment details for receipts, refunds and disputes.
ALTER TYPE "PaymentStatus" ADD VALUE IF NOT EXISTS 'DISPUTED';
CREATE TYPE "PaymentKind" AS ENUM ('TOPUP', 'AUTO_TOPUP');

ALTER TABLE "users" ADD COLUMN "stripe_customer_id" TEXT;
CREATE UNIQUE INDEX "users_stripe_customer_id_key" ON "users"("stripe_customer_id");

ALTER TABLE "accounts" ADD COLUMN "auto_topup_enabled" BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE "accounts" ADD COLUMN "auto_topup_threshold_micros" BIGINT;
ALTER TABLE "accounts" ADD COLUMN "auto_topup_amount_micros" BIGINT;
ALTER TABLE "accounts" ADD COLUMN "auto_topup_monthly_cap_micros" BIGINT;
ALTER TABLE "accounts" ADD COLUMN "auto_topup_payment_method_id" TEXT;
ALTER TABLE "accounts" ADD COLUMN "auto_topup_in_flight_at" TIMESTAMPTZ(3);
ALTER TABLE "accounts" ADD COLUMN "auto_topup_failures" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "accounts" ADD COLUMN "auto_topup_notice" TEXT;
ALTER TABLE "accounts" ADD COLUMN "low_balance_threshold_micros" BIGINT;
ALTER TABLE "accounts" ADD COLUMN "low_balance_alerted_at" TIMESTAMPTZ(3);

ALTER TABLE "payments" ADD COLUMN "kind" "PaymentKind" NOT NULL DEFAULT 'TOPUP';
ALTER TABLE "payments" ADD COLUMN "payment_intent_id" TEXT;
ALTER TABLE "payments" ADD COLUMN "refunded_micros" BIGINT NOT NULL DEFAULT 0;
ALTER TABLE "payments" ADD COLUMN "failure_reason" TEXT;
CREATE UNIQUE INDEX "payments_payment_intent_id_key" ON "payments"("payment_intent_id");
