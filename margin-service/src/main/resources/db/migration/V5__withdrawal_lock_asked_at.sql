-- When margin-service last asked collateral-service to lock a CHECKED withdrawal (set again by each
-- retry of the id). Another withdrawal of the account that finds the row CHECKED asks collateral-service
-- (GetWithdrawal) whether it locked; "not found" means nothing was locked only once a lock request sent
-- then can no longer be committed, which this time tells.
ALTER TABLE withdrawal ADD COLUMN lock_asked_at TIMESTAMPTZ NOT NULL DEFAULT now();
