package dev.crosschain.liquidation.domain;

/**
 * Operator halt levels, cumulative like Maker Clipper's {@code stopped}: each stops what the one below stops
 * and more. Declared weakest first ({@link #compareTo} orders them).
 */
public enum HaltLevel {
    NONE,
    NO_NEW_AUCTIONS,
    NO_RESETS,
    NO_BIDS;

    public boolean stopsNewAuctions() {
        return compareTo(NO_NEW_AUCTIONS) >= 0;
    }

    public boolean stopsResets() {
        return compareTo(NO_RESETS) >= 0;
    }

    public boolean stopsBids() {
        return this == NO_BIDS;
    }
}
