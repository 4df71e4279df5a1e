-- Price curve kinds and resets. Every curve parameter is stored with the auction, so a configuration
-- change never moves the price of a running auction. Auctions opened before this migration keep their
-- linear curve and never reset (tail 0, cusp 0).
ALTER TABLE auction
    ADD COLUMN curve_kind            TEXT    NOT NULL DEFAULT 'LINEAR'
        CHECK (curve_kind IN ('LINEAR', 'STAIR_STEP', 'EXPONENTIAL')),
    -- STAIR_STEP / EXPONENTIAL: the price fraction is multiplied by curve_cut every curve_step_seconds.
    -- The domain's rules (PriceCurve) are checked here too: step 1 s to 7 days, cut in (0, 1).
    ADD COLUMN curve_step_seconds    BIGINT  CHECK (curve_step_seconds BETWEEN 1 AND 604800),
    ADD COLUMN curve_cut             NUMERIC CHECK (curve_cut > 0 AND curve_cut < 1),
    -- A new epoch after curve_tail_seconds in one epoch (0: never; at most 7 days, longer than a step) ...
    ADD COLUMN curve_tail_seconds    BIGINT  NOT NULL DEFAULT 0 CHECK (curve_tail_seconds BETWEEN 0 AND 604800),
    -- ... or once the price fraction falls below curve_cusp (0: never; else above the floor, below buf).
    ADD COLUMN curve_cusp            NUMERIC NOT NULL DEFAULT 0,
    -- The price is a pure function of the current epoch's start and start value and the curve.
    -- started_at_ms / start_value_usd stay those of the open (epoch 0). NULL until the first reset
    -- means epoch 0 (read COALESCE(epoch_started_at_ms, started_at_ms) and likewise the value): a
    -- replica of the release before this migration still inserts auctions during a rolling upgrade.
    ADD COLUMN epoch                 INT     NOT NULL DEFAULT 0,
    ADD COLUMN epoch_started_at_ms   BIGINT,
    ADD COLUMN epoch_start_value_usd NUMERIC;

ALTER TABLE auction
    -- only linear curves have a duration
    ALTER COLUMN curve_duration_seconds DROP NOT NULL,
    ADD CONSTRAINT auction_curve_params CHECK (
        (curve_kind = 'LINEAR' AND curve_duration_seconds IS NOT NULL AND curve_step_seconds IS NULL AND curve_cut IS NULL)
        OR (curve_kind <> 'LINEAR' AND curve_duration_seconds IS NULL AND curve_step_seconds IS NOT NULL AND curve_cut IS NOT NULL)),
    ADD CONSTRAINT auction_curve_tail CHECK (
        curve_tail_seconds = 0 OR curve_step_seconds IS NULL OR curve_tail_seconds > curve_step_seconds),
    ADD CONSTRAINT auction_curve_cusp CHECK (
        curve_cusp = 0 OR (curve_cusp > curve_floor AND curve_cusp < curve_buf));

-- Every reset, once per epoch (the primary key; the resetter's conditional update on the version makes
-- the second racer a no-op before it gets here).
CREATE TABLE auction_resets (
    auction_id      TEXT    NOT NULL REFERENCES auction (auction_id),
    epoch           INT     NOT NULL CHECK (epoch > 0),
    at_ms           BIGINT  NOT NULL,
    -- The lot as opened valued at the marks when the epoch started: the new start value, USD.
    start_value_usd NUMERIC NOT NULL,
    reason          TEXT    NOT NULL CHECK (reason IN ('TAIL', 'CUSP')),
    PRIMARY KEY (auction_id, epoch)
);
