package dev.crosschain.pricing.domain;

/**
 * Black-76 implied volatility of an undiscounted option price, to full double precision. Stateless.
 *
 * <p>The method follows P. Jäckel, "Let's Be Rational" (Wilmott 2015): the price is normalised to
 * beta = price / sqrt(F K) with x = ln(F/K), an in-the-money option is replaced by its out-of-the-money
 * counterpart (price minus intrinsic, which parity makes the other option's price), and the problem becomes
 * b(x, s) = beta for an out-of-the-money call, x <= 0, in the total standard deviation s = sigma sqrt(T).
 * Around the inflection point s_c = sqrt(2|x|) of b, the tangents at s_c define four price ranges:
 * <ul>
 *   <li>lowest: a shape-preserving rational cubic (Delbourgo and Gregory 1985) of f = F_l(s) in beta, with
 *       F_l(s) = (2 pi |x| / 3^1.5) Phi(x / (sqrt 3 s))^3, which matches b's leading asymptotics as s -> 0 and
 *       inverts in closed form; Householder steps on 1/ln b, which is nearly linear in s there;</li>
 *   <li>lower and upper middle: rational cubics of s in beta through the tangent points, with the slopes
 *       1/vega and b's zero curvature at s_c; Householder steps on b itself;</li>
 *   <li>highest: a rational cubic of f = Phi(-s/2) (b's asymptotics as s -> infinity) in beta; Householder
 *       steps on ln(bmax - b), with bmax - b computed without cancellation.</li>
 * </ul>
 * Each step is Householder's third-order method, and two steps reach full precision from these guesses.
 * The prices come from {@link NormalizedBlack}, which keeps b to a few ulps where it matters.
 */
public final class ImpliedVolatility {

    public static final ImpliedVolatility DEFAULT = new ImpliedVolatility();

    /** Safety net only: the guesses need at most two steps (tests assert it). */
    private static final int MAX_ITERATIONS = 8;
    /** After a third-order step this small, the next one would be below a rounding error. */
    private static final double CONVERGED = 1e-5;
    private static final double SQRT_THREE = 1.7320508075688772935;
    private static final double TWO_PI_OVER_SQRT_27 = 1.2091995761561452337;
    private static final double LARGE_CONTROL = 1e15;
    /** Below this normalised price the lowest branch works in logarithms. */
    private static final double TINY_PRICE = 1e-280;

    /** An implied volatility and the number of Householder steps that produced it. */
    public record Solution(double vol, int iterations) {
    }

    /**
     * The annualised volatility at which Black-76 (r = 0) gives {@code price}.
     *
     * @throws PriceOutOfBoundsException when the price is not strictly inside the no-arbitrage bounds
     *         (intrinsic, F) for calls and (intrinsic, K) for puts, including a non-finite price and any
     *         price at or after expiry (years <= 0), where the bounds meet
     * @throws InvalidInputException when the forward, strike or time is not a finite number, or F or K is not positive
     */
    public double solve(OptionType type, double forward, double strike, double years, double price) {
        return solveCountingIterations(type, forward, strike, years, price).vol();
    }

    /** {@link #solve}, with the number of iterations spent. */
    public Solution solveCountingIterations(OptionType type, double forward, double strike, double years, double price) {
        requirePositive("forward", forward);
        requirePositive("strike", strike);
        if (Double.isNaN(years) || Double.isInfinite(years)) {
            throw new InvalidInputException("INVALID_OPTION_QUOTE", "years", "must be finite: " + years);
        }
        double intrinsic = Math.max(type == OptionType.CALL ? forward - strike : strike - forward, 0.0);
        double upper = type == OptionType.CALL ? forward : strike;
        if (years <= 0) {
            throw new PriceOutOfBoundsException(price, intrinsic, intrinsic);
        }
        if (!(price > intrinsic && price < upper)) {
            throw new PriceOutOfBoundsException(price, intrinsic, upper);
        }
        double rootForwardStrike = Math.sqrt(forward) * Math.sqrt(strike);
        double x = -Math.abs(Black76.logMoneyness(forward, strike));
        // Both in USD first: price - intrinsic and upper - price are single roundings of exact differences.
        double beta = (price - intrinsic) / rootForwardStrike;
        double gap = (upper - price) / rootForwardStrike;
        Solver solver = new Solver(x, beta, gap, price - intrinsic, rootForwardStrike);
        return new Solution(solver.stdDev / Math.sqrt(years), solver.iterations);
    }

