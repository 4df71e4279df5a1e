package dev.crosschain.collateral.domain;

/** What a caller other than a chain adapter may do. */
public enum Right {
    /** Internal transfers between accounts (liquidation-service). */
    TRANSFER,
    /** Locking withdrawals after the margin check (margin-service). */
    LOCK_WITHDRAWAL,
    /** The admin service: registry, halts, alerts, freezes (risk operators). */
    OPERATE
}
