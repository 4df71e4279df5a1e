-- Fail fast rather than queue behind (and in front of) live traffic for the ACCESS EXCLUSIVE lock on auction.
SET lock_timeout = '5s';

-- Safe open order (claim -> freeze -> snapshot -> open). An auction is first claimed as an OPENING row
-- (no lot, no start, no start value), then margin-service freezes the account with its id, then the
-- account is snapshotted, then one conditional UPDATE ... WHERE status = 'OPENING' makes it OPEN with the
-- lot. Recovery drives OPENING rows older than the grace period forward on any replica.
ALTER TABLE auction DROP CONSTRAINT auction_status_check;
ALTER TABLE auction
    ADD CONSTRAINT auction_status_check CHECK (status IN ('OPENING', 'OPEN', 'CLOSED')),
    -- when the account was claimed (recovery's grace runs from here); NULL in rows of older releases
    ADD COLUMN claimed_at_ms BIGINT,
    -- when a freeze of the account was last sent for this auction (written, while the auction is still
    -- OPENING or OPEN, just before the call): an unfreeze sent less than the longest a freeze call can be
    -- in flight after it is not recorded as done, since that freeze may still land after it
    ADD COLUMN last_freeze_sent_ms BIGINT,
    -- set when an OPENING auction closed without ever opening (no lot, no bids, no price):
    -- NOT_IN_LIQUIDATION (the snapshot after the freeze found the account healthy again) or
    -- UNKNOWN_ACCOUNT (margin-service knows no such account) or EMPTY_LOT (in liquidation, nothing to auction:
    -- no position, no collateral)
    ADD COLUMN cancel_reason TEXT CHECK (cancel_reason IN ('NOT_IN_LIQUIDATION', 'UNKNOWN_ACCOUNT', 'EMPTY_LOT')),
    -- known only at the open
    ALTER COLUMN started_at_ms DROP NOT NULL,
    ALTER COLUMN start_value_usd DROP NOT NULL;

ALTER TABLE auction
    ADD CONSTRAINT auction_opening_claimed CHECK (
        status <> 'OPENING' OR (claimed_at_ms IS NOT NULL AND started_at_ms IS NULL AND start_value_usd IS NULL
                                AND epoch = 0 AND epoch_started_at_ms IS NULL AND epoch_start_value_usd IS NULL)),
    -- an auction that opened (OPEN, or CLOSED by its bids) has its start; only a cancelled one has none
    ADD CONSTRAINT auction_opened_has_start CHECK (
        status = 'OPENING' OR cancel_reason IS NOT NULL OR (started_at_ms IS NOT NULL AND start_value_usd IS NOT NULL)),
    ADD CONSTRAINT auction_cancelled_never_opened CHECK (
        cancel_reason IS NULL OR (status = 'CLOSED' AND started_at_ms IS NULL AND start_value_usd IS NULL));

-- One active (OPENING or OPEN) auction per account, whatever the number of replicas. A replica of the
-- release before V3 still inserts OPEN rows directly during a rolling upgrade: the same index makes its
-- insert and a new replica's OPENING claim mutually exclusive (one of the two gets the unique violation).
-- Created before the old index is dropped, in the migration's one transaction: no moment without either.
CREATE UNIQUE INDEX auction_one_active_per_account ON auction (account_id) WHERE status IN ('OPENING', 'OPEN');
DROP INDEX auction_one_open_per_account;

-- Recovery's scan of claims left behind.
CREATE INDEX auction_opening ON auction (claimed_at_ms) WHERE status = 'OPENING';
