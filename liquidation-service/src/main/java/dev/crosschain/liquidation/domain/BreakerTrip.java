package dev.crosschain.liquidation.domain;

import java.util.Objects;

/**
 * An index circuit breaker tripped for one underlying: no new auction opens for an account whose lot touches it.
 *
 * @param underlying the underlying; {@link #EVERY} when pricing-service is unreachable (every underlying counts)
 * @param detail     what tripped it, for operators
 */
public record BreakerTrip(String underlying, Kind kind, String detail) {

    /** The underlying of the trip that covers them all (pricing-service unreachable). */
    public static final String EVERY = "*";

    public enum Kind {
        /** pricing-service says the index is stale, sent none for max-age, or cannot be reached. */
        STALE,
        /** The index moved more than max-move within the window. */
        MOVED
    }

    public BreakerTrip {
        Objects.requireNonNull(underlying, "underlying");
        Objects.requireNonNull(kind, "kind");
    }
}
