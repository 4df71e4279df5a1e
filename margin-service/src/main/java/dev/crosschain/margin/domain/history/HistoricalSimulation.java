package dev.crosschain.margin.domain.history;

import java.time.LocalDate;
import java.util.Collection;
import java.util.List;

/**
 * The expected-shortfall margin model: ES at {@code es.level()} of the book's P&L over the historical
 * scenarios of a {@code lookBackDays} look-back with {@code holdingDays}-day moves. Books with options go
 * through pricing's RevalueBook with {@link #scenarios}; linear books are valued here directly.
 *
 * @param es           the tail measure
 * @param lookBackDays scenarios per figure (overlapping windows, one per day)
 * @param holdingDays  the margin period of risk: how long the venue needs to close out a defaulted book
 */
public record HistoricalSimulation(ExpectedShortfall es, int lookBackDays, int holdingDays) {

    /**
     * 97.5% over one year of 2-day moves: a crypto venue liquidates within hours, but an auction of a large
     * book and the hedge of what is left take up to two days in a crash, and one year keeps the figure
     * responsive (the stressed floor of {@link Procyclicality} keeps it from eroding in calm years).
     */
    public static final HistoricalSimulation DEFAULT = new HistoricalSimulation(ExpectedShortfall.DEFAULT, 365, 2);

    public HistoricalSimulation {
        if (es == null) {
            throw new IllegalArgumentException("es is required");
        }
        if (lookBackDays < 1 || holdingDays < 1) {
            throw new IllegalArgumentException("look-back and holding period must be at least 1 day");
        }
    }

    /** The scenarios of the look-back ending on {@code asOf}. */
    public List<HistoricalScenario> scenarios(Collection<PriceHistory> histories, LocalDate asOf) {
        return HistoricalScenarios.window(histories, asOf, lookBackDays, holdingDays);
    }

    /** The scenarios of the stressed look-back (all shared history up to ten years) ending on {@code asOf}. */
    public List<HistoricalScenario> stressedScenarios(Collection<PriceHistory> histories, LocalDate asOf) {
        return HistoricalScenarios.stressed(histories, asOf, holdingDays);
    }

    /** The requirement (USD, >= 0) of a linear book on {@code asOf}. */
    public double requirement(LinearBook book, Collection<PriceHistory> histories, LocalDate asOf) {
        return es.requirement(book.pnl(scenarios(histories, asOf)));
    }

    /** The stressed requirement (USD, >= 0): the floor {@link Procyclicality#floor} takes. */
    public double stressedRequirement(LinearBook book, Collection<PriceHistory> histories, LocalDate asOf) {
        return es.requirement(book.pnl(stressedScenarios(histories, asOf)));
    }

    /** The first as-of date with a full look-back in every history. */
    public LocalDate firstAsOf(Collection<PriceHistory> histories) {
        return HistoricalScenarios.firstAsOf(histories, lookBackDays, holdingDays);
    }
}
