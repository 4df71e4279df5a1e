package dev.crosschain.pricing.domain;

import java.util.Map;

/**
 * Everything known of one asset's index: the latest quote of each source, from which
 * {@link IndexAggregator} derives the index at any time.
 *
 * @param revision increases with every write of the asset, so an older copy never replaces a newer one
 */
public record AssetQuotes(String asset, Map<String, SourceQuote> bySource, long revision) {

    public AssetQuotes {
        bySource = Map.copyOf(bySource);
    }
}
