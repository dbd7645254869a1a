-- The money core's batch statements (lib/billing/hold-batches.ts) as functions, so that each takes its
-- row locks in a statement of its own before the batch runs.
--
-- Why: a statement that waits for a row lock held by another transaction, and then finds that row
-- updated, is re-checked by PostgreSQL (EvalPlanQual), which sets up the executor state of every
-- subquery of the statement again — for these batch statements, a dozen CTEs. Two gateway processes
-- batching for the same accounts waited on each other on every statement, and PostgreSQL spent 2-4x
-- the CPU per request (bench/money-core.ts, MONEY_PROCESSES=2). Here the locks are taken first by
-- small statements (their re-checks are cheap), and the batch then runs on a fresh snapshot (this is
-- a VOLATILE plpgsql function: each statement in it takes a new snapshot under READ COMMITTED), on rows
-- this transaction already holds: nothing to re-check. Lock order is unchanged: holds, then api keys,
-- then accounts, each by id — the single statements' order (lib/billing/holds.ts).
--
-- Each function is the batch statement unchanged; $1… are the function's arguments. To change one,
-- CREATE OR REPLACE it in a new migration.

CREATE FUNCTION "meterway_reserve_batch"(
  account_ids UUID[], api_key_ids UUID[], request_ids TEXT[], amounts BIGINT[], ttls INT[], ats TIMESTAMPTZ[]
) RETURNS TABLE (request_id TEXT, hold_id TEXT, consistent BIGINT) LANGUAGE plpgsql VOLATILE AS $fn$
#variable_conflict use_column
BEGIN
  PERFORM 1 FROM api_keys WHERE id = ANY ($2) ORDER BY id FOR UPDATE;
  PERFORM 1 FROM accounts WHERE id = ANY ($1) ORDER BY id FOR UPDATE;
  RETURN QUERY
  WITH r AS (
    SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::bigint[], $5::int[], $6::timestamptz[])
      WITH ORDINALITY AS t(account_id, api_key_id, request_id, amount, ttl, at, n)
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
    INSERT INTO holds (account_id, api_key_id, request_id, amount_micros, expires_at)
    SELECT ok.account_id, ok.api_key_id, ok.request_id, ok.amount, now() + make_interval(secs => ok.ttl)
    FROM ok ORDER BY ok.n
    RETURNING id, request_id
  )
  SELECT h.request_id, h.id::text AS hold_id,
         CASE WHEN (SELECT count(*) FROM k) <> (SELECT count(*) FROM kk) OR (SELECT count(*) FROM a) <> (SELECT count(*) FROM aa)
              THEN meterway_abort('a batched hold no longer fits') END AS consistent
  FROM h;
END;
$fn$;

