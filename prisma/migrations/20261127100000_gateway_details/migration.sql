-- Per-key rate limits (a fixed one-minute window kept on the key row, updated by the same statement
-- that reserves a request's hold: no extra round trip, shared by every instance) and more detail on
-- each usage record.
ALTER TABLE "api_keys" ADD COLUMN "rate_limit_per_minute" INTEGER;
ALTER TABLE "api_keys" ADD COLUMN "rate_window_start" TIMESTAMPTZ(3);
ALTER TABLE "api_keys" ADD COLUMN "rate_window_count" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_rate_limit_positive" CHECK ("rate_limit_per_minute" IS NULL OR "rate_limit_per_minute" > 0);

ALTER TABLE "usage_records" ADD COLUMN "provider_id" TEXT;
ALTER TABLE "usage_records" ADD COLUMN "upstream_model" TEXT;
ALTER TABLE "usage_records" ADD COLUMN "cached_tokens" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "usage_records" ADD COLUMN "ttft_ms" INTEGER;

-- A changed rate limit reaches every instance's key cache.
CREATE OR REPLACE FUNCTION "api_keys_notify_change"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    PERFORM pg_notify('api_key_changed', OLD.hash);
    RETURN OLD;
  END IF;
  IF NEW.revoked_at IS DISTINCT FROM OLD.revoked_at OR NEW.expires_at IS DISTINCT FROM OLD.expires_at
     OR NEW.spend_limit_micros IS DISTINCT FROM OLD.spend_limit_micros OR NEW.allowed_models IS DISTINCT FROM OLD.allowed_models
     OR NEW.name IS DISTINCT FROM OLD.name OR NEW.rate_limit_per_minute IS DISTINCT FROM OLD.rate_limit_per_minute THEN
    PERFORM pg_notify('api_key_changed', NEW.hash);
  END IF;
  RETURN NEW;
END;
$$;