    private static void requirePositive(String field, double value) {
        if (!(value > 0) || Double.isInfinite(value)) {
            throw new InvalidInputException("INVALID_OPTION_QUOTE", field, "must be positive and finite: " + value);
        }
    }

    /** Solves b(x, s) = beta for x <= 0, given beta and bmax - beta. */
    private static final class Solver {
        private final double x;
        private final double beta;
        private final double gap;
        private final double xSquared;
        private final double timeValue;
        private final double rootForwardStrike;
        double stdDev;
        int iterations;
        /** nu at the s of the last {@link #price} call. */
        private double lastVega;

        Solver(double x, double beta, double gap, double timeValue, double rootForwardStrike) {
            this.x = x;
            this.beta = beta;
            this.gap = gap;
            this.xSquared = x * x;
            this.timeValue = timeValue;
            this.rootForwardStrike = rootForwardStrike;
            double bMax = Math.exp(0.5 * x);
            double sC = Math.sqrt(-2.0 * x);
            double bC = price(sC);
            double vC = lastVega;
            if (beta < bC) {
                double sL = sC - bC / vC;
                double bL = price(sL);
                double vL = lastVega;
                if (beta < bL) {
                    double logBeta = logBeta();
                    stdDev = lowestGuess(sL, bL, vL, logBeta);
                    iterateOnInverseLog(logBeta);
                } else {
                    double r = controlForRightCurvature(bL, bC, sL, sC, 1.0 / vL, 1.0 / vC, 0.0);
                    stdDev = rationalCubic(beta, bL, bC, sL, sC, 1.0 / vL, 1.0 / vC, r);
                    iterateOnPrice();
                }
            } else {
                double sU = vC > 0 ? sC + (bMax - bC) / vC : Double.MAX_VALUE;
                double bU = price(sU);
                double vU = lastVega;
                if (beta <= bU) {
                    double r = controlForLeftCurvature(bC, bU, sC, sU, 1.0 / vC, 1.0 / vU, 0.0);
                    stdDev = rationalCubic(beta, bC, bU, sC, sU, 1.0 / vC, 1.0 / vU, r);
                    iterateOnPrice();
                } else {
                    stdDev = highestGuess(sU, bU, vU, bMax);
                    iterateOnLogComplement();
                }
            }
        }

        private double vega(double s) {
            // at the money the inflection point is s = 0, where h = x/s tends to 0
            return NormalizedBlack.vega(x == 0 ? 0.0 : x / s, 0.5 * s);
        }

        /** b(x, s), leaving nu(s) in {@link #lastVega}: both need the same exponential. */
        private double price(double s) {
            double h = x == 0 ? 0.0 : x / s;
            double t = 0.5 * s;
            lastVega = NormalizedBlack.vega(h, t);
            return s > 0 ? NormalizedBlack.otmCall(x, h, t, lastVega) : 0.0;
        }

        /** b''/b' = x^2/s^3 - s/4 and b'''/b' = (b''/b')^2 - 3x^2/s^4 - 1/4. */
        private double curvature(double s) {
            return xSquared / (s * s * s) - 0.25 * s;
        }

        private double thirdOverFirst(double s, double q) {
            return q * q - 3.0 * xSquared / (s * s * s * s) - 0.25;
        }

        /** ln beta, from the USD amounts when beta itself has underflowed into the subnormals or to zero. */
        private double logBeta() {
            return beta >= Double.MIN_NORMAL ? Math.log(beta) : Math.log(timeValue) - Math.log(rootForwardStrike);
        }

