package dev.crosschain.liquidation.domain;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

/**
 * An auction as read: the lot as snapshotted at the open and the bids, oldest first.
 *
 * @param closedAt null while open
 */
public record Auction(String auctionId, long seq, String accountId, AuctionStatus status, long version,
                      Instant startedAt, BigDecimal startValueUsd, BigDecimal remainingFraction, PriceCurve curve,
                      List<LotItem> lot, List<Bid> bids, Instant closedAt) {

    public Auction {
        lot = List.copyOf(lot);
        bids = List.copyOf(bids);
    }

    /** Price of the whole lot at {@code at}, USD scale 8. */
    public BigDecimal lotPriceAt(Instant at) {
        return curve.lotPrice(startValueUsd, startedAt, at);
    }
}
