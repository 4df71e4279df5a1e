package dev.crosschain.margin.domain.history;

import java.time.LocalDate;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * One historical-simulation scenario: the joint relative spot moves that every underlying made over
 * the same {@code holdingDays} ending on {@code end}. Applied to today's spots as {@code S x (1 + move)},
 * it is what margin sends to pricing's RevalueBook as a scenario's spot shocks.
 *
 * @param id          readable and stable, e.g. {@code "hist:2020-03-12/2d"}
 * @param end         last day of the window
 * @param holdingDays window length in calendar days
 * @param moves       underlying -> simple relative move ({@code -0.37} = -37%), each > -1
 */
public record HistoricalScenario(String id, LocalDate end, int holdingDays, Map<String, Double> moves) {

    public HistoricalScenario {
        if (holdingDays < 1) {
            throw new IllegalArgumentException("holding period must be at least 1 day");
        }
        if (moves.isEmpty()) {
            throw new IllegalArgumentException("a scenario moves at least one underlying");
        }
        moves.forEach((u, m) -> {
            if (!Double.isFinite(m) || m <= -1.0) {
                throw new IllegalArgumentException("move of " + u + " on " + end + " is not > -1: " + m);
            }
        });
        moves = Collections.unmodifiableMap(new TreeMap<>(moves));
    }

    /** The id convention: {@code hist:<end>/<h>d}. */
    public static String idOf(LocalDate end, int holdingDays) {
        return "hist:" + end + "/" + holdingDays + "d";
    }

    /** The move of {@code underlying}; IllegalArgumentException when the scenario does not move it. */
    public double move(String underlying) {
        Double m = moves.get(underlying);
        if (m == null) {
            throw new IllegalArgumentException("scenario " + id + " has no move for " + underlying);
        }
        return m;
    }
}
