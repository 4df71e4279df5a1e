-- The risk-parameter sets margin-service computes with (issue 5), append-only: the active set is the
-- row of the highest seq. A version names one set forever (UNIQUE). parameters is the whole set as
-- JSON with a stable field order (decimals as strings, doubles as their shortest round-tripping repr).
-- changed_at_ms is the database clock (one clock for every replica); changed_by is "config" for a
-- set recorded at start from configuration, else the operator named in SetRiskParameters.
CREATE TABLE risk_parameter_set (
    seq           BIGSERIAL PRIMARY KEY,
    version       TEXT   NOT NULL UNIQUE,
    parameters    TEXT   NOT NULL,
    changed_by    TEXT   NOT NULL,
    changed_at_ms BIGINT NOT NULL DEFAULT (floor(extract(epoch FROM clock_timestamp()) * 1000))::BIGINT,
    reason        TEXT   NOT NULL
);
