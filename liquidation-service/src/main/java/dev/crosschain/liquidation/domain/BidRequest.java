package dev.crosschain.liquidation.domain;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

/**
 * A validated PlaceBid request.
 *
 * @param fraction        in (0, 1]
 * @param maxLotPriceUsd  any decimal: the bid takes any lot price at or below it; negative on an insolvent lot, where
 *                        the insurance fund pays the bidder at least minus the limit
 * @param auctionVersion  the version the bidder saw, 0 for "current"
 */
public record BidRequest(String bidId, String auctionId, String bidderAccountId, BigDecimal fraction,
                         BigDecimal maxLotPriceUsd, long auctionVersion) {

    /**
     * Parses the wire fields; every bad field is reported at once, the ErrorInfo reason is the one of
     * the first bad field (MISSING_FIELD, INVALID_FRACTION, INVALID_PRICE).
     */
    public static BidRequest parse(String bidId, String auctionId, String bidder, String fraction, String maxLotPrice,
                                   long auctionVersion) {
        List<Violation> violations = new ArrayList<>();
        String reason = null;
        for (String[] required : new String[][]{{"bid_id", bidId}, {"auction_id", auctionId}, {"bidder_account_id", bidder}}) {
            if (required[1] == null || required[1].isBlank()) {
                violations.add(new Violation(required[0], required[0] + " is required"));
                reason = reason == null ? "MISSING_FIELD" : reason;
            }
        }
        BigDecimal f = Decimals.parseOrNull(fraction);
        if (fraction == null || fraction.isBlank()) {
            violations.add(new Violation("fraction", "fraction is required"));
            reason = reason == null ? "MISSING_FIELD" : reason;
        } else if (f == null || f.signum() <= 0 || f.compareTo(BigDecimal.ONE) > 0) {
            violations.add(new Violation("fraction", "must be a decimal in (0, 1], got '" + fraction + "'"));
            reason = reason == null ? "INVALID_FRACTION" : reason;
        }
        BigDecimal max = Decimals.parseOrNull(maxLotPrice);
        if (maxLotPrice == null || maxLotPrice.isBlank()) {
            violations.add(new Violation("max_lot_price_usd", "max_lot_price_usd is required"));
            reason = reason == null ? "MISSING_FIELD" : reason;
        } else if (max == null) {
            violations.add(new Violation("max_lot_price_usd", "must be a decimal, got '" + maxLotPrice + "'"));
            reason = reason == null ? "INVALID_PRICE" : reason;
        }
        if (!violations.isEmpty()) {
            throw new InvalidInputException(reason, violations);
        }
        return new BidRequest(bidId.trim(), auctionId.trim(), bidder.trim(), f, max, auctionVersion);
    }

    /** Same payload as a stored bid (decimals compared by value). */
    public boolean samePayloadAs(Bid bid) {
        return auctionId.equals(bid.auctionId()) && bidderAccountId.equals(bid.bidderAccountId())
                && fraction.compareTo(bid.fraction()) == 0 && maxLotPriceUsd.compareTo(bid.maxLotPriceUsd()) == 0
                && auctionVersion == bid.requestedVersion();
    }
}
