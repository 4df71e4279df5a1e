package dev.crosschain.collateral.domain;

/** How deposits on a chain become final. */
public enum FinalityRule {
    /** Final after a number of confirmations; the block itself counts as the first. */
    CONFIRMATIONS,
    /** Final at or below the adapter's finalized checkpoint. */
    CHECKPOINT
}
