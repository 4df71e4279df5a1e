package dev.crosschain.pricing.domain;

/**
 * A book's value in USD at current marks and under each scenario, in scenario order.
 * Perpetuals and futures count quantity x price, so only differences are meaningful for them.
 */
public record BookValuation(double baseValue, double[] scenarioValues, boolean stale) {
}
