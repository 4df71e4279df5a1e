package dev.crosschain.pricing.domain;

/**
 * Standard normal density and distribution.
 *
 * <p>The CDF uses Marsaglia's Taylor series around zero (J. Stat. Software 11(4), 2004): about
 * 1e-15 absolute error, but only absolute, so deep-OTM prices lose relative accuracy. Issue 3
 * replaces it with a Cody-style erfc that is accurate in the tails.
 */
public final class NormalDistribution {

    private static final double LOG_SQRT_2PI = 0.91893853320467274178;

    private NormalDistribution() {
    }

    public static double pdf(double x) {
        return Math.exp(-0.5 * x * x - LOG_SQRT_2PI);
    }

    public static double cdf(double x) {
        if (x < -38.0) {
            return 0.0;
        }
        if (x > 38.0) {
            return 1.0;
        }
        double sum = x;
        double term = x;
        double square = x * x;
        double previous = 0.0;
        for (int i = 3; sum != previous; i += 2) {
            previous = sum;
            term *= square / i;
            sum = previous + term;
        }
        return 0.5 + sum * pdf(x);
    }
}
