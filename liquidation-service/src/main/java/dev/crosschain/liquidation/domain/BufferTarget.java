package dev.crosschain.liquidation.domain;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Objects;

/**
 * Where an auction stops: the account's figures when it opened (margin-service's view the lot was snapshotted from)
 * and the share of the IM - MM gap it must be back above. The auction sells fractions of the whole lot; selling a
 * cumulative fraction F, for proceeds C received by the account so far, leaves (the positions and collateral scaled
 * by 1 - F, margin linear in them):
 * <pre>
 *   equity' = (1 - F) x E + C        level' = (1 - F) x level,   level = MM + share x (IM - MM)
 * </pre>
 * and the account is restored once equity' >= level'. With G = 1 - F what remains of the lot before a bid of fraction
 * f and D = level - E, that is {@code (G - f) x (E - level) + C + proceeds(f) >= 0}, where proceeds(f) is what the bid
 * pays the account less the penalty ({@link Bid#proceeds}), each rounded as the settlement rounds them.
 *
 * <p>Bids are bounded only for an account the figures say is solvent and below its level ({@link #binds()}: 0 <= E <
 * level): an insolvent one is sold whole (the insurance fund's path), and one already at its level has nothing to
 * restore.
 *
 * @param equityUsd            E, the account's equity at the open, USD
 * @param maintenanceMarginUsd MM at the open, USD
 * @param initialMarginUsd     IM at the open, USD
 * @param share                share of the gap IM - MM above MM to restore, in [0, 1]
 *                             ({@code liquidation.auction.buffer-share} when the auction opened)
 */
