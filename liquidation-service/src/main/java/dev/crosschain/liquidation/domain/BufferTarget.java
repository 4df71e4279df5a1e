package dev.crosschain.liquidation.domain;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Objects;

/**
 * Where an auction stops: the account's figures at its base (margin-service's view the lot was snapshotted from at the
 * open, or the fresh view a reset re-based it on) and the share of the IM - MM gap it must be back above. The auction
 * sells fractions of the whole lot; selling a further fraction F of the whole lot after the base, for proceeds C
 * received by the account after the base (USDC, less the penalties), leaves (the positions and collateral of the lot
 * that remained at the base, r0 of the whole lot, scaled by (r0 - F) / r0, margin linear in them):
 * <pre>
 *   equity' = R + (r0 - F) / r0 x (E - R) + h x C        level' = (r0 - F) / r0 x level,   level = MM + share x (IM - MM)
 * </pre>
 * E is margin-service's equity (collateral after its MM haircut, PnL, option value), R the part of it selling the lot
 * does not change: at the open the realized PnL (r0 = 1, nothing received yet), at a re-basing reset E less the MM value
 * of what remains of the lot in that view (so R also holds the proceeds of the bids before the reset and anything else
 * the account holds outside the lot). h is what margin-service counts one unit of the proceeds' asset at after its MM
 * haircut (the settlement line's value_mm_usd / market_value_usd x price_usd in the base view; 0 when the account held
 * no such line: the proceeds are then not counted, never over-counted). F and C are counted from the base: F is the
 * remaining fraction at the base less the remaining fraction now (whole-lot terms, as bids take it), C the proceeds of
 * all bids less {@code baseProceedsUsd}, those of the bids before the base.
 *
 * <p>A partial lot (a cap on the value in auction cut it to the part f of the portfolio, {@code lotFraction}) keeps the
 * bound: the rest of the portfolio, 1 - f of it, stays with the account and keeps its share of the level. At the base
 * the remaining lot is the share q = f x r0 / (1 - f + f x r0) of what the account holds (f at the open), so selling F
 * more of the lot leaves
 * <pre>
 *   equity' = R + (r0 - F) / r0 x (E - R) + h x C        level' = (1 - q) x level + (r0 - F) / r0 x q x level
 * </pre>
 * with R the equity outside what remains of the lot: at a partial open the realized PnL plus the 1 - f of the rest of
 * the equity the lot does not hold ({@link #ofPart}). f = 1 (q = 1) is the whole lot, the formula above.
 *
 * <p>The account is restored, by margin-service's own rule (LIQUIDATION when equity <= MM), once equity' exceeds
 * level' by at least {@link #MIN_SURPLUS_USD}: equal is not enough.
 *
 * <p>Bids are bounded only for an account the figures say is solvent and not above its level ({@link #binds()}):
 * an insolvent one is sold whole (the insurance fund's path), and one already above it has nothing to restore.
 *
 * @param equityUsd            E, the account's equity at the base, USD
 * @param maintenanceMarginUsd MM at the base, USD
 * @param initialMarginUsd     IM at the base, USD
 * @param realizedPnlUsd       R, the part of E at the base that selling the lot does not change, USD
 * @param cashValueUsd         h, USD margin-service counts per unit of the proceeds' asset after its MM haircut, >= 0
 * @param share                share of the gap IM - MM above MM to restore, in [0, 1]
 *                             ({@code liquidation.auction.buffer-share} when the auction opened)
 * @param baseRemaining        r0, the fraction of the whole lot that remained at the base, in (0, 1]; 1 at the open
 * @param baseProceedsUsd      what the bids before the base paid the account, less their penalties, USDC; 0 at the open
 * @param lotFraction          f, the part of the portfolio the auction's lot is at the open, in (0, 1]; 1: the whole
 */
