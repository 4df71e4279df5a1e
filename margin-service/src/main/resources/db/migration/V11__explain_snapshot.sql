-- Input snapshots of Explain (issue 5): every input one computation of an account's figures depended on, and the
-- figures it produced, so ReplaySnapshot can recompute them from the row alone. inputs is JSON (store.SnapshotJson:
-- decimals as their exact strings, doubles as strings that read back bit for bit); the risk-parameter set is named
-- by version (the sets are append-only and never change, so the reference always resolves). The figures are stored
-- as answered: margin_ratio_bits holds Double.doubleToRawLongBits of the ratio. taken_at_ms is the computation's
-- instant (margin's clock), which the retention (margin.explain.retention) is measured from; older rows are purged.
CREATE TABLE explain_snapshot (
    snapshot_id        UUID   PRIMARY KEY,
    account_id         TEXT   NOT NULL,
    taken_at_ms        BIGINT NOT NULL,
    parameters_version TEXT   NOT NULL REFERENCES risk_parameter_set (version),
    inputs             TEXT   NOT NULL,
    equity             TEXT   NOT NULL,
    initial_margin     TEXT   NOT NULL,
    maintenance_margin TEXT   NOT NULL,
    margin_ratio_bits  BIGINT NOT NULL,
    status             TEXT   NOT NULL
);
CREATE INDEX explain_snapshot_taken_at ON explain_snapshot (taken_at_ms);
