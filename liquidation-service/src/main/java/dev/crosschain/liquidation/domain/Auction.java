package dev.crosschain.liquidation.domain;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * An auction as read: the lot as snapshotted at the open and the bids, oldest first.
 *
 * @param startedAt          when the auction opened (epoch 0 started then); null if it never opened
 *                           ({@link AuctionStatus#OPENING}, or cancelled)
 * @param startValueUsd      mark value of the whole lot at the open, USD; null if it never opened
 * @param epoch              0 at the open, +1 on every reset
 * @param epochStartedAt     start of the current epoch: the price curve runs from here; null if it never opened
 * @param epochStartValueUsd mark value of the whole lot at the start of the current epoch, USD: the price is
 *                           a fraction of it; null if it never opened
 * @param closedAt           null while opening or open
 * @param cancelReason       null unless the auction closed without ever opening (NOT_IN_LIQUIDATION,
 *                           UNKNOWN_ACCOUNT)
 * @param claimedAt          when the account was claimed for it (the open, for auctions of releases before V3)
 */
public record Auction(String auctionId, long seq, String accountId, AuctionStatus status, long version,
                      Instant startedAt, BigDecimal startValueUsd, BigDecimal remainingFraction, PriceCurve curve,
                      List<LotItem> lot, List<Bid> bids, Instant closedAt, int epoch, Instant epochStartedAt,
                      BigDecimal epochStartValueUsd, String cancelReason, Instant claimedAt) {

    public Auction {
        lot = List.copyOf(lot);
        bids = List.copyOf(bids);
    }

    /** Whether the auction ever opened (has a start, a start value and a lot): not OPENING, not cancelled. */
    public boolean opened() {
        return startedAt != null;
    }

    /**
     * Price of the whole lot at {@code at}, USD scale 8: the curve from the current epoch's start and value.
     * Only for an auction that {@link #opened()}.
     */
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
