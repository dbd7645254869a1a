-- The dashboard's usage per account, UTC day, model and key, for CLOSED days (lib/usage/roll-up-usage.ts),
-- so that long periods read a few hundred rows instead of every usage record. Written only by the
-- background rollup; the gateway's settle statements are unchanged (no trigger, no extra index on
-- usage_records: nothing more to do per request).
CREATE TABLE "usage_daily" (
    "id" BIGSERIAL NOT NULL,
    "account_id" UUID NOT NULL,
    "day" DATE NOT NULL,
    "model_id" TEXT NOT NULL,
    "api_key_id" UUID,
    "requests" BIGINT NOT NULL,
    "input_tokens" BIGINT NOT NULL,
    "output_tokens" BIGINT NOT NULL,
    "cost_micros" BIGINT NOT NULL,
    "covered_micros" BIGINT NOT NULL,

    CONSTRAINT "usage_daily_pkey" PRIMARY KEY ("id")
);

-- One row per (account, day, model, key); a request without a key (api_key_id NULL) is a key of its own,
-- hence NULLS NOT DISTINCT (which a Prisma schema cannot say). The dashboard reads it by (account, day range).
CREATE UNIQUE INDEX "usage_daily_account_id_day_model_id_api_key_id_key" ON "usage_daily"("account_id", "day", "model_id", "api_key_id") NULLS NOT DISTINCT;

-- No foreign key to accounts: its RI triggers would run on every UPDATE of accounts, i.e. on every reserve
-- and settle. The rows are copied from usage_records, whose account_id already has one (and accounts are never deleted).

-- The rollup's watermark: every UTC day before rolled_until is in usage_daily, complete and final;
-- NULL: nothing rolled up yet. One row, locked by whichever instance rolls up.
CREATE TABLE "usage_rollup_state" (
    "id" INTEGER NOT NULL,
    "rolled_until" DATE,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),

    CONSTRAINT "usage_rollup_state_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "usage_rollup_state_one_row" CHECK ("id" = 1)
);
INSERT INTO "usage_rollup_state" ("id", "rolled_until") VALUES (1, NULL);
