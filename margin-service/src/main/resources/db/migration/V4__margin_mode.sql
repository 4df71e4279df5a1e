-- Margin mode per account (SetMarginMode); every account starts in CROSS, the standard rules.
ALTER TABLE account ADD COLUMN margin_mode TEXT NOT NULL DEFAULT 'CROSS'
    CHECK (margin_mode IN ('ISOLATED', 'CROSS', 'PORTFOLIO'));

-- Every mode switch asked, once per request_id (the idempotency key), with the figures checked.
CREATE TABLE mode_change (
    request_id     TEXT PRIMARY KEY,
    request_hash   TEXT NOT NULL,
    account_id     TEXT NOT NULL REFERENCES account (account_id),
    from_mode      TEXT NOT NULL,
    to_mode        TEXT NOT NULL,
    equity_im      NUMERIC NOT NULL,
    im             NUMERIC NOT NULL,
    at             TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX mode_change_account ON mode_change (account_id, at);
