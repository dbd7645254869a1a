-- A model may name a second provider (and that provider's name for the model) to call when its own
-- provider fails before sending any output (lib/gateway/pipeline.ts, withFallback). Both or neither.
ALTER TABLE "models" ADD COLUMN "fallback_provider_id" TEXT;
ALTER TABLE "models" ADD COLUMN "fallback_upstream_model" TEXT;
ALTER TABLE "models" ADD CONSTRAINT "models_fallback_complete"
  CHECK (("fallback_provider_id" IS NULL) = ("fallback_upstream_model" IS NULL));
ALTER TABLE "models" ADD CONSTRAINT "models_fallback_provider_id_fkey" FOREIGN KEY ("fallback_provider_id") REFERENCES "providers"("id") ON DELETE SET NULL ON UPDATE CASCADE;
