-- CONFLICT: collateral-service holds a lock under the withdrawal id with another payload than the one
-- margin-service recorded CHECKED for it (an idempotency conflict between the two services: a bug or a
-- misuse of the id). Terminal: the row no longer counts as in doubt (collateral's view already shows the
-- amount as locked, which no collateral value counts, so the account's equity is right without it),
-- a retry of the id is refused WITHDRAWAL_CONFLICT, and an operator is alerted (CRITICAL log).
-- conflict_collateral: what collateral-service holds under the id (margin's side is the row itself);
-- conflict_at: when margin-service found it.
-- Rollout: a margin replica of an earlier release that reads a CONFLICT row (it knows no such state) answers
-- INTERNAL for a request of that id (State.valueOf fails) until it is replaced.
ALTER TABLE withdrawal DROP CONSTRAINT withdrawal_state_check;
ALTER TABLE withdrawal ADD CONSTRAINT withdrawal_state_check CHECK (state IN ('CHECKED', 'LOCKED', 'CONFLICT'));
ALTER TABLE withdrawal ADD COLUMN conflict_collateral TEXT;
ALTER TABLE withdrawal ADD COLUMN conflict_at TIMESTAMPTZ;
