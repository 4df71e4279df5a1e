package dev.crosschain.pricing.domain;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class NormalDistributionTest {

    /** Deep-OTM option prices need relative, not only absolute, accuracy in the tails. */
    private static final double TAIL_RELATIVE = 1e-13;

    /** Abramowitz and Stegun table 26.1 and standard published values of Phi. */
    @Test
    void cdfMatchesPublishedValues() {
        assertThat(NormalDistribution.cdf(0)).isCloseTo(0.5, within(1e-15));
        assertThat(NormalDistribution.cdf(1)).isCloseTo(0.8413447460685429, within(1e-14));
        assertThat(NormalDistribution.cdf(-1.96)).isCloseTo(0.024997895148220435, within(1e-15));
        assertThat(NormalDistribution.cdf(3)).isCloseTo(0.9986501019683699, within(1e-14));
        assertThat(NormalDistribution.cdf(-6)).isCloseTo(9.865876450376946e-10, within(9.865876450376946e-10 * TAIL_RELATIVE));
        assertThat(NormalDistribution.cdf(-10)).isCloseTo(7.61985302416047e-24, within(7.61985302416047e-24 * TAIL_RELATIVE));
        assertThat(NormalDistribution.cdf(-3.5)).isCloseTo(2.326290790355250e-4, within(2.326290790355250e-4 * TAIL_RELATIVE));
    }

    @Test
    void tailAndSeriesAgreeWhereTheyMeet() {
        assertThat(NormalDistribution.cdf(-3.0 - 1e-12) / NormalDistribution.cdf(-3.0 + 1e-12)).isCloseTo(1.0, within(1e-11));
    }

    @Test
    void cdfIsSymmetric() {
        for (double x = -8; x <= 8; x += 0.37) {
            assertThat(NormalDistribution.cdf(x) + NormalDistribution.cdf(-x)).as("x=%s", x).isCloseTo(1.0, within(1e-15));
        }
    }
}
