package dev.crosschain.pricing.domain;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The index of one asset as of one moment.
 *
 * @param price          USD per unit: the median of the fresh sources that were kept
 * @param updatedAt      newest observation among the sources that made the price
 * @param stale          no source was fresh (the price is the index as it stood just before), or the fresh
 *                       sources had no consensus (see {@link IndexAggregator}): consumers must be conservative
 * @param sources        sources whose quotes made the price, by name
 * @param droppedSources fresh sources left out for deviating from the median, by name
 */
public record IndexLevel(String asset, BigDecimal price, Instant updatedAt, boolean stale, List<String> sources,
                         List<String> droppedSources) {

    public IndexLevel {
        sources = List.copyOf(sources);
        droppedSources = List.copyOf(droppedSources);
    }

    public Duration age(Instant now) {
        return Duration.between(updatedAt, now);
    }

    public IndexLevel withStale(boolean stale) {
        return stale == this.stale ? this : new IndexLevel(asset, price, updatedAt, stale, sources, droppedSources);
    }
}
