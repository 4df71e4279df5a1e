package dev.crosschain.pricing.domain;

/**
 * Standard normal density, distribution and quantile, and the error functions behind them.
 *
 * <p>erf, erfc and erfcx (the scaled {@code exp(z^2) erfc(z)}) use W. J. Cody's rational Chebyshev
 * approximations ("Rational Chebyshev approximations for the error function", Math. Comp. 23, 1969,
 * 631-638, with the coefficients of his CALERF): erf on |z| <= 0.46875, erfcx on (0.46875, 4] and erfcx
 * in 1/z^2 beyond 4. Each is good to about 18 digits before rounding, so results are within a few ulps.
 *
 * <p>Tails are computed as {@code erfcx * exp(-z^2)}. The rational factor is insensitive to its argument,
 * but exp(-z^2) turns an error of one ulp in z^2 into a relative error of z^2 ulps (about 1e-13 at the
 * far end of the double range); so z^2 is split into an exact part and a small remainder first, which
 * keeps {@link #cdf} within a few ulps relative all the way down to x = -38.
 */
public final class NormalDistribution {

    private static final double INV_SQRT_2PI = 0.39894228040143267794;
    private static final double INV_SQRT_PI = 0.56418958354775628695;
    private static final double SQRT_HALF = 0.70710678118654752440;
    /** Below this |z| erf is small enough to be evaluated directly and 1 - erf does not cancel. */
    private static final double ERF_RANGE = 0.46875;
    private static final double ERFCX_NEAR_RANGE = 4.0;
    /** exp(-z^2) underflows to zero beyond this, and erfcx(-z) = 2 exp(z^2) - ... overflows. */
    private static final double ERFC_ZERO = 27.3;
    /** Phi(x) rounds to 1 above this, and its tail is below the smallest subnormal below -CDF_ZERO. */
    private static final double CDF_ZERO = 38.6;

    // Cody's coefficients: A/B for erf near zero, C/D for erfcx on (0.46875, 4], P/Q for erfcx in 1/z^2.
    private static final double A0 = 3.16112374387056560e00, A1 = 1.13864154151050156e02,
            A2 = 3.77485237685302021e02, A3 = 3.20937758913846947e03, A4 = 1.85777706184603153e-1;
    private static final double B0 = 2.36012909523441209e01, B1 = 2.44024637934444173e02,
            B2 = 1.28261652607737228e03, B3 = 2.84423683343917062e03;
    private static final double C0 = 5.64188496988670089e-1, C1 = 8.88314979438837594e00,
            C2 = 6.61191906371416295e01, C3 = 2.98635138197400131e02, C4 = 8.81952221241769090e02,
            C5 = 1.71204761263407058e03, C6 = 2.05107837782607147e03, C7 = 1.23033935479799725e03,
            C8 = 2.15311535474403846e-8;
    private static final double D0 = 1.57449261107098347e01, D1 = 1.17693950891312499e02,
            D2 = 5.37181101862009858e02, D3 = 1.62138957456669019e03, D4 = 3.29079923573345963e03,
            D5 = 4.36261909014324716e03, D6 = 3.43936767414372164e03, D7 = 1.23033935480374942e03;
    private static final double P0 = 3.05326634961232344e-1, P1 = 3.60344899949804439e-1,
            P2 = 1.25781726111229246e-1, P3 = 1.60837851487422766e-2, P4 = 6.58749161529837803e-4,
            P5 = 1.63153871373020978e-2;
    private static final double Q0 = 2.56852019228982242e00, Q1 = 1.87295284992346047e00,
            Q2 = 5.27905102951428412e-1, Q3 = 6.05183413124413191e-2, Q4 = 2.33520497626869185e-3;

    private NormalDistribution() {
    }

    /** Standard normal density, relative error within a few ulps for |x| up to about 38. */
    public static double pdf(double x) {
        return INV_SQRT_2PI * expMinusHalfSquare(x);
    }

