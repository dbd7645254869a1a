-- Indexes for the usage pages (bench/usage-queries.ts measures them on 1,000,000 records).
-- The dashboard aggregates an account's records in a date range in one pass: with the aggregated
-- columns INCLUDEd, that is an index-only scan instead of a heap visit per record. Same key columns
-- and name as before, so schema.prisma's @@index([accountId, createdAt]) still describes it.
DROP INDEX "usage_records_account_id_created_at_idx";
CREATE INDEX "usage_records_account_id_created_at_idx" ON "usage_records"("account_id", "created_at")
  INCLUDE ("model_id", "api_key_id", "cost_micros", "input_tokens", "output_tokens");

-- The request log filtered by model or by status, newest first (the key filter uses api_key_id, created_at).
CREATE INDEX "usage_records_account_id_model_id_created_at_idx" ON "usage_records"("account_id", "model_id", "created_at");
CREATE INDEX "usage_records_account_id_status_created_at_idx" ON "usage_records"("account_id", "status", "created_at");

-- The balance trend and history group an account's ledger by time and read the last entry of each group.
DROP INDEX "ledger_entries_account_id_created_at_idx";
CREATE INDEX "ledger_entries_account_id_created_at_idx" ON "ledger_entries"("account_id", "created_at")
  INCLUDE ("id", "kind", "amount_micros", "api_key_id");
