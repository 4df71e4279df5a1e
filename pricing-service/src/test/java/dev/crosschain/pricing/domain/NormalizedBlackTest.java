package dev.crosschain.pricing.domain;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;

import static org.assertj.core.api.Assertions.assertThat;

class NormalizedBlackTest {

    private static final double U = 0x1p-53;

    /**
     * b(x, s) against the 80-digit value for the same double x and s, over the grid's out-of-the-money
     * half. Bound 12u (1 + h^2), h = x/s: near h = 0 with t below 1, the erfcx difference cancels by up to a
     * factor 3 and each erfcx is good to 4u (measured: 8u); far out, exp(-(h^2 + t^2)/2) sees h^2 rounded,
     * worth h^2 u relative, which is also exactly the factor by which the implied vol is insensitive to b
     * there (d ln b / d ln s ~ h^2).
     */
    @Test
    void matchesTheExactNormalisedPriceOfTheSameInputs() {
        double worstInUnits = 0;
        int checked = 0;
        for (double m : OptionGrid.MONEYNESS) {
            if (m < 1) {
                continue;
            }
            double x = Black76.logMoneyness(OptionGrid.FORWARD, OptionGrid.FORWARD * m);
            for (double years : OptionGrid.YEARS) {
                for (double vol : OptionGrid.VOLS) {
                    double s = vol * Math.sqrt(years);
                    BigDecimal exact = HighPrecisionNormal.normalizedCall(x, s);
                    if (exact.doubleValue() < 1e-300) {
                        continue;
                    }
                    checked++;
                    double h = x / s;
                    double error = HighPrecisionNormal.relativeError(NormalizedBlack.otmCall(x, s), exact);
                    double bound = 12 * U * (1 + h * h);
                    assertThat(error).as("x=%s s=%s branch %s", x, s, NormalizedBlack.needsSeries(x, s) ? "series" : "direct")
                            .isLessThanOrEqualTo(bound);
                    worstInUnits = Math.max(worstInUnits, error / (U * (1 + h * h)));
                }
            }
        }
        System.out.printf("normalised Black: %d points, worst error %.2f u (1 + h^2)%n", checked, worstInUnits);
        assertThat(checked).isGreaterThan(500);
    }

    @Test
    void complementIsTheMaximumMinusThePrice() {
        for (double x : new double[]{0, -0.01, -1, -4}) {
            for (double s : new double[]{0.1, 1, 3, 8}) {
                double b = NormalizedBlack.otmCall(x, s);
                double c = NormalizedBlack.complement(x, s);
                assertThat(b + c).as("x=%s s=%s", x, s).isCloseTo(Math.exp(0.5 * x), org.assertj.core.api.Assertions.within(4 * U));
            }
        }
    }
}
