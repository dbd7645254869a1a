-- Subscriptions beside Pay-As-You-Go. A subscription (a PLAN bought from the catalog, or a CUSTOM one an
-- operator configures for one customer) owns allowances: per-period budgets in micros of usage or in
-- units (images, tasks, requests) for the models they cover. A request is paid by the allowance that
-- covers its model first, then by the prepaid balance when the subscription allows it.
-- Allowances are held like the balance: holds.allowance_id/allowance_amount set aside part of an
-- allowance at reserve time, in the same statement that holds the balance part (holds.amount_micros).
CREATE TYPE "BillingInterval" AS ENUM ('MONTH', 'YEAR');
CREATE TYPE "SubscriptionKind" AS ENUM ('PLAN', 'CUSTOM');
CREATE TYPE "SubscriptionStatus" AS ENUM ('INCOMPLETE', 'ACTIVE', 'PAST_DUE', 'CANCELED');
CREATE TYPE "SubscriptionProvider" AS ENUM ('SANDBOX', 'STRIPE', 'MANUAL');
CREATE TYPE "AllowanceUnit" AS ENUM ('MICROS', 'UNITS');
CREATE TYPE "PaidBy" AS ENUM ('BALANCE', 'SUBSCRIPTION', 'MIXED');

CREATE TABLE "plans" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "slug" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "interval" "BillingInterval" NOT NULL DEFAULT 'MONTH',
    "price_micros" BIGINT NOT NULL,
    "allowance_micros" BIGINT NOT NULL,
    "model_ids" TEXT[] NOT NULL DEFAULT ARRAY[]::TEXT[],
    "image_allowance" INTEGER,
    "task_allowance" INTEGER,
    "overage_to_balance" BOOLEAN NOT NULL DEFAULT true,
    "stripe_price_id" TEXT,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    CONSTRAINT "plans_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "plans_amounts_nonnegative" CHECK ("price_micros" >= 0 AND "allowance_micros" >= 0
        AND COALESCE("image_allowance", 0) >= 0 AND COALESCE("task_allowance", 0) >= 0)
);
CREATE UNIQUE INDEX "plans_slug_key" ON "plans"("slug");
CREATE UNIQUE INDEX "plans_stripe_price_id_key" ON "plans"("stripe_price_id");

CREATE TABLE "subscriptions" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "account_id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "kind" "SubscriptionKind" NOT NULL,
    "plan_id" UUID,
    "name" TEXT NOT NULL,
    "price_micros" BIGINT NOT NULL,
    "interval" "BillingInterval" NOT NULL DEFAULT 'MONTH',
    "provider" "SubscriptionProvider" NOT NULL,
    "status" "SubscriptionStatus" NOT NULL DEFAULT 'ACTIVE',
    "stripe_subscription_id" TEXT,
    "balance_fallback" BOOLEAN NOT NULL DEFAULT true,
    "current_period_start" TIMESTAMPTZ(3) NOT NULL,
    "current_period_end" TIMESTAMPTZ(3) NOT NULL,
    "cancel_at_period_end" BOOLEAN NOT NULL DEFAULT false,
    "canceled_at" TIMESTAMPTZ(3),
    "pending_plan_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    CONSTRAINT "subscriptions_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "subscriptions_period_ordered" CHECK ("current_period_end" > "current_period_start"),
    CONSTRAINT "subscriptions_plan_kind" CHECK (("kind" = 'PLAN') = ("plan_id" IS NOT NULL))
);
CREATE UNIQUE INDEX "subscriptions_stripe_subscription_id_key" ON "subscriptions"("stripe_subscription_id");
CREATE INDEX "subscriptions_account_id_status_idx" ON "subscriptions"("account_id", "status");
-- One live plan per account (custom subscriptions may sit beside it).
CREATE UNIQUE INDEX "subscriptions_one_live_plan" ON "subscriptions"("account_id")
    WHERE "kind" = 'PLAN' AND "status" <> 'CANCELED';