CREATE FUNCTION "meterway_settle_batch"(
  hold_ids UUID[], request_ids TEXT[], costs BIGINT[], ats TIMESTAMPTZ[], descriptions TEXT[], model_ids TEXT[],
  endpoints TEXT[], statuses TEXT[], input_token_counts INT[], output_token_counts INT[], unit_counts INT[], input_prices BIGINT[],
  output_prices BIGINT[], unit_prices BIGINT[], streams BOOLEAN[], latencies INT[], notes TEXT[], provider_ids TEXT[],
  upstream_models TEXT[], cached_token_counts INT[], ttfts INT[]
) RETURNS TABLE (
  hold_id TEXT, account_id TEXT, charged BIGINT, balance_after BIGINT, reserved_after BIGINT, auto_topup BOOLEAN,
  low_balance BOOLEAN, entries BIGINT
) LANGUAGE plpgsql VOLATILE AS $fn$
#variable_conflict use_column
BEGIN
  PERFORM 1 FROM holds WHERE id = ANY ($1) ORDER BY id FOR UPDATE;
  PERFORM 1 FROM api_keys WHERE id IN (SELECT h.api_key_id FROM holds h WHERE h.id = ANY ($1)) ORDER BY id FOR UPDATE;
  PERFORM 1 FROM accounts WHERE id IN (SELECT h.account_id FROM holds h WHERE h.id = ANY ($1)) ORDER BY id FOR UPDATE;
  RETURN QUERY
  WITH s AS (
    SELECT * FROM unnest($1::uuid[], $2::text[], $3::bigint[], $4::timestamptz[], $5::text[], $6::text[], $7::text[],
                         $8::text[], $9::int[], $10::int[], $11::int[], $12::bigint[], $13::bigint[], $14::bigint[],
                         $15::boolean[], $16::int[], $17::text[], $18::text[], $19::text[], $20::int[], $21::int[])
      WITH ORDINALITY AS t(hold_id, request_id, cost, at, description, model_id, endpoint, status, input_tokens,
                           output_tokens, units, input_price, output_price, unit_price, stream, latency_ms, note,
                           provider_id, upstream_model, cached_tokens, ttft_ms, n)
  ),
  lh AS (
    SELECT holds.id, holds.account_id, holds.api_key_id, holds.amount_micros
    FROM holds WHERE holds.id IN (SELECT s.hold_id FROM s) AND holds.status = 'ACTIVE' AND holds.allowance_id IS NULL
    ORDER BY holds.id FOR UPDATE
  ),
  h AS (
    UPDATE holds SET status = 'SETTLED', closed_at = now() FROM lh WHERE holds.id = lh.id
    RETURNING holds.id
  ),
  c AS (
    SELECT s.*, lh.account_id, lh.api_key_id, lh.amount_micros, LEAST(s.cost, lh.amount_micros) AS charged
    FROM s JOIN lh ON lh.id = s.hold_id
    WHERE (SELECT count(*) FROM h) >= 0
  ),
  kk AS (
    SELECT c.api_key_id AS id, sum(c.amount_micros)::bigint AS held, sum(c.charged)::bigint AS charged, max(c.at) AS at
    FROM c WHERE c.api_key_id IS NOT NULL GROUP BY c.api_key_id
  ),
  lk AS (SELECT api_keys.id FROM api_keys WHERE api_keys.id IN (SELECT kk.id FROM kk) ORDER BY api_keys.id FOR UPDATE),
  k AS (
    UPDATE api_keys SET
      reserved_micros = api_keys.reserved_micros - kk.held,
      spent_micros = api_keys.spent_micros + kk.charged, last_used_at = now(),
      period_spent_micros = CASE WHEN api_keys.spend_limit_period = 'NONE' THEN api_keys.period_spent_micros
        ELSE meterway_key_spent(api_keys.spend_limit_period, api_keys.period_started_at, api_keys.period_spent_micros, api_keys.spent_micros, kk.at) + kk.charged END,
      period_started_at = meterway_period_start(api_keys.spend_limit_period, kk.at)
    FROM kk JOIN lk ON lk.id = kk.id
    WHERE api_keys.id = kk.id
    RETURNING api_keys.id
  ),
  aa AS (SELECT c.account_id AS id, sum(c.amount_micros)::bigint AS held, sum(c.charged)::bigint AS charged FROM c GROUP BY c.account_id),
  la AS (
    SELECT accounts.id FROM accounts WHERE accounts.id IN (SELECT aa.id FROM aa) AND (SELECT count(*) FROM k) >= 0
    ORDER BY accounts.id FOR UPDATE
  ),
  a AS (
    UPDATE accounts SET reserved_micros = accounts.reserved_micros - aa.held,
                        balance_micros = accounts.balance_micros - aa.charged, updated_at = now()
    FROM aa JOIN la ON la.id = aa.id
    WHERE accounts.id = aa.id
    RETURNING accounts.id, accounts.balance_micros AS balance, accounts.reserved_micros AS reserved,
              (accounts.auto_topup_enabled AND accounts.balance_micros - accounts.reserved_micros
                < COALESCE(accounts.auto_topup_threshold_micros, 0)) AS auto_topup,
              (accounts.low_balance_alerted_at IS NULL AND accounts.balance_micros - accounts.reserved_micros
                < COALESCE(accounts.low_balance_threshold_micros, 0)) AS low_balance
  ),
  -- Each settlement's balance and reservations as they stood right after it, in the batch's order.
  cc AS (
    SELECT c.*, a.auto_topup, a.low_balance,
           (a.balance + sum(c.charged) OVER everyone - sum(c.charged) OVER upto)::bigint AS balance_after,
           (a.reserved + sum(c.amount_micros) OVER everyone - sum(c.amount_micros) OVER upto)::bigint AS reserved_after,
           row_number() OVER upto = 1 AS first_of_account
    FROM c JOIN a ON a.id = c.account_id
    WINDOW everyone AS (PARTITION BY c.account_id), upto AS (PARTITION BY c.account_id ORDER BY c.n)
  ),
  ur AS (
    INSERT INTO usage_records (request_id, account_id, api_key_id, model_id, endpoint, status, input_tokens,
      output_tokens, units, cost_micros, input_per_mtok_micros, output_per_mtok_micros, unit_price_micros,
      stream, latency_ms, note, provider_id, upstream_model, cached_tokens, ttft_ms, paid_by, subscription_id, covered_micros)
    SELECT cc.request_id, cc.account_id, cc.api_key_id, cc.model_id, cc.endpoint, cc.status::"UsageStatus",
           cc.input_tokens, cc.output_tokens, cc.units, cc.charged, cc.input_price, cc.output_price, cc.unit_price,
           cc.stream, cc.latency_ms, cc.note, cc.provider_id, cc.upstream_model, cc.cached_tokens, cc.ttft_ms,
           'BALANCE'::"PaidBy", NULL, 0
    FROM cc ORDER BY cc.n
    RETURNING id, request_id
  ),
  le AS (
    INSERT INTO ledger_entries (account_id, kind, amount_micros, balance_after_micros, reference, description,
                                api_key_id, usage_record_id)
    SELECT cc.account_id, 'USAGE'::"LedgerKind", -cc.charged, cc.balance_after, 'usage:' || cc.request_id, cc.description,
           cc.api_key_id, ur.id
    FROM cc JOIN ur ON ur.request_id = cc.request_id ORDER BY cc.n
    RETURNING id
  )
  SELECT cc.hold_id::text AS hold_id, cc.account_id::text AS account_id, cc.charged, cc.balance_after, cc.reserved_after,
         cc.auto_topup AND cc.first_of_account AS auto_topup, cc.low_balance AND cc.first_of_account AS low_balance,
         (SELECT count(*) FROM le) AS entries
  FROM cc;
END;
$fn$;
