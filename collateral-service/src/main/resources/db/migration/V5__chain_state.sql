-- Chain state for checkpoint finality and chain status (issue 4).
-- The adapter's finalized checkpoint (FINALITY_RULE_CHECKPOINT chains): never moves down.
ALTER TABLE chain_state ADD COLUMN checkpoint_height BIGINT;
ALTER TABLE chain_state ADD COLUMN checkpoint_hash   TEXT;
-- When the last event of any kind arrived (silence makes a chain HALTED) and when the stored head last rose
-- (a stalled head makes it DEGRADED).
ALTER TABLE chain_state ADD COLUMN last_event_at     TIMESTAMPTZ;
ALTER TABLE chain_state ADD COLUMN head_advanced_at  TIMESTAMPTZ;