public record BufferTarget(BigDecimal equityUsd, BigDecimal maintenanceMarginUsd, BigDecimal initialMarginUsd,
                           BigDecimal share) {

    /** Decimals of a bound: it is rounded UP to them, so the bound never stops short of the level. */
    public static final int FRACTION_SCALE = 12;
    private static final BigDecimal FRACTION_ULP = BigDecimal.ONE.movePointLeft(FRACTION_SCALE);
    /**
     * Steps up from the exact bound when the settlement's rounding of the bid's cash leaves the account short (each
     * covers the whole shortfall found, at most a few micro-USD, so one or two suffice); past them the bound is the
     * rest of the lot, which always restores (nothing left to margin).
     */
    private static final int MAX_CORRECTIONS = 16;

    public BufferTarget {
        Objects.requireNonNull(equityUsd, "equityUsd");
        Objects.requireNonNull(maintenanceMarginUsd, "maintenanceMarginUsd");
        Objects.requireNonNull(initialMarginUsd, "initialMarginUsd");
        Objects.requireNonNull(share, "share");
        if (share.signum() < 0 || share.compareTo(BigDecimal.ONE) > 0) {
            throw new IllegalArgumentException("buffer share must be in [0, 1], got " + share.toPlainString());
        }
    }

    /** MM + share x (IM - MM) for the whole lot, USD, exact. */
    public BigDecimal levelUsd() {
        return maintenanceMarginUsd.add(share.multiply(initialMarginUsd.subtract(maintenanceMarginUsd)));
    }

    /** Whether bids are bounded: the account was solvent (E >= 0) and below its level when the auction opened. */
    public boolean binds() {
        return equityUsd.signum() >= 0 && equityUsd.compareTo(levelUsd()) < 0;
    }

    /**
     * Whether the account is at or above its level after a bid.
     *
     * @param remaining     what remained of the lot before the bid
     * @param proceedsSoFar what earlier bids paid the account, less their penalties, USDC
     * @param fraction      the bid's fraction of the whole lot
     * @param paidUsd       what the bid pays for it, USDC (negative: the insurance fund pays the bidder)
     * @param penaltyUsd    what the account pays the fund out of it, USDC
     */
    public boolean restoredAfter(BigDecimal remaining, BigDecimal proceedsSoFar, BigDecimal fraction, BigDecimal paidUsd,
                                 BigDecimal penaltyUsd) {
        // a bid the account receives nothing for (a price <= 0: the fund pays the bidder) never restores it: the lot
        // is worth less than nothing, it is sold whole
        return binds() && paidUsd.signum() > 0
                && surplus(remaining, proceedsSoFar, fraction, Bid.proceeds(paidUsd, penaltyUsd)).signum() >= 0;
    }

    /**
     * The largest fraction a bid at {@code lotPriceUsd} may take: the smallest one that restores the account, solved
     * exactly and rounded UP to {@value #FRACTION_SCALE} decimals, then raised to the smallest one at that scale whose
     * bid, with its cash and penalty rounded as the settlement rounds them, leaves the account at or above its level
     * (rounding never leaves it below); {@code remaining} when the target does not bind, when the lot's value at the
     * epoch start is <= 0 or a bid pays the account nothing per unit (a price at or below the penalty), whatever
     * earlier bids paid (what remains is sold whole), or when no smaller fraction restores the account. The price only falls within an epoch, so the bound only grows until the next reset.
     *
     * @param remaining          what remains of the lot
     * @param proceedsSoFar      what earlier bids paid the account, less their penalties, USDC
     * @param penaltyRate        the penalty rate a bid pays now ({@link Penalty})
     * @param epochStartValueUsd the lot's mark value at the current epoch's start (the penalty's base)
     */
    public BigDecimal maxFraction(BigDecimal remaining, BigDecimal proceedsSoFar, BigDecimal lotPriceUsd,
                                  BigDecimal penaltyRate, BigDecimal epochStartValueUsd) {
        BigDecimal proceedsPerUnit = proceedsPerUnit(lotPriceUsd, penaltyRate, epochStartValueUsd);
        if (!binds() || epochStartValueUsd.signum() <= 0 || proceedsPerUnit.signum() <= 0) {
            // what remains is worth nothing (or less) now, or a bid pays the account nothing for it: selling part of
            // it cannot restore the account, whatever earlier bids paid; it is sold whole (the insurance fund's path)
            return remaining;
        }
        BigDecimal deficitPerUnit = levelUsd().subtract(equityUsd);
        BigDecimal deficit = remaining.multiply(deficitPerUnit).subtract(proceedsSoFar);
        if (deficit.signum() <= 0) {
            // already restored (an auction closes when a bid restores it): any bid will do, and closes it
            return remaining;
        }
        // what one unit of fraction sold improves equity' - level' by: its proceeds and the level it no longer needs,
        // less the equity it took away
        BigDecimal gainPerUnit = proceedsPerUnit.add(deficitPerUnit);
        BigDecimal fraction = deficit.divide(gainPerUnit, FRACTION_SCALE, RoundingMode.CEILING);
        BigDecimal shortOne = null;
        for (int i = 0; i < MAX_CORRECTIONS && fraction.compareTo(remaining) < 0; i++) {
            BigDecimal surplus = surplusOfBid(remaining, proceedsSoFar, fraction, lotPriceUsd, penaltyRate, epochStartValueUsd);
            if (surplus.signum() >= 0) {
                return shortOne == null ? fraction
                        : smallestBetween(shortOne, fraction, remaining, proceedsSoFar, lotPriceUsd, penaltyRate, epochStartValueUsd);
            }
            shortOne = fraction;
            fraction = fraction.add(surplus.negate().divide(gainPerUnit, FRACTION_SCALE, RoundingMode.CEILING).max(FRACTION_ULP));
        }
        return remaining;
    }

    /** Bisects down from {@code enough} (restores) towards {@code tooLittle} (does not), at the bound's scale. */
    private BigDecimal smallestBetween(BigDecimal tooLittle, BigDecimal enough, BigDecimal remaining, BigDecimal proceedsSoFar,
                                       BigDecimal lotPriceUsd, BigDecimal penaltyRate, BigDecimal epochStartValueUsd) {
        while (enough.subtract(tooLittle).compareTo(FRACTION_ULP) > 0) {
            BigDecimal middle = tooLittle.add(enough).divide(BigDecimal.valueOf(2), FRACTION_SCALE, RoundingMode.DOWN);
            if (surplusOfBid(remaining, proceedsSoFar, middle, lotPriceUsd, penaltyRate, epochStartValueUsd).signum() >= 0) {
                enough = middle;
            } else {
                tooLittle = middle;
            }
        }
        return enough;
    }

    /** equity' - level' after a bid of {@code fraction} at {@code lotPriceUsd}, its cash and penalty rounded as settled. */
    private BigDecimal surplusOfBid(BigDecimal remaining, BigDecimal proceedsSoFar, BigDecimal fraction, BigDecimal lotPriceUsd,
                                    BigDecimal penaltyRate, BigDecimal epochStartValueUsd) {
        BigDecimal paid = AuctionRules.paid(fraction, lotPriceUsd);
        BigDecimal proceeds = Bid.proceeds(paid, Penalty.of(penaltyRate, fraction, epochStartValueUsd, paid));
        return surplus(remaining, proceedsSoFar, fraction, proceeds);
    }

    /** equity' - level' after the bid. */
    private BigDecimal surplus(BigDecimal remaining, BigDecimal proceedsSoFar, BigDecimal fraction, BigDecimal proceeds) {
        return remaining.subtract(fraction).multiply(equityUsd.subtract(levelUsd())).add(proceedsSoFar).add(proceeds);
    }

    /**
     * What a unit of fraction pays the account before rounding: the lot price less the penalty rate x the epoch's
     * start value, never below 0 (the penalty never exceeds what the account receives; at a price <= 0 the account
     * receives nothing, the insurance fund pays the bidder).
     */
    private static BigDecimal proceedsPerUnit(BigDecimal lotPriceUsd, BigDecimal penaltyRate, BigDecimal epochStartValueUsd) {
        if (lotPriceUsd.signum() <= 0) {
            return BigDecimal.ZERO;
        }
        BigDecimal penalty = penaltyRate.signum() > 0 && epochStartValueUsd.signum() > 0
                ? penaltyRate.multiply(epochStartValueUsd) : BigDecimal.ZERO;
        return lotPriceUsd.subtract(penalty).max(BigDecimal.ZERO);
    }
}
