-- The initial schema. Hand-written (Prisma's schema engine cannot run here); keep in step with
-- schema.prisma — test/schema-matches.int.test.ts compares the two.

CREATE TYPE "Role" AS ENUM ('USER', 'ADMIN');
CREATE TYPE "KeyEnvironment" AS ENUM ('DEVELOPMENT', 'PRODUCTION');
CREATE TYPE "ModelType" AS ENUM ('CHAT', 'EMBEDDING', 'IMAGE', 'VIDEO', 'MUSIC');
CREATE TYPE "ProviderKind" AS ENUM ('SANDBOX', 'OPENAI_COMPATIBLE', 'ANTHROPIC');
CREATE TYPE "LedgerKind" AS ENUM ('TOPUP', 'USAGE', 'ADJUSTMENT', 'REFUND');
CREATE TYPE "HoldStatus" AS ENUM ('ACTIVE', 'SETTLED', 'RELEASED');
CREATE TYPE "UsageStatus" AS ENUM ('SUCCEEDED', 'PARTIAL', 'FAILED');
CREATE TYPE "PaymentProvider" AS ENUM ('SANDBOX', 'STRIPE');
CREATE TYPE "PaymentStatus" AS ENUM ('PENDING', 'SUCCEEDED', 'FAILED', 'CANCELED', 'REFUNDED');

CREATE TABLE "users" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "email" TEXT NOT NULL,
    "name" TEXT,
    "password_hash" TEXT NOT NULL,
    "role" "Role" NOT NULL DEFAULT 'USER',
    "disabled_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    CONSTRAINT "users_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "users_email_key" ON "users"("email");

CREATE TABLE "accounts" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "user_id" UUID NOT NULL,
    "balance_micros" BIGINT NOT NULL DEFAULT 0,
    "reserved_micros" BIGINT NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    CONSTRAINT "accounts_pkey" PRIMARY KEY ("id"),
    -- The database itself refuses an overdraft, whatever code runs against it.
    CONSTRAINT "accounts_reserved_nonnegative" CHECK ("reserved_micros" >= 0),
    CONSTRAINT "accounts_available_nonnegative" CHECK ("balance_micros" >= "reserved_micros")
);
CREATE UNIQUE INDEX "accounts_user_id_key" ON "accounts"("user_id");

CREATE TABLE "ledger_entries" (
    "id" BIGSERIAL NOT NULL,
    "account_id" UUID NOT NULL,
    "kind" "LedgerKind" NOT NULL,
    "amount_micros" BIGINT NOT NULL,
    "balance_after_micros" BIGINT NOT NULL,
    "reference" TEXT NOT NULL,
    "description" TEXT NOT NULL,
    "api_key_id" UUID,
    "usage_record_id" UUID,
    "payment_id" UUID,
    "actor" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    CONSTRAINT "ledger_entries_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "ledger_entries_reference_key" ON "ledger_entries"("reference");
CREATE UNIQUE INDEX "ledger_entries_usage_record_id_key" ON "ledger_entries"("usage_record_id");
CREATE INDEX "ledger_entries_account_id_created_at_idx" ON "ledger_entries"("account_id", "created_at");

-- Ledger entries are facts: they are never changed or removed.
CREATE FUNCTION "ledger_entries_immutable"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'ledger entries are immutable';
END;
$$;
CREATE TRIGGER "ledger_entries_no_update" BEFORE UPDATE OR DELETE ON "ledger_entries"
  FOR EACH ROW EXECUTE FUNCTION "ledger_entries_immutable"();

CREATE TABLE "holds" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "account_id" UUID NOT NULL,
    "api_key_id" UUID,
    "request_id" TEXT NOT NULL,
    "amount_micros" BIGINT NOT NULL,
    "status" "HoldStatus" NOT NULL DEFAULT 'ACTIVE',
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    "closed_at" TIMESTAMPTZ(3),
    CONSTRAINT "holds_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "holds_amount_nonnegative" CHECK ("amount_micros" >= 0)
);
CREATE UNIQUE INDEX "holds_request_id_key" ON "holds"("request_id");
CREATE INDEX "holds_status_expires_at_idx" ON "holds"("status", "expires_at");
CREATE INDEX "holds_account_id_status_idx" ON "holds"("account_id", "status");

CREATE TABLE "api_keys" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "user_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "environment" "KeyEnvironment" NOT NULL DEFAULT 'DEVELOPMENT',
    "prefix" TEXT NOT NULL,
    "hash" TEXT NOT NULL,
    "spend_limit_micros" BIGINT,
    "spent_micros" BIGINT NOT NULL DEFAULT 0,
    "reserved_micros" BIGINT NOT NULL DEFAULT 0,
    "allowed_models" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "expires_at" TIMESTAMPTZ(3),
    "revoked_at" TIMESTAMPTZ(3),
    "last_used_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    CONSTRAINT "api_keys_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "api_keys_reserved_nonnegative" CHECK ("reserved_micros" >= 0)
);
CREATE UNIQUE INDEX "api_keys_hash_key" ON "api_keys"("hash");
CREATE INDEX "api_keys_user_id_created_at_idx" ON "api_keys"("user_id", "created_at");

