package dev.crosschain.liquidation.domain;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The bound, computed by hand. The account of most cases: E 900, MM 1000, IM 1400; share 0.5 puts its level at
 * 1000 + 0.5 x 400 = 1200, 300 above E per whole lot. The lot's mark value V (epoch start) is 1000.
 */
class BufferTargetTest {

    static final BigDecimal V = new BigDecimal("1000");
    static final BigDecimal RATE = new BigDecimal("0.02");
    static final BufferTarget HALF = target("900", "1000", "1400", "0.5");

    /** No realized PnL, proceeds counted at 1 USD per USDC (no haircut). */
    static BufferTarget target(String equity, String mm, String im, String share) {
        return target(equity, mm, im, "0", "1", share);
    }

    static BufferTarget target(String equity, String mm, String im, String realized, String cashValue, String share) {
        return new BufferTarget(new BigDecimal(equity), new BigDecimal(mm), new BigDecimal(im), new BigDecimal(realized),
                new BigDecimal(cashValue), new BigDecimal(share));
    }

    private static BigDecimal bound(BufferTarget t, String remaining, String proceedsSoFar, String price, BigDecimal rate) {
        return t.maxFraction(new BigDecimal(remaining), new BigDecimal(proceedsSoFar), new BigDecimal(price), rate, V);
    }

    /** What the account keeps of a bid, rounded as the settlement rounds it. */
    private static BigDecimal proceeds(BigDecimal fraction, String price, BigDecimal rate) {
        BigDecimal paid = AuctionRules.paid(fraction, new BigDecimal(price));
        return Bid.proceeds(paid, Penalty.of(rate, fraction, V, paid));
    }

    /** Whether a bid of {@code fraction} at {@code price}, its cash and penalty rounded as settled, restores the account. */
    private static boolean restores(BufferTarget t, BigDecimal remaining, BigDecimal proceedsSoFar, BigDecimal fraction,
                                    String price, BigDecimal rate) {
        BigDecimal paid = AuctionRules.paid(fraction, new BigDecimal(price));
        return t.restoredAfter(remaining, proceedsSoFar, fraction, paid, Penalty.of(rate, fraction, V, paid));
    }

