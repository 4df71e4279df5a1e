package dev.crosschain.liquidation.domain;

import java.math.BigDecimal;
import java.math.RoundingMode;

/** The liquidation penalty a settled bid pays to the insurance fund. Stateless. */
public final class Penalty {

    private Penalty() {
    }

    /**
     * {@code rate x fraction x V}, V the lot's mark value at the epoch start, USDC scale 6 rounded DOWN, and never more
     * than the account receives ({@code paidUsd}): an insolvent lot (V <= 0, paid <= 0) pays none. Taken from the
     * proceeds, so the account never pays it out of what it still holds.
     *
     * @param rate               share of the bid's part of the mark value, e.g. 0.02
     * @param epochStartValueUsd mark value of the whole lot at the start of the bid's epoch, USD
     * @param paidUsd            what the bidder pays the account for the fraction, USDC
     * @return the penalty, USDC, in [0, max(0, paidUsd)]
     */
    public static BigDecimal of(BigDecimal rate, BigDecimal fraction, BigDecimal epochStartValueUsd, BigDecimal paidUsd) {
        if (rate.signum() <= 0 || epochStartValueUsd.signum() <= 0 || paidUsd.signum() <= 0) {
            return BigDecimal.ZERO.setScale(Money.USDC_SCALE);
        }
        BigDecimal penalty = rate.multiply(fraction).multiply(epochStartValueUsd).setScale(Money.USDC_SCALE, RoundingMode.DOWN);
        return penalty.min(paidUsd.setScale(Money.USDC_SCALE, RoundingMode.DOWN));
    }
}
