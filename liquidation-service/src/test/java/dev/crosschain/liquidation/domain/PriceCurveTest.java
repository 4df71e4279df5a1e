package dev.crosschain.liquidation.domain;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PriceCurveTest {

    static final PriceCurve DEFAULT_CURVE = new PriceCurve(new BigDecimal("0.95"), new BigDecimal("0.50"), Duration.ofSeconds(600));
    static final Instant START = Instant.parse("2025-01-01T00:00:00Z");
    static final BigDecimal TEN_THOUSAND = new BigDecimal("10000");

    private static BigDecimal priceAfter(BigDecimal value, Duration elapsed) {
        return DEFAULT_CURVE.lotPrice(value, START, START.plus(elapsed));
    }

    @Test
    void startsAtBufTimesValue() {
        assertThat(priceAfter(TEN_THOUSAND, Duration.ZERO)).isEqualByComparingTo("9500").hasScaleOf(8);
        assertThat(priceAfter(TEN_THOUSAND, Duration.ZERO).toPlainString()).isEqualTo("9500.00000000");
    }

    @Test
    void fallsLinearlyToTheMiddle() {
        // d = 0.05 + 0.45 * 0.5 = 0.275
        assertThat(priceAfter(TEN_THOUSAND, Duration.ofSeconds(300))).isEqualByComparingTo("7250");
        // d = 0.05 + 0.45 * 0.1 = 0.095
        assertThat(priceAfter(TEN_THOUSAND, Duration.ofSeconds(60))).isEqualByComparingTo("9050");
    }

    @Test
    void reachesTheFloorAtTheEndAndStaysThere() {
        assertThat(priceAfter(TEN_THOUSAND, Duration.ofSeconds(600))).isEqualByComparingTo("5000");
        assertThat(priceAfter(TEN_THOUSAND, Duration.ofSeconds(900))).isEqualByComparingTo("5000");
        assertThat(priceAfter(TEN_THOUSAND, Duration.ofDays(30))).isEqualByComparingTo("5000");
    }

    @Test
    void beforeTheStartHoldsTheStartPrice() {
        assertThat(DEFAULT_CURVE.lotPrice(TEN_THOUSAND, START, START.minusSeconds(10))).isEqualByComparingTo("9500");
    }

    @Test
    void isAPureFunctionOfTheStartTime() {
        Instant at = START.plusMillis(123_456);
        assertThat(DEFAULT_CURVE.lotPrice(TEN_THOUSAND, START, at))
                .isEqualTo(DEFAULT_CURVE.lotPrice(TEN_THOUSAND, START, at));
        // one millisecond: d = 0.05 + 0.45 / 600000 = 0.05000075
        assertThat(priceAfter(new BigDecimal("3"), Duration.ofMillis(1))).isEqualByComparingTo("2.84999775");
    }

    @Test
    void roundsOnceHalfEvenToEightDecimals() {
        // 0.95e-8 -> 1e-8 ; 0.5 * 1e-8 at the floor -> 0.5e-8 -> 0 (half even)
        assertThat(priceAfter(new BigDecimal("0.00000001"), Duration.ZERO)).isEqualByComparingTo("0.00000001");
        assertThat(priceAfter(new BigDecimal("0.00000001"), Duration.ofSeconds(600))).isEqualByComparingTo("0");
        assertThat(priceAfter(new BigDecimal("0.00000003"), Duration.ofSeconds(600))).isEqualByComparingTo("0.00000002");
    }

    @Test
    void nonPositiveValueFallsFurtherBelowIt() {
        assertThat(priceAfter(new BigDecimal("-1000"), Duration.ZERO)).isEqualByComparingTo("-1050");
        assertThat(priceAfter(new BigDecimal("-1000"), Duration.ofSeconds(600))).isEqualByComparingTo("-1500");
        assertThat(priceAfter(BigDecimal.ZERO, Duration.ofSeconds(300))).isEqualByComparingTo("0");
    }

    @Test
    void refusesNonsenseParameters() {
        assertThatThrownBy(() -> new PriceCurve(new BigDecimal("1.1"), new BigDecimal("0.5"), Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new PriceCurve(new BigDecimal("0.9"), new BigDecimal("0.95"), Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new PriceCurve(new BigDecimal("0.9"), new BigDecimal("0.5"), Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
    }

    // ---- stair-step: f = max(floor, buf * cut^floor(t / step)) ----

    /** buf 0.95, floor 0.50, a cut of 0.9 every 10 s; no resets. */
    static final PriceCurve STAIRS = PriceCurve.stairStep(new BigDecimal("0.95"), new BigDecimal("0.50"),
            Duration.ofSeconds(10), new BigDecimal("0.9"), Duration.ZERO, BigDecimal.ZERO);
    /** buf 0.95, floor 0.50, continuous decay by 0.81 per 10 s (0.9 per 5 s); no resets. */
    static final PriceCurve EXPONENTIAL = PriceCurve.exponential(new BigDecimal("0.95"), new BigDecimal("0.50"),
            Duration.ofSeconds(10), new BigDecimal("0.81"), Duration.ZERO, BigDecimal.ZERO);

    private static BigDecimal price(PriceCurve curve, String value, Duration elapsed) {
        return curve.lotPrice(new BigDecimal(value), START, START.plus(elapsed));
    }

    @Test
    void stairStepHoldsEachStepThenCuts() {
        // n = 0: 10000 * 0.95
        assertThat(price(STAIRS, "10000", Duration.ZERO).toPlainString()).isEqualTo("9500.00000000");
        assertThat(price(STAIRS, "10000", Duration.ofMillis(9_999))).isEqualByComparingTo("9500");
        // n = 1: 10000 * 0.95 * 0.9 = 8550
        assertThat(price(STAIRS, "10000", Duration.ofSeconds(10))).isEqualByComparingTo("8550");
        // n = 2 (25 s): 10000 * 0.95 * 0.81 = 7695
        assertThat(price(STAIRS, "10000", Duration.ofSeconds(25))).isEqualByComparingTo("7695");
        // n = 6: 0.9^6 = 0.531441; * 0.95 = 0.50486895; * 10000 = 5048.6895
        assertThat(price(STAIRS, "10000", Duration.ofSeconds(60)).toPlainString()).isEqualTo("5048.68950000");
        // n = 6 on 3 USD: 3 * 0.50486895 = 1.51460685, exactly 8 decimals
        assertThat(price(STAIRS, "3", Duration.ofSeconds(69)).toPlainString()).isEqualTo("1.51460685");
    }

    @Test
    void stairStepStopsAtTheFloor() {
        // n = 7: 0.95 * 0.4782969 = 0.454382055 < 0.50 -> floor: 10000 * 0.5
        assertThat(price(STAIRS, "10000", Duration.ofSeconds(70))).isEqualByComparingTo("5000");
        // n = 259200 (30 days): still the floor, computed by square and multiply in microseconds
        assertThat(price(STAIRS, "10000", Duration.ofDays(30))).isEqualByComparingTo("5000");
        // floor 0: the price tends to 0 and never goes negative for a solvent lot
        PriceCurve toZero = PriceCurve.stairStep(new BigDecimal("0.95"), BigDecimal.ZERO, Duration.ofSeconds(1),
                new BigDecimal("0.5"), Duration.ZERO, BigDecimal.ZERO);
        assertThat(price(toZero, "10000", Duration.ofDays(365))).isEqualByComparingTo("0").hasScaleOf(8);
    }

    @Test
    void exponentialMeetsTheStairsAtEveryStepAndDecaysInBetween() {
        // t = 5 s: 0.95 * 0.81^0.5 = 0.95 * 0.9 = 0.855 (StrictMath.pow's last-bit error is far below 1e-8 USD)
        assertThat(price(EXPONENTIAL, "10000", Duration.ofSeconds(5)).toPlainString()).isEqualTo("8550.00000000");
        // t = 10 s: exactly 0.95 * 0.81 = 0.7695 (a whole step: no double involved)
        assertThat(price(EXPONENTIAL, "10000", Duration.ofSeconds(10)).toPlainString()).isEqualTo("7695.00000000");
        // t = 15 s: 0.95 * 0.81 * 0.9 = 0.69255
        assertThat(price(EXPONENTIAL, "10000", Duration.ofSeconds(15)).toPlainString()).isEqualTo("6925.50000000");
        // t = 2.5 s: 0.95 * 0.81^0.25 = 0.95 * sqrt(0.9) = 0.95 * 0.9486832980505138 = 0.90124913314798811
        assertThat(price(EXPONENTIAL, "10000", Duration.ofMillis(2_500)).toPlainString()).isEqualTo("9012.49133148");
        // t = 30 s: 0.95 * 0.81^3 = 0.95 * 0.531441 = 0.50486895
        assertThat(price(EXPONENTIAL, "10000", Duration.ofSeconds(30)).toPlainString()).isEqualTo("5048.68950000");
        // t = 31 s: 0.50486895 * 0.81^0.1 = 0.50486895 * 0.97915 ... = 0.4943 < 0.50 -> floor
        assertThat(price(EXPONENTIAL, "10000", Duration.ofSeconds(31))).isEqualByComparingTo("5000");
    }

    @Test
    void exponentialEqualsTheStairStepWithTheSameParametersAtStepBoundaries() {
        PriceCurve stairs = PriceCurve.stairStep(new BigDecimal("0.95"), new BigDecimal("0.1"), Duration.ofSeconds(30),
                new BigDecimal("0.97"), Duration.ZERO, BigDecimal.ZERO);
        PriceCurve smooth = PriceCurve.exponential(new BigDecimal("0.95"), new BigDecimal("0.1"), Duration.ofSeconds(30),
                new BigDecimal("0.97"), Duration.ZERO, BigDecimal.ZERO);
        for (int n = 0; n <= 80; n++) {
            Duration t = Duration.ofSeconds(30L * n);
            assertThat(price(smooth, "123456.789", t)).as("step %d", n).isEqualTo(price(stairs, "123456.789", t));
            // in between, the smooth curve is below the stair it is on and above the next one
            Duration mid = t.plusSeconds(15);
            assertThat(price(smooth, "123456.789", mid)).isLessThanOrEqualTo(price(stairs, "123456.789", mid))
                    .isGreaterThanOrEqualTo(price(stairs, "123456.789", t.plusSeconds(30)));
        }
        // 0.97^10 = 0.737424127... has 20 decimals: exact; * 0.95 * 10000 = 7005.529205501818... = 7005.52920550 (HALF_EVEN)
        assertThat(price(stairs, "10000", Duration.ofSeconds(300)).toPlainString()).isEqualTo("7005.52920550");
    }

    @Test
    void powersAreExactWhileTheyFitAndRoundedAtThirtyDecimalsBeyond() {
        assertThat(PriceCurve.power(new BigDecimal("0.9"), 7).toPlainString()).isEqualTo("0.4782969");
        assertThat(PriceCurve.power(new BigDecimal("0.97"), 15)).isEqualTo(new BigDecimal("0.97").pow(15));
        assertThat(PriceCurve.power(new BigDecimal("0.97"), 16).scale()).isEqualTo(PriceCurve.FACTOR_SCALE);
        assertThat(PriceCurve.power(new BigDecimal("0.97"), 16))
                .isEqualByComparingTo(new BigDecimal("0.97").pow(16).setScale(30, java.math.RoundingMode.HALF_EVEN));
        assertThat(PriceCurve.power(new BigDecimal("0.5"), 0)).isEqualTo(BigDecimal.ONE);
    }

    @Test
    void everyKindLetsAnInsolventLotFallBelowItsValue() {
        // V <= 0: price = V - |V| * (1 - f). Stair-step after one step: -1000 - 1000 * (1 - 0.855) = -1145
        assertThat(price(STAIRS, "-1000", Duration.ofSeconds(10))).isEqualByComparingTo("-1145");
        // at the floor: -1000 - 1000 * 0.5 = -1500
        assertThat(price(STAIRS, "-1000", Duration.ofHours(1))).isEqualByComparingTo("-1500");
        // exponential at 15 s: -1000 - 1000 * (1 - 0.69255) = -1307.45
        assertThat(price(EXPONENTIAL, "-1000", Duration.ofSeconds(15))).isEqualByComparingTo("-1307.45");
        assertThat(price(EXPONENTIAL, "0", Duration.ofSeconds(15))).isEqualByComparingTo("0");
    }

    // ---- resets ----

    @Test
    void needsAResetAfterTheTail() {
        PriceCurve curve = PriceCurve.stairStep(new BigDecimal("0.95"), new BigDecimal("0.50"), Duration.ofSeconds(10),
                new BigDecimal("0.9"), Duration.ofSeconds(60), BigDecimal.ZERO);
        assertThat(curve.resetReason(START, START.plusMillis(59_999))).isEmpty();
        assertThat(curve.resetReason(START, START.plusSeconds(60))).contains(PriceCurve.ResetReason.TAIL);
        assertThat(curve.resetReason(START, START.minusSeconds(60))).isEmpty();
    }

    @Test
    void needsAResetBelowTheCusp() {
        // f: 0.95, 0.855, 0.7695, 0.69255, 0.623295 (n = 4), 0.5609655 (n = 5, t = 50 s) < 0.6
        PriceCurve curve = PriceCurve.stairStep(new BigDecimal("0.95"), new BigDecimal("0.50"), Duration.ofSeconds(10),
                new BigDecimal("0.9"), Duration.ofSeconds(600), new BigDecimal("0.6"));
        assertThat(curve.resetReason(START, START.plusMillis(49_999))).isEmpty();
        assertThat(curve.resetReason(START, START.plusSeconds(50))).contains(PriceCurve.ResetReason.CUSP);
        // past both: the tail is named
        assertThat(curve.resetReason(START, START.plusSeconds(600))).contains(PriceCurve.ResetReason.TAIL);
        // linear, cusp 0.7: f = 0.95 - 0.45 t / 600 s < 0.7 once t > 333.333... s
        // t = 333.333 s: f = 0.95 - 0.24999975 = 0.70000025; t = 333.334 s: f = 0.6999995
        PriceCurve linear = PriceCurve.linear(new BigDecimal("0.95"), new BigDecimal("0.50"), Duration.ofSeconds(600),
                Duration.ZERO, new BigDecimal("0.7"));
        assertThat(linear.resetReason(START, START.plusMillis(333_333))).isEmpty();
        assertThat(linear.resetReason(START, START.plusMillis(333_334))).contains(PriceCurve.ResetReason.CUSP);
    }

    @Test
    void zeroTailAndCuspNeverReset() {
        assertThat(STAIRS.resetReason(START, START.plus(Duration.ofDays(365)))).isEmpty();
        assertThat(DEFAULT_CURVE.resetReason(START, START.plus(Duration.ofDays(365)))).isEmpty();
    }

    @Test
    void anAuctionNeedsAResetFromItsEpochStartAndOnlyWhileOpen() {
        PriceCurve curve = PriceCurve.stairStep(new BigDecimal("0.95"), new BigDecimal("0.50"), Duration.ofSeconds(10),
                new BigDecimal("0.9"), Duration.ofSeconds(60), BigDecimal.ZERO);
        Instant epochStart = START.plusSeconds(100);
        Auction open = auction(AuctionStatus.OPEN, curve, epochStart);
        assertThat(Auction.needsReset(open, START.plusSeconds(159))).isEmpty();
        assertThat(Auction.needsReset(open, START.plusSeconds(160))).contains(PriceCurve.ResetReason.TAIL);
        assertThat(Auction.needsReset(auction(AuctionStatus.CLOSED, curve, epochStart), START.plusSeconds(1000))).isEmpty();
        // the price runs from the epoch: 10 s into epoch 1 on a 2000 USD re-mark = 2000 * 0.855
        assertThat(open.lotPriceAt(epochStart.plusSeconds(10))).isEqualByComparingTo("1710");
    }

    private static Auction auction(AuctionStatus status, PriceCurve curve, Instant epochStart) {
        return new Auction("a-1", 1, "alice", status, 3, START, TEN_THOUSAND, BigDecimal.ONE, curve, java.util.List.of(),
                java.util.List.of(), null, 1, epochStart, new BigDecimal("2000"), null, START, null);
    }

    // ---- validation ----

    @Test
    void refusesNonsenseDecayParametersWithTheirName() {
        BigDecimal buf = new BigDecimal("0.95");
        BigDecimal floor = new BigDecimal("0.5");
        Duration step = Duration.ofSeconds(30);
        BigDecimal cut = new BigDecimal("0.97");
        assertRefused(() -> PriceCurve.stairStep(buf, floor, step, BigDecimal.ONE, Duration.ZERO, BigDecimal.ZERO), "cut must be in (0, 1)");
        assertRefused(() -> PriceCurve.stairStep(buf, floor, step, BigDecimal.ZERO, Duration.ZERO, BigDecimal.ZERO), "cut must be in (0, 1)");
        assertRefused(() -> PriceCurve.exponential(buf, floor, step, null, Duration.ZERO, BigDecimal.ZERO), "cut must be in (0, 1)");
        assertRefused(() -> PriceCurve.stairStep(buf, floor, Duration.ZERO, cut, Duration.ZERO, BigDecimal.ZERO), "step must be");
        assertRefused(() -> PriceCurve.stairStep(buf, floor, Duration.ofMillis(1500), cut, Duration.ZERO, BigDecimal.ZERO), "step must be");
        assertRefused(() -> PriceCurve.exponential(buf, new BigDecimal("0.96"), step, cut, Duration.ZERO, BigDecimal.ZERO), "floor must be in [0, buf]");
        assertRefused(() -> PriceCurve.stairStep(buf, floor, step, cut, Duration.ofSeconds(-1), BigDecimal.ZERO), "tail must be");
        assertRefused(() -> PriceCurve.stairStep(buf, floor, step, cut, Duration.ofMillis(500), BigDecimal.ZERO), "tail must be");
        assertRefused(() -> PriceCurve.stairStep(buf, floor, step, cut, Duration.ZERO, buf), "cusp must be 0 (never) or in (floor, buf)");
        assertRefused(() -> PriceCurve.stairStep(buf, floor, step, cut, Duration.ZERO, new BigDecimal("-0.1")), "cusp must be 0 (never) or in (floor, buf)");
        // at or below the floor the price never falls below it
        assertRefused(() -> PriceCurve.stairStep(buf, floor, step, cut, Duration.ZERO, floor), "cusp must be 0 (never) or in (floor, buf)");
        assertRefused(() -> PriceCurve.linear(buf, floor, Duration.ofSeconds(600), Duration.ZERO, new BigDecimal("0.3")),
                "cusp must be 0 (never) or in (floor, buf)");
        // a tail at or before the first step resets before the price falls
        assertRefused(() -> PriceCurve.stairStep(buf, floor, step, cut, step, BigDecimal.ZERO), "tail must be 0 (never) or longer than step");
        assertRefused(() -> PriceCurve.exponential(buf, floor, step, cut, Duration.ofSeconds(10), BigDecimal.ZERO),
                "tail must be 0 (never) or longer than step");
        // 7 days at most: no millisecond count near overflow
        Duration tooLong = PriceCurve.MAX_TIME.plusSeconds(1);
        assertRefused(() -> PriceCurve.stairStep(buf, floor, tooLong, cut, Duration.ZERO, BigDecimal.ZERO), "step must be");
        assertRefused(() -> PriceCurve.stairStep(buf, floor, step, cut, tooLong, BigDecimal.ZERO), "tail must be");
        assertRefused(() -> PriceCurve.linear(buf, floor, tooLong, Duration.ZERO, BigDecimal.ZERO), "duration of a linear curve");
        assertRefused(() -> PriceCurve.linear(buf, floor, Duration.ofSeconds(Long.MAX_VALUE), Duration.ZERO, BigDecimal.ZERO),
                "duration of a linear curve");
        // the bounds themselves are fine
        assertThat(PriceCurve.stairStep(buf, floor, PriceCurve.MAX_TIME, cut, Duration.ZERO, new BigDecimal("0.51")).step())
                .isEqualTo(Duration.ofDays(7));
        assertThat(PriceCurve.linear(buf, floor, Duration.ofSeconds(1), PriceCurve.MAX_TIME, new BigDecimal("0.94")).tail())
                .isEqualTo(Duration.ofDays(7));
        assertRefused(() -> new PriceCurve(PriceCurve.Kind.STAIR_STEP, buf, floor, Duration.ofSeconds(600), step, cut,
                Duration.ZERO, BigDecimal.ZERO), "duration is a parameter of a linear curve only");
        assertRefused(() -> new PriceCurve(PriceCurve.Kind.LINEAR, buf, floor, Duration.ofSeconds(600), step, cut,
                Duration.ZERO, BigDecimal.ZERO), "step and cut are not parameters of a linear curve");
        assertRefused(() -> PriceCurve.linear(buf, floor, null, Duration.ZERO, BigDecimal.ZERO), "duration of a linear curve must be a whole number of seconds");
        assertRefused(() -> PriceCurve.linear(buf, floor, Duration.ofMillis(600_500), Duration.ZERO, BigDecimal.ZERO), "duration of a linear curve must be a whole number of seconds");
    }

    private static void assertRefused(org.assertj.core.api.ThrowableAssert.ThrowingCallable make, String message) {
        assertThatThrownBy(make).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(message);
    }
}
