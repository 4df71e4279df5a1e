-- Issue 3: each slice keeps the underlying's index at its fit, so forward / index_at_fit is the
-- expiry's basis over the index and the expiry's forward floats with the index. Slices stored
-- before were fitted against the index itself: basis 1. Left nullable so that a replica still on
-- the previous version can store a fit during a rolling update; NULL reads as forward (basis 1).
ALTER TABLE vol_slice ADD COLUMN index_at_fit DOUBLE PRECISION CHECK (index_at_fit > 0);
UPDATE vol_slice SET index_at_fit = forward;

-- Idempotency keys of PushOptionQuotes: the first accepted push of (underlying, quote_set_id)
-- created surface_version; a replay answers with that version, a different payload under the
-- same key is refused. Written in the transaction that stores the surface; rows older than the
-- configured retention (at least 24 h) are deleted as pushes go by.
CREATE TABLE option_quote_set (
    underlying      TEXT        NOT NULL,
    quote_set_id    TEXT        NOT NULL,
    payload_sha256  BYTEA       NOT NULL,
    surface_version BIGINT      NOT NULL,
    pushed_at       TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (underlying, quote_set_id),
    FOREIGN KEY (underlying, surface_version) REFERENCES vol_surface (underlying, version)
);
CREATE INDEX option_quote_set_pushed_at ON option_quote_set (pushed_at);
