package dev.crosschain.collateral.domain;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * An index price in USD per token unit of a canonical asset, whether it is to be treated as stale (pricing-service
 * said so, or the price feed is down or the index too old), and when the index last changed.
 */
public record IndexQuote(BigDecimal price, boolean stale, Instant updatedAt) {

    public IndexQuote {
        Objects.requireNonNull(price, "price");
        Objects.requireNonNull(updatedAt, "updatedAt");
    }

    /** Age of the index at {@code now}; never negative (a clock ahead of ours counts as fresh, age 0). */
    public Duration ageAt(Instant now) {
        Duration age = Duration.between(updatedAt, now);
        return age.isNegative() ? Duration.ZERO : age;
    }
}