CREATE TABLE "providers" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "kind" "ProviderKind" NOT NULL,
    "base_url" TEXT,
    "api_key_env" TEXT,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    CONSTRAINT "providers_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "models" (
    "id" TEXT NOT NULL,
    "type" "ModelType" NOT NULL,
    "provider_id" TEXT NOT NULL,
    "upstream_model" TEXT NOT NULL,
    "display_name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "input_per_mtok_micros" BIGINT,
    "output_per_mtok_micros" BIGINT,
    "per_image_micros" BIGINT,
    "per_task_micros" BIGINT,
    "context_window" INTEGER,
    "max_output_tokens" INTEGER,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    CONSTRAINT "models_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "usage_records" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "request_id" TEXT NOT NULL,
    "account_id" UUID NOT NULL,
    "api_key_id" UUID,
    "model_id" TEXT NOT NULL,
    "endpoint" TEXT NOT NULL,
    "status" "UsageStatus" NOT NULL,
    "input_tokens" INTEGER NOT NULL DEFAULT 0,
    "output_tokens" INTEGER NOT NULL DEFAULT 0,
    "units" INTEGER NOT NULL DEFAULT 0,
    "cost_micros" BIGINT NOT NULL,
    "input_per_mtok_micros" BIGINT,
    "output_per_mtok_micros" BIGINT,
    "unit_price_micros" BIGINT,
    "stream" BOOLEAN NOT NULL DEFAULT false,
    "latency_ms" INTEGER NOT NULL,
    "note" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    CONSTRAINT "usage_records_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "usage_records_request_id_key" ON "usage_records"("request_id");
CREATE INDEX "usage_records_account_id_created_at_idx" ON "usage_records"("account_id", "created_at");
CREATE INDEX "usage_records_api_key_id_created_at_idx" ON "usage_records"("api_key_id", "created_at");

CREATE TABLE "payments" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "user_id" UUID NOT NULL,
    "provider" "PaymentProvider" NOT NULL,
    "external_id" TEXT NOT NULL,
    "amount_micros" BIGINT NOT NULL,
    "status" "PaymentStatus" NOT NULL DEFAULT 'PENDING',
    "receipt_url" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    "completed_at" TIMESTAMPTZ(3),
    CONSTRAINT "payments_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "payments_external_id_key" ON "payments"("external_id");
CREATE INDEX "payments_user_id_created_at_idx" ON "payments"("user_id", "created_at");

CREATE TABLE "webhook_events" (
    "id" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    "processed_at" TIMESTAMPTZ(3),
    "error" TEXT,
    CONSTRAINT "webhook_events_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "rate_limits" (
    "key" VARCHAR(255) NOT NULL,
    "points" INTEGER NOT NULL DEFAULT 0,
    "expire" BIGINT,
    CONSTRAINT "rate_limits_pkey" PRIMARY KEY ("key")
);

ALTER TABLE "accounts" ADD CONSTRAINT "accounts_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "ledger_entries" ADD CONSTRAINT "ledger_entries_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "holds" ADD CONSTRAINT "holds_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "models" ADD CONSTRAINT "models_provider_id_fkey" FOREIGN KEY ("provider_id") REFERENCES "providers"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "usage_records" ADD CONSTRAINT "usage_records_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "payments" ADD CONSTRAINT "payments_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- Aborts the current statement with a recognisable code; the reserve statement uses it to undo a
-- key reservation when the account cannot cover the same amount (all or nothing, in one statement).
CREATE FUNCTION "meterway_abort"(message TEXT) RETURNS BIGINT LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION USING ERRCODE = 'MW402', MESSAGE = message;
END;
$$;

-- Instances invalidate their in-memory key caches when a key changes (LISTEN "api_key_changed").
CREATE FUNCTION "api_keys_notify_change"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    PERFORM pg_notify('api_key_changed', OLD.hash);
    RETURN OLD;
  END IF;
  IF NEW.revoked_at IS DISTINCT FROM OLD.revoked_at OR NEW.expires_at IS DISTINCT FROM OLD.expires_at
     OR NEW.spend_limit_micros IS DISTINCT FROM OLD.spend_limit_micros OR NEW.allowed_models IS DISTINCT FROM OLD.allowed_models
     OR NEW.name IS DISTINCT FROM OLD.name THEN
    PERFORM pg_notify('api_key_changed', NEW.hash);
  END IF;
  RETURN NEW;
END;
$$;
CREATE TRIGGER "api_keys_changed" AFTER UPDATE OR DELETE ON "api_keys"
  FOR EACH ROW EXECUTE FUNCTION "api_keys_notify_change"();

-- Model and price changes reach every instance's model cache at once (LISTEN "models_changed").
CREATE FUNCTION "models_notify_change"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('models_changed', '');
  RETURN NULL;
END;
$$;
CREATE TRIGGER "models_changed" AFTER INSERT OR UPDATE OR DELETE ON "models"
  FOR EACH STATEMENT EXECUTE FUNCTION "models_notify_change"();
CREATE TRIGGER "providers_changed" AFTER INSERT OR UPDATE OR DELETE ON "providers"
  FOR EACH STATEMENT EXECUTE FUNCTION "models_notify_change"();

-- A disabled user's keys stop working on every instance at once.
CREATE FUNCTION "users_notify_change"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.disabled_at IS DISTINCT FROM OLD.disabled_at THEN
    PERFORM pg_notify('api_key_changed', k.hash) FROM api_keys k WHERE k.user_id = NEW.id;
  END IF;
  RETURN NEW;
END;
$$;
CREATE TRIGGER "users_changed" AFTER UPDATE ON "users"
  FOR EACH ROW EXECUTE FUNCTION "users_notify_change"();
