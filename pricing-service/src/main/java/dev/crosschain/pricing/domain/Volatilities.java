package dev.crosschain.pricing.domain;

import java.util.Map;

/**
 * Annualised volatility per underlying (flat in strike and tenor until issue 3's SVI surfaces).
 */
public record Volatilities(Map<String, Double> byUnderlying, double fallback) {

    public Volatilities {
        byUnderlying = Map.copyOf(byUnderlying);
    }

    public double of(String underlying) {
        return byUnderlying.getOrDefault(underlying, fallback);
    }
}
