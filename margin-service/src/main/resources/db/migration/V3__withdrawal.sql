-- Withdrawals asked through RequestWithdrawal, once per withdrawal_id (the idempotency key, also the
-- id of the lock at collateral-service). A row is written CHECKED (the what-if passed) before
-- collateral-service is asked to lock, and becomes LOCKED with the lock's time once it answered; a
-- CHECKED row found by a retry means the answer was lost: collateral-service is asked whether the
-- lock happened (GetWithdrawal) before anything else. A refusal deletes the row: nothing is kept.
CREATE TABLE withdrawal (
    withdrawal_id        TEXT PRIMARY KEY,
    request_hash         TEXT NOT NULL,
    account_id           TEXT NOT NULL,
    chain_id             TEXT NOT NULL,
    asset                TEXT NOT NULL,
    amount               NUMERIC NOT NULL,
    destination_address  TEXT NOT NULL,
    state                TEXT NOT NULL CHECK (state IN ('CHECKED', 'LOCKED')),
    equity_im_after      NUMERIC NOT NULL,
    im_after             NUMERIC NOT NULL,
    mm_after             NUMERIC NOT NULL,
    locked_at_ms         BIGINT,
    created_at           TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX withdrawal_account ON withdrawal (account_id, created_at);
