package dev.crosschain.pricing.domain;

import java.util.Map;

/**
 * A market scenario: relative spot moves per underlying (unnamed ones stay), an absolute vol
 * shift, and a skew shift in vol points per unit of log-moneyness ln(K/F).
 */
public record Scenario(String id, Map<String, Double> spotMoves, double volShift, double skewShift) {

    public Scenario {
        spotMoves = Map.copyOf(spotMoves);
    }

    public double spotFactor(String underlying) {
        return 1.0 + spotMoves.getOrDefault(underlying, 0.0);
    }
}
