-- One adapter stream per chain at a time (issue 4): the stream that said hello holds the chain's lease.
-- owner_epoch rises with every claim and is never reset (a stream whose epoch is no longer the chain's was
-- taken over: fencing); owner_session names the stream; lease_until is when a silent owner loses it.
-- A released lease keeps its epoch with no session and no expiry.
ALTER TABLE chain_state ADD COLUMN owner_epoch   BIGINT NOT NULL DEFAULT 0;
ALTER TABLE chain_state ADD COLUMN owner_session TEXT;
ALTER TABLE chain_state ADD COLUMN lease_until   TIMESTAMPTZ;
