package dev.crosschain.pricing.domain;

import java.util.Arrays;

/**
 * Black-76 for European options on a forward, discounted at a continuous rate. Stateless.
 *
 * <p>Inputs: forward F and strike K in USD, time to expiry T in years, annualised volatility
 * sigma, continuous rate r. At or after expiry (T <= 0), or at zero volatility, the option is worth
 * its discounted intrinsic value.
 *
 * <p>One evaluation computes ln(F/K), d1, d2, one exponential and two rational erfcx values: since
 * phi(d2) = phi(d1) F/K, both CDFs share exp(-u^2/2) with u the out-of-the-money side's d1, the smaller
 * |d|. price, {@link #greeks} and {@link #writeFirstOrderGreeks} repeat those few lines rather than share
 * them through an object, which the JIT could not always elide in these large methods. The out-of-the-money option is
 * priced and the in-the-money one is intrinsic plus that (parity), so a deep out-of-the-money price keeps
 * its relative precision (to 3e-14, beyond what rounding x = ln(F/K) costs); for very short or very low-vol
 * options and far in the wings, where F Phi(d1) and K Phi(d2) cancel, the out-of-the-money price comes
 * from {@link NormalizedBlack}'s series instead.
 *
 * <p>Which option is out of the money, call or put, and the sign of u are chosen with bit masks and
 * min/max rather than branches: a book mixes them in no order a branch predictor could learn.
 */
public final class Black76 {

    public static final Black76 DEFAULT = new Black76();
    private static final double VOL_POINT = 0.01;
    private static final double PER_DAY = 1.0 / 365.0;
    private static final int FIRST_ORDER_GREEKS = 5;
    private static final double RATE_POINT = 0.01;
    /** Below this s, or for |x| above CANCELLATION_SLOPE s^2, F Phi(d1) - K Phi(d2) cancels by more than 64. */
    private static final double CANCELLATION_STD_DEV = 1.0 / 64;
    private static final double CANCELLATION_SLOPE = 64.0;

    /** Discounted price in USD. */
    public double price(OptionType type, double forward, double strike, double years, double vol, double rate) {
        double discount = discount(rate, years);
        if (!(years > 0 && vol > 0)) {
            return expiredPrice(type, forward, strike, years, vol, discount);
        }
        double stdDev = vol * Math.sqrt(years);
        double inverseStdDev = 1.0 / stdDev;
        double absX = Math.abs(logMoneyness(forward, strike, 1.0 / forward));
        double lower = Math.min(forward, strike);
        double upper = Math.max(forward, strike);
        // the out-of-the-money option, where d1 and d2 are u and v = u - s below
        double u = Math.fma(-absX, inverseStdDev, 0.5 * stdDev);
        double v = u - stdDev;
        double expU = expMinusHalfSquare(u);
        double tailU = NormalDistribution.lowerTail(u, expU);
        // phi(v) = phi(u) e^{-|x|}
        double tailV = NormalDistribution.lowerTail(v, expU * (lower / upper));
        double cdfU = select(negativeMask(u), tailU, 1.0 - tailU);
        return discount * (intrinsic(type, forward, strike) + outOfTheMoney(lower, upper, absX, stdDev, cdfU, tailV));
    }

    /** Price and Greeks in the units of {@link OptionGreeks}. */
    public OptionGreeks greeks(OptionType type, double forward, double strike, double years, double vol, double rate) {
        double discount = discount(rate, years);
        if (!(years > 0 && vol > 0)) {
            return expiredGreeks(type, forward, strike, years, vol, discount);
        }
        double sqrtYears = Math.sqrt(years);
        double stdDev = vol * sqrtYears;
        double inverseStdDev = 1.0 / stdDev;
        double inverseForward = 1.0 / forward;
        double absX = Math.abs(logMoneyness(forward, strike, inverseForward));
        long forwardBelow = negativeMask(forward - strike);
        double lower = Math.min(forward, strike);
        double upper = Math.max(forward, strike);
        double u = Math.fma(-absX, inverseStdDev, 0.5 * stdDev);
        double v = u - stdDev;
        double expU = expMinusHalfSquare(u);
        double expV = expU * (lower / upper);
        double tailU = NormalDistribution.lowerTail(u, expU);
        double tailV = NormalDistribution.lowerTail(v, expV);
        long uNegative = negativeMask(u);
        double cdfU = select(uNegative, tailU, 1.0 - tailU);
        double price = discount * (intrinsic(type, forward, strike) + outOfTheMoney(lower, upper, absX, stdDev, cdfU, tailV));
        // d1 = u out of the money (F < K), -v in it; d2 = d1 - s
        double d1 = select(forwardBelow, u, -v);
        double d2 = d1 - stdDev;
        double density = discount * NormalizedBlack.INV_SQRT_2PI * select(forwardBelow, expU, expV);
        double vegaPerUnit = forward * density * sqrtYears;
        double vannaPerUnit = -density * d2 / vol;
        double volgaPerUnit = vegaPerUnit * d1 * d2 / vol;
        return new OptionGreeks(price, discount * delta(type, forwardBelow, uNegative, tailU, cdfU, tailV),
                density * inverseStdDev * inverseForward, vegaPerUnit * VOL_POINT,
                theta(price, rate, forward * density, vol, inverseStdDev), -years * price * RATE_POINT,
                vannaPerUnit * VOL_POINT, volgaPerUnit * VOL_POINT * VOL_POINT);
    }

