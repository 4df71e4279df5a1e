package dev.crosschain.pricing.domain;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class NormalDistributionTest {

    /** One ulp of 1.0 is 2.2e-16; the bounds below are in multiples of the unit roundoff u = 2^-53. */
    private static final double U = 0x1p-53;
    /**
     * Phi, erfc and erfcx, relative: Cody's approximations are good to about 18 digits; evaluating the
     * rational function, exp (within 1 ulp) and the split z^2 round a few times, measured at most 4.5u.
     * 6u (6.7e-16) leaves no room for a formula that loses digits in the tail: a plain exp(-x*x/2) is
     * off by x^2/2 u, 450u at x = -30.
     */
    private static final double FUNCTION_BOUND = 6 * U;
    /** Phi(-37.4) = 1.9e-307 is the last normal double; below it the result is subnormal and has fewer bits. */
    private static final double LAST_NORMAL_CDF_ARGUMENT = -37.4;
    private static final long SEED = Long.getLong("normal.seed", 20240603L);

    /** Abramowitz and Stegun table 26.1 and standard published values of Phi. */
    @Test
    void cdfMatchesPublishedValues() {
        assertThat(NormalDistribution.cdf(0)).isEqualTo(0.5);
        assertThat(NormalDistribution.cdf(1)).isCloseTo(0.8413447460685429, within(2e-16));
        assertThat(NormalDistribution.cdf(-1.96)).isCloseTo(0.024997895148220435, within(1e-17));
        assertThat(NormalDistribution.cdf(3)).isCloseTo(0.9986501019683699, within(2e-16));
        assertRelative(NormalDistribution.cdf(-6), 9.8658764503769814e-10, FUNCTION_BOUND);
        assertRelative(NormalDistribution.cdf(-10), 7.6198530241605260e-24, FUNCTION_BOUND);
    }

    @Test
    void subnormalTailKeepsItsAbsoluteAccuracy() {
        for (double x = -38.6; x < LAST_NORMAL_CDF_ARGUMENT; x += 0.01) {
            BigDecimal reference = HighPrecisionNormal.cdf(x);
            double error = new BigDecimal(NormalDistribution.cdf(x)).subtract(reference).abs().doubleValue();
            // a relative error of 6u on a normal number, or one unit of the last place of the subnormals
            assertThat(error).as("x = %s", x).isLessThanOrEqualTo(Math.max(FUNCTION_BOUND * reference.doubleValue(), Double.MIN_VALUE));
        }
        assertThat(NormalDistribution.cdf(-38.7)).isZero();
        assertThat(NormalDistribution.cdf(Double.NEGATIVE_INFINITY)).isZero();
        assertThat(NormalDistribution.cdf(Double.POSITIVE_INFINITY)).isEqualTo(1.0);
        assertThat(NormalDistribution.cdf(Double.NaN)).isNaN();
    }

    @Test
    void cdfIsAccurateRelativeToItselfOverTheWholeRange() {
        double worst = 0;
        double worstAt = 0;
        for (double x = LAST_NORMAL_CDF_ARGUMENT; x <= 9.0; x += 0.0371) {
            double error = HighPrecisionNormal.relativeError(NormalDistribution.cdf(x), HighPrecisionNormal.cdf(x));
            if (error > worst) {
                worst = error;
                worstAt = x;
            }
        }
        System.out.printf("cdf: worst relative error %.3g (%.2f u) at x = %s%n", worst, worst / U, worstAt);
        assertThat(worst).as("worst at x = %s", worstAt).isLessThanOrEqualTo(FUNCTION_BOUND);
    }

    @Test
    void cdfAtRandomPointsOfTheLowerTail() {
        System.out.println("cdfAtRandomPointsOfTheLowerTail seed " + SEED + " (replay with -Dnormal.seed=" + SEED + ")");
        SplittableRandom random = new SplittableRandom(SEED);
        for (int i = 0; i < 300; i++) {
            double x = LAST_NORMAL_CDF_ARGUMENT * random.nextDouble();
            double error = HighPrecisionNormal.relativeError(NormalDistribution.cdf(x), HighPrecisionNormal.cdf(x));
            assertThat(error).as("x = %s", x).isLessThanOrEqualTo(FUNCTION_BOUND);
        }
    }

    @Test
    void erfcAndErfcxOverTheirRanges() {
        double worstErfc = 0;
        double worstErfcx = 0;
        for (double z = -6; z <= 26.5; z += 0.0293) {
            worstErfc = Math.max(worstErfc, HighPrecisionNormal.relativeError(NormalDistribution.erfc(z), HighPrecisionNormal.erfc(z)));
            if (z < 26) {
                worstErfcx = Math.max(worstErfcx, HighPrecisionNormal.relativeError(NormalDistribution.erfcx(z), HighPrecisionNormal.erfcx(z)));
            }
        }
        System.out.printf("erfc: worst %.2f u, erfcx: worst %.2f u%n", worstErfc / U, worstErfcx / U);
        assertThat(worstErfc).isLessThanOrEqualTo(FUNCTION_BOUND);
        assertThat(worstErfcx).isLessThanOrEqualTo(FUNCTION_BOUND);
    }

    @Test
    void erfcxStaysFiniteWhereErfcUnderflows() {
        // erfcx(z) ~ 1/(z sqrt(pi)) (1 - 1/(2 z^2)) for large z (A&S 7.1.23)
        double z = 1e10;
        assertThat(NormalDistribution.erfcx(z)).isCloseTo(1 / (z * Math.sqrt(Math.PI)), within(1e-26));
        assertThat(NormalDistribution.erfc(30)).isZero();
        assertThat(NormalDistribution.erfcx(30)).isGreaterThan(0.0187).isLessThan(0.0189);
    }

    @Test
    void erfIsOddAndComplementsErfc() {
        for (double z = -5; z <= 5; z += 0.173) {
            assertThat(NormalDistribution.erf(-z)).isEqualTo(-NormalDistribution.erf(z));
            assertThat(NormalDistribution.erf(z) + NormalDistribution.erfc(z)).as("z=%s", z).isCloseTo(1.0, within(4 * U));
        }
    }

    @Test
    void cdfIsSymmetric() {
        for (double x = -8; x <= 8; x += 0.37) {
            assertThat(NormalDistribution.cdf(x) + NormalDistribution.cdf(-x)).as("x=%s", x).isCloseTo(1.0, within(4 * U));
        }
    }

    @Test
    void pdfIsAccurateInTheTail() {
        for (double x = -37; x <= 0; x += 0.0731) {
            double error = HighPrecisionNormal.relativeError(NormalDistribution.pdf(x), HighPrecisionNormal.pdf(new BigDecimal(x)));
            // exp within 1 ulp (2u), the rounded remainder of x^2/2, the constant and the product
            assertThat(error).as("x = %s", x).isLessThanOrEqualTo(4 * U);
        }
    }

    @Test
    void inverseCdfInvertsCdf() {
        // Only x <= 0.5: above, p = Phi(x) carries 1 - p to a relative precision of u / (1 - p) only.
        for (double x = -37; x <= 0.5; x += 0.0913) {
            double p = NormalDistribution.cdf(x);
            assertThat(NormalDistribution.inverseCdf(p)).as("x=%s", x).isCloseTo(x, within(1e-14 * Math.max(1, Math.abs(x))));
        }
        assertThat(NormalDistribution.inverseCdf(0)).isEqualTo(Double.NEGATIVE_INFINITY);
        assertThat(NormalDistribution.inverseCdf(1)).isEqualTo(Double.POSITIVE_INFINITY);
    }

    private static void assertRelative(double actual, double expected, double bound) {
        assertThat(Math.abs(actual - expected) / expected).as("%s vs %s", actual, expected).isLessThanOrEqualTo(bound);
    }
}
