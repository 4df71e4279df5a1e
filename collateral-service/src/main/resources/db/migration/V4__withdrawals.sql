-- Withdrawals locked for margin-service, idempotent by id; the balance moves are in ledger_entry
-- (reference = withdrawal id). A LOCKED row is an instruction the chain's adapter still has to answer.
CREATE TABLE withdrawal (
    id              TEXT        PRIMARY KEY,
    account_id      TEXT        NOT NULL,
    chain_id        TEXT        NOT NULL,
    asset           TEXT        NOT NULL,
    amount          NUMERIC     NOT NULL CHECK (amount > 0),
    destination     TEXT        NOT NULL,
    status          TEXT        NOT NULL CHECK (status IN ('LOCKED', 'EXECUTED', 'FAILED')),
    tx_hash         TEXT        NOT NULL DEFAULT '',
    failure_reason  TEXT        NOT NULL DEFAULT '',
    -- SHA-256 of the lock's payload: a replay with another payload is an idempotency conflict.
    request_hash    TEXT        NOT NULL,
    locked_at       TIMESTAMPTZ NOT NULL,
    resolved_at     TIMESTAMPTZ
);
-- What each adapter stream sends: the chain's withdrawals without a result.
CREATE INDEX withdrawal_locked ON withdrawal (chain_id, locked_at) WHERE status = 'LOCKED';

-- Operator changes outside the registry (UnfreezeAccount), idempotent by change id.
CREATE TABLE operator_change (
    change_id     TEXT        PRIMARY KEY,
    kind          TEXT        NOT NULL,
    request_hash  TEXT        NOT NULL,
    operator      TEXT        NOT NULL,
    -- The first answer, replayed as is (UnfreezeAccount: whether the account was frozen).
    was_frozen    BOOLEAN     NOT NULL,
    changed_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);
