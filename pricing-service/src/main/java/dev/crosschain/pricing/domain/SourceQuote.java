package dev.crosschain.pricing.domain;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;

/** The latest price of an asset from one source, USD per unit, as the source observed it. */
public record SourceQuote(String asset, String source, BigDecimal price, Instant observedAt) {

    /** Fresh while no older than {@code staleAfter} at {@code now}; a quote observed slightly ahead of our clock is fresh. */
    public boolean isFresh(Instant now, Duration staleAfter) {
        return Duration.between(observedAt, now).compareTo(staleAfter) <= 0;
    }
}
