package dev.crosschain.liquidation.domain;

import java.math.BigDecimal;
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
 */
public record Bid(String bidId, String auctionId, String accountId, String bidderAccountId, BigDecimal fraction,
                  BigDecimal maxLotPriceUsd, long requestedVersion, BigDecimal lotPriceUsd, BigDecimal paidUsd,
                  BidStatus status, Instant placedAt, Instant settledAt, List<LotItem> items) {

    public Bid {
        items = List.copyOf(items);
    }
}
