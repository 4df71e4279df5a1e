package dev.crosschain.liquidation.domain;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.Optional;

/**
 * The recent index of one underlying as received, and whether its circuit breaker is tripped. Keeps the points of the
 * last {@code window} and the newest one before it (the level the window starts from), so a jump after a quiet spell
 * counts. Not thread-safe: its owner serialises access.
 */
public final class IndexHistory {

    /** When a price was received, and the price. */
    record Point(Instant at, double price) {
    }

    /**
     * @param maxAge  no update for longer than this: STALE
     * @param maxMove the largest relative move allowed within the window, e.g. 0.10
     * @param window  how far back a move counts
     */
    public record Rules(Duration maxAge, double maxMove, Duration window) {
        public Rules {
            if (maxAge.isNegative() || maxAge.isZero() || window.isNegative() || window.isZero() || !(maxMove > 0)) {
                throw new IllegalArgumentException("max-age and window must be positive, max-move above 0; got "
                        + maxAge + ", " + window + ", " + maxMove);
            }
        }
    }

    private final String underlying;
    private final Deque<Point> points = new ArrayDeque<>();
    private boolean staleAtSource;
    private Instant lastUpdate;

    public IndexHistory(String underlying) {
        this.underlying = underlying;
    }

    /** An index update received at {@code at}; {@code stale} as pricing-service flagged it. */
    public void observe(Instant at, BigDecimal price, boolean stale, Rules rules) {
        lastUpdate = at;
        staleAtSource = stale;
        if (!stale && price.signum() > 0) {
            points.addLast(new Point(at, price.doubleValue()));
        }
        prune(at, rules);
    }

    /** The trip at {@code now}, if any: STALE before MOVED. */
    public Optional<BreakerTrip> trip(Instant now, Rules rules) {
        if (staleAtSource) {
            return Optional.of(new BreakerTrip(underlying, BreakerTrip.Kind.STALE, "pricing-service marks the index stale"));
        }
        Duration age = Duration.between(lastUpdate, now);
        if (age.compareTo(rules.maxAge()) > 0) {
            return Optional.of(new BreakerTrip(underlying, BreakerTrip.Kind.STALE,
                    "no index update for " + age.toMillis() + " ms (max-age " + rules.maxAge().toMillis() + " ms)"));
        }
        prune(now, rules);
        double move = largestMove();
        if (move > rules.maxMove()) {
            return Optional.of(new BreakerTrip(underlying, BreakerTrip.Kind.MOVED, String.format(java.util.Locale.ROOT,
                    "the index moved %.2f%% within %d s (max-move %.2f%%)", move * 100, rules.window().toSeconds(),
                    rules.maxMove() * 100)));
        }
        return Optional.empty();
    }

    /** Drops the points older than the window's start, keeping the newest of them (the level at the start). */
    private void prune(Instant now, Rules rules) {
        Instant start = now.minus(rules.window());
        while (points.size() > 1) {
            Iterator<Point> it = points.iterator();
            it.next();
            if (!it.next().at().isAfter(start)) {
                points.removeFirst();
            } else {
                break;
            }
        }
    }

    /** The largest |later / earlier - 1| over the kept points, earlier before later. */
    private double largestMove() {
        double min = Double.POSITIVE_INFINITY;
        double max = 0;
        double move = 0;
        for (Point p : points) {
            if (min < Double.POSITIVE_INFINITY) {
                move = Math.max(move, Math.max(Math.abs(p.price() / min - 1), Math.abs(p.price() / max - 1)));
            }
            min = Math.min(min, p.price());
            max = Math.max(max, p.price());
        }
        return move;
    }
}
