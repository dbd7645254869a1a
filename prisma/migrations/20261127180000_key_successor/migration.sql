-- A rotated key points at the key that replaced it. During the grace period its secret still works,
-- but its calls are billed to, limited by and listed under the successor (lib/keys/verify-key.ts), so
-- the old and the new secret share one spend limit and one rate limit instead of a copy each.
ALTER TABLE "api_keys" ADD COLUMN "successor_id" UUID;
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_successor_id_fkey" FOREIGN KEY ("successor_id") REFERENCES "api_keys"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- The trigger's WHEN condition decides; the function only sends. A key whose successor changes (a
-- second rotation) must leave every instance's cache too.
CREATE OR REPLACE FUNCTION "api_keys_notify_change"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    PERFORM pg_notify('api_key_changed', OLD.hash);
    RETURN OLD;
  END IF;
  PERFORM pg_notify('api_key_changed', NEW.hash);
  RETURN NEW;
END;
$$;
DROP TRIGGER "api_keys_changed" ON "api_keys";
CREATE TRIGGER "api_keys_changed" AFTER UPDATE ON "api_keys"
  FOR EACH ROW
  WHEN (NEW.revoked_at IS DISTINCT FROM OLD.revoked_at OR NEW.expires_at IS DISTINCT FROM OLD.expires_at
        OR NEW.spend_limit_micros IS DISTINCT FROM OLD.spend_limit_micros OR NEW.allowed_models IS DISTINCT FROM OLD.allowed_models
        OR NEW.name IS DISTINCT FROM OLD.name OR NEW.rate_limit_per_minute IS DISTINCT FROM OLD.rate_limit_per_minute
        OR NEW.spend_limit_period IS DISTINCT FROM OLD.spend_limit_period
        OR NEW.disabled_at IS DISTINCT FROM OLD.disabled_at
        OR NEW.successor_id IS DISTINCT FROM OLD.successor_id)
  EXECUTE FUNCTION "api_keys_notify_change"();
