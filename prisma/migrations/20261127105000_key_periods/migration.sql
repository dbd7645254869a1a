-- Periodic key spend limits: a limit can reset every day, week or month (UTC calendar periods).
-- period_spent_micros counts the spend of the period that started at period_started_at; a request in
-- a later period sees 0 and restarts the count. spent_micros stays the lifetime spend.
CREATE TYPE "KeyLimitPeriod" AS ENUM ('NONE', 'DAILY', 'WEEKLY', 'MONTHLY');

ALTER TABLE "api_keys" ADD COLUMN "spend_limit_period" "KeyLimitPeriod" NOT NULL DEFAULT 'NONE';
ALTER TABLE "api_keys" ADD COLUMN "period_started_at" TIMESTAMPTZ(3);
ALTER TABLE "api_keys" ADD COLUMN "period_spent_micros" BIGINT NOT NULL DEFAULT 0;

-- The start of the period containing `at` (NULL for NONE).
CREATE FUNCTION "meterway_period_start"(period "KeyLimitPeriod", at TIMESTAMPTZ) RETURNS TIMESTAMPTZ
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE period
    WHEN 'DAILY' THEN date_trunc('day', at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'
    WHEN 'WEEKLY' THEN date_trunc('week', at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'
    WHEN 'MONTHLY' THEN date_trunc('month', at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'
    ELSE NULL END
$$;

-- What counts against a key's limit at `at`: the lifetime spend, or the current period's spend.
CREATE FUNCTION "meterway_key_spent"(period "KeyLimitPeriod", started TIMESTAMPTZ, period_spent BIGINT, lifetime_spent BIGINT, at TIMESTAMPTZ)
RETURNS BIGINT LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE
    WHEN period = 'NONE' THEN lifetime_spent
    WHEN started IS NOT DISTINCT FROM "meterway_period_start"(period, at) THEN period_spent
    ELSE 0 END
$$;

CREATE OR REPLACE FUNCTION "api_keys_notify_change"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    PERFORM pg_notify('api_key_changed', OLD.hash);
    RETURN OLD;
  END IF;
  IF NEW.revoked_at IS DISTINCT FROM OLD.revoked_at OR NEW.expires_at IS DISTINCT FROM OLD.expires_at
     OR NEW.spend_limit_micros IS DISTINCT FROM OLD.spend_limit_micros OR NEW.allowed_models IS DISTINCT FROM OLD.allowed_models
     OR NEW.name IS DISTINCT FROM OLD.name OR NEW.rate_limit_per_minute IS DISTINCT FROM OLD.rate_limit_per_minute
     OR NEW.spend_limit_period IS DISTINCT FROM OLD.spend_limit_period THEN
    PERFORM pg_notify('api_key_changed', NEW.hash);
  END IF;
  RETURN NEW;
END;
$$;
