-- Alerts raised by the ledger for operators (conflicting deposits, final deposits orphaned by a reorg, ...).
CREATE TABLE alert (
    id          BIGSERIAL   PRIMARY KEY,
    severity    TEXT        NOT NULL CHECK (severity IN ('WARNING', 'CRITICAL')),
    kind        TEXT        NOT NULL,
    chain_id    TEXT        NOT NULL DEFAULT '',
    account_id  TEXT        NOT NULL DEFAULT '',
    message     TEXT        NOT NULL,
    -- The same cause raises one alert however often it is seen (e.g. a conflicting deposit re-sent).
    dedup_key   TEXT        NOT NULL UNIQUE,
    raised_at   TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Withdrawal freezes of accounts: at most one open freeze per account; lifting it keeps the row.
CREATE TABLE account_freeze (
    id            BIGSERIAL   PRIMARY KEY,
    account_id    TEXT        NOT NULL,
    reason        TEXT        NOT NULL,
    alert_id      BIGINT      REFERENCES alert (id),
    frozen_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    unfrozen_at   TIMESTAMPTZ,
    unfrozen_by   TEXT,
    unfreeze_reason TEXT
);
CREATE UNIQUE INDEX account_freeze_open ON account_freeze (account_id) WHERE unfrozen_at IS NULL;
