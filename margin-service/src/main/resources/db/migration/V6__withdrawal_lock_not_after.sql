-- The not_after (Unix ms, margin's clock) the last lock request of a CHECKED withdrawal carried, written
-- with the CHECKED record before the lock is asked. Until not_after + margin.withdrawals.clock-skew has
-- passed, that request may still lock at collateral-service (its requester may have left early: a replica
-- that stopped, an interrupt), so a later request of the id, or another withdrawal of the account, waits
-- for it rather than taking a NOT_FOUND for "nothing locked". NULL: a row written before this column.
ALTER TABLE withdrawal ADD COLUMN lock_not_after_ms BIGINT;
