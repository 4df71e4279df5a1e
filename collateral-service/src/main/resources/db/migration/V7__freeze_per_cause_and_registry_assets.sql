-- Issue 4, review finding 7: one open freeze per cause. An account's withdrawals are frozen while ANY of its
-- freezes is open; each freeze is lifted on its own (UnfreezeAccount names its id), so a second cause raised while
-- the account is frozen is recorded, and stays, when the first is lifted.
-- cause: 'alert:<alert id>' for a freeze raised with an alert, else 'reason:<md5 of the reason>' (the reason can
-- be long: its hash keeps the index small).
ALTER TABLE account_freeze ADD COLUMN cause TEXT;
UPDATE account_freeze SET cause = CASE WHEN alert_id IS NOT NULL THEN 'alert:' || alert_id ELSE 'reason:' || md5(reason) END;
ALTER TABLE account_freeze ALTER COLUMN cause SET NOT NULL;
DROP INDEX account_freeze_open;
CREATE UNIQUE INDEX account_freeze_open_cause ON account_freeze (account_id, cause) WHERE unfrozen_at IS NULL;
-- Whether an account is frozen (withdrawal locks, views, held instructions): its open freezes.
CREATE INDEX account_freeze_open ON account_freeze (account_id) WHERE unfrozen_at IS NULL;
CREATE INDEX account_freeze_account ON account_freeze (account_id, id);

-- UnfreezeAccount lifts one freeze: the change records which, and whether others stayed open (the replayed answer).
ALTER TABLE operator_change ADD COLUMN freeze_id BIGINT REFERENCES account_freeze (id);
ALTER TABLE operator_change ADD COLUMN still_frozen BOOLEAN NOT NULL DEFAULT false;

-- Issue 4, review finding 6: registry changes and deposits serialize on the chain's row. A registry change of a
-- chain's assets locks its chain_state row (as every adapter batch does first), and records the chain's assets as
-- of that change: "SYMBOL:decimals" sorted, comma-separated ("" once the chain left the registry). A batch whose
-- deposits were checked against other assets fails (RegistryStore.requireChainAssets). NULL: no such change since V7.
ALTER TABLE chain_state ADD COLUMN registry_assets TEXT;