    /** Standard normal distribution function, relative error within a few ulps for x >= -38.6 (0 below). */
    public static double cdf(double x) {
        double z = x * SQRT_HALF;
        if (Math.abs(z) <= ERF_RANGE) {
            return 0.5 + 0.5 * erfNearZero(z);
        }
        if (x < -CDF_ZERO) {
            return 0.0;
        }
        if (x > CDF_ZERO) {
            return 1.0;
        }
        double tail = 0.5 * erfcxPositive(Math.abs(z)) * expMinusHalfSquare(x);
        return x < 0 ? tail : 1.0 - tail;
    }

    /** Phi(x) / phi(x), the ratio behind the scaled Black formula: sqrt(pi/2) erfcx(-x/sqrt 2). */
    public static double cdfOverPdf(double x) {
        return 1.2533141373155002512 * erfcx(-x * SQRT_HALF);
    }

    public static double erf(double z) {
        double y = Math.abs(z);
        if (y <= ERF_RANGE) {
            return erfNearZero(z);
        }
        double complement = y > ERFC_ZERO ? 0.0 : erfcxPositive(y) * expMinusSquare(y);
        return z < 0 ? complement - 1.0 : 1.0 - complement;
    }

    public static double erfc(double z) {
        double y = Math.abs(z);
        if (y <= ERF_RANGE) {
            return 1.0 - erfNearZero(z);
        }
        double tail = y > ERFC_ZERO ? 0.0 : erfcxPositive(y) * expMinusSquare(y);
        return z < 0 ? 2.0 - tail : tail;
    }

    /** The scaled complementary error function exp(z^2) erfc(z): finite and slowly varying for z > 0. */
    public static double erfcx(double z) {
        double y = Math.abs(z);
        if (y <= ERF_RANGE) {
            return Math.exp(z * z) * (1.0 - erfNearZero(z));
        }
        if (z > 0) {
            return erfcxPositive(z);
        }
        if (y > ERFC_ZERO) {
            return Double.POSITIVE_INFINITY;
        }
        return 2.0 * expPlusSquare(y) - erfcxPositive(y);
    }

    /**
     * The standard normal quantile, Wichura's AS 241 (Applied Statistics 37(3), 1988, 477-484, PPND16),
     * accurate to about 1e-16 relative; -infinity at 0 and +infinity at 1.
     */
    public static double inverseCdf(double p) {
        double q = p - 0.5;
        if (Math.abs(q) <= 0.425) {
            double r = 0.180625 - q * q;
            return q * (((((((2.5090809287301226727e3 * r + 3.3430575583588128105e4) * r
                    + 6.7265770927008700853e4) * r + 4.5921953931549871457e4) * r + 1.3731693765509461125e4) * r
                    + 1.9715909503065514427e3) * r + 1.3314166789178437745e2) * r + 3.3871328727963666080e0)
                    / (((((((5.2264952788528545610e3 * r + 2.8729085735721942674e4) * r
                    + 3.9307895800092710610e4) * r + 2.1213794301586595867e4) * r + 5.3941960214247511077e3) * r
                    + 6.8718700749205790830e2) * r + 4.2313330701600911252e1) * r + 1.0);
        }
        double tail = q < 0 ? p : 1.0 - p;
        if (tail <= 0) {
            return q < 0 ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        }
        double r = Math.sqrt(-Math.log(tail));
        double value;
        if (r <= 5.0) {
            r -= 1.6;
            value = (((((((7.74545014278341407640e-4 * r + 2.27238449892691845833e-2) * r
                    + 2.41780725177450611770e-1) * r + 1.27045825245236838258e0) * r + 3.64784832476320460504e0) * r
                    + 5.76949722146069140550e0) * r + 4.63033784615654529590e0) * r + 1.42343711074968357734e0)
                    / (((((((1.05075007164441684324e-9 * r + 5.47593808499534494600e-4) * r
                    + 1.51986665636164571966e-2) * r + 1.48103976427480074590e-1) * r + 6.89767334985100004550e-1) * r
                    + 1.67638483018380384940e0) * r + 2.05319162663775882187e0) * r + 1.0);
        } else {
            r -= 5.0;
            value = (((((((2.01033439929228813265e-7 * r + 2.71155556874348757815e-5) * r
                    + 1.24266094738807843860e-3) * r + 2.65321895265761230930e-2) * r + 2.96560571828504891230e-1) * r
                    + 1.78482653991729133580e0) * r + 5.46378491116411436990e0) * r + 6.65790464350110377720e0)
                    / (((((((2.04426310338993978564e-15 * r + 1.42151175831644588870e-7) * r
                    + 1.84631831751005468180e-5) * r + 7.86869131145613259100e-4) * r + 1.48753612908506148525e-2) * r
                    + 1.36929880922735805310e-1) * r + 5.99832206555887937690e-1) * r + 1.0);
        }
        return q < 0 ? -value : value;
    }

