package dev.crosschain.pricing.domain;

/**
 * A book's value in USD at current marks and under each scenario, in scenario order.
 * Perpetuals and futures count quantity x price, so only differences are meaningful for them.
 *
 * <p>When asked for per position ({@link BookRevaluer#revalue(java.util.List, java.util.List, MarketSnapshot, boolean)}),
 * also each position's value in USD, in book order: {@code positionBaseValues[p]} at current marks and
 * {@code positionScenarioValues[p][s]} under scenario s. They add up to the book figures to rounding.
 * Otherwise both are empty.
 */
public record BookValuation(double baseValue, double[] scenarioValues, boolean stale,
                            double[] positionBaseValues, double[][] positionScenarioValues) {

    /** Book figures only. */
    public BookValuation(double baseValue, double[] scenarioValues, boolean stale) {
        this(baseValue, scenarioValues, stale, new double[0], new double[0][]);
    }
}
