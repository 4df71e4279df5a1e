package dev.crosschain.liquidation.domain;

public enum AuctionStatus {
    /**
     * Claimed for the account (the one active auction per account), not open yet: the account is being
     * frozen and then snapshotted. No lot, no start, no price; bids are refused.
     */
    OPENING,
    /** Taking bids. */
    OPEN,
    /** Fully sold, or cancelled before it opened ({@link Auction#cancelReason()}). */
    CLOSED
}
