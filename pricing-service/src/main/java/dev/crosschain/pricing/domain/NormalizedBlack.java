package dev.crosschain.pricing.domain;

/**
 * Black's formula in Jäckel's normalised form ("Let's Be Rational", Wilmott 2015), for an out-of-the-money
 * call: with x = ln(F/K) <= 0 and s = sigma sqrt(T), the undiscounted call price divided by sqrt(F K) is
 * <pre>  b(x, s) = e^{x/2} Phi(h + t) - e^{-x/2} Phi(h - t),   h = x/s, t = s/2.</pre>
 * Every other option maps onto it: a put with x >= 0 is b(-x, s), and an in-the-money option is the
 * intrinsic value plus its out-of-the-money counterpart (parity).
 *
 * <p>Written as b = nu(x, s) * B with the normalised vega nu = exp(-(h^2 + t^2)/2) / sqrt(2 pi) and the scaled
 * price B = Y(h + t) - Y(h - t), Y = Phi/phi. B is what loses digits: its two terms nearly cancel when t is
 * small (short, low-vol options) or h is very negative (deep out of the money). So B has four branches:
 * <ul>
 *   <li>h + t > 0.85: b is most of its maximum e^{x/2}; the two CDF terms do not cancel and are used as is;</li>
 *   <li>h + t <= -12: the asymptotic series of Y (Abramowitz and Stegun 26.2.12), differenced term by term
 *       in a form with no subtraction;</li>
 *   <li>t < 0.21: the Taylor series of Y(h + t) - Y(h - t) in t, whose odd terms are the derivatives of Y,
 *       from Y' = 1 + h Y and Y^(n) = h Y^(n-1) + (n-1) Y^(n-2);</li>
 *   <li>elsewhere the difference of two erfcx values, which loses at most a few bits there.</li>
 * </ul>
 * The remaining cancellation (1 + h Y for very negative h) costs relative accuracy in b exactly where the
 * implied volatility is insensitive to it (d ln b / d ln s ~ h^2), so inverting keeps full precision.
 */
final class NormalizedBlack {

    static final double INV_SQRT_2PI = 0.39894228040143267794;
    private static final double LARGE_PRICE_START = 0.85;
    private static final double ASYMPTOTIC_START = -12.0;
    private static final double SMALL_T = 0.21;
    private static final double NEGLIGIBLE = 1e-17;
    private static final int MAX_TAYLOR_ORDER = 21;
    private static final int MAX_ASYMPTOTIC_TERMS = 30;

    private NormalizedBlack() {
    }

    /** b(x, s) for x <= 0, s >= 0. */
    static double otmCall(double x, double s) {
        if (s <= 0) {
            return 0.0;
        }
        double h = x / s;
        double t = 0.5 * s;
        return otmCall(x, h, t, h + t > LARGE_PRICE_START ? 0.0 : vega(h, t));
    }

    /** b(x, s) for s > 0 given h = x/s, t = s/2 and the vega nu(h, t), for callers that need nu anyway. */
    static double otmCall(double x, double h, double t, double vega) {
        if (h + t > LARGE_PRICE_START) {
            return Math.exp(0.5 * x) * NormalDistribution.cdf(h + t) - Math.exp(-0.5 * x) * NormalDistribution.cdf(h - t);
        }
        return scaled(h, t) * vega;
    }

    /**
     * Whether b(x, s) needs the series branches: there the direct difference of the two CDF terms loses
     * more than a few bits.
     */
    static boolean needsSeries(double x, double s) {
        double h = x / s;
        double t = 0.5 * s;
        return h + t <= LARGE_PRICE_START && (t < SMALL_T || h + t <= ASYMPTOTIC_START);
    }

    /** The normalised vega db/ds = exp(-(h^2 + t^2)/2) / sqrt(2 pi). */
    static double vega(double h, double t) {
        return INV_SQRT_2PI * Math.exp(-0.5 * (h * h + t * t));
    }

    /** B = b / nu for h + t <= 0.85. */
    static double scaled(double h, double t) {
        double u = h + t;
        double v = h - t;
        if (u <= ASYMPTOTIC_START) {
            return asymptoticScaled(u, v, t);
        }
        if (t < SMALL_T) {
            return smallTScaled(h, t);
        }
        return NormalDistribution.cdfOverPdf(u) - NormalDistribution.cdfOverPdf(v);
    }

    /**
     * Y(z) ~ sum_k c_k z^-(2k+1) with c_0 = -1, c_{k+1} = -(2k+1) c_k for z -> -infinity. With a = 1/u and
     * c = 1/v, each a^n - c^n = (a - c) T_n where T_n = sum_j a^j c^(n-1-j) has terms of one sign and obeys
     * T_{n+2} = c^2 T_n + a^n (a + c), so nothing cancels except the alternating (small) corrections.
     */
    private static double asymptoticScaled(double u, double v, double t) {
        double a = 1.0 / u;
        double c = 1.0 / v;
        double cc = c * c;
        double aPlusC = a + c;
        double aa = a * a;
        double aPower = a;
        double tn = 1.0;
        double coefficient = -1.0;
        double sum = -1.0;
        double previous = Double.MAX_VALUE;
        for (int k = 1; k < MAX_ASYMPTOTIC_TERMS; k++) {
            tn = cc * tn + aPower * aPlusC;
            aPower *= aa;
            coefficient *= -(2 * k - 1);
            double term = coefficient * tn;
            double size = Math.abs(term);
            if (size >= previous) {
                break;
            }
            sum += term;
            if (size <= NEGLIGIBLE * Math.abs(sum)) {
                break;
            }
            previous = size;
        }
        // a - c = -2t a c
        return -2.0 * t * a * c * sum;
    }

    /** 2 sum_k t^(2k+1)/(2k+1)! Y^(2k+1)(h). */
    private static double smallTScaled(double h, double t) {
        double before = NormalDistribution.cdfOverPdf(h);
        double current = 1.0 + h * before;
        double tt = t * t;
        double factor = t;
        double sum = factor * current;
        for (int n = 2; n < MAX_TAYLOR_ORDER; n += 2) {
            double even = h * current + (n - 1) * before;
            double odd = h * even + n * current;
            before = even;
            current = odd;
            factor *= tt / (n * (n + 1));
            double term = factor * odd;
            sum += term;
            if (Math.abs(term) <= NEGLIGIBLE * sum) {
                break;
            }
        }
        return 2.0 * sum;
    }

    /**
     * bmax - b for the out-of-the-money call, e^{x/2} Phi(-(h + t)) + e^{-x/2} Phi(h - t): two positive terms,
     * so it keeps its relative precision when b is within a rounding error of its maximum e^{x/2}.
     */
    static double complement(double x, double s) {
        double h = x / s;
        double t = 0.5 * s;
        return Math.exp(0.5 * x) * NormalDistribution.cdf(-(h + t)) + Math.exp(-0.5 * x) * NormalDistribution.cdf(h - t);
    }
}
