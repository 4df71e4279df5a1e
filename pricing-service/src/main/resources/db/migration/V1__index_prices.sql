-- Latest quote of every (asset, source); the index is derived from the fresh ones.
CREATE TABLE index_quote (
    asset         TEXT        NOT NULL,
    source        TEXT        NOT NULL,
    price         NUMERIC     NOT NULL CHECK (price > 0),
    observed_at   TIMESTAMPTZ NOT NULL,
    received_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (asset, source)
);

-- The published index of every asset (for now the last pushed quote, DESIGN's median comes in issue 3).
CREATE TABLE index_price (
    asset         TEXT        PRIMARY KEY,
    price         NUMERIC     NOT NULL CHECK (price > 0),
    source        TEXT        NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL
);
