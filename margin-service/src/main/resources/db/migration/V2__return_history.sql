-- Daily USD closes per underlying: the return history of the expected-shortfall model and of the
-- anti-procyclicality floor (returns are derived from closes on load, so nothing is stored twice).
-- Seeded at start from the service's resources (history/*.csv) when an underlying has no rows; a later
-- feed may append days. One row per calendar day; the loader refuses a history with a gap.
CREATE TABLE history_close (
    underlying  TEXT NOT NULL,
    day         DATE NOT NULL,
    close       NUMERIC NOT NULL CHECK (close > 0),
    source      TEXT NOT NULL,
    PRIMARY KEY (underlying, day)
);
