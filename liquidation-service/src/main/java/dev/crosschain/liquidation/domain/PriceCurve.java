package dev.crosschain.liquidation.domain;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A Dutch auction price curve and its reset rule. The curve gives a price fraction {@code f(t)} of the
 * start value V, from {@code buf} at the start down to {@code floor}, for {@code t} the time since the
 * start of the auction's current epoch:
 * <ul>
 *   <li>{@link Kind#LINEAR}: {@code f = buf - (buf - floor) * min(1, t / duration)};</li>
 *   <li>{@link Kind#STAIR_STEP}: {@code f = max(floor, buf * cut^floor(t / step))}: the price holds for
 *       {@code step}, then drops by the factor {@code cut} (Maker's StairstepExponentialDecrease);</li>
 *   <li>{@link Kind#EXPONENTIAL}: {@code f = max(floor, buf * cut^(t / step))}, continuous: the same
 *       parameters as the stair-step, which it meets at every step boundary (chosen over
 *       {@code exp(-k t)} so one pair of parameters describes both decays).</li>
 * </ul>
 * The price of the whole lot is {@code V - |V| * (1 - f)}: {@code V * f} for a solvent lot (V > 0); for
 * an insolvent one (V <= 0) it starts at {@code V * (2 - buf)} and keeps falling below V, the same rule
 * for every kind (the insurance fund pays the bidder to take the lot). LINEAR: exact until one rounding,
 * HALF_EVEN to USD scale 8. STAIR_STEP and EXPONENTIAL: {@code f} itself is first kept to at most
 * {@value #FACTOR_SCALE} decimals (rounded HALF_EVEN, see below), then the price is rounded once, HALF_EVEN
 * to USD scale 8.
 *
 * <p><b>Determinism.</b> The price is a pure function of (epoch start, start value, curve, now), so every
 * replica and a restarted service quote the same bits. {@code cut^n} for the whole steps n is exact
 * BigDecimal arithmetic (square and multiply) as long as it has at most {@value #FACTOR_SCALE} decimals,
 * and each product beyond is rounded HALF_EVEN to {@value #FACTOR_SCALE} decimals: a fixed procedure of
 * exactly specified BigDecimal operations. The exponential's part within a step,
 * {@code cut^r} with {@code r = (t mod step) / step} in [0, 1), is {@code StrictMath.pow} (fdlibm, the
 * same bits on every JVM) of {@code cut.doubleValue()} and the IEEE quotient of the two millisecond
 * counts, taken into BigDecimal exactly with {@code new BigDecimal(double)} (not {@code valueOf}, whose
 * {@code Double.toString} changed in JDK 19). At a step boundary {@code r = 0} and the factor is exactly 1.
 *
 * <p><b>Resets.</b> The auction needs a reset (a new epoch from the lot's value at the current marks) once {@code tail}
 * has passed since the epoch start ({@link ResetReason#TAIL}), or once {@code f(t) < cusp}
 * ({@link ResetReason#CUSP}; for a solvent lot that is "price below cusp x start value"; defined on the
 * fraction so it means the same for an insolvent lot). A zero {@code tail} or {@code cusp} never resets
 * (auctions opened before resets existed).
 *
 * @param kind     the shape
 * @param buf      start price as a fraction of the start value, in (0, 1]
 * @param floor    lowest price fraction, in [0, buf]
 * @param duration LINEAR only (null otherwise): time from start to floor, whole seconds, 1s to 7 days
 * @param step     STAIR_STEP and EXPONENTIAL only (null otherwise): time per factor {@code cut}, whole seconds, 1s to 7 days
 * @param cut      STAIR_STEP and EXPONENTIAL only (null otherwise): factor per step, in (0, 1)
 * @param tail     reset after this long in one epoch, whole seconds up to 7 days, longer than {@code step}; ZERO: never
 * @param cusp     reset once the price fraction is below this, in (floor, buf); 0: never
 */
public record PriceCurve(Kind kind, BigDecimal buf, BigDecimal floor, Duration duration, Duration step, BigDecimal cut,
                         Duration tail, BigDecimal cusp) {

    /** The longest duration, step or tail. */
    public static final Duration MAX_TIME = Duration.ofDays(7);

    /** Decimals kept in a power of {@code cut} beyond which products are rounded HALF_EVEN. */
    public static final int FACTOR_SCALE = 30;

    public enum Kind { LINEAR, STAIR_STEP, EXPONENTIAL }

    /** Why an auction needs a new epoch. */
    public enum ResetReason { TAIL, CUSP }

    public PriceCurve {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(buf, "buf");
        Objects.requireNonNull(floor, "floor");
        Objects.requireNonNull(tail, "tail");
        Objects.requireNonNull(cusp, "cusp");
        if (buf.signum() <= 0 || buf.compareTo(BigDecimal.ONE) > 0) {
            throw new IllegalArgumentException("buf must be in (0, 1], got " + buf);
        }
        if (floor.signum() < 0 || floor.compareTo(buf) > 0) {
            throw new IllegalArgumentException("floor must be in [0, buf] (buf " + buf + "), got " + floor);
        }
        if (kind == Kind.LINEAR) {
            if (!wholeSeconds(duration) || duration.isZero()) {
                throw new IllegalArgumentException("duration of a linear curve must be a whole number of seconds, 1s to "
                        + MAX_TIME.toDays() + " days, got " + duration);
            }
            if (step != null || cut != null) {
                throw new IllegalArgumentException("step and cut are not parameters of a linear curve");
            }
        } else {
            if (duration != null) {
                throw new IllegalArgumentException("duration is a parameter of a linear curve only; a " + kind
                        + " curve falls by cut every step");
            }
            if (!wholeSeconds(step) || step.isZero()) {
                throw new IllegalArgumentException("step must be a whole number of seconds, 1s to " + MAX_TIME.toDays()
                        + " days, got " + step);
            }
            if (cut == null || cut.signum() <= 0 || cut.compareTo(BigDecimal.ONE) >= 0) {
                throw new IllegalArgumentException("cut must be in (0, 1), got " + cut);
            }
        }
        if (!wholeSeconds(tail)) {
            throw new IllegalArgumentException("tail must be a whole number of seconds, 0 (never) to " + MAX_TIME.toDays()
                    + " days, got " + tail);
        }
        if (kind != Kind.LINEAR && !tail.isZero() && tail.compareTo(step) <= 0) {
            // a reset at or before the first step: the price would never fall
            throw new IllegalArgumentException("tail must be 0 (never) or longer than step (" + step + "), got " + tail);
        }
        if (cusp.signum() != 0 && (cusp.compareTo(floor) <= 0 || cusp.compareTo(buf) >= 0)) {
            // at or below the floor the price never falls below cusp: a cusp that can never trigger is a mistake
            throw new IllegalArgumentException("cusp must be 0 (never) or in (floor, buf) = (" + floor + ", " + buf
                    + "), got " + cusp);
        }
    }

    /** A linear curve that never resets (as auctions opened before resets existed). */
    public PriceCurve(BigDecimal buf, BigDecimal floor, Duration duration) {
        this(Kind.LINEAR, buf, floor, duration, null, null, Duration.ZERO, BigDecimal.ZERO);
    }

    public static PriceCurve linear(BigDecimal buf, BigDecimal floor, Duration duration, Duration tail, BigDecimal cusp) {
        return new PriceCurve(Kind.LINEAR, buf, floor, duration, null, null, tail, cusp);
    }

    public static PriceCurve stairStep(BigDecimal buf, BigDecimal floor, Duration step, BigDecimal cut, Duration tail,
                                       BigDecimal cusp) {
        return new PriceCurve(Kind.STAIR_STEP, buf, floor, null, step, cut, tail, cusp);
    }

    public static PriceCurve exponential(BigDecimal buf, BigDecimal floor, Duration step, BigDecimal cut, Duration tail,
                                         BigDecimal cusp) {
        return new PriceCurve(Kind.EXPONENTIAL, buf, floor, null, step, cut, tail, cusp);
    }

    /**
     * Price of the whole lot at {@code at}, USD, scale 8 HALF_EVEN (rounded as the class comment says). Before the start the start price holds; the floor holds once reached.
     *
     * @param startValue the lot's mark value at the start of the epoch, USD
     * @param start      the start of the epoch
     */
    public BigDecimal lotPrice(BigDecimal startValue, Instant start, Instant at) {
        long elapsed = elapsedMillis(start, at);
        if (kind == Kind.LINEAR) {
            BigDecimal totalMs = BigDecimal.valueOf(duration.toMillis());
            // V - |V| * (1 - f) = (V * total - |V| * (total - f * total)) / total: exact, one division
            BigDecimal discountTimesTotal = totalMs.subtract(linearFractionTimesTotal(elapsed));
            BigDecimal numerator = startValue.multiply(totalMs).subtract(startValue.abs().multiply(discountTimesTotal));
            return numerator.divide(totalMs, Money.USD_SCALE, Money.ROUNDING);
        }
        BigDecimal discount = BigDecimal.ONE.subtract(decayFraction(elapsed));
        return startValue.subtract(startValue.abs().multiply(discount)).setScale(Money.USD_SCALE, Money.ROUNDING);
    }

    /**
     * Whether an epoch started at {@code start} needs a reset at {@code now}, and why: TAIL when
     * {@code tail} (non-zero) has passed, else CUSP when the price fraction is below {@code cusp} (non-zero).
     */
    public Optional<ResetReason> resetReason(Instant start, Instant now) {
        long elapsed = elapsedMillis(start, now);
        if (!tail.isZero() && elapsed >= tail.toMillis()) {
            return Optional.of(ResetReason.TAIL);
        }
        if (cusp.signum() > 0 && belowCusp(elapsed)) {
            return Optional.of(ResetReason.CUSP);
        }
        return Optional.empty();
    }

    private boolean belowCusp(long elapsed) {
        if (kind == Kind.LINEAR) {
            // f < cusp  <=>  f * total < cusp * total (exact)
            return linearFractionTimesTotal(elapsed).compareTo(cusp.multiply(BigDecimal.valueOf(duration.toMillis()))) < 0;
        }
        return decayFraction(elapsed).compareTo(cusp) < 0;
    }

    /** f(t) x duration of LINEAR, in milliseconds, exact: {@code buf * total - (buf - floor) * min(elapsed, total)}. */
    private BigDecimal linearFractionTimesTotal(long elapsedMillis) {
        long total = duration.toMillis();
        return buf.multiply(BigDecimal.valueOf(total))
                .subtract(buf.subtract(floor).multiply(BigDecimal.valueOf(Math.min(total, elapsedMillis))));
    }

    /** f(t) of STAIR_STEP and EXPONENTIAL: {@code max(floor, buf * cut^n [* cut^r])}. */
    private BigDecimal decayFraction(long elapsedMillis) {
        long stepMs = step.toMillis();
        long steps = elapsedMillis / stepMs;
        BigDecimal f = bounded(buf.multiply(power(cut, steps)));
        long within = elapsedMillis % stepMs;
        if (kind == Kind.EXPONENTIAL && within != 0) {
            double partial = StrictMath.pow(cut.doubleValue(), (double) within / (double) stepMs);
            f = bounded(f.multiply(new BigDecimal(partial)));
        }
        return f.compareTo(floor) < 0 ? floor : f;
    }

    /** {@code base^n} by square and multiply; exact while the products have at most FACTOR_SCALE decimals. */
    static BigDecimal power(BigDecimal base, long n) {
        BigDecimal result = BigDecimal.ONE;
        BigDecimal square = base;
        long rest = n;
        while (rest > 0) {
            if ((rest & 1) == 1) {
                result = bounded(result.multiply(square));
            }
            rest >>= 1;
            if (rest > 0) {
                square = bounded(square.multiply(square));
            }
        }
        return result;
    }

    private static BigDecimal bounded(BigDecimal x) {
        return x.scale() > FACTOR_SCALE ? x.setScale(FACTOR_SCALE, RoundingMode.HALF_EVEN) : x;
    }

    /**
     * Stored and sent as whole seconds: non-null, not negative, no fraction of a second, at most
     * {@link #MAX_TIME} (so every millisecond count stays far from overflowing a long).
     */
    private static boolean wholeSeconds(Duration d) {
        return d != null && !d.isNegative() && d.getNano() == 0 && d.compareTo(MAX_TIME) <= 0;
    }

    private static long elapsedMillis(Instant start, Instant at) {
        return Math.max(0, Duration.between(start, at).toMillis());
    }
}
