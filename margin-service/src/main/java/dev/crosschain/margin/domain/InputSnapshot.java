package dev.crosschain.margin.domain;

import dev.crosschain.margin.domain.history.AccountShortfall;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Every input one computation of an account's figures depended on, so that the figures can be recomputed from it
 * alone (Explain stores it, ReplaySnapshot recomputes). Nothing in it is derived from another input: the marks and
 * collateral lines are as the upstream services gave them, the risk-parameter set is named by its version (sets are
 * never changed once recorded), and in PORTFOLIO mode the book's revaluations are recorded as answered, because
 * pricing-service's surfaces move and the same request would not get the same answer later.
 *
 * @param portfolioIm   the last PORTFOLIO IM recorded from a revaluation (the conservative fallback's floor), or null
 * @param portfolioMm   the same MM, or null
 * @param nowMs         the instant of the computation, Unix ms (input ages are measured from it)
 * @param revaluations  the RevalueBook calls the computation made, in order (none in CROSS)
 * @param shortfallPlans the expected-shortfall plans the computation used, in order (none where the set applies no
 *                       ES to the mode): what the ES figure depends on beyond the RevalueBook answers, recorded
 *                       because the stored histories (and so the as-of date, scenarios and APC ratios) change
 */
public record InputSnapshot(String accountId, MarginMode mode, boolean frozen, BigDecimal realizedPnl,
                            List<Position> positions, Map<String, MarketMark> marks, Collateral collateral,
                            BigDecimal portfolioIm, BigDecimal portfolioMm, String parametersVersion, long nowMs,
                            List<RevalueCall> revaluations, List<AccountShortfall.Plan> shortfallPlans) {

    public InputSnapshot {
        positions = List.copyOf(positions);
        marks = Map.copyOf(marks);
        revaluations = List.copyOf(revaluations);
        shortfallPlans = List.copyOf(shortfallPlans);
    }

    /** A snapshot without ES plans (a set that applies no ES to the mode). */
    public InputSnapshot(String accountId, MarginMode mode, boolean frozen, BigDecimal realizedPnl,
                         List<Position> positions, Map<String, MarketMark> marks, Collateral collateral,
                         BigDecimal portfolioIm, BigDecimal portfolioMm, String parametersVersion, long nowMs,
                         List<RevalueCall> revaluations) {
        this(accountId, mode, frozen, realizedPnl, positions, marks, collateral, portfolioIm, portfolioMm, parametersVersion,
                nowMs, revaluations, List.of());
    }

    /**
     * One RevalueBook call: the book and scenarios asked (by name, to check a replay asks the same), and the answer
     * or the failure.
     *
     * @param pnl              pnl[position][scenario], USD, as answered; empty when the call failed
     * @param failureCode      the failure's status code name (e.g. "UNAVAILABLE"), null when answered
     * @param failure          the failure's message, null when answered
     */
    public record RevalueCall(List<String> instruments, List<String> scenarioIds, double[][] pnl,
                              Set<String> staleUnderlyings, String failureCode, String failure) {
        public RevalueCall {
            instruments = List.copyOf(instruments);
            scenarioIds = List.copyOf(scenarioIds);
            staleUnderlyings = Set.copyOf(staleUnderlyings);
        }

        public boolean failed() {
            return failureCode != null;
        }
    }

    /**
     * The figures a replay must reproduce.
     *
     * @param marginRatio compared bit for bit ({@link Double#doubleToRawLongBits})
     */
    public record Figures(BigDecimal equity, BigDecimal initialMargin, BigDecimal maintenanceMargin, double marginRatio,
                          RiskStatus status) {

        public static Figures of(AccountRisk risk) {
            return new Figures(risk.equity(), risk.initialMargin(), risk.maintenanceMargin(), risk.marginRatio(), risk.status());
        }

        /**
         * Decimals equal in value and scale ({@link BigDecimal#equals}, not rounded first: a difference the USD
         * rounding hides is still a difference), the ratio as the same bits, the same status.
         */
        public boolean identical(Figures other) {
            return equity.equals(other.equity) && initialMargin.equals(other.initialMargin)
                    && maintenanceMargin.equals(other.maintenanceMargin)
                    && Double.doubleToRawLongBits(marginRatio) == Double.doubleToRawLongBits(other.marginRatio)
                    && status == other.status;
        }
    }
}
