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
}
