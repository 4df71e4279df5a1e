package dev.crosschain.margin.domain.history;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A book whose value moves linearly with spot: perpetuals, futures (basis ignored) and risky
 * collateral. Its P&L in a scenario is {@code sum over underlyings of deltaUsd x move}, exact for a
 * relative spot move, so it needs no call to pricing.
 *
 * @param deltaUsd underlying -> signed USD exposure: a perp's signed notional (quantity x mark), plus
 *                 risky collateral at its haircut value (amount x price x (1 - haircut)), which is what
 *                 it contributes to equity and so what it gains or loses when the price moves
 */
public record LinearBook(Map<String, Double> deltaUsd) {

    public LinearBook {
        deltaUsd.forEach((u, d) -> {
            if (!Double.isFinite(d)) {
                throw new IllegalArgumentException("exposure to " + u + " is not finite: " + d);
            }
        });
        deltaUsd = Collections.unmodifiableMap(new TreeMap<>(deltaUsd));
    }

    /** P&L in USD of the book in one scenario; the scenario must move every underlying of the book. */
    public double pnl(HistoricalScenario scenario) {
        double sum = 0.0;
        for (Map.Entry<String, Double> e : deltaUsd.entrySet()) {
            sum += e.getValue() * scenario.move(e.getKey());
        }
        return sum;
    }

    /** P&L per scenario, in the scenarios' order. */
    public double[] pnl(List<HistoricalScenario> scenarios) {
        double[] result = new double[scenarios.size()];
        for (int i = 0; i < result.length; i++) {
            result[i] = pnl(scenarios.get(i));
        }
        return result;
    }
}
