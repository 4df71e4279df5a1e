package dev.crosschain.pricing.domain;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;

/** The index of one asset at one moment: USD per unit, when it last changed, and from where. */
public record IndexLevel(String asset, BigDecimal price, Instant updatedAt, String source) {

    public boolean isStale(Instant now, Duration staleAfter) {
        return Duration.between(updatedAt, now).compareTo(staleAfter) > 0;
    }

    public Duration age(Instant now) {
        return Duration.between(updatedAt, now);
    }
}
