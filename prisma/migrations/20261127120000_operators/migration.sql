-- The operators' console: price history, an append-only audit log, ledger check results, single-use
-- redemption codes, and disabling a single API key.

-- A key an operator disabled is refused like a revoked one, but can be re-enabled.
ALTER TABLE "api_keys" ADD COLUMN "disabled_at" TIMESTAMPTZ(3);

-- Every instance drops a changed key from its cache (now also when it is disabled or re-enabled).
CREATE OR REPLACE FUNCTION "api_keys_notify_change"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    PERFORM pg_notify('api_key_changed', OLD.hash);
    RETURN OLD;
  END IF;
  IF NEW.revoked_at IS DISTINCT FROM OLD.revoked_at OR NEW.expires_at IS DISTINCT FROM OLD.expires_at
     OR NEW.spend_limit_micros IS DISTINCT FROM OLD.spend_limit_micros OR NEW.allowed_models IS DISTINCT FROM OLD.allowed_models
     OR NEW.name IS DISTINCT FROM OLD.name OR NEW.rate_limit_per_minute IS DISTINCT FROM OLD.rate_limit_per_minute
     OR NEW.spend_limit_period IS DISTINCT FROM OLD.spend_limit_period
     OR NEW.disabled_at IS DISTINCT FROM OLD.disabled_at THEN
    PERFORM pg_notify('api_key_changed', NEW.hash);
  END IF;
  RETURN NEW;
END;
$$;

-- A model's prices over time, written in the same transaction as the change to the model.
CREATE TABLE "model_prices" (
    "id" BIGSERIAL NOT NULL,
    "model_id" TEXT NOT NULL,
    "input_per_mtok_micros" BIGINT,
    "output_per_mtok_micros" BIGINT,
    "per_image_micros" BIGINT,
    "per_task_micros" BIGINT,
    "changed_by" TEXT NOT NULL,
    "changed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    CONSTRAINT "model_prices_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "model_prices_model_id_changed_at_idx" ON "model_prices"("model_id", "changed_at");
ALTER TABLE "model_prices" ADD CONSTRAINT "model_prices_model_id_fkey" FOREIGN KEY ("model_id") REFERENCES "models"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- The current prices of the models that exist now are their first history entry.
INSERT INTO "model_prices" ("model_id", "input_per_mtok_micros", "output_per_mtok_micros", "per_image_micros", "per_task_micros", "changed_by", "changed_at")
SELECT "id", "input_per_mtok_micros", "output_per_mtok_micros", "per_image_micros", "per_task_micros", 'migration', "created_at" FROM "models";

-- Who did what to what. Append-only: no UPDATE, no DELETE.
CREATE TABLE "audit_events" (
    "id" BIGSERIAL NOT NULL,
    "actor_id" UUID,
    "actor_label" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "target_type" TEXT NOT NULL,
    "target_id" TEXT,
    "before" JSONB,
    "after" JSONB,
    "ip" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    CONSTRAINT "audit_events_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "audit_events_created_at_idx" ON "audit_events"("created_at");
CREATE INDEX "audit_events_action_created_at_idx" ON "audit_events"("action", "created_at");
CREATE INDEX "audit_events_actor_id_created_at_idx" ON "audit_events"("actor_id", "created_at");
CREATE INDEX "audit_events_target_type_target_id_idx" ON "audit_events"("target_type", "target_id");

CREATE FUNCTION "audit_events_immutable"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit events are append-only';
END;
$$;
CREATE TRIGGER "audit_events_no_update" BEFORE UPDATE OR DELETE ON "audit_events"
  FOR EACH ROW EXECUTE FUNCTION "audit_events_immutable"();
CREATE TRIGGER "audit_events_no_truncate" BEFORE TRUNCATE ON "audit_events"
  FOR EACH STATEMENT EXECUTE FUNCTION "audit_events_immutable"();

-- Results of `ledger:check`, from the command line or the admin health page.
CREATE TABLE "ledger_checks" (
    "id" BIGSERIAL NOT NULL,
    "ok" BOOLEAN NOT NULL,
    "accounts" INTEGER NOT NULL,
    "violations" JSONB NOT NULL DEFAULT '[]',
    "source" TEXT NOT NULL,
    "actor" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    CONSTRAINT "ledger_checks_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "ledger_checks_created_at_idx" ON "ledger_checks"("created_at");

-- Single-use codes worth an amount. Only the SHA-256 of a code is kept, plus a short visible prefix.
CREATE TABLE "redemption_codes" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "batch_id" UUID NOT NULL,
    "prefix" TEXT NOT NULL,
    "hash" TEXT NOT NULL,
    "amount_micros" BIGINT NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "created_by" TEXT NOT NULL,
    "redeemed_by" UUID,
    "redeemed_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    CONSTRAINT "redemption_codes_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "redemption_codes_amount_positive" CHECK ("amount_micros" > 0),
    CONSTRAINT "redemption_codes_redeemed_together" CHECK (("redeemed_by" IS NULL) = ("redeemed_at" IS NULL))
);
CREATE UNIQUE INDEX "redemption_codes_hash_key" ON "redemption_codes"("hash");
CREATE INDEX "redemption_codes_batch_id_idx" ON "redemption_codes"("batch_id");
CREATE INDEX "redemption_codes_created_at_idx" ON "redemption_codes"("created_at");
ALTER TABLE "redemption_codes" ADD CONSTRAINT "redemption_codes_redeemed_by_fkey" FOREIGN KEY ("redeemed_by") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
