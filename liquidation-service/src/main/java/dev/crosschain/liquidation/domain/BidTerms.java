package dev.crosschain.liquidation.domain;

import java.math.BigDecimal;
import java.util.List;

/**
 * What an accepted bid buys and pays.
 *
 * @param lotPriceUsd       price of the whole lot when accepted, USD scale 8
 * @param paidUsd           fraction x lot price, USDC scale 6 HALF_EVEN
 * @param items             the lot items scaled by the fraction, with the lot index they came from
 * @param remainingFraction what is left of the lot after the bid
 */
public record BidTerms(BigDecimal lotPriceUsd, BigDecimal paidUsd, List<BoughtItem> items,
                       BigDecimal remainingFraction) {

    public record BoughtItem(int lotIndex, LotItem item) {
    }

    public BidTerms {
        items = List.copyOf(items);
    }

    public boolean closesAuction() {
        return remainingFraction.signum() == 0;
    }
}