        private double lowestGuess(double sL, double bL, double vL, double logBeta) {
            // F_l(s) and its derivatives in s at s_l, converted to derivatives in beta
            double scale = TWO_PI_OVER_SQRT_27 * Math.abs(x);
            double z = x / (SQRT_THREE * sL);
            double phiZ = NormalDistribution.cdf(z);
            double densityZ = NormalDistribution.pdf(z);
            double fL = scale * phiZ * phiZ * phiZ;
            double dz = -z / sL;
            double dfds = scale * 3 * phiZ * phiZ * densityZ * dz;
            double d2fds2 = scale * 3 * (2 * phiZ * densityZ * densityZ * dz * dz
                    - phiZ * phiZ * z * densityZ * dz * dz
                    - 2 * phiZ * phiZ * densityZ * dz / sL);
            double slope = dfds / vL;
            double second = (d2fds2 - dfds * curvature(sL)) / (vL * vL);
            double root;
            if (beta < TINY_PRICE) {
                // the interpolant is f = beta to first order at 0; in logs, so that no underflow can hurt
                root = Math.exp((logBeta - Math.log(scale)) / 3);
            } else {
                double r = controlForRightCurvature(0.0, bL, 0.0, fL, 1.0, slope, second);
                root = Math.cbrt(rationalCubic(beta, 0.0, bL, 0.0, fL, 1.0, slope, r) / scale);
            }
            double quantile = NormalDistribution.inverseCdf(root);
            return x / (SQRT_THREE * quantile);
        }

        private double highestGuess(double sU, double bU, double vU, double bMax) {
            double fU = NormalDistribution.cdf(-0.5 * sU);
            double dfds = -0.5 * NormalDistribution.pdf(0.5 * sU);
            double d2fds2 = 0.125 * sU * NormalDistribution.pdf(0.5 * sU);
            double slope = dfds / vU;
            double second = (d2fds2 - dfds * curvature(sU)) / (vU * vU);
            double r = controlForLeftCurvature(bU, bMax, fU, 0.0, slope, -0.5, second);
            double f = beta < bMax ? rationalCubic(beta, bU, bMax, fU, 0.0, slope, -0.5, r) : 0.0;
            if (!(f > 0)) {
                // beta rounds to bmax: only the complement tells how far out we are, and b ~ bmax - 2 Phi(-s/2)
                f = 0.5 * gap;
            }
            return -2.0 * NormalDistribution.inverseCdf(f);
        }

        /** Objective 1/ln b(s) - 1/ln beta, through ln b = ln B + ln nu so that tiny prices do not underflow. */
        private void iterateOnInverseLog(double logBeta) {
            double target = 1.0 / logBeta;
            for (iterations = 0; iterations < MAX_ITERATIONS; ) {
                double s = stdDev;
                double h = x / s;
                double t = 0.5 * s;
                double scaled = NormalizedBlack.scaled(h, t);
                double logB = Math.log(scaled) - 0.5 * (h * h + t * t) - 0.91893853320467274178;
                double l1 = 1.0 / scaled;
                double q = curvature(s);
                double l2 = (q - l1) * l1;
                double l3 = (thirdOverFirst(s, q) - 3 * q * l1 + 2 * l1 * l1) * l1;
                double inv = 1.0 / logB;
                double g1 = -l1 * inv * inv;
                double g2 = (2 * l1 * l1 * inv - l2) * inv * inv;
                double g3 = (-6 * l1 * l1 * l1 * inv * inv + 6 * l1 * l2 * inv - l3) * inv * inv;
                double newton = -(inv - target) / g1;
                if (step(newton, g2 / g1, g3 / g1)) {
                    return;
                }
            }
        }

        /** Objective b(s) - beta. */
        private void iterateOnPrice() {
            for (iterations = 0; iterations < MAX_ITERATIONS; ) {
                double s = stdDev;
                double b = price(s);
                double q = curvature(s);
                double newton = -(b - beta) / lastVega;
                if (step(newton, q, thirdOverFirst(s, q))) {
                    return;
                }
            }
        }

