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
 */
public record AuctionState(String auctionId, String accountId, AuctionStatus status, long version, Instant epochStartedAt,
                           BigDecimal epochStartValueUsd, BigDecimal remainingFraction, PriceCurve curve,
                           List<ItemState> items) {

    /** A lot item and how much of it no bid has taken yet (same sign as the quantity). */
    public record ItemState(int index, LotItem item, BigDecimal remaining) {
    }

    public AuctionState {
        items = List.copyOf(items);
    }

    public BigDecimal lotPriceAt(Instant at) {
        return curve.lotPrice(epochStartValueUsd, epochStartedAt, at);
    }
}
