package dev.crosschain.collateral.domain;

/** A chain's health as valuation sees it. */
public enum ChainStatus {
    HEALTHY,
    /** Late heartbeats or a stalled head: collateral there gets the chain's stranded-collateral add-on. */
    DEGRADED,
    /** Operator halt or long silence: collateral there counts 0 for margin, still shown. */
    HALTED
}
