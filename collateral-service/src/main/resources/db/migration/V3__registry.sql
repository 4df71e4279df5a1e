-- The chain registry, one row per revision: the whole registry at that revision (chains as the JSON of the
-- registry file's "chains", chain ids an operator halts) and the registry file version applied as of it. The
-- latest row is the registry in force; every replica polls max(revision). Two writers racing for the same next
-- revision collide on the primary key, and the loser retries on the new state.
CREATE TABLE registry_revision (
    revision      BIGINT      PRIMARY KEY CHECK (revision >= 1),
    chains        TEXT        NOT NULL,
    halted_chains TEXT[]      NOT NULL DEFAULT '{}',
    file_version  BIGINT      NOT NULL CHECK (file_version >= 0),
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Append-only audit of registry changes: who, when, why, the entry before and after. change_id is the
-- idempotency key (a replay with the same request_hash answers the first revision).
CREATE TABLE registry_change (
    revision      BIGINT      PRIMARY KEY REFERENCES registry_revision (revision),
    change_id     TEXT        NOT NULL UNIQUE,
    actor         TEXT        NOT NULL,
    changed_at    TIMESTAMPTZ NOT NULL,
    kind          TEXT        NOT NULL CHECK (kind IN ('UPSERT_CHAIN', 'SET_CHAIN_HALT', 'CONFIG_FILE')),
    chain_id      TEXT        NOT NULL DEFAULT '',
    reason        TEXT        NOT NULL,
    before_entry  TEXT,
    after_entry   TEXT,
    halted        BOOLEAN     NOT NULL DEFAULT false,
    request_hash  TEXT        NOT NULL
);

CREATE RULE registry_change_no_update AS ON UPDATE TO registry_change DO INSTEAD NOTHING;
CREATE RULE registry_change_no_delete AS ON DELETE TO registry_change DO INSTEAD NOTHING;
CREATE RULE registry_revision_no_update AS ON UPDATE TO registry_revision DO INSTEAD NOTHING;
CREATE RULE registry_revision_no_delete AS ON DELETE TO registry_revision DO INSTEAD NOTHING;
