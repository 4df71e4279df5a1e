package dev.crosschain.liquidation.domain;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

/**
 * An auction as a bid sees it inside its transaction.
 *
 * @param epochStartedAt     start of the auction's current epoch (the open, or the last reset)
 * @param epochStartValueUsd mark value of the whole lot at the start of the current epoch, USD
 * @param items              the lot with what is left of every item
 * @param buffer             where the auction stops; null for an auction opened before V6 (sold until empty)
 * @param proceedsUsd        what the bids so far paid the account, less their penalties ({@link Bid#proceedsUsd}), USDC
 */
public record AuctionState(String auctionId, String accountId, AuctionStatus status, long version, Instant epochStartedAt,
                           BigDecimal epochStartValueUsd, BigDecimal remainingFraction, PriceCurve curve,
                           List<ItemState> items, BufferTarget buffer, BigDecimal proceedsUsd) {

    /** A lot item and how much of it no bid has taken yet (same sign as the quantity). */
    public record ItemState(int index, LotItem item, BigDecimal remaining) {
    }

    public AuctionState {
        items = List.copyOf(items);
    }

    public BigDecimal lotPriceAt(Instant at) {
        return curve.lotPrice(epochStartValueUsd, epochStartedAt, at);
    }

    /** The largest fraction a bid at {@code lotPriceUsd} may take ({@link BufferTarget#maxFraction}). */
    public BigDecimal maxFraction(BigDecimal lotPriceUsd, BigDecimal penaltyRate) {
        return buffer == null ? remainingFraction
                : buffer.maxFraction(remainingFraction, proceedsUsd, lotPriceUsd, penaltyRate, epochStartValueUsd);
    }

    /**
     * Whether a bid of {@code fraction} paying {@code paidUsd} with this penalty leaves the account above its
     * buffer level ({@link BufferTarget#restoredAfter}).
     */
    public boolean restoredBy(BigDecimal fraction, BigDecimal paidUsd, BigDecimal penaltyUsd) {
        return buffer != null && buffer.restoredAfter(remainingFraction, proceedsUsd, fraction, paidUsd, penaltyUsd);
    }
}
