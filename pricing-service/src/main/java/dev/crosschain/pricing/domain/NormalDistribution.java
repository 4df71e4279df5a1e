package dev.crosschain.pricing.domain;

/**
 * Standard normal density and distribution.
 *
 * <p>The CDF uses Marsaglia's Taylor series (J. Stat. Software 11(4), 2004) near the centre,
 * where its 1e-16 absolute error is also small relative to the result; in the tails, where
 * {@code 0.5 + series} would cancel, it uses the continued fraction of Mills' ratio, so deep-OTM
 * prices keep their relative accuracy.
 */
public final class NormalDistribution {

    private static final double LOG_SQRT_2PI = 0.91893853320467274178;
    /** Beyond this |x| the tail is computed from Mills' ratio instead of the series. */
    private static final double TAIL = 3.0;
    private static final double CONVERGED = 1e-17;
    private static final int MAX_TERMS = 1000;

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
        if (x < -TAIL) {
            return pdf(x) * millsRatio(-x);
        }
        if (x > TAIL) {
            return 1.0 - pdf(x) * millsRatio(x);
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

    /** (1 - Phi(t)) / phi(t) for t > 0, as 1/(t + 1/(t + 2/(t + 3/(t + ...)))) by Lentz's method. */
    private static double millsRatio(double t) {
        double tiny = 1e-300;
        double f = t;
        double c = t;
        double d = 0.0;
        for (int n = 1; n < MAX_TERMS; n++) {
            d = t + n * d;
            d = Math.abs(d) < tiny ? 1 / tiny : 1 / d;
            c = t + n / c;
            double step = c * d;
            f *= step;
            if (Math.abs(step - 1.0) < CONVERGED) {
                break;
            }
        }
        return 1.0 / f;
    }
}
