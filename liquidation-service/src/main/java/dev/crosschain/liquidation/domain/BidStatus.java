package dev.crosschain.liquidation.domain;

public enum BidStatus {
    /** Accepted; the transfers are not both done yet. */
    ACCEPTED,
    /** Collateral, cash and positions moved. */
    SETTLED
}
