-- The dashboard also sums what subscriptions paid (covered_micros, migration 20261127150000): INCLUDE it
-- so the summary stays an index-only scan. Same key columns and name as before.
DROP INDEX "usage_records_account_id_created_at_idx";
CREATE INDEX "usage_records_account_id_created_at_idx" ON "usage_records"("account_id", "created_at")
  INCLUDE ("model_id", "api_key_id", "cost_micros", "input_tokens", "output_tokens", "covered_micros");