    /**
     * Phi(-|x|) given exp(-x^2/2), for callers that get that factor cheaper than recomputing it (Black-76
     * has phi(d2) = phi(d1) F/K).
     */
    static double lowerTail(double x, double expMinusHalfSquareOfX) {
        double z = Math.abs(x) * SQRT_HALF;
        if (z <= ERF_RANGE) {
            return 0.5 - 0.5 * erfNearZero(z);
        }
        return 0.5 * erfcxPositive(z) * expMinusHalfSquareOfX;
    }

    /** erf for |z| <= 0.46875. */
    static double erfNearZero(double z) {
        double zz = z * z;
        double num = Math.fma(Math.fma(Math.fma(Math.fma(A4, zz, A0), zz, A1), zz, A2), zz, A3);
        double den = Math.fma(Math.fma(Math.fma(zz + B0, zz, B1), zz, B2), zz, B3);
        return z * num / den;
    }

    /** erfcx for z > 0.46875. */
    static double erfcxPositive(double z) {
        if (z <= ERFCX_NEAR_RANGE) {
            // Estrin's scheme: half the dependency chain of Horner's, and every term is positive
            double z2 = z * z;
            double z4 = z2 * z2;
            double num = Math.fma(C8, z4 * z4, Math.fma(Math.fma(Math.fma(C0, z, C1), z2, Math.fma(C2, z, C3)), z4,
                    Math.fma(Math.fma(C4, z, C5), z2, Math.fma(C6, z, C7))));
            double den = Math.fma(z4, z4, Math.fma(Math.fma(Math.fma(D0, z, D1), z2, Math.fma(D2, z, D3)), z4,
                    Math.fma(Math.fma(D4, z, D5), z2, Math.fma(D6, z, D7))));
            return num / den;
        }
        double w = 1.0 / (z * z);
        double num = Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(P5, w, P0), w, P1), w, P2), w, P3), w, P4);
        double den = Math.fma(Math.fma(Math.fma(Math.fma(w + Q0, w, Q1), w, Q2), w, Q3), w, Q4);
        return (INV_SQRT_PI - w * num / den) / z;
    }

    /** exp(-x^2 / 2) to a few ulps relative: x^2/2 is formed as an exact high part plus a rounded remainder. */
    static double expMinusHalfSquare(double x) {
        if (Math.abs(x) > 2 * CDF_ZERO) {
            return 0.0;
        }
        double high = Math.rint(x * 16.0) * 0.0625;
        double exactPart = -0.5 * high * high;
        double remainder = -0.5 * (x - high) * (x + high);
        return expOfSum(exactPart, remainder);
    }

    /** exp(-y^2), as {@link #expMinusHalfSquare}. */
    static double expMinusSquare(double y) {
        double high = Math.rint(y * 16.0) * 0.0625;
        return expOfSum(-high * high, -(y - high) * (y + high));
    }

    /** exp(y^2), as {@link #expMinusHalfSquare}. */
    static double expPlusSquare(double y) {
        double high = Math.rint(y * 16.0) * 0.0625;
        return expOfSum(high * high, (y - high) * (y + high));
    }

    /**
     * exp(a + b) with a exact and |b| < 2: the rounding error of a + b, recovered exactly by Fast2Sum,
     * enters as a first-order factor, so exp sees a rounded argument without losing |a + b| ulps.
     */
    private static double expOfSum(double a, double b) {
        double sum = a + b;
        double lost = Math.abs(a) >= Math.abs(b) ? (a - sum) + b : (b - sum) + a;
        return Math.exp(sum) * (1.0 + lost);
    }
}
