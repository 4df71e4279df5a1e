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
 * @param penaltyUsd        what the account pays the insurance fund out of {@code paidUsd} ({@link Penalty}), USDC
 * @param restoresAccount   the bid leaves the account above its buffer level ({@link BufferTarget}): the auction
 *                          ends with the rest of the lot left to the account
 */
public record BidTerms(BigDecimal lotPriceUsd, BigDecimal paidUsd, List<BoughtItem> items,
                       BigDecimal remainingFraction, BigDecimal penaltyUsd, boolean restoresAccount) {

    public record BoughtItem(int lotIndex, LotItem item) {
    }

    public BidTerms {
        items = List.copyOf(items);
    }

    /** The bid ends the auction: the lot is sold, or the account is restored. */
    public boolean closesAuction() {
        return remainingFraction.signum() == 0 || restoresAccount;
    }
}
