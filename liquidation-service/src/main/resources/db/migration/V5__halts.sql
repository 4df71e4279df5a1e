-- Operator halts (SetHalt): one row per scope in force or lifted ('' = global, else an underlying such as 'ETH'),
-- read by every replica every liquidation.halt.refresh; and every change, for ListHaltChanges.
CREATE TABLE halt (
    underlying    TEXT PRIMARY KEY,
    level         TEXT   NOT NULL CHECK (level IN ('NONE', 'NO_NEW_AUCTIONS', 'NO_RESETS', 'NO_BIDS')),
    changed_by    TEXT   NOT NULL,
    reason        TEXT   NOT NULL,
    changed_at_ms BIGINT NOT NULL
);

CREATE TABLE halt_change (
    seq            BIGSERIAL PRIMARY KEY,
    underlying     TEXT   NOT NULL,
    level          TEXT   NOT NULL CHECK (level IN ('NONE', 'NO_NEW_AUCTIONS', 'NO_RESETS', 'NO_BIDS')),
    previous_level TEXT   NOT NULL CHECK (previous_level IN ('NONE', 'NO_NEW_AUCTIONS', 'NO_RESETS', 'NO_BIDS')),
    changed_by     TEXT   NOT NULL,
    reason         TEXT   NOT NULL,
    changed_at_ms  BIGINT NOT NULL
);
