package dev.crosschain.collateral.domain;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;

/**
 * When a cached index counts as stale for collateral: pricing-service said so, or the feed that brought it is not
 * connected (we cannot know what happened since), or it is older than the allowed age. Conservative on every doubt.
 */
public final class PriceFreshness {

    private PriceFreshness() {
    }

    public static IndexQuote quote(BigDecimal price, boolean staleAtSource, Instant updatedAt, boolean feedConnected,
                                   Instant now, Duration maxAge) {
        boolean tooOld = Duration.between(updatedAt, now).compareTo(maxAge) > 0;
        return new IndexQuote(price, staleAtSource || !feedConnected || tooOld, updatedAt);
    }
}
