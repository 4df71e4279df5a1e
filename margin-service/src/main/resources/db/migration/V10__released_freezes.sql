-- Auction ids whose liquidation freeze was released (SetLiquidationFreeze frozen=false). liquidation-service
-- never reuses an auction id, so a freeze of a released id is a late duplicate (a retry or a second driver
-- whose call landed after the unfreeze): it is refused, never applied, so it cannot leave the account frozen
-- by an auction that already ended. One row per auction; never purged yet (a row per auction ever closed).
CREATE TABLE released_freeze (
    auction_id  TEXT        PRIMARY KEY,
    account_id  TEXT        NOT NULL,
    released_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp()
);
