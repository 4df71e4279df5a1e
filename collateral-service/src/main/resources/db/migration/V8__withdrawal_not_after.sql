-- The not_after fence made fleet-wide (mixed releases during a rollout). Every release before this one
-- (with or without not_after enforcement) inserts a lock with the column list (id, account_id, chain_id,
-- asset, amount, destination, status, request_hash, locked_at); none of them sends the not_after_enforced
-- mark. This column is NOT NULL with NO default, so once this migration has committed such an INSERT fails
-- (23502) and an old replica can no longer lock anything, also a lock already queued behind a balance row
-- there: a NOT_FOUND with the mark (only a replica of this release, which ran this migration before it
-- served, sends it) then speaks for the whole fleet. A lock an old replica inserted before holds the
-- table (ACCESS SHARE) to its commit, so this ALTER waits for it and the row is visible after.
-- Rolling back past this release: old replicas refuse every lock (INTERNAL) until rolled forward again.
-- Existing rows: 0 (no limit, what they were locked under as far as this table knows).
ALTER TABLE withdrawal ADD COLUMN not_after_ms BIGINT NOT NULL DEFAULT 0;
-- Dropping the default after the backfill (no table rewrite): a writer that does not name the column fails.
ALTER TABLE withdrawal ALTER COLUMN not_after_ms DROP DEFAULT;
COMMENT ON COLUMN withdrawal.not_after_ms IS
    'LockWithdrawal.not_after_unix_ms the lock was judged against (0: no limit); no default: every writer must be a release that enforces it (V8)';
