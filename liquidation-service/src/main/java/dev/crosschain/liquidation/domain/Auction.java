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
 * @param buffer             where the auction stops (the account's figures at the open); null for an auction that never
 *                           opened or was opened before V6 (sold until empty)
 * @param lotFraction        the part of the account's portfolio its lot is: 1, or less when a cap on the value in
 *                           auction bound at the open ({@link AuctionCaps}; the lot's quantities and values are that
 *                           part's)
 * @param bucketInstrument   an auction of one ISOLATED bucket: the instrument of its position (the lot is that position
 *                           and the bucket's allocation); null: an auction of the whole account
 */
public record Auction(String auctionId, long seq, String accountId, AuctionStatus status, long version,
                      Instant startedAt, BigDecimal startValueUsd, BigDecimal remainingFraction, PriceCurve curve,
                      List<LotItem> lot, List<Bid> bids, Instant closedAt, int epoch, Instant epochStartedAt,
                      BigDecimal epochStartValueUsd, String cancelReason, Instant claimedAt, BufferTarget buffer,
                      BigDecimal lotFraction, String bucketInstrument) {

    /** How a closed auction ended. */
    public enum CloseReason {
        /** The whole lot was sold (the insurance fund's takeover included). */
        SOLD,
        /** A bid brought the account back above its buffer level; the rest of the lot stayed with the account. */
        RESTORED,
        /** Closed before it opened ({@link #cancelReason()}). */
        CANCELLED,
        /**
         * A bucket auction closed while open because the account's whole book went into liquidation
         * ({@link #WHOLE_BOOK_IN_LIQUIDATION}): the account is then auctioned whole.
         */
        SUPERSEDED
    }

    /** cancel_reason of a bucket auction closed for a whole-account auction ({@link CloseReason#SUPERSEDED}). */
    public static final String WHOLE_BOOK_IN_LIQUIDATION = "WHOLE_BOOK_IN_LIQUIDATION";

    public Auction {
        lot = List.copyOf(lot);
        bids = List.copyOf(bids);
    }

    /** An auction of the whole account. */
    public Auction(String auctionId, long seq, String accountId, AuctionStatus status, long version,
                   Instant startedAt, BigDecimal startValueUsd, BigDecimal remainingFraction, PriceCurve curve,
                   List<LotItem> lot, List<Bid> bids, Instant closedAt, int epoch, Instant epochStartedAt,
                   BigDecimal epochStartValueUsd, String cancelReason, Instant claimedAt, BufferTarget buffer,
                   BigDecimal lotFraction) {
        this(auctionId, seq, accountId, status, version, startedAt, startValueUsd, remainingFraction, curve, lot, bids,
                closedAt, epoch, epochStartedAt, epochStartValueUsd, cancelReason, claimedAt, buffer, lotFraction, null);
    }

    /** An auction of the whole portfolio (no cap bound at its open). */
    public Auction(String auctionId, long seq, String accountId, AuctionStatus status, long version,
                   Instant startedAt, BigDecimal startValueUsd, BigDecimal remainingFraction, PriceCurve curve,
                   List<LotItem> lot, List<Bid> bids, Instant closedAt, int epoch, Instant epochStartedAt,
                   BigDecimal epochStartValueUsd, String cancelReason, Instant claimedAt, BufferTarget buffer) {
        this(auctionId, seq, accountId, status, version, startedAt, startValueUsd, remainingFraction, curve, lot, bids,
                closedAt, epoch, epochStartedAt, epochStartValueUsd, cancelReason, claimedAt, buffer, BigDecimal.ONE);
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

    /** How the auction ended; empty while it is opening or open. */
    public Optional<CloseReason> closeReason() {
        if (status != AuctionStatus.CLOSED) {
            return Optional.empty();
        }
        if (WHOLE_BOOK_IN_LIQUIDATION.equals(cancelReason)) {
            return Optional.of(CloseReason.SUPERSEDED);
        }
        if (cancelReason != null) {
            return Optional.of(CloseReason.CANCELLED);
        }
        // only a restoring bid closes an auction with some of its lot left
        return Optional.of(remainingFraction.signum() == 0 ? CloseReason.SOLD : CloseReason.RESTORED);
    }

    /**
     * The largest fraction a bid at the price at {@code at} may take ({@link BufferTarget#maxFraction}): what remains
     * when no buffer bounds it. Only for an OPEN auction.
     */
    public BigDecimal maxFractionAt(Instant at, BigDecimal penaltyRate) {
        if (buffer == null) {
            return remainingFraction;
        }
        return buffer.maxFraction(remainingFraction, Bid.totalProceedsUsd(bids), lotPriceAt(at), penaltyRate, epochStartValueUsd);
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