    /**
     * Price, delta, gamma, vega and theta only (the units of {@link OptionGreeks}): what a revaluation of a
     * book needs per option, without the second-order cross Greeks.
     */
    public FirstOrderGreeks firstOrderGreeks(OptionType type, double forward, double strike, double years, double vol,
                                             double rate) {
        double[] values = new double[FIRST_ORDER_GREEKS];
        writeFirstOrderGreeks(type, forward, strike, years, vol, rate, values, 0);
        return new FirstOrderGreeks(values[0], values[1], values[2], values[3], values[4]);
    }

    /**
     * {@link #firstOrderGreeks} into {@code out[offset..offset+4]} as price, delta, gamma, vega, theta: for
     * loops over many options, where a result object per option would cost more than the arithmetic (the
     * method is too large for the JIT to inline and so to elide the object).
     */
    public void writeFirstOrderGreeks(OptionType type, double forward, double strike, double years, double vol,
                                      double rate, double[] out, int offset) {
        double discount = discount(rate, years);
        if (!(years > 0 && vol > 0)) {
            writeExpired(type, forward, strike, years, vol, discount, out, offset);
            return;
        }
        double sqrtYears = Math.sqrt(years);
        double stdDev = vol * sqrtYears;
        double inverseStdDev = 1.0 / stdDev;
        double inverseForward = 1.0 / forward;
        double absX = Math.abs(logMoneyness(forward, strike, inverseForward));
        long forwardBelow = negativeMask(forward - strike);
        double lower = Math.min(forward, strike);
        double upper = Math.max(forward, strike);
        double u = Math.fma(-absX, inverseStdDev, 0.5 * stdDev);
        double v = u - stdDev;
        double expU = expMinusHalfSquare(u);
        double expV = expU * (lower / upper);
        double tailU = NormalDistribution.lowerTail(u, expU);
        double tailV = NormalDistribution.lowerTail(v, expV);
        long uNegative = negativeMask(u);
        double cdfU = select(uNegative, tailU, 1.0 - tailU);
        double price = discount * (intrinsic(type, forward, strike) + outOfTheMoney(lower, upper, absX, stdDev, cdfU, tailV));
        double density = discount * NormalizedBlack.INV_SQRT_2PI * select(forwardBelow, expU, expV);
        double vegaPerUnit = forward * density * sqrtYears;
        out[offset] = price;
        out[offset + 1] = discount * delta(type, forwardBelow, uNegative, tailU, cdfU, tailV);
        out[offset + 2] = density * inverseStdDev * inverseForward;
        out[offset + 3] = vegaPerUnit * VOL_POINT;
        out[offset + 4] = theta(price, rate, forward * density, vol, inverseStdDev);
    }

    /**
     * The price when the hot path's test {@code years > 0 && vol > 0} fails: at or after expiry, or at zero
     * vol, the discounted intrinsic value; otherwise a NaN time or vol, which gives NaN as the formula would.
     * Kept apart, like the two below, so that the hot methods stay small.
     */
    private static double expiredPrice(OptionType type, double forward, double strike, double years, double vol,
                                       double discount) {
        if (!isExpired(years, vol)) {
            return Double.NaN;
        }
        return discount * intrinsic(type, forward, strike);
    }

    private static OptionGreeks expiredGreeks(OptionType type, double forward, double strike, double years, double vol,
                                              double discount) {
        if (!isExpired(years, vol)) {
            double nan = Double.NaN;
            return new OptionGreeks(nan, nan, nan, nan, nan, nan, nan, nan);
        }
        double intrinsic = intrinsic(type, forward, strike);
        return new OptionGreeks(discount * intrinsic, expiredDelta(type, intrinsic, discount), 0, 0, 0, 0, 0, 0);
    }

    private static void writeExpired(OptionType type, double forward, double strike, double years, double vol,
                                     double discount, double[] out, int offset) {
        if (!isExpired(years, vol)) {
            Arrays.fill(out, offset, offset + FIRST_ORDER_GREEKS, Double.NaN);
            return;
        }
        double intrinsic = intrinsic(type, forward, strike);
        out[offset] = discount * intrinsic;
        out[offset + 1] = expiredDelta(type, intrinsic, discount);
        out[offset + 2] = 0.0;
        out[offset + 3] = 0.0;
        out[offset + 4] = 0.0;
    }

    /** At or after expiry, or at zero vol (false for a NaN time or vol unless the other one qualifies). */
    private static boolean isExpired(double years, double vol) {
        return years <= 0 || vol <= 0;
    }

    /** Price, delta, gamma, vega and theta in the units of {@link OptionGreeks}. */
    public record FirstOrderGreeks(double price, double delta, double gamma, double vega, double theta) {
    }

