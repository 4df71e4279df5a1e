package dev.crosschain.pricing.domain;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * Reference values of the normal distribution at 60 significant digits, from the defining series near
 * the centre and the continued fraction of Mills' ratio in the tail (Abramowitz and Stegun 26.2.10-26.2.14).
 * Slow and simple on purpose: it only checks the fast double code.
 */
final class HighPrecisionNormal {

    static final MathContext MC = new MathContext(80, RoundingMode.HALF_EVEN);
    private static final BigDecimal TWO = BigDecimal.valueOf(2);
    private static final BigDecimal HALF = new BigDecimal("0.5");
    private static final BigDecimal PI = new BigDecimal(
            "3.14159265358979323846264338327950288419716939937510582097494459230781640628620899863");
    private static final BigDecimal SQRT_2PI = PI.multiply(TWO).sqrt(MC);
    private static final BigDecimal SQRT_2 = TWO.sqrt(MC);
    private static final BigDecimal SERIES_LIMIT = BigDecimal.valueOf(5);
    private static final BigDecimal NEGLIGIBLE = new BigDecimal("1e-90");
    private static final int FRACTION_TERMS = 1500;

    private HighPrecisionNormal() {
    }

    static BigDecimal exp(BigDecimal y) {
        int halvings = 0;
        BigDecimal reduced = y;
        while (reduced.abs().compareTo(HALF) > 0) {
            reduced = reduced.divide(TWO, MC);
            halvings++;
        }
        BigDecimal sum = BigDecimal.ONE;
        BigDecimal term = BigDecimal.ONE;
        for (int n = 1; term.abs().compareTo(NEGLIGIBLE) > 0; n++) {
            term = term.multiply(reduced, MC).divide(BigDecimal.valueOf(n), MC);
            sum = sum.add(term, MC);
        }
        for (int i = 0; i < halvings; i++) {
            sum = sum.multiply(sum, MC);
        }
        return sum;
    }

    /** ln(a) for a > 0, by Newton's method on exp. */
    static BigDecimal log(BigDecimal a) {
        BigDecimal y = new BigDecimal(Math.log(a.doubleValue()));
        for (int i = 0; i < 8; i++) {
            BigDecimal e = exp(y);
            y = y.add(TWO.multiply(a.subtract(e, MC), MC).divide(a.add(e, MC), MC), MC);
        }
        return y;
    }

    /** Phi(t) for any t. */
    static BigDecimal cdf(BigDecimal t) {
        return t.signum() < 0 ? upperTail(t.negate()) : BigDecimal.ONE.subtract(upperTail(t), MC);
    }

    /** Undiscounted Black call: F Phi(d1) - K Phi(d2), from the exact double inputs. */
    static BigDecimal blackCall(double forward, double strike, double stdDev) {
        BigDecimal f = new BigDecimal(forward);
        BigDecimal k = new BigDecimal(strike);
        BigDecimal s = new BigDecimal(stdDev);
        BigDecimal x = log(f.divide(k, MC));
        BigDecimal d1 = x.divide(s, MC).add(s.divide(TWO, MC), MC);
        BigDecimal d2 = d1.subtract(s, MC);
        return f.multiply(cdf(d1), MC).subtract(k.multiply(cdf(d2), MC), MC);
    }

    /** Jäckel's normalised Black call b(x, s) = e^{x/2} Phi(x/s + s/2) - e^{-x/2} Phi(x/s - s/2), from exact x and s. */
    static BigDecimal normalizedCall(double x, double stdDev) {
        BigDecimal logMoneyness = new BigDecimal(x);
        BigDecimal s = new BigDecimal(stdDev);
        BigDecimal h = logMoneyness.divide(s, MC);
        BigDecimal t = s.divide(TWO, MC);
        BigDecimal halfX = logMoneyness.divide(TWO, MC);
        return exp(halfX).multiply(cdf(h.add(t, MC)), MC).subtract(exp(halfX.negate()).multiply(cdf(h.subtract(t, MC)), MC), MC);
    }

    static BigDecimal pdf(BigDecimal x) {
        return exp(x.multiply(x, MC).divide(TWO, MC).negate()).divide(SQRT_2PI, MC);
    }

    /** 1 - Phi(t) for t >= 0. */
    static BigDecimal upperTail(BigDecimal t) {
        if (t.compareTo(SERIES_LIMIT) < 0) {
            // Phi(t) - 1/2 = phi(t) (t + t^3/3 + t^5/(3*5) + ...)
            BigDecimal square = t.multiply(t, MC);
            BigDecimal term = t;
            BigDecimal sum = t;
            for (int odd = 3; term.compareTo(NEGLIGIBLE) > 0; odd += 2) {
                term = term.multiply(square, MC).divide(BigDecimal.valueOf(odd), MC);
                sum = sum.add(term, MC);
            }
            return HALF.subtract(pdf(t).multiply(sum, MC), MC);
        }
        // Mills' ratio 1/(t + 1/(t + 2/(t + 3/(t + ...)))), evaluated from the back.
        BigDecimal fraction = t;
        for (int n = FRACTION_TERMS; n >= 1; n--) {
            fraction = t.add(BigDecimal.valueOf(n).divide(fraction, MC), MC);
        }
        return pdf(t).divide(fraction, MC);
    }

    static BigDecimal cdf(double x) {
        BigDecimal exact = new BigDecimal(x);
        return x < 0 ? upperTail(exact.negate()) : BigDecimal.ONE.subtract(upperTail(exact), MC);
    }

    /** erfc(z) = 2 (1 - Phi(z sqrt 2)). */
    static BigDecimal erfc(double z) {
        BigDecimal t = new BigDecimal(z).multiply(SQRT_2, MC);
        return z < 0 ? TWO.subtract(TWO.multiply(upperTail(t.negate()), MC), MC) : TWO.multiply(upperTail(t), MC);
    }

    static BigDecimal erfcx(double z) {
        BigDecimal exact = new BigDecimal(z);
        return exp(exact.multiply(exact, MC)).multiply(erfc(z), MC);
    }

    /** |computed - reference| / |reference|. */
    static double relativeError(double computed, BigDecimal reference) {
        return new BigDecimal(computed).subtract(reference, MC).abs().divide(reference.abs(), MC).doubleValue();
    }
}
