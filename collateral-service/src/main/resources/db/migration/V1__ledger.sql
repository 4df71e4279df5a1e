-- Per chain: the adapter's last acknowledged cursor and its last heartbeat. The row is also the lock that
-- serialises the events of one chain.
CREATE TABLE chain_state (
    chain_id          TEXT        PRIMARY KEY,
    cursor            TEXT        NOT NULL DEFAULT '',
    heartbeat_height  BIGINT,
    heartbeat_at      TIMESTAMPTZ,
    updated_at        TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Block headers reported by adapters; orphaned ones stay, non-canonical.
CREATE TABLE block_header (
    chain_id      TEXT        NOT NULL,
    hash          TEXT        NOT NULL,
    height        BIGINT      NOT NULL CHECK (height >= 0),
    parent_hash   TEXT        NOT NULL,
    canonical     BOOLEAN     NOT NULL,
    block_time_ms BIGINT      NOT NULL DEFAULT 0,
    received_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (chain_id, hash)
);
-- At most one canonical block per height.
CREATE UNIQUE INDEX block_header_canonical ON block_header (chain_id, height) WHERE canonical;

-- Deposits, keyed as the chain keys them: credited once however often they are reported.
CREATE TABLE deposit (
    chain_id      TEXT        NOT NULL,
    tx_hash       TEXT        NOT NULL,
    log_index     BIGINT      NOT NULL,
    block_hash    TEXT        NOT NULL,
    block_height  BIGINT      NOT NULL,
    account_id    TEXT        NOT NULL,
    asset         TEXT        NOT NULL,
    amount        NUMERIC     NOT NULL CHECK (amount > 0),
    status        TEXT        NOT NULL CHECK (status IN ('PENDING', 'CREDITED', 'REVERTED')),
    revision      INT         NOT NULL DEFAULT 0,
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (chain_id, tx_hash, log_index)
);
CREATE INDEX deposit_pending ON deposit (chain_id, block_height) WHERE status = 'PENDING';
CREATE INDEX deposit_block ON deposit (chain_id, block_hash);

-- Balances per (account, chain, asset); never negative.
CREATE TABLE balance (
    account_id    TEXT        NOT NULL,
    chain_id      TEXT        NOT NULL,
    asset         TEXT        NOT NULL,
    pending       NUMERIC     NOT NULL DEFAULT 0 CHECK (pending >= 0),
    available     NUMERIC     NOT NULL DEFAULT 0 CHECK (available >= 0),
    locked        NUMERIC     NOT NULL DEFAULT 0 CHECK (locked >= 0),
    updated_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (account_id, chain_id, asset)
);

-- Append-only: every balance change, with a unique key naming its cause.
CREATE TABLE ledger_entry (
    id                BIGSERIAL   PRIMARY KEY,
    entry_key         TEXT        NOT NULL UNIQUE,
    account_id        TEXT        NOT NULL,
    chain_id          TEXT        NOT NULL,
    asset             TEXT        NOT NULL,
    kind              TEXT        NOT NULL,
    delta_pending     NUMERIC     NOT NULL DEFAULT 0,
    delta_available   NUMERIC     NOT NULL DEFAULT 0,
    delta_locked      NUMERIC     NOT NULL DEFAULT 0,
    reference         TEXT        NOT NULL,
    created_at        TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX ledger_entry_account ON ledger_entry (account_id);

CREATE RULE ledger_entry_no_update AS ON UPDATE TO ledger_entry DO INSTEAD NOTHING;
CREATE RULE ledger_entry_no_delete AS ON DELETE TO ledger_entry DO INSTEAD NOTHING;

-- Internal transfers, idempotent by id; the legs are in ledger_entry (reference = transfer id).
CREATE TABLE transfer (
    transfer_id   TEXT        PRIMARY KEY,
    request_hash  TEXT        NOT NULL,
    leg_count     INT         NOT NULL,
    memo          TEXT        NOT NULL DEFAULT '',
    committed_at  TIMESTAMPTZ NOT NULL
);