    /**
     * ln(F/K) to an ulp or two relative even near the money: the rounding error of F/K, recovered exactly
     * with a fused multiply-add, enters as a first-order correction (a plain log(F/K) carries an absolute
     * error of 1e-16, which is a large relative one when F and K are close).
     */
    static double logMoneyness(double forward, double strike) {
        return logMoneyness(forward, strike, 1.0 / forward);
    }

    /** {@link #logMoneyness(double, double)} given 1/F (the correction only needs it to a few ulps). */
    private static double logMoneyness(double forward, double strike, double inverseForward) {
        double ratio = forward / strike;
        double residual = Math.fma(-ratio, strike, forward);
        return Math.log(ratio) + residual * inverseForward;
    }

    /**
     * The out-of-the-money option's undiscounted price (parity gives the other: intrinsic plus this), with
     * u = -|x|/s + s/2 its d1, Phi(u) and Phi(v) = Phi(u - s) given: min(F, K) Phi(u) - max(F, K) Phi(v), the
     * call when F <= K and the put when F > K.
     *
     * <p>The two terms cancel by a factor of about max(1, |h|) / (2t) with h = x/s, t = s/2 (the ratio of Y to
     * the difference Y(h + t) - Y(h - t) in {@link NormalizedBlack}'s terms). Up to 64 that costs at most six
     * bits of the out-of-the-money price (3e-14 relative); beyond, i.e. for s < 1/64 or |x| > 64 s^2 (short,
     * low-vol or far-out options), the price comes from the normalised series instead, at about twice the cost.
     */
    private static double outOfTheMoney(double lower, double upper, double absX, double stdDev, double cdfU,
                                        double tailV) {
        if (stdDev < CANCELLATION_STD_DEV || absX > CANCELLATION_SLOPE * stdDev * stdDev) {
            return seriesOutOfTheMoney(lower, upper, absX, stdDev);
        }
        return lower * cdfU - upper * tailV;
    }

    /** Rare, so out of line: the hot methods stay small enough to inline. */
    private static double seriesOutOfTheMoney(double lower, double upper, double absX, double stdDev) {
        return Math.sqrt(lower * upper) * NormalizedBlack.otmCall(-absX, stdDev);
    }

    /**
     * Undiscounted delta, Phi(d1) for a call and -Phi(-d1) for a put, with d1 = u when F < K and -v
     * otherwise (the out-of-the-money side's d1 and -d2); each from its own tail, so that a far
     * out-of-the-money delta keeps its digits. Selected without branches: in a book, calls and puts, and
     * options in and out of the money, come in no order a branch predictor could learn.
     */
    private static double delta(OptionType type, long forwardBelow, long uNegative, double tailU, double cdfU,
                                double tailV) {
        double cdfD1 = select(forwardBelow, cdfU, 1.0 - tailV);
        double cdfMinusD1 = select(forwardBelow, select(uNegative, 1.0 - tailU, tailU), tailV);
        return select(putMask(type), -cdfMinusD1, cdfD1);
    }

    private static double expiredDelta(OptionType type, double intrinsic, double discount) {
        return intrinsic > 0 ? (type == OptionType.CALL ? discount : -discount) : 0.0;
    }

    /**
     * Per calendar day, from dV/dT at a fixed forward: the discount's decay plus the vol's,
     * F phi(d1) sigma / (2 sqrt T) = F phi(d1) sigma^2 / (2 s).
     */
    private static double theta(double price, double rate, double forwardDensity, double vol, double inverseStdDev) {
        double volDecay = 0.5 * forwardDensity * vol * vol * inverseStdDev;
        // at r = 0 theta does not wait for the price, the last value computed
        double dPriceDYears = rate == 0 ? volDecay : -rate * price + volDecay;
        return -dPriceDYears * PER_DAY;
    }

    private static double discount(double rate, double years) {
        return rate == 0 ? 1.0 : Math.exp(-rate * years);
    }

    private static double intrinsic(OptionType type, double forward, double strike) {
        double exercise = select(putMask(type), strike - forward, forward - strike);
        return select(negativeMask(exercise), 0.0, exercise);
    }

    /** All ones for a put, zero for a call. */
    private static long putMask(OptionType type) {
        return -(long) type.ordinal();
    }

    /** All ones when {@code value} is negative (or -0), zero otherwise. */
    private static long negativeMask(double value) {
        return Double.doubleToRawLongBits(value) >> 63;
    }

    /**
     * {@code mask == -1 ? ifSet : ifClear} on the bits, for masks of all ones or zero: the JIT compiles a
     * double ternary to a branch, which mispredicts half the time on a mixed book.
     */
    private static double select(long mask, double ifSet, double ifClear) {
        return Double.longBitsToDouble((Double.doubleToRawLongBits(ifSet) & mask)
                | (Double.doubleToRawLongBits(ifClear) & ~mask));
    }

    /**
     * exp(-u^2/2) without {@link NormalDistribution#pdf}'s splitting: u = -|x|/s + s/2 is itself rounded,
     * which already costs u^2/2 ulps, so the exact square would buy nothing here.
     */
    private static double expMinusHalfSquare(double u) {
        return Math.exp(-0.5 * u * u);
    }
}
