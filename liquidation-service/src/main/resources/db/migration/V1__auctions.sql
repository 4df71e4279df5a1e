-- One Dutch auction of an account's whole portfolio. The price is a pure function of started_at_ms
-- and the curve columns, so any replica (or a restarted one) quotes the same price.
CREATE TABLE auction (
    auction_id             TEXT    PRIMARY KEY,
    seq                    BIGSERIAL UNIQUE,
    account_id             TEXT    NOT NULL,
    status                 TEXT    NOT NULL CHECK (status IN ('OPEN', 'CLOSED')),
    version                BIGINT  NOT NULL,
    started_at_ms          BIGINT  NOT NULL,
    start_value_usd        NUMERIC NOT NULL,
    remaining_fraction     NUMERIC NOT NULL CHECK (remaining_fraction >= 0 AND remaining_fraction <= 1),
    curve_buf              NUMERIC NOT NULL,
    curve_floor            NUMERIC NOT NULL,
    curve_duration_seconds BIGINT  NOT NULL,
    closed_at_ms           BIGINT,
    -- margin-service was told to freeze / unfreeze the account (recovery retries until true).
    frozen                 BOOLEAN NOT NULL DEFAULT FALSE,
    unfrozen               BOOLEAN NOT NULL DEFAULT FALSE
);

-- One open auction per account, whatever the number of replicas.
CREATE UNIQUE INDEX auction_one_open_per_account ON auction (account_id) WHERE status = 'OPEN';
CREATE INDEX auction_account ON auction (account_id, seq);

-- The lot as snapshotted at the open; remaining_quantity is what bids have not taken yet.
CREATE TABLE lot_item (
    auction_id         TEXT    NOT NULL REFERENCES auction (auction_id),
    idx                INT     NOT NULL,
    kind               TEXT    NOT NULL CHECK (kind IN ('POSITION', 'COLLATERAL')),
    instrument         TEXT    NOT NULL DEFAULT '',
    chain_id           TEXT    NOT NULL DEFAULT '',
    asset              TEXT    NOT NULL DEFAULT '',
    quantity           NUMERIC NOT NULL,
    remaining_quantity NUMERIC NOT NULL,
    PRIMARY KEY (auction_id, idx)
);

-- Bids, keyed by the bidder's idempotency key. ACCEPTED until both transfers are done.
CREATE TABLE bid (
    bid_id            TEXT    PRIMARY KEY,
    seq               BIGSERIAL UNIQUE,
    auction_id        TEXT    NOT NULL REFERENCES auction (auction_id),
    bidder_account_id TEXT    NOT NULL,
    fraction          NUMERIC NOT NULL CHECK (fraction > 0 AND fraction <= 1),
    max_lot_price_usd NUMERIC NOT NULL,
    auction_version   BIGINT  NOT NULL,
    lot_price_usd     NUMERIC NOT NULL,
    paid_usd          NUMERIC NOT NULL,
    status            TEXT    NOT NULL CHECK (status IN ('ACCEPTED', 'SETTLED')),
    placed_at_ms      BIGINT  NOT NULL,
    settled_at_ms     BIGINT,
    -- Whoever holds an unexpired lease settles the bid; recovery takes expired ones.
    lease_until_ms    BIGINT  NOT NULL DEFAULT 0
);
CREATE INDEX bid_auction ON bid (auction_id, seq);
CREATE INDEX bid_accepted ON bid (lease_until_ms) WHERE status = 'ACCEPTED';

-- What one bid bought: the lot items scaled by its fraction (the exact transfer legs).
CREATE TABLE bid_item (
    bid_id     TEXT    NOT NULL REFERENCES bid (bid_id) ON DELETE CASCADE,
    idx        INT     NOT NULL,
    lot_idx    INT     NOT NULL,
    kind       TEXT    NOT NULL CHECK (kind IN ('POSITION', 'COLLATERAL')),
    instrument TEXT    NOT NULL DEFAULT '',
    chain_id   TEXT    NOT NULL DEFAULT '',
    asset      TEXT    NOT NULL DEFAULT '',
    quantity   NUMERIC NOT NULL,
    PRIMARY KEY (bid_id, idx)
);