        /** Objective ln(bmax - b(s)) - ln(bmax - beta). */
        private void iterateOnLogComplement() {
            double target = Math.log(gap);
            for (iterations = 0; iterations < MAX_ITERATIONS; ) {
                double s = stdDev;
                double c = NormalizedBlack.complement(x, s);
                double q = curvature(s);
                // c' = -nu, c'' = -nu q, c''' = -nu (q^2 + q'), as ratios to c
                double k1 = -vega(s) / c;
                double k2 = k1 * q;
                double k3 = k1 * thirdOverFirst(s, q);
                double g2 = k2 - k1 * k1;
                double g3 = k3 - 3 * k1 * k2 + 2 * k1 * k1 * k1;
                double newton = -(Math.log(c) - target) / k1;
                if (step(newton, g2 / k1, g3 / k1)) {
                    return;
                }
            }
        }

        /** One Householder (third order) step; true when converged. */
        private boolean step(double newton, double h2, double h3) {
            double correction = newton * (1 + 0.5 * h2 * newton) / (1 + newton * (h2 + h3 * newton / 6));
            if (!Double.isFinite(correction)) {
                return true;
            }
            double next = stdDev + correction;
            // a step may overshoot below zero only from a poor start; halving keeps s positive
            stdDev = next > 0 ? next : 0.5 * stdDev;
            iterations++;
            return Math.abs(correction) <= CONVERGED * stdDev;
        }
    }

    /**
     * Delbourgo and Gregory's rational cubic through (xl, yl) and (xr, yr) with slopes dl and dr; r = 3 is the
     * cubic Hermite interpolant, r -> infinity the straight line.
     */
    static double rationalCubic(double at, double xl, double xr, double yl, double yr, double dl, double dr, double r) {
        double width = xr - xl;
        if (!(width > 0)) {
            return 0.5 * (yl + yr);
        }
        double s = (at - xl) / width;
        double t = 1.0 - s;
        if (r >= LARGE_CONTROL) {
            return yr * s + yl * t;
        }
        double num = yr * s * s * s + (r * yr - width * dr) * s * s * t + (r * yl + width * dl) * s * t * t + yl * t * t * t;
        return num / (1 + (r - 3) * s * t);
    }

    /** The control parameter that gives the rational cubic the second derivative {@code second} at xl. */
    static double controlForLeftCurvature(double xl, double xr, double yl, double yr, double dl, double dr,
                                          double second) {
        double width = xr - xl;
        double secant = (yr - yl) / width;
        double r = (0.5 * width * second + (dr - dl)) / (secant - dl);
        return Math.max(r, minimumControl(secant, dl, dr));
    }

    /** The control parameter that gives the rational cubic the second derivative {@code second} at xr. */
    static double controlForRightCurvature(double xl, double xr, double yl, double yr, double dl, double dr,
                                           double second) {
        double width = xr - xl;
        double secant = (yr - yl) / width;
        double r = (0.5 * width * second + (dr - dl)) / (dr - secant);
        return Math.max(r, minimumControl(secant, dl, dr));
    }

    /**
     * The smallest control parameter that keeps the interpolant monotone and convex (or concave) where the
     * data are: r >= (dl + dr)/secant and r >= (dr - dl)/(dr - secant), (dr - dl)/(secant - dl)
     * (the end curvatures of the rational cubic are linear in r).
     */
    private static double minimumControl(double secant, double dl, double dr) {
        double r = 0.0;
        boolean monotone = dl * secant >= 0 && dr * secant >= 0;
        if (monotone && secant != 0) {
            r = (dl + dr) / secant;
        }
        boolean convex = dl <= secant && secant <= dr;
        boolean concave = dl >= secant && secant >= dr;
        if (convex || concave) {
            double spread = dr - dl;
            double right = dr - secant;
            double left = secant - dl;
            if (spread != 0) {
                r = Math.max(r, right != 0 ? spread / right : LARGE_CONTROL);
                r = Math.max(r, left != 0 ? spread / left : LARGE_CONTROL);
            }
        }
        if (!(r < LARGE_CONTROL)) {
            return LARGE_CONTROL;
        }
        return r;
    }
}
