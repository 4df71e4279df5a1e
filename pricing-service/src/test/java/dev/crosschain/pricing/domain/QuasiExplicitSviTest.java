package dev.crosschain.pricing.domain;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class QuasiExplicitSviTest {

    private static final double[] K = {-0.6, -0.4, -0.25, -0.1, 0, 0.1, 0.2, 0.35, 0.5};
    private static final double[] EQUAL = {1, 1, 1, 1, 1, 1, 1, 1, 1};
    private static final double MIN_VARIANCE = 1e-4;

    @Test
    void solvesExactlyWhenTheSmileIsSviWithThisMAndSigma() {
        SviParameters known = new SviParameters(0.01, 0.08, -0.35, 0.02, 0.12);
        QuasiExplicitSvi fit = new QuasiExplicitSvi(K, variances(known), EQUAL, MIN_VARIANCE, false);

        SviParameters p = fit.parameters(known.m(), known.sigma());

        assertThat(p.a()).isCloseTo(known.a(), within(1e-14));
        assertThat(p.b()).isCloseTo(known.b(), within(1e-13));
        assertThat(p.rho()).isCloseTo(known.rho(), within(1e-12));
        assertThat(fit.error(p)).isLessThan(1e-28);
    }

    @Test
    void wingSlopeIsCappedAtFour() {
        // data from b (1 + |rho|) = 6: the best fit sits on the cap c + |d| = 4 sigma
        SviParameters steep = new SviParameters(0.01, 4, 0.5, 0, 0.1);
        QuasiExplicitSvi fit = new QuasiExplicitSvi(K, variances(steep), EQUAL, MIN_VARIANCE, false);

        SviParameters p = fit.parameters(steep.m(), steep.sigma());

        assertThat(p.b() * (1 + Math.abs(p.rho()))).isCloseTo(4, within(1e-12));
    }

    @Test
    void beatsEveryFeasiblePointOnDataItCannotMatch() {
        long seed = Long.getLong("svi.seed", System.nanoTime());
        System.out.println("QuasiExplicitSviTest seed " + seed + " (replay with -Dsvi.seed=" + seed + ")");
        Random random = new Random(seed);
        for (int trial = 0; trial < 200; trial++) {
            double[] w = new double[K.length];
            double[] weight = new double[K.length];
            for (int j = 0; j < K.length; j++) {
                w[j] = 0.005 + 0.1 * random.nextDouble(); // no smile at all: constraints bind often
                weight[j] = 0.5 + random.nextDouble();
            }
            double m = -0.5 + random.nextDouble();
            double sigma = 0.02 + 0.5 * random.nextDouble();
            double floor = 0.5 * min(w);
            QuasiExplicitSvi fit = new QuasiExplicitSvi(K, w, weight, floor, false);
            SviParameters best = fit.parameters(m, sigma);
            double bestError = fit.error(best);
            assertThat(best.b() * (1 + Math.abs(best.rho()))).isLessThanOrEqualTo(4 + 1e-12);
            assertThat(best.minTotalVariance()).isGreaterThanOrEqualTo(floor * (1 - 1e-9));
            for (int sample = 0; sample < 300; sample++) {
                double c = 4 * sigma * random.nextDouble();
                double dLimit = Math.min(c, 4 * sigma - c);
                double d = dLimit * (2 * random.nextDouble() - 1);
                double rho = c > 0 ? d / c : 0;
                double aLow = floor - c * Math.sqrt(1 - rho * rho);
                double a = aLow + (max(w) - aLow) * random.nextDouble();
                SviParameters other = new SviParameters(a, c / sigma, rho, m, sigma);
                if (withinChords(other, floor)) {
                    assertThat(fit.error(other)).as("trial %s sample %s", trial, sample)
                            .isGreaterThanOrEqualTo(bestError * (1 - 1e-9));
                }
            }
        }
    }

    /** The fit's feasible set bounds sqrt(1 - rho^2) by chords, so only points with some slack are comparable. */
    private static boolean withinChords(SviParameters p, double floor) {
        double c = p.b() * p.sigma();
        // the coarsest chord under-estimates sqrt(1 - rho^2) by less than 0.05 c over |rho| <= 0.98
        return Math.abs(p.rho()) <= 0.98 && p.minTotalVariance() - 0.05 * c >= floor;
    }

    private static double[] variances(SviParameters p) {
        double[] w = new double[K.length];
        for (int j = 0; j < K.length; j++) {
            w[j] = p.totalVariance(K[j]);
        }
        return w;
    }

    private static double min(double[] values) {
        double min = Double.POSITIVE_INFINITY;
        for (double v : values) {
            min = Math.min(min, v);
        }
        return min;
    }

    private static double max(double[] values) {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : values) {
            max = Math.max(max, v);
        }
        return max;
    }
}