public record BufferTarget(BigDecimal equityUsd, BigDecimal maintenanceMarginUsd, BigDecimal initialMarginUsd,
                           BigDecimal realizedPnlUsd, BigDecimal cashValueUsd, BigDecimal share, BigDecimal baseRemaining,
                           BigDecimal baseProceedsUsd, BigDecimal lotFraction) {

    /** Decimals of a bound: it is rounded UP to them, so the bound never stops short of the level. */
    public static final int FRACTION_SCALE = 12;
    /** Decimals of {@link #cashValueUsd()}: rounded DOWN to them, so the proceeds are never over-counted. */
    public static final int CASH_VALUE_SCALE = 12;
    /** How much equity' must exceed level' by: margin-service's figures are in micro-USD, and equal is LIQUIDATION. */
    public static final BigDecimal MIN_SURPLUS_USD = new BigDecimal("0.000001");
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
        Objects.requireNonNull(realizedPnlUsd, "realizedPnlUsd");
        Objects.requireNonNull(cashValueUsd, "cashValueUsd");
        Objects.requireNonNull(share, "share");
        Objects.requireNonNull(baseRemaining, "baseRemaining");
        Objects.requireNonNull(baseProceedsUsd, "baseProceedsUsd");
        Objects.requireNonNull(lotFraction, "lotFraction");
        if (share.signum() < 0 || share.compareTo(BigDecimal.ONE) > 0) {
            throw new IllegalArgumentException("buffer share must be in [0, 1], got " + share.toPlainString());
        }
        if (cashValueUsd.signum() < 0) {
            throw new IllegalArgumentException("cash value must be >= 0, got " + cashValueUsd.toPlainString());
        }
        if (baseRemaining.signum() <= 0 || baseRemaining.compareTo(BigDecimal.ONE) > 0) {
            throw new IllegalArgumentException("base remaining fraction must be in (0, 1], got " + baseRemaining.toPlainString());
        }
        if (lotFraction.signum() <= 0 || lotFraction.compareTo(BigDecimal.ONE) > 0) {
            throw new IllegalArgumentException("lot fraction must be in (0, 1], got " + lotFraction.toPlainString());
        }
    }

    /** A target of the whole portfolio's lot. */
    public BufferTarget(BigDecimal equityUsd, BigDecimal maintenanceMarginUsd, BigDecimal initialMarginUsd,
                        BigDecimal realizedPnlUsd, BigDecimal cashValueUsd, BigDecimal share, BigDecimal baseRemaining,
                        BigDecimal baseProceedsUsd) {
        this(equityUsd, maintenanceMarginUsd, initialMarginUsd, realizedPnlUsd, cashValueUsd, share, baseRemaining,
                baseProceedsUsd, BigDecimal.ONE);
    }

    /** A target based at the open: the whole lot remains, nothing was received. */
    public BufferTarget(BigDecimal equityUsd, BigDecimal maintenanceMarginUsd, BigDecimal initialMarginUsd,
                        BigDecimal realizedPnlUsd, BigDecimal cashValueUsd, BigDecimal share) {
        this(equityUsd, maintenanceMarginUsd, initialMarginUsd, realizedPnlUsd, cashValueUsd, share, BigDecimal.ONE,
                BigDecimal.ZERO);
    }

    /**
     * This open's target for a lot that is the part {@code fraction} of the portfolio (a cap bound): R becomes the
     * equity outside the lot, R + (1 - f) x (E - R), the level stays the whole account's ({@link BufferTarget}).
     */
    public BufferTarget ofPart(BigDecimal fraction) {
        BigDecimal outside = realizedPnlUsd.add(BigDecimal.ONE.subtract(fraction).multiply(lotEquityUsd()));
        return new BufferTarget(equityUsd, maintenanceMarginUsd, initialMarginUsd, outside, cashValueUsd, share,
                baseRemaining, baseProceedsUsd, fraction);
    }

    /** Whether a reset re-based it (not the open's figures). */
    public boolean rebased() {
        return baseRemaining.compareTo(BigDecimal.ONE) != 0 || baseProceedsUsd.signum() != 0;
    }

    /**
     * h for proceeds paid into a collateral line with these figures (margin-service's CollateralLine): price x
     * value_mm / market value, rounded down to {@value #CASH_VALUE_SCALE} decimals; 0 when the line's market value is
     * not > 0 (no line: the haircut is unknown, the proceeds are not counted).
     */
    public static BigDecimal cashValue(BigDecimal priceUsd, BigDecimal marketValueUsd, BigDecimal valueMmUsd) {
        if (marketValueUsd.signum() <= 0 || priceUsd.signum() <= 0 || valueMmUsd.signum() <= 0) {
            return BigDecimal.ZERO;
        }
        return priceUsd.multiply(valueMmUsd).divide(marketValueUsd, CASH_VALUE_SCALE, RoundingMode.DOWN);
    }

    /** MM + share x (IM - MM) for the whole lot, USD, exact. */
    public BigDecimal levelUsd() {
        return maintenanceMarginUsd.add(share.multiply(initialMarginUsd.subtract(maintenanceMarginUsd)));
    }

    /** Whether bids are bounded: the account was solvent (E >= 0) and not above its level when the auction opened. */
    public boolean binds() {
        return equityUsd.signum() >= 0 && equityUsd.subtract(levelUsd()).compareTo(MIN_SURPLUS_USD) < 0;
    }

    /**
     * Whether the account is above its level after a bid (by {@link #MIN_SURPLUS_USD} at least).
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
                && shortfall(remaining, proceedsSoFar, fraction, Bid.proceeds(paidUsd, penaltyUsd)).signum() <= 0;
    }

    /**
     * The largest fraction a bid at {@code lotPriceUsd} may take: the smallest one that restores the account, solved
     * exactly and rounded UP to {@value #FRACTION_SCALE} decimals, then raised to the smallest one at that scale whose
     * bid, with its cash and penalty rounded as the settlement rounds them, restores it (rounding never leaves it
     * short); {@code remaining} when the target does not bind, when the lot's value at the epoch start is <= 0 or a
     * bid pays the account nothing per unit (a price at or below the penalty), whatever earlier bids paid (what
     * remains is sold whole), or when no smaller fraction restores the account. The price only falls within an epoch,
     * so the bound only grows until the next reset.
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
        BigDecimal shortfall = shortfall(remaining, proceedsSoFar, BigDecimal.ZERO, BigDecimal.ZERO);
        if (shortfall.signum() <= 0) {
            // already restored (an auction closes when a bid restores it): any bid will do, and closes it
            return remaining;
        }
        // what one unit of fraction sold improves r0 x D x (equity' - level') by (see shortfall): its proceeds as margin
        // counts them and the lot's share of the level it no longer needs, less the equity it took away
        BigDecimal d = heldAtBase();
        BigDecimal gainPerUnit = d.multiply(baseRemaining).multiply(cashValueUsd).multiply(proceedsPerUnit)
                .add(lotFraction.multiply(baseRemaining).multiply(levelUsd())).subtract(d.multiply(lotEquityUsd()));
        if (gainPerUnit.signum() <= 0) {
            return remaining;
        }
        BigDecimal fraction = shortfall.divide(gainPerUnit, FRACTION_SCALE, RoundingMode.CEILING);
        BigDecimal shortOne = null;
        for (int i = 0; i < MAX_CORRECTIONS && fraction.compareTo(remaining) < 0; i++) {
            BigDecimal left = shortfallOfBid(remaining, proceedsSoFar, fraction, lotPriceUsd, penaltyRate, epochStartValueUsd);
            if (left.signum() <= 0) {
                return shortOne == null ? fraction
                        : smallestBetween(shortOne, fraction, remaining, proceedsSoFar, lotPriceUsd, penaltyRate, epochStartValueUsd);
            }
            shortOne = fraction;
            fraction = fraction.add(left.divide(gainPerUnit, FRACTION_SCALE, RoundingMode.CEILING).max(FRACTION_ULP));
        }
        return remaining;
    }

    /** Bisects down from {@code enough} (restores) towards {@code tooLittle} (does not), at the bound's scale. */
    private BigDecimal smallestBetween(BigDecimal tooLittle, BigDecimal enough, BigDecimal remaining, BigDecimal proceedsSoFar,
                                       BigDecimal lotPriceUsd, BigDecimal penaltyRate, BigDecimal epochStartValueUsd) {
        while (enough.subtract(tooLittle).compareTo(FRACTION_ULP) > 0) {
            BigDecimal middle = tooLittle.add(enough).divide(BigDecimal.valueOf(2), FRACTION_SCALE, RoundingMode.DOWN);
            if (shortfallOfBid(remaining, proceedsSoFar, middle, lotPriceUsd, penaltyRate, epochStartValueUsd).signum() <= 0) {
                enough = middle;
            } else {
                tooLittle = middle;
            }
        }
        return enough;
    }

    /** What a bid of {@code fraction} at {@code lotPriceUsd} leaves short ({@link #shortfall}), its cash rounded as settled. */
    private BigDecimal shortfallOfBid(BigDecimal remaining, BigDecimal proceedsSoFar, BigDecimal fraction, BigDecimal lotPriceUsd,
                                      BigDecimal penaltyRate, BigDecimal epochStartValueUsd) {
        BigDecimal paid = AuctionRules.paid(fraction, lotPriceUsd);
        BigDecimal proceeds = Bid.proceeds(paid, Penalty.of(penaltyRate, fraction, epochStartValueUsd, paid));
        return shortfall(remaining, proceedsSoFar, fraction, proceeds);
    }

    /**
     * How far the account is from restored after the bid, times r0 x D (so exact, and the same sign; D =
     * {@link #heldAtBase}, r0 x D x q = f x r0^2): r0 x D x (level' + {@link #MIN_SURPLUS_USD} - equity'); <= 0 restored.
     */
    private BigDecimal shortfall(BigDecimal remaining, BigDecimal proceedsSoFar, BigDecimal fraction, BigDecimal proceeds) {
        BigDecimal left = remaining.subtract(fraction);
        BigDecimal d = heldAtBase();
        BigDecimal proceedsSinceBase = proceedsSoFar.subtract(baseProceedsUsd).add(proceeds);
        BigDecimal equityAfter = baseRemaining.multiply(realizedPnlUsd).add(left.multiply(lotEquityUsd()))
                .add(baseRemaining.multiply(cashValueUsd).multiply(proceedsSinceBase));
        // r0 x D x level' = r0 x (D - f x r0) x level + left x f x r0 x level, and D - f x r0 = 1 - f
        BigDecimal levelAfter = baseRemaining.multiply(BigDecimal.ONE.subtract(lotFraction))
                .add(left.multiply(lotFraction).multiply(baseRemaining)).multiply(levelUsd());
        return levelAfter.add(d.multiply(baseRemaining).multiply(MIN_SURPLUS_USD)).subtract(d.multiply(equityAfter));
    }

    /**
     * D = 1 - f + f x r0: what the account held at the base, in parts of its portfolio at the open (r0 for a whole lot);
     * the remaining lot is f x r0 / D of it.
     */
    private BigDecimal heldAtBase() {
        return BigDecimal.ONE.subtract(lotFraction).add(lotFraction.multiply(baseRemaining));
    }

    /** E - R: the part of the equity what remains of the lot at the base carries. */
    private BigDecimal lotEquityUsd() {
        return equityUsd.subtract(realizedPnlUsd);
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
