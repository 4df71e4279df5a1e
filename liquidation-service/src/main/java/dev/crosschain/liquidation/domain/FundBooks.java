package dev.crosschain.liquidation.domain;

import java.math.BigDecimal;

/**
 * The insurance fund's totals as liquidation-service recorded them, USDC.
 *
 * @param penaltiesUsd       every penalty credited to the fund
 * @param payoutsUsd         every payment from the fund to a bidder on an insolvent lot
 * @param badDebtUsd         every shortfall recorded at a takeover
 * @param repaidUsd          the part of the penalties that repaid bad debt
 */
public record FundBooks(BigDecimal penaltiesUsd, BigDecimal payoutsUsd, BigDecimal badDebtUsd, BigDecimal repaidUsd) {

    /** Bad debt not repaid yet: later penalties repay it before they count as fund surplus. */
    public BigDecimal outstandingBadDebtUsd() {
        return badDebtUsd.subtract(repaidUsd);
    }

    /** What of a penalty repays outstanding bad debt: all of it up to what is outstanding. */
    public BigDecimal repaymentFrom(BigDecimal penaltyUsd) {
        return penaltyUsd.min(outstandingBadDebtUsd()).max(BigDecimal.ZERO);
    }
}
