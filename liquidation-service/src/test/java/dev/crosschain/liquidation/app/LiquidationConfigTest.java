package dev.crosschain.liquidation.app;

import dev.crosschain.liquidation.domain.PriceCurve;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class LiquidationConfigTest {

    /** The configuration as the properties give it (the record's accessors are the interface's methods). */
    record Curve(String kind, BigDecimal buf, BigDecimal floor, Duration duration, Duration step, BigDecimal cut,
                 Duration tail, BigDecimal cusp, Duration resetEvery, boolean resetsEnabled)
            implements LiquidationConfig.Curve {

        static Curve defaults() {
            return new Curve("stair-step", new BigDecimal("0.95"), new BigDecimal("0.50"), Duration.ofSeconds(600),
                    Duration.ofSeconds(30), new BigDecimal("0.97"), Duration.ofSeconds(600), new BigDecimal("0.60"),
                    Duration.ofSeconds(1), true);
        }

        Curve withResetsEnabled(boolean enabled) {
            return new Curve(kind, buf, floor, duration, step, cut, tail, cusp, resetEvery, enabled);
        }
    }

    @Test
    void theConfiguredCurveCarriesTailAndCuspWhileResetsAreEnabled() {
        assertThat(Curve.defaults().toCurve()).isEqualTo(PriceCurve.stairStep(new BigDecimal("0.95"), new BigDecimal("0.50"),
                Duration.ofSeconds(30), new BigDecimal("0.97"), Duration.ofSeconds(600), new BigDecimal("0.60")));
    }

    @Test
    void withoutResetsAuctionsOpenWithTailAndCuspZeroSoNoBidWaitsForAReset() {
        assertThat(Curve.defaults().withResetsEnabled(false).toCurve()).isEqualTo(PriceCurve.stairStep(new BigDecimal("0.95"),
                new BigDecimal("0.50"), Duration.ofSeconds(30), new BigDecimal("0.97"), Duration.ZERO, BigDecimal.ZERO));
    }
}
