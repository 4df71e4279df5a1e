package dev.crosschain.liquidation.domain;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * An auction as read: the lot as snapshotted at the open and the bids, oldest first.
 *
 * @param startedAt          when the auction opened (epoch 0 started then)
 * @param startValueUsd      mark value of the whole lot at the open, USD
 * @param epoch              0 at the open, +1 on every reset
 * @param epochStartedAt     start of the current epoch: the price curve runs from here
 * @param epochStartValueUsd mark value of the whole lot at the start of the current epoch, USD: the price is
 *                           a fraction of it
 * @param closedAt           null while open
 */
public record Auction(String auctionId, long seq, String accountId, AuctionStatus status, long version,
                      Instant startedAt, BigDecimal startValueUsd, BigDecimal remainingFraction, PriceCurve curve,
                      List<LotItem> lot, List<Bid> bids, Instant closedAt, int epoch, Instant epochStartedAt,
                      BigDecimal epochStartValueUsd) {

    public Auction {
        lot = List.copyOf(lot);
        bids = List.copyOf(bids);
    }

    /** Price of the whole lot at {@code at}, USD scale 8: the curve from the current epoch's start and value. */
    public BigDecimal lotPriceAt(Instant at) {
        return curve.lotPrice(epochStartValueUsd, epochStartedAt, at);
    }

    /**
     * Whether the auction needs a new epoch at {@code now}, and why (pure: the same answer on every
     * replica). Empty for a closed auction.
     */
    public static Optional<PriceCurve.ResetReason> needsReset(Auction auction, Instant now) {
        if (auction.status() != AuctionStatus.OPEN) {
            return Optional.empty();
        }
        return auction.curve().resetReason(auction.epochStartedAt(), now);
    }
}
