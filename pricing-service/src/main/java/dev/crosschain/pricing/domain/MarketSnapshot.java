package dev.crosschain.pricing.domain;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/** Everything pricing needs, fixed at one moment: index levels, vols, the clock and the rate. */
public record MarketSnapshot(Map<String, IndexLevel> indices, Volatilities vols, Instant now, Duration staleAfter,
                             double rate) {

    public MarketSnapshot {
        indices = Map.copyOf(indices);
    }

    /** The index of an asset or NotFoundException(NO_INDEX). */
    public IndexLevel index(String asset) {
        IndexLevel level = indices.get(asset);
        if (level == null) {
            throw new NotFoundException("NO_INDEX", "no index price has been pushed for " + asset);
        }
        return level;
    }

    public boolean isStale(String asset) {
        return index(asset).isStale(now, staleAfter);
    }
}
