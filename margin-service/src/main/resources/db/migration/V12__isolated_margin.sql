-- ISOLATED margin mode: USD (whole cents) moved from an account's free pool into one bucket per open position.
-- A row exists only while the account is ISOLATED and the position is open: a switch away from ISOLATED and the
-- position's close delete it (its allocation returns to the pool).
CREATE TABLE isolated_allocation (
    account_id  TEXT NOT NULL REFERENCES account (account_id),
    instrument  TEXT NOT NULL,
    amount      NUMERIC NOT NULL CHECK (amount >= 0 AND scale(amount) <= 2),
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (account_id, instrument)
);

-- Every AdjustIsolatedMargin applied, once per request_id (the idempotency key), with its answer.
CREATE TABLE isolated_adjustment (
    request_id       TEXT PRIMARY KEY,
    request_hash     TEXT NOT NULL,
    account_id       TEXT NOT NULL REFERENCES account (account_id),
    instrument       TEXT NOT NULL,
    delta            NUMERIC NOT NULL,
    allocation_after NUMERIC NOT NULL,
    free_pool_after  NUMERIC NOT NULL,
    at               TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX isolated_adjustment_account ON isolated_adjustment (account_id, at);

-- The bucket that put an ISOLATED account in its stored status (WatchRisk's breached_instrument); null otherwise.
ALTER TABLE account ADD COLUMN last_breached_instrument TEXT;
