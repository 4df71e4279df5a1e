-- Accounts margin-service knows: realized PnL not yet settled into collateral, liquidation freeze,
-- and the last health status the re-margin loop stored (with its figures, for WatchRisk snapshots).
CREATE TABLE account (
    account_id      TEXT PRIMARY KEY,
    realized_pnl    NUMERIC NOT NULL DEFAULT 0,
    frozen          BOOLEAN NOT NULL DEFAULT FALSE,
    auction_id      TEXT,
    last_status     TEXT,
    last_equity     NUMERIC,
    last_im         NUMERIC,
    last_mm         NUMERIC,
    last_ratio      DOUBLE PRECISION,
    last_at         TIMESTAMPTZ,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE position (
    account_id      TEXT NOT NULL REFERENCES account (account_id),
    instrument      TEXT NOT NULL,
    quantity        NUMERIC NOT NULL,
    avg_entry_price NUMERIC NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (account_id, instrument)
);

-- Every executed trade, once: fill_id is the idempotency key; the position after the fill is the first answer.
CREATE TABLE fill (
    fill_id          TEXT PRIMARY KEY,
    request_hash     TEXT NOT NULL,
    account_id       TEXT NOT NULL REFERENCES account (account_id),
    instrument       TEXT NOT NULL,
    side             TEXT NOT NULL,
    quantity         NUMERIC NOT NULL,
    price            NUMERIC NOT NULL,
    realized_pnl     NUMERIC NOT NULL,
    after_quantity   NUMERIC NOT NULL,
    after_avg_entry  NUMERIC NOT NULL,
    at               TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX fill_account ON fill (account_id, at);

-- Position transfers (liquidation settlement), once per transfer_id.
CREATE TABLE position_transfer (
    transfer_id      TEXT PRIMARY KEY,
    request_hash     TEXT NOT NULL,
    from_account_id  TEXT NOT NULL,
    to_account_id    TEXT NOT NULL,
    legs             TEXT NOT NULL,
    at               TIMESTAMPTZ NOT NULL DEFAULT now()
);
