package dev.crosschain.pricing.domain;

import java.util.Map;

/**
 * Everything known of one asset's index: the latest quote of each source and the last index
 * that had a fresh source (what a reader gets, marked stale, once no source is fresh).
 *
 * @param lastGood null until the first quote is applied
 * @param revision increases with every write of the asset, so an older copy never replaces a newer one
 */
public record AssetQuotes(String asset, Map<String, SourceQuote> bySource, IndexLevel lastGood, long revision) {

    public AssetQuotes {
        bySource = Map.copyOf(bySource);
    }
}
