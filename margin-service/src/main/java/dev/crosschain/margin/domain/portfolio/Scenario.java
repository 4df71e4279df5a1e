package dev.crosschain.margin.domain.portfolio;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One scenario of a {@link ScenarioGrid}: a joint shock of one correlation group, in the terms of
 * pricing-service's RevalueBook {@code Scenario}. Pricing applies to each option the vol shift
 * {@code volShift x min(volShiftMaxScale, (volShiftReferenceDays / T_days)^volShiftTenorPower)} when
 * {@code volShiftReferenceDays > 0}, else {@code volShift} unscaled.
 *
 * @param id                    readable and stable, e.g. {@code "BTC,ETH:-16%/vol+"}
 * @param group                 index of its group in {@link ScenarioGrid#groups()}
 * @param kind                  which part of the grid it comes from
 * @param underlyings           the underlyings that move: every member of the group, or for MEMBER and STALE
 *                              scenarios the one member that moves while the others stay at their index
 * @param spotMove              the relative spot move of each of {@code underlyings} (-0.16 = -16%)
 * @param volShift              absolute vol shift at the reference tenor (0.15 = +15 vol points)
 * @param volShiftReferenceDays tenor at which {@code volShift} applies unscaled, days; 0 = no tenor scaling
 * @param volShiftTenorPower    exponent of the tenor scaling
 * @param volShiftMaxScale      cap of the tenor scaling
 * @param skewShift             extra absolute vol per unit of ln(K/F)
 * @param weight                weight applied to the scenario's P&L (1 except for extended moves)
 * @param jointMoves            HISTORICAL only: each underlying's own move (they differ); empty for grid scenarios
 */
public record Scenario(String id, int group, Kind kind, List<String> underlyings, double spotMove, double volShift,
                       double volShiftReferenceDays, double volShiftTenorPower, double volShiftMaxScale,
                       double skewShift, double weight, Map<String, Double> jointMoves) {

    /** The group of a HISTORICAL scenario: it moves every group at once, so every position is revalued in it. */
    public static final int ALL_GROUPS = -1;

    /**
     * Part of the grid: core spot x vol, skew shocks, dampened extended moves, one member of a group
     * moving alone (decorrelation), a stale underlying moving alone over the widened range, or (not part of the
     * grid) a day of history for the expected-shortfall model, each underlying by its own move, vol unchanged.
     */
    public enum Kind { CORE, SKEW, EXTENDED, MEMBER, STALE, HISTORICAL }

    public Scenario {
        underlyings = List.copyOf(underlyings);
        jointMoves = Collections.unmodifiableMap(new LinkedHashMap<>(jointMoves));
    }

    /** A grid scenario: every underlying of it moves by {@code spotMove}. */
    public Scenario(String id, int group, Kind kind, List<String> underlyings, double spotMove, double volShift,
                    double volShiftReferenceDays, double volShiftTenorPower, double volShiftMaxScale,
                    double skewShift, double weight) {
        this(id, group, kind, underlyings, spotMove, volShift, volShiftReferenceDays, volShiftTenorPower, volShiftMaxScale,
                skewShift, weight, Map.of());
    }

    /** A day of history as a RevalueBook scenario: its spot moves, no vol or skew shift, weight 1, in every group. */
    public static Scenario historical(dev.crosschain.margin.domain.history.HistoricalScenario h) {
        return new Scenario(h.id(), ALL_GROUPS, Kind.HISTORICAL, List.copyOf(h.moves().keySet()), 0, 0, 0, 0, 1, 0, 1,
                h.moves());
    }

    /** The relative spot move of {@code underlying} here: the move if it is one of {@code underlyings}, else 0. */
    public double moveOf(String underlying) {
        if (!jointMoves.isEmpty()) {
            return jointMoves.getOrDefault(underlying, 0.0);
        }
        return underlyings.contains(underlying) ? spotMove : 0.0;
    }

    /** The spot shocks to send to pricing: every underlying that moves, by its move. */
    public Map<String, Double> spotMoves() {
        if (!jointMoves.isEmpty()) {
            return jointMoves;
        }
        Map<String, Double> moves = new LinkedHashMap<>();
        for (String u : underlyings) {
            moves.put(u, spotMove);
        }
        return Collections.unmodifiableMap(moves);
    }
}