    @Test
    void theLevelIsMmPlusTheShareOfTheGapAndBindsOnlyASolventAccountBelowIt() {
        assertThat(HALF.levelUsd()).isEqualByComparingTo("1200");
        assertThat(HALF.binds()).isTrue();
        assertThat(target("-100", "1000", "1400", "0.5").binds()).as("insolvent").isFalse();
        assertThat(target("0", "1000", "1400", "0.5").binds()).as("equity 0 is not insolvent").isTrue();
        // margin-service says LIQUIDATION at equity <= MM: at its level is not above it, one micro-USD above is
        assertThat(target("1200", "1000", "1400", "0.5").binds()).as("at its level").isTrue();
        assertThat(target("1200.000001", "1000", "1400", "0.5").binds()).as("above its level").isFalse();
        assertThatThrownBy(() -> target("900", "1000", "1400", "1.01")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> target("900", "1000", "1400", "-0.01")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void oneBidAtTheStartPriceRestoresTheAccount() {
        // no penalty: f x 950 in, (1 - f) x 300 still short, and 0.000001 above the level needed:
        // f = 300.000001 / (950 + 300) = 0.2400000008 exactly
        BigDecimal noPenalty = bound(HALF, "1", "0", "950", BigDecimal.ZERO);
        assertThat(noPenalty).isEqualByComparingTo("0.2400000008");
        // its cash 228.00000076 -> 228.000001 against 0.7599999992 x 300 = 227.99999976: 0.00000124 above
        assertThat(restores(HALF, BigDecimal.ONE, BigDecimal.ZERO, noPenalty, "950", BigDecimal.ZERO)).isTrue();
        // 0.24: 228 = 0.76 x 300, exactly at the level, which margin-service still calls LIQUIDATION
        assertThat(restores(HALF, BigDecimal.ONE, BigDecimal.ZERO, new BigDecimal("0.24"), "950", BigDecimal.ZERO)).isFalse();
    }

    @Test
    void thePenaltyComesOutOfTheProceedsSoTheBoundIsLarger() {
        // 0.02 x V = 20 per unit to the fund: 930 per unit kept; f = 300.000001 / 1230 = 0.2439024398373... -> up to
        // 12 places 0.243902439838
        BigDecimal f = bound(HALF, "1", "0", "950", RATE);
        assertThat(f.toPlainString()).isEqualTo("0.243902439838");
        // paid 231.7073178461 -> 231.707318, penalty 4.87804879676 -> 4.878048 (down): 226.82927 kept, against
        // (1 - f) x 300 = 226.8292680486 still short: 0.0000019514 above
        assertThat(proceeds(f, "950", RATE)).isEqualByComparingTo("226.82927");
        assertThat(restores(HALF, BigDecimal.ONE, BigDecimal.ZERO, f, "950", RATE)).isTrue();
    }

    @Test
    void aSecondBidAtALowerPriceStartsFromWhatTheFirstLeft() {
        // bid 1: 0.1 at 950, paid 95, penalty 2: 93 kept, 0.9 of the lot left
        BigDecimal kept = proceeds(new BigDecimal("0.1"), "950", RATE);
        assertThat(kept).isEqualByComparingTo("93");
        assertThat(bound(HALF, "0.9", "93", "950", RATE)).as("below the first bid's bound").isLessThan(new BigDecimal("0.9"));
        // bid 2 at 900 (880 kept per unit): short 0.9 x 300 - 93 + 0.000001 = 177.000001, gain 880 + 300 per unit:
        // 177.000001 / 1180 = 0.1500000008474... -> 0.150000000848
        BigDecimal second = bound(HALF, "0.9", "93", "900", RATE);
        assertThat(second).isEqualByComparingTo("0.150000000848");
        // paid 135.0000007632 -> 135.000001, penalty 3.00000001696 -> 3: 93 + 132.000001 against 0.749999999152 x 300
        // = 224.9999997456: 0.0000012544 above. About 0.25 of the lot sold in all, where the first bid's price alone
        // would have needed 0.243902439838 and 900 alone 300.000001 / 1180 = 0.25423728898305... -> 0.254237288984
        assertThat(restores(HALF, new BigDecimal("0.9"), kept, second, "900", RATE)).isTrue();
        assertThat(bound(HALF, "1", "0", "900", RATE).toPlainString()).isEqualTo("0.254237288984");
    }

    @Test
    void theBoundGrowsAsThePriceFalls() {
        BigDecimal previous = BigDecimal.ZERO;
        for (String price : new String[]{"950", "900", "700", "500", "100"}) {
            BigDecimal f = bound(HALF, "1", "0", price, RATE);
            assertThat(f).as(price).isGreaterThan(previous);
            previous = f;
        }
    }

    @Test
    void noProceedsPerUnitMeansTheWholeRest() {
        // a price at or below the penalty (0.02 x 1000 = 20) or below zero pays the account nothing
        assertThat(bound(HALF, "1", "0", "20", RATE)).isEqualByComparingTo("1");
        assertThat(bound(HALF, "0.6", "0", "15", RATE)).isEqualByComparingTo("0.6");
        assertThat(bound(HALF, "1", "0", "-52.5", RATE)).isEqualByComparingTo("1");
        assertThat(bound(HALF, "1", "0", "0", BigDecimal.ZERO)).isEqualByComparingTo("1");
    }

    @Test
    void aLotWorthNothingOrABidPayingNothingIsSoldWholeEvenAfterCashWasReceived() {
        // the first bid sold 0.1 for 93 kept, then a reset valued the rest at -200: the price -190 pays the account
        // nothing, so no part of what remains restores it (the old bound, 177 / 300 = 0.59, had the fund pay a bid
        // -112.10 and called the account restored)
        BigDecimal negative = new BigDecimal("-200");
        assertThat(HALF.maxFraction(new BigDecimal("0.9"), new BigDecimal("93"), new BigDecimal("-190"), RATE, negative))
                .isEqualByComparingTo("0.9");
        BigDecimal paid = AuctionRules.paid(new BigDecimal("0.59"), new BigDecimal("-190"));
        assertThat(paid).isEqualByComparingTo("-112.1");
        assertThat(HALF.restoredAfter(new BigDecimal("0.9"), new BigDecimal("93"), new BigDecimal("0.59"), paid, BigDecimal.ZERO))
                .as("a bid the fund pays for never restores").isFalse();
        // a reset to a value > 0 but a price at or below the penalty (0.02 x 1000 = 20 per unit): nothing kept per unit
        assertThat(bound(HALF, "0.9", "93", "20", RATE)).isEqualByComparingTo("0.9");
        assertThat(bound(HALF, "0.9", "93", "0", RATE)).isEqualByComparingTo("0.9");
        BigDecimal zeroPaid = AuctionRules.paid(new BigDecimal("0.59"), BigDecimal.ZERO);
        assertThat(HALF.restoredAfter(new BigDecimal("0.9"), new BigDecimal("93"), new BigDecimal("0.59"), zeroPaid, BigDecimal.ZERO))
                .isFalse();
        // the start value itself <= 0 with a positive price: sold whole as well
        assertThat(HALF.maxFraction(new BigDecimal("0.9"), new BigDecimal("93"), new BigDecimal("950"), RATE, BigDecimal.ZERO))
                .isEqualByComparingTo("0.9");
    }

    @Test
    void anInsolventOrUnboundedAccountIsSoldWhole() {
        assertThat(bound(target("-100", "1000", "1400", "0.5"), "1", "0", "950", RATE)).isEqualByComparingTo("1");
        assertThat(bound(target("1300", "1000", "1400", "0.5"), "0.7", "0", "950", RATE)).isEqualByComparingTo("0.7");
        assertThat(target("-100", "1000", "1400", "0.5").restoredAfter(BigDecimal.ONE, BigDecimal.ZERO, new BigDecimal("0.5"),
                new BigDecimal("1000000"), BigDecimal.ZERO)).as("never ends early").isFalse();
    }

    @Test
    void missingFiguresGiveNoTargetAndNoBound() {
        AccountSnapshot noEquity = new AccountSnapshot("alice", java.util.List.of(), java.util.List.of(), BigDecimal.ZERO,
                BigDecimal.ZERO, false, true, null, new BigDecimal("1400"), new BigDecimal("1000"), BigDecimal.ZERO);
        assertThat(noEquity.bufferTarget(new BigDecimal("0.5"), "ethereum", "USDC")).isNull();
        AccountSnapshot all = new AccountSnapshot("alice", java.util.List.of(), java.util.List.of(), BigDecimal.ZERO,
                BigDecimal.ZERO, false, true, new BigDecimal("900"), new BigDecimal("1400"), new BigDecimal("1000"),
                new BigDecimal("50"));
        // no ethereum/USDC line: the haircut is unknown, the proceeds are not counted
        assertThat(all.bufferTarget(new BigDecimal("0.5"), "ethereum", "USDC"))
                .isEqualTo(target("900", "1000", "1400", "50", "0", "0.5"));
        AuctionState unbounded = new AuctionState("a-1", "alice", AuctionStatus.OPEN, 1, null, V, new BigDecimal("0.8"),
                PriceCurveTest.DEFAULT_CURVE, java.util.List.of(), null, BigDecimal.ZERO);
        assertThat(unbounded.maxFraction(new BigDecimal("950"), RATE)).isEqualByComparingTo("0.8");
        assertThat(unbounded.restoredBy(new BigDecimal("0.5"), new BigDecimal("1000000"), BigDecimal.ZERO)).isFalse();
    }

    @Test
    void shareZeroRestoresMmAndRoundingUpIsRaisedUntilTheCashCovers() {
        // level = MM = 1000, 100 short; no penalty: exact 100.000001 / 1050 = 0.09523809619047..., up: 0.095238096191.
        // Its cash 0.095238096191 x 950 = 90.47619138145 rounds (half-even, 6 places) to 90.476191, only 0.000000619 above
        // 0.904761903809 x 100 = 90.4761903809: raised to the smallest fraction whose cash rounds to 90.476192, i.e.
        // f x 950 >= 90.4761915: 0.095238096316 (0.095238096315 x 950 = 90.47619149925 rounds down: 0.0000006315 above)
        BufferTarget mm = target("900", "1000", "1400", "0");
        BigDecimal f = bound(mm, "1", "0", "950", BigDecimal.ZERO);
        assertThat(f.toPlainString()).isEqualTo("0.095238096316");
        assertThat(restores(mm, BigDecimal.ONE, BigDecimal.ZERO, f, "950", BigDecimal.ZERO)).isTrue();
        BigDecimal below = new BigDecimal("0.095238096315");
        assertThat(restores(mm, BigDecimal.ONE, BigDecimal.ZERO, below, "950", BigDecimal.ZERO)).isFalse();
    }

    @Test
    void shareOneRestoresIm() {
        // level = IM = 1400, 500 short: 500.000001 / 1450 = 0.3448275868965... up: 0.344827586897; its cash 327.586208
        // (327.58620755215 rounded) is 0.0000014485 above 0.655172413103 x 500 = 327.5862065515
        BufferTarget im = target("900", "1000", "1400", "1");
        BigDecimal f = bound(im, "1", "0", "950", BigDecimal.ZERO);
        assertThat(f.toPlainString()).isEqualTo("0.344827586897");
        assertThat(restores(im, BigDecimal.ONE, BigDecimal.ZERO, f, "950", BigDecimal.ZERO)).isTrue();
    }

    @Test
    void realizedPnlStaysWithTheAccountAndIsNotScaled() {
        // E 900 of which R 300 realized: the lot carries 600. Selling f: 300 + (1 - f) x 600 + 950 f against
        // (1 - f) x 1200: short 300.000001, gain 950 + 1200 - 600 = 1550: 0.19354838774193... -> 0.193548387742, whose
        // cash 183.8709683549 rounds to 183.870968, 0.0000003548 short of the micro-USD above; raised to 0.193548387895
        // (cash 183.87096850025 -> 183.870969: 0.000001737 above; 0.193548387894 rounds to 183.870968, 0.0000002636 short)
        BufferTarget withRealized = target("900", "1000", "1400", "300", "1", "0.5");
        BigDecimal f = bound(withRealized, "1", "0", "950", BigDecimal.ZERO);
        assertThat(f.toPlainString()).isEqualTo("0.193548387895");
        assertThat(restores(withRealized, BigDecimal.ONE, BigDecimal.ZERO, f, "950", BigDecimal.ZERO)).isTrue();
        assertThat(restores(withRealized, BigDecimal.ONE, BigDecimal.ZERO, new BigDecimal("0.193548387894"), "950",
                BigDecimal.ZERO)).isFalse();
        // scaling R too (the old model) would have called 0.1935... restored at 0.8064... x 900 + 183.87 = 909.67,
        // while margin sees 300 + 0.8064... x 600 + 183.87 = 967.74 against a level of 967.74: equal, LIQUIDATION
        assertThat(bound(HALF, "1", "0", "950", BigDecimal.ZERO)).isGreaterThan(f);
    }

    @Test
    void theProceedsCountAtTheirMmHaircutAndNotAtAllWhenItIsUnknown() {
        // USDC at a 2% MM haircut: 0.98 per unit; gain 0.98 x 950 + 300 = 1231: 300.000001 / 1231 = 0.24370430625507...
        // -> 0.243704306256 (cash 231.5190909432 -> 231.519091, counted 0.98 x 231.519091 = 226.88870918 against
        // the 0.756295693744 x 300 = 226.8887081232 still short: 0.0000010568 above)
        BufferTarget haircut = target("900", "1000", "1400", "0", "0.98", "0.5");
        BigDecimal f = bound(haircut, "1", "0", "950", BigDecimal.ZERO);
        assertThat(f.toPlainString()).isEqualTo("0.243704306256");
        assertThat(f).isGreaterThan(bound(HALF, "1", "0", "950", BigDecimal.ZERO));
        assertThat(restores(haircut, BigDecimal.ONE, BigDecimal.ZERO, f, "950", BigDecimal.ZERO)).isTrue();
        // h from the view's line: price 1, market value 1000, after the MM haircut 980
        assertThat(BufferTarget.cashValue(BigDecimal.ONE, new BigDecimal("1000"), new BigDecimal("980")))
                .isEqualByComparingTo("0.98");
        // rounded down: 1 x 2 / 3 = 0.666666666666
        assertThat(BufferTarget.cashValue(BigDecimal.ONE, new BigDecimal("3"), new BigDecimal("2")).toPlainString())
                .isEqualTo("0.666666666666");
        assertThat(BufferTarget.cashValue(BigDecimal.ONE, BigDecimal.ZERO, BigDecimal.ZERO)).isZero();
        // unknown (0): selling cannot restore an account without realized PnL, the whole lot is sold ...
        assertThat(bound(target("900", "1000", "1400", "0", "0", "0.5"), "1", "0", "950", BigDecimal.ZERO))
                .isEqualByComparingTo("1");
        // ... but with R 300 half of it, and a micro-USD more, restores it: 300 + 0.5 x 600 = 0.5 x 1200 + 0.000001 at
        // f = 0.500000001667 (300.000001 / 600 up)
        assertThat(bound(target("900", "1000", "1400", "300", "0", "0.5"), "1", "0", "950", BigDecimal.ZERO).toPlainString())
                .isEqualTo("0.500000001667");
    }

    /** Whatever the figures, a bound below the rest of the lot leaves the account at or above its level. */
    @Test
    void theBoundNeverLeavesTheAccountBelowItsLevel() {
        // replay: -Dbuffer.seed=<the seed printed>
        long seed = Long.getLong("buffer.seed", System.nanoTime());
        System.out.println("BufferTargetTest.theBoundNeverLeavesTheAccountBelowItsLevel seed " + seed);
        Random random = new Random(seed);
        for (int i = 0; i < 2000; i++) {
            BigDecimal mm = decimal(random, 1, 100_000);
            BigDecimal im = mm.add(decimal(random, 0, 50_000));
            BigDecimal equity = decimal(random, 0, mm.doubleValue());
            // realized PnL anywhere from a loss of half the equity to all of it; proceeds counted at 0.9 to 1 per USDC
            BigDecimal realized = decimal(random, -equity.doubleValue() / 2, equity.doubleValue());
            BigDecimal cashValue = decimal(random, 0.9, 1);
            BufferTarget t = new BufferTarget(equity, mm, im, realized, cashValue, BigDecimal.valueOf(random.nextInt(101), 2));
            BigDecimal remaining = BigDecimal.valueOf(1 + random.nextInt(1000), 3);
            BigDecimal soFar = decimal(random, 0, 1000);
            BigDecimal value = decimal(random, 1, 200_000);
            BigDecimal price = value.multiply(BigDecimal.valueOf(random.nextInt(96), 2)).setScale(8, RoundingMode.HALF_EVEN);
            BigDecimal rate = BigDecimal.valueOf(random.nextInt(4), 2);
            BigDecimal f = t.maxFraction(remaining, soFar, price, rate, value);
            assertThat(f).as("seed %d case %d", seed, i).isPositive().isLessThanOrEqualTo(remaining);
            if (f.compareTo(remaining) < 0) {
                BigDecimal paid = AuctionRules.paid(f, price);
                assertThat(t.restoredAfter(remaining, soFar, f, paid, Penalty.of(rate, f, value, paid)))
                        .as("seed %d case %d: %s", seed, i, t).isTrue();
            }
        }
    }

    private static BigDecimal decimal(Random random, double from, double to) {
        return BigDecimal.valueOf(from + random.nextDouble() * (to - from)).setScale(6, RoundingMode.DOWN);
    }

    /**
     * Re-based at a reset after a tenth was sold for 139.5 kept (AccountSnapshotTest's view): E 1453.5, MM 1350, IM 1890
     * (level 1620), R 139.5, h 1, r0 0.9, C0 139.5; the lot as opened worth V = 1600 now, price 0.95 x 1600 = 1520,
     * penalty 0.02 x 1600 = 32 per unit, 1488 kept. Nothing sold since: equity' = E, short 166.5 (+ 0.000001); per unit
     * of the whole lot sold, the level falls 1620 / 0.9 = 1800, the equity 1314 / 0.9 = 1460, the cash brings 1488:
     * F = (166.5 + 0.000001) / 1828 = 0.091083151531728..., up to 12 places 0.091083151532 (cash 138.44639032864 ->
     * 138.446390, penalty 2.914660, 0.00000047 to spare); 0.091 is short. The open's figures would have bound it at 0.136996904...
     */
    @Test
    void aReBasedTargetCountsFAndCFromItsBase() {
        BufferTarget rebased = new BufferTarget(new BigDecimal("1453.5"), new BigDecimal("1350"), new BigDecimal("1890"),
                new BigDecimal("139.5"), BigDecimal.ONE, new BigDecimal("0.5"), new BigDecimal("0.9"), new BigDecimal("139.5"));
        BigDecimal v = new BigDecimal("1600");
        BigDecimal remaining = new BigDecimal("0.9");
        BigDecimal soFar = new BigDecimal("139.5");
        BigDecimal bound = rebased.maxFraction(remaining, soFar, new BigDecimal("1520"), RATE, v);
        assertThat(bound).isEqualByComparingTo("0.091083151532");
        BigDecimal paid = AuctionRules.paid(bound, new BigDecimal("1520"));
        assertThat(paid).isEqualByComparingTo("138.446390");
        assertThat(Penalty.of(RATE, bound, v, paid)).isEqualByComparingTo("2.914660");
        assertThat(rebased.restoredAfter(remaining, soFar, bound, paid, Penalty.of(RATE, bound, v, paid))).isTrue();
        BigDecimal less = new BigDecimal("0.091");
        BigDecimal paidLess = AuctionRules.paid(less, new BigDecimal("1520"));
        assertThat(rebased.restoredAfter(remaining, soFar, less, paidLess, Penalty.of(RATE, less, v, paidLess))).isFalse();
        // the open's figures (E 1350, MM 1500, IM 2100, r0 1, C0 0) at the same price would sell far more
        assertThat(target("1350", "1500", "2100", "0.5").maxFraction(remaining, soFar, new BigDecimal("1520"), RATE, v))
                .isGreaterThan(new BigDecimal("0.1369"));
        assertThatThrownBy(() -> new BufferTarget(BigDecimal.ONE, BigDecimal.ONE, BigDecimal.ONE, BigDecimal.ZERO,
                BigDecimal.ONE, BigDecimal.ONE, BigDecimal.ZERO, BigDecimal.ZERO)).isInstanceOf(IllegalArgumentException.class);
    }

    /**
     * A cap cut the lot to half the portfolio (f 0.5) of HALF's account (E 900, MM 1000, IM 1400, level 1200, R 0, h 1):
     * the lot is worth 500, priced 475, no penalty. R becomes the equity outside the lot, 0 + 0.5 x 900 = 450. Selling x
     * of the lot sells 0.5 x of the portfolio: equity' = 900 - 450 x + 475 x, level' = 1200 x (1 - 0.5 x) = 1200 - 600 x;
     * restored once 625 x >= 300.000001: x = 0.4800000016 (cash 228.00000076 -> 228.000001). At x = 0.48 the account is
     * at its level exactly (684 + 228 = 912 = 0.76 x 1200): not restored. Counted as a whole lot it would stop at
     * 300.000001 / (1200 - 900 + 475) = 0.387..., short; unbounded (the branch before) it sold all of it.
     */
    @Test
    void aPartialLotKeepsTheBoundWithTheRestOfThePortfolioStillMargined() {
        BufferTarget part = HALF.ofPart(new BigDecimal("0.5"));
        assertThat(part.realizedPnlUsd()).isEqualByComparingTo("450");
        assertThat(part.levelUsd()).isEqualByComparingTo("1200");
        assertThat(part.binds()).isTrue();
        BigDecimal v = new BigDecimal("500");
        BigDecimal price = new BigDecimal("475");
        BigDecimal bound = part.maxFraction(BigDecimal.ONE, BigDecimal.ZERO, price, BigDecimal.ZERO, v);
        assertThat(bound).isEqualByComparingTo("0.4800000016");
        assertThat(part.restoredAfter(BigDecimal.ONE, BigDecimal.ZERO, bound, AuctionRules.paid(bound, price), BigDecimal.ZERO))
                .isTrue();
        BigDecimal atLevel = new BigDecimal("0.48");
        assertThat(part.restoredAfter(BigDecimal.ONE, BigDecimal.ZERO, atLevel, AuctionRules.paid(atLevel, price),
                BigDecimal.ZERO)).isFalse();
        // after a first bid of 0.2 of the lot for 95 kept: equity' = 900 - 90 - 450 y + 95 + 475 y... from what remains,
        // 0.8: the bound is counted on the same figures (F and C from the open) and ends at the same total 0.4800000016
        BigDecimal second = part.maxFraction(new BigDecimal("0.8"), new BigDecimal("95"), price, BigDecimal.ZERO, v);
        assertThat(second).isEqualByComparingTo("0.2800000016");
    }
}
