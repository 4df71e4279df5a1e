-- Issue 3: the index is the median of fresh sources. index_price now holds each asset's last good
-- index (the last one that had a fresh source: what readers get, marked stale, when none is fresh),
-- the sources that made it and a per-asset write counter that orders copies held by replicas.
ALTER TABLE index_price ADD COLUMN sources TEXT NOT NULL DEFAULT '';
ALTER TABLE index_price ADD COLUMN dropped_sources TEXT NOT NULL DEFAULT '';
ALTER TABLE index_price ADD COLUMN revision BIGINT NOT NULL DEFAULT 0;
UPDATE index_price SET sources = source;
ALTER TABLE index_price DROP COLUMN source;

-- Every accepted (arbitrage-free) fit of an underlying; the highest version is the current surface.
-- The configured bootstrap surface (version 0) comes from configuration and is not stored.
CREATE TABLE vol_surface (
    underlying    TEXT        NOT NULL,
    version       BIGINT      NOT NULL CHECK (version > 0),
    fitted_at     TIMESTAMPTZ NOT NULL,
    stored_at     TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (underlying, version)
);

-- SVI total variance w(k) = a + b (rho (k - m) + sqrt((k - m)^2 + sigma^2)), k = ln(K / forward),
-- for a time to expiry of `years` (ACT/365) at the fit.
CREATE TABLE vol_slice (
    underlying    TEXT             NOT NULL,
    version       BIGINT           NOT NULL,
    expiry_date   DATE             NOT NULL,
    expiry        TIMESTAMPTZ      NOT NULL,
    years         DOUBLE PRECISION NOT NULL CHECK (years > 0),
    forward       DOUBLE PRECISION NOT NULL CHECK (forward > 0),
    a             DOUBLE PRECISION NOT NULL,
    b             DOUBLE PRECISION NOT NULL,
    rho           DOUBLE PRECISION NOT NULL,
    m             DOUBLE PRECISION NOT NULL,
    sigma         DOUBLE PRECISION NOT NULL,
    rms_vol_error DOUBLE PRECISION NOT NULL,
    quote_count   INTEGER          NOT NULL,
    PRIMARY KEY (underlying, version, expiry_date),
    FOREIGN KEY (underlying, version) REFERENCES vol_surface (underlying, version)
);
