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

    static BufferTarget target(String equity, String mm, String im, String share) {
        return new BufferTarget(new BigDecimal(equity), new BigDecimal(mm), new BigDecimal(im), new BigDecimal(share));
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
        assertThat(target("1200", "1000", "1400", "0.5").binds()).as("at its level").isFalse();
        assertThatThrownBy(() -> target("900", "1000", "1400", "1.01")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> target("900", "1000", "1400", "-0.01")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void oneBidAtTheStartPriceRestoresTheAccount() {
        // no penalty: f x 950 in, (1 - f) x 300 still short: f = 300 / (950 + 300) = 0.24 exactly
        BigDecimal noPenalty = bound(HALF, "1", "0", "950", BigDecimal.ZERO);
        assertThat(noPenalty).isEqualByComparingTo("0.24");
        // 0.24 x 950 = 228 = 0.76 x 300: exactly at the level
        assertThat(restores(HALF, BigDecimal.ONE, BigDecimal.ZERO, noPenalty, "950", BigDecimal.ZERO)).isTrue();
        assertThat(restores(HALF, BigDecimal.ONE, BigDecimal.ZERO, new BigDecimal("0.2399"), "950", BigDecimal.ZERO)).isFalse();
    }

    @Test
    void thePenaltyComesOutOfTheProceedsSoTheBoundIsLarger() {
        // 0.02 x V = 20 per unit to the fund: 930 per unit kept; f = 300 / 1230 = 0.243902439024390... -> up to 12 places
        BigDecimal f = bound(HALF, "1", "0", "950", RATE);
        assertThat(f.toPlainString()).isEqualTo("0.243902439025");
        // paid 231.70731707375 -> 231.707317, penalty 4.8780487805 -> 4.878048 (down): 226.829269 kept, against
        // (1 - f) x 300 = 226.8292682925 still short: restored by 0.0000007075
        assertThat(proceeds(f, "950", RATE)).isEqualByComparingTo("226.829269");
        assertThat(restores(HALF, BigDecimal.ONE, BigDecimal.ZERO, f, "950", RATE)).isTrue();
    }

    @Test
    void aSecondBidAtALowerPriceStartsFromWhatTheFirstLeft() {
        // bid 1: 0.1 at 950, paid 95, penalty 2: 93 kept, 0.9 of the lot left
        BigDecimal kept = proceeds(new BigDecimal("0.1"), "950", RATE);
        assertThat(kept).isEqualByComparingTo("93");
        assertThat(bound(HALF, "0.9", "93", "950", RATE)).as("below the first bid's bound").isLessThan(new BigDecimal("0.9"));
        // bid 2 at 900 (880 kept per unit): deficit 0.9 x 300 - 93 = 177, gain 880 + 300 per unit: 177 / 1180 = 0.15
        BigDecimal second = bound(HALF, "0.9", "93", "900", RATE);
        assertThat(second).isEqualByComparingTo("0.15");
        // 0.15 x 900 = 135 paid, 3 penalty: 93 + 132 = 225 = 0.75 x 300, exactly at the level; 0.25 of the lot sold in
        // all, where the first bid's price alone would have needed 0.243902439025 and 900 alone 300 / 1180 = 0.2542...
        assertThat(restores(HALF, new BigDecimal("0.9"), kept, second, "900", RATE)).isTrue();
        assertThat(bound(HALF, "1", "0", "900", RATE).toPlainString()).isEqualTo("0.254237288136");
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
                BigDecimal.ZERO, false, true, null, new BigDecimal("1400"), new BigDecimal("1000"));
        assertThat(noEquity.bufferTarget(new BigDecimal("0.5"))).isNull();
        AccountSnapshot all = new AccountSnapshot("alice", java.util.List.of(), java.util.List.of(), BigDecimal.ZERO,
                BigDecimal.ZERO, false, true, new BigDecimal("900"), new BigDecimal("1400"), new BigDecimal("1000"));
        assertThat(all.bufferTarget(new BigDecimal("0.5"))).isEqualTo(HALF);
        AuctionState unbounded = new AuctionState("a-1", "alice", AuctionStatus.OPEN, 1, null, V, new BigDecimal("0.8"),
                PriceCurveTest.DEFAULT_CURVE, java.util.List.of(), null, BigDecimal.ZERO);
        assertThat(unbounded.maxFraction(new BigDecimal("950"), RATE)).isEqualByComparingTo("0.8");
        assertThat(unbounded.restoredBy(new BigDecimal("0.5"), new BigDecimal("1000000"), BigDecimal.ZERO)).isFalse();
    }

    @Test
    void shareZeroRestoresMmAndRoundingUpIsRaisedUntilTheCashCovers() {
        // level = MM = 1000, 100 short; no penalty: exact 100 / 1050 = 0.095238095238095..., up: 0.095238095239.
        // Its cash 0.095238095239 x 950 = 90.47619047705 rounds (half-even, 6 places) to 90.476190, short of
        // 0.904761904761 x 100 = 90.4761904761 by 0.0000004761: raised to the smallest fraction whose cash rounds to
        // 90.476191, i.e. f x 950 > 90.4761905: 0.095238095264 (0.095238095263 x 950 = 90.47619049985 rounds down)
        BufferTarget mm = target("900", "1000", "1400", "0");
        BigDecimal f = bound(mm, "1", "0", "950", BigDecimal.ZERO);
        assertThat(f.toPlainString()).isEqualTo("0.095238095264");
        assertThat(restores(mm, BigDecimal.ONE, BigDecimal.ZERO, f, "950", BigDecimal.ZERO)).isTrue();
        BigDecimal below = new BigDecimal("0.095238095263");
        assertThat(restores(mm, BigDecimal.ONE, BigDecimal.ZERO, below, "950", BigDecimal.ZERO)).isFalse();
    }

    @Test
    void shareOneRestoresIm() {
        // level = IM = 1400, 500 short: 500 / 1450 = 0.344827586206896... up: 0.344827586207; its cash 327.586207
        // (327.58620689665 rounded) covers 0.655172413793 x 500 = 327.5862068965
        BufferTarget im = target("900", "1000", "1400", "1");
        BigDecimal f = bound(im, "1", "0", "950", BigDecimal.ZERO);
        assertThat(f.toPlainString()).isEqualTo("0.344827586207");
        assertThat(restores(im, BigDecimal.ONE, BigDecimal.ZERO, f, "950", BigDecimal.ZERO)).isTrue();
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
            BufferTarget t = new BufferTarget(equity, mm, im, BigDecimal.valueOf(random.nextInt(101), 2));
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
}
