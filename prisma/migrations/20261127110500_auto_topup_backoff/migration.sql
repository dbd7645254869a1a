-- After a failed auto top-up, wait before charging the card again (15 minutes per failure in a row),
-- rather than at the very next request.
ALTER TABLE "accounts" ADD COLUMN "auto_topup_retry_after" TIMESTAMPTZ(3);
