-- A hold remembers the model and endpoint of its request, so that when the sweeper releases a hold whose
-- request was lost (lib/billing/holds.ts: releaseExpired) the FAILED usage record names them instead of
-- "(unknown)": the request log shows the request under its model, and filtering by model finds it.
-- Nullable: holds made before this migration have neither (their swept records stay "(unknown)").
ALTER TABLE "holds" ADD COLUMN "model_id" TEXT,
ADD COLUMN "endpoint" TEXT;

-- The batched hold statement (lib/billing/hold-batches.ts) takes the two as two more arrays. A function
-- with other arguments is another function to PostgreSQL (CREATE OR REPLACE would add an overload), so
-- the 6-argument one of 20261127190000_batch_functions is dropped and this one created: its body is that
-- one's with only the two arrays unnested and inserted into holds. A process still calling the old
-- function (a rolling deploy) gets an error, and its batches go to the single statements until it restarts.
DROP FUNCTION "meterway_reserve_batch"(UUID[], UUID[], TEXT[], BIGINT[], INT[], TIMESTAMPTZ[]);

CREATE FUNCTION "meterway_reserve_batch"(
  account_ids UUID[], api_key_ids UUID[], request_ids TEXT[], amounts BIGINT[], ttls INT[], ats TIMESTAMPTZ[],
  model_ids TEXT[], endpoints TEXT[]
) RETURNS TABLE (request_id TEXT, hold_id TEXT, consistent BIGINT) LANGUAGE plpgsql VOLATILE AS $fn$
#variable_conflict use_column
BEGIN
  PERFORM 1 FROM api_keys WHERE id = ANY ($2) ORDER BY id FOR UPDATE;
  PERFORM 1 FROM accounts WHERE id = ANY ($1) ORDER BY id FOR UPDATE;
  RETURN QUERY
  WITH r AS (
    SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::bigint[], $5::int[], $6::timestamptz[], $7::text[], $8::text[])
      WITH ORDINALITY AS t(account_id, api_key_id, request_id, amount, ttl, at, model_id, endpoint, n)
  ),
  -- Keys, then accounts, locked in id order: their latest values decide admission.
  lk AS (
    SELECT ak.id, ak.spend_limit_micros - ak.reserved_micros
                   - meterway_key_spent(ak.spend_limit_period, ak.period_started_at, ak.period_spent_micros, ak.spent_micros,
                                        (SELECT max(r.at) FROM r WHERE r.api_key_id = ak.id)) AS remaining,
           ak.rate_limit_per_minute - CASE WHEN ak.rate_window_start > now() - interval '1 minute' THEN ak.rate_window_count ELSE 0 END AS calls_left
    FROM api_keys ak WHERE ak.id IN (SELECT r.api_key_id FROM r)
    ORDER BY ak.id FOR UPDATE OF ak
  ),
  la AS (
    SELECT ac.id, ac.balance_micros - ac.reserved_micros AS available,
           EXISTS (SELECT 1 FROM allowances al WHERE al.account_id = ac.id AND al.active) AS has_allowances
    FROM accounts ac WHERE ac.id IN (SELECT r.account_id FROM r) AND (SELECT count(*) FROM lk) >= 0
    ORDER BY ac.id FOR UPDATE OF ac
  ),
  -- Admitted: each request whose running sums, in the batch's order, fit its account and its key.
  ok AS (
    SELECT e.* FROM (
      SELECT r.*, sum(r.amount) OVER (PARTITION BY r.account_id ORDER BY r.n) AS account_upto,
             sum(r.amount) OVER (PARTITION BY r.api_key_id ORDER BY r.n) AS key_upto,
             row_number() OVER (PARTITION BY r.api_key_id ORDER BY r.n) AS key_calls
      FROM r
    ) e
    JOIN lk ON lk.id = e.api_key_id JOIN la ON la.id = e.account_id
    WHERE NOT la.has_allowances AND e.account_upto <= la.available
      AND (lk.remaining IS NULL OR e.key_upto <= lk.remaining)
      AND (lk.calls_left IS NULL OR e.key_calls <= lk.calls_left)
  ),
  kk AS (SELECT ok.api_key_id AS id, sum(ok.amount)::bigint AS total, count(*) AS calls, max(ok.at) AS at FROM ok GROUP BY ok.api_key_id),
  k AS (
    UPDATE api_keys SET
      reserved_micros = api_keys.reserved_micros + kk.total,
      period_spent_micros = CASE WHEN api_keys.spend_limit_period = 'NONE' THEN api_keys.period_spent_micros
        ELSE meterway_key_spent(api_keys.spend_limit_period, api_keys.period_started_at, api_keys.period_spent_micros, api_keys.spent_micros, kk.at) END,
      period_started_at = meterway_period_start(api_keys.spend_limit_period, kk.at),
      rate_window_count = CASE WHEN api_keys.rate_window_start > now() - interval '1 minute'
                               THEN api_keys.rate_window_count + kk.calls ELSE kk.calls END,
      rate_window_start = CASE WHEN api_keys.rate_window_start > now() - interval '1 minute'
                               THEN api_keys.rate_window_start ELSE now() END
    FROM kk
    WHERE api_keys.id = kk.id
      AND (api_keys.spend_limit_micros IS NULL
           OR api_keys.spend_limit_micros - api_keys.reserved_micros
              - meterway_key_spent(api_keys.spend_limit_period, api_keys.period_started_at, api_keys.period_spent_micros, api_keys.spent_micros, kk.at)
              >= kk.total)
    RETURNING api_keys.id
  ),
  aa AS (SELECT ok.account_id AS id, sum(ok.amount)::bigint AS total FROM ok GROUP BY ok.account_id),
  a AS (
    UPDATE accounts SET reserved_micros = accounts.reserved_micros + aa.total, updated_at = now()
    FROM aa
    WHERE accounts.id = aa.id AND accounts.balance_micros - accounts.reserved_micros >= aa.total
    RETURNING accounts.id
  ),
  h AS (
    INSERT INTO holds (account_id, api_key_id, request_id, amount_micros, expires_at, model_id, endpoint)
    SELECT ok.account_id, ok.api_key_id, ok.request_id, ok.amount, now() + make_interval(secs => ok.ttl), ok.model_id, ok.endpoint
    FROM ok ORDER BY ok.n
    RETURNING id, request_id
  )
  SELECT h.request_id, h.id::text AS hold_id,
         CASE WHEN (SELECT count(*) FROM k) <> (SELECT count(*) FROM kk) OR (SELECT count(*) FROM a) <> (SELECT count(*) FROM aa)
              THEN meterway_abort('a batched hold no longer fits') END AS consistent
  FROM h;
END;
$fn$;