ALTER TABLE "subscriptions" ADD CONSTRAINT "subscriptions_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "subscriptions" ADD CONSTRAINT "subscriptions_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "subscriptions" ADD CONSTRAINT "subscriptions_plan_id_fkey" FOREIGN KEY ("plan_id") REFERENCES "plans"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "subscriptions" ADD CONSTRAINT "subscriptions_pending_plan_id_fkey" FOREIGN KEY ("pending_plan_id") REFERENCES "plans"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- slot names the allowance within its subscription ('shared', 'images', 'tasks' for plans; one per
-- configured line for custom subscriptions), so a new period updates the same rows in place.
CREATE TABLE "allowances" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "subscription_id" UUID NOT NULL,
    "account_id" UUID NOT NULL,
    "slot" TEXT NOT NULL,
    "label" TEXT NOT NULL,
    "model_ids" TEXT[] NOT NULL DEFAULT ARRAY[]::TEXT[],
    "model_types" "ModelType"[] NOT NULL DEFAULT ARRAY[]::"ModelType"[],
    "unit" "AllowanceUnit" NOT NULL,
    "limit_value" BIGINT,
    "used_value" BIGINT NOT NULL DEFAULT 0,
    "reserved_value" BIGINT NOT NULL DEFAULT 0,
    "rate_limit_per_minute" INTEGER,
    "rate_window_start" TIMESTAMPTZ(3),
    "rate_window_count" INTEGER NOT NULL DEFAULT 0,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    CONSTRAINT "allowances_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "allowances_values_nonnegative" CHECK ("used_value" >= 0 AND "reserved_value" >= 0
        AND COALESCE("limit_value", 0) >= 0)
);
CREATE UNIQUE INDEX "allowances_subscription_id_slot_key" ON "allowances"("subscription_id", "slot");
CREATE INDEX "allowances_account_id_idx" ON "allowances"("account_id");
ALTER TABLE "allowances" ADD CONSTRAINT "allowances_subscription_id_fkey" FOREIGN KEY ("subscription_id") REFERENCES "subscriptions"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- What was paid for each period: a Stripe invoice, a sandbox payment or a manual renewal. The unique
-- external id makes a duplicated invoice.paid a no-op.
CREATE TABLE "subscription_invoices" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "subscription_id" UUID NOT NULL,
    "external_id" TEXT NOT NULL,
    "amount_micros" BIGINT NOT NULL,
    "period_start" TIMESTAMPTZ(3) NOT NULL,
    "period_end" TIMESTAMPTZ(3) NOT NULL,
    "receipt_url" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    CONSTRAINT "subscription_invoices_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "subscription_invoices_external_id_key" ON "subscription_invoices"("external_id");
CREATE INDEX "subscription_invoices_subscription_id_created_at_idx" ON "subscription_invoices"("subscription_id", "created_at");
ALTER TABLE "subscription_invoices" ADD CONSTRAINT "subscription_invoices_subscription_id_fkey" FOREIGN KEY ("subscription_id") REFERENCES "subscriptions"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

ALTER TABLE "holds" ADD COLUMN "allowance_id" UUID,
    ADD COLUMN "allowance_amount" BIGINT NOT NULL DEFAULT 0,
    ADD CONSTRAINT "holds_allowance_amount_nonnegative" CHECK ("allowance_amount" >= 0);
ALTER TABLE "holds" ADD CONSTRAINT "holds_allowance_id_fkey" FOREIGN KEY ("allowance_id") REFERENCES "allowances"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- cost_micros stays the request's full price; covered_micros is the part a subscription paid, so the
-- prepaid balance paid cost_micros - covered_micros (its ledger entry; none when paid_by = SUBSCRIPTION).
ALTER TABLE "usage_records" ADD COLUMN "paid_by" "PaidBy" NOT NULL DEFAULT 'BALANCE',
    ADD COLUMN "subscription_id" UUID,
    ADD COLUMN "covered_micros" BIGINT NOT NULL DEFAULT 0;
