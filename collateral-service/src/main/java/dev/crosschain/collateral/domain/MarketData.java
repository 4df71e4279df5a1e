package dev.crosschain.collateral.domain;

import java.util.Map;
import java.util.Optional;

/**
 * What valuation needs from the market: the index of each canonical asset, and the at-the-money implied annual
 * volatility of each underlying's nearest unexpired expiry. An absent index prices the asset at 0 (stale); an absent
 * vol leaves the asset's configured floor.
 */
public record MarketData(Map<String, IndexQuote> prices, Map<String, Double> atmAnnualVols) {

    public static final MarketData NONE = new MarketData(Map.of(), Map.of());

    public MarketData {
        prices = Map.copyOf(prices);
        atmAnnualVols = Map.copyOf(atmAnnualVols);
    }

    public Optional<IndexQuote> price(String canonical) {
        return Optional.ofNullable(prices.get(canonical));
    }

    public Optional<Double> atmAnnualVol(String canonical) {
        return Optional.ofNullable(atmAnnualVols.get(canonical));
    }
}
