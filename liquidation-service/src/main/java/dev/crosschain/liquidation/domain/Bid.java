package dev.crosschain.liquidation.domain;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.List;

/**
 * A stored bid with what it bought.
 *
 * @param requestedVersion the auction version named in the request (part of the idempotent payload)
 * @param lotPriceUsd      price of the whole lot when accepted, USD
 * @param paidUsd          cash paid for the fraction, USD(C)
 * @param settledAt        null until settled
 * @param items            the lot items scaled by the fraction: the transfer legs
 * @param penaltyUsd       USDC the account pays the insurance fund out of {@code paidUsd} ({@link Penalty})
 * @param takeover         the insurance fund's takeover of the rest of an insolvent lot (bidder: the fund, price 0)
 * @param badDebtUsd       a takeover's shortfall recorded as bad debt, USDC; 0 otherwise
 * @param fundAccountId    the insurance fund's account when the bid was accepted (its legs' account); null for a bid
 *                         of a release before the fund, which has no fund legs
 * @param bucketInstrument the instrument of the ISOLATED bucket its auction sells; null: an auction of the whole account
 */
public record Bid(String bidId, String auctionId, String accountId, String bidderAccountId, BigDecimal fraction,
                  BigDecimal maxLotPriceUsd, long requestedVersion, BigDecimal lotPriceUsd, BigDecimal paidUsd,
                  BidStatus status, Instant placedAt, Instant settledAt, List<LotItem> items,
                  BigDecimal penaltyUsd, boolean takeover, BigDecimal badDebtUsd, String fundAccountId,
                  String bucketInstrument) {

    public Bid {
        items = List.copyOf(items);
    }

    /** What the bid paid the account, less the penalty it paid the fund out of it: USDC, >= 0. */
    public BigDecimal proceedsUsd() {
        return proceeds(paidUsd, penaltyUsd);
    }

    /** What these bids paid the account, less their penalties ({@link #proceedsUsd()}), USDC. */
    public static BigDecimal totalProceedsUsd(List<Bid> bids) {
        return bids.stream().map(Bid::proceedsUsd).reduce(BigDecimal.ZERO, BigDecimal::add);
    }

    /**
     * What a bid paying {@code paidUsd} for its fraction leaves the account after {@code penaltyUsd}: 0 at a price <= 0
     * (the insurance fund pays the bidder, the account receives nothing), USDC.
     */
    public static BigDecimal proceeds(BigDecimal paidUsd, BigDecimal penaltyUsd) {
        return paidUsd.signum() > 0 ? paidUsd.subtract(penaltyUsd) : BigDecimal.ZERO;
    }

    /** The part of the bucket's allocation the bid takes (its ALLOCATION items), USD; 0 for an account auction's. */
    public BigDecimal allocationUsd() {
        return items.stream().filter(i -> i.kind() == LotItem.Kind.ALLOCATION).map(LotItem::quantity)
                .reduce(BigDecimal.ZERO, BigDecimal::add);
    }

    /**
     * What the bid changes its bucket by, USD whole cents: the proceeds ({@link #proceedsUsd()}) rounded down to the
     * cent, less the allocation it takes; so the allocation never goes below zero, and the sub-cent rest of the proceeds
     * stays in the free pool. Only for a bid of a bucket auction.
     */
    public BigDecimal bucketDeltaUsd() {
        return proceedsUsd().setScale(LotItem.ALLOCATION_DECIMALS, RoundingMode.DOWN).subtract(allocationUsd());
    }

    /** What the insurance fund pays the bidder: minus a negative price paid, else 0. USDC. */
    public BigDecimal payoutUsd() {
        return paidUsd.signum() < 0 ? paidUsd.negate() : BigDecimal.ZERO;
    }
}
