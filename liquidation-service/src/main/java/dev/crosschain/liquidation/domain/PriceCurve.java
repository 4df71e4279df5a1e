package dev.crosschain.liquidation.domain;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * Linear Dutch auction curve. With {@code d(t) = (1 - buf) + (buf - floor) * min(1, elapsed / duration)}
 * the price of the whole lot is {@code V - |V| * d(t)}: {@code V * buf} at the start and
 * {@code V * floor} from {@code duration} on (for V > 0; for V <= 0 it falls below V).
 *
 * <p>A pure function of the start time, so a restarted or second replica quotes the same price.
 *
 * @param buf      start price as a fraction of the mark value, in (0, 1]
 * @param floor    end price as a fraction of the mark value, in [0, buf]
 * @param duration time from start to floor, positive
 */
public record PriceCurve(BigDecimal buf, BigDecimal floor, Duration duration) {

    public PriceCurve {
        Objects.requireNonNull(buf, "buf");
        Objects.requireNonNull(floor, "floor");
        Objects.requireNonNull(duration, "duration");
        if (buf.signum() <= 0 || buf.compareTo(BigDecimal.ONE) > 0) {
            throw new IllegalArgumentException("buf must be in (0, 1], got " + buf);
        }
        if (floor.signum() < 0 || floor.compareTo(buf) > 0) {
            throw new IllegalArgumentException("floor must be in [0, buf], got " + floor);
        }
        if (duration.isNegative() || duration.isZero() || duration.toMillis() == 0) {
            throw new IllegalArgumentException("duration must be positive, got " + duration);
        }
    }

    /**
     * Price of the whole lot at {@code at}, USD, scale 8 HALF_EVEN (one rounding of the exact value).
     * Before the start the start price holds; after {@code duration} the floor holds.
     */
    public BigDecimal lotPrice(BigDecimal startValue, Instant start, Instant at) {
        long total = duration.toMillis();
        long elapsed = Math.max(0, Math.min(total, Duration.between(start, at).toMillis()));
        BigDecimal totalMs = BigDecimal.valueOf(total);
        // d * total = (1 - buf) * total + (buf - floor) * elapsed
        BigDecimal discountTimesTotal = BigDecimal.ONE.subtract(buf).multiply(totalMs)
                .add(buf.subtract(floor).multiply(BigDecimal.valueOf(elapsed)));
        BigDecimal numerator = startValue.multiply(totalMs).subtract(startValue.abs().multiply(discountTimesTotal));
        return numerator.divide(totalMs, Money.USD_SCALE, Money.ROUNDING);
    }
}
