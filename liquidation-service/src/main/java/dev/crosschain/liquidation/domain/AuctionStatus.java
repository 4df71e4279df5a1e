package dev.crosschain.liquidation.domain;

public enum AuctionStatus {
    /** Taking bids. */
    OPEN,
    /** Fully sold. */
    CLOSED
}
