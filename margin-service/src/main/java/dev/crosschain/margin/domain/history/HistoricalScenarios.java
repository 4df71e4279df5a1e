package dev.crosschain.margin.domain.history;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Historical-simulation scenarios: for an as-of date, a look-back of N days and a holding period of h
 * days, the N overlapping h-day windows ending on as-of, as-of - 1, ..., as-of - N + 1; each gives every
 * underlying's move over the same dates (joint moves keep the correlation the market had).
 *
 * <p>Overlapping windows: with h = 2 a 1-year look-back still has 365 scenarios rather than 182, at the
 * price of neighbouring scenarios sharing a day; the tail average is what matters, and it needs samples.
 */
public final class HistoricalScenarios {

    /** Longest look-back the stressed floor uses: ten years, as EMIR's floor option (RTS 153/2013 art. 28(1)(c)). */
    public static final int STRESSED_MAX_LOOK_BACK_DAYS = 3650;

    private HistoricalScenarios() {
    }

    /**
     * The {@code lookBackDays} scenarios ending on {@code asOf}, newest first. Every history must cover
     * {@code asOf - lookBackDays + 1 - holdingDays .. asOf}: a look-back that is not fully available is
     * refused rather than silently shortened (a shorter window would understate the tail).
     */
    public static List<HistoricalScenario> window(Collection<PriceHistory> histories, LocalDate asOf,
                                                  int lookBackDays, int holdingDays) {
        if (histories.isEmpty()) {
            throw new IllegalArgumentException("no histories");
        }
        if (lookBackDays < 1 || holdingDays < 1) {
            throw new IllegalArgumentException("look-back and holding period must be at least 1 day");
        }
        requireDistinctUnderlyings(histories);
        LocalDate earliest = asOf.minusDays(lookBackDays - 1L + holdingDays);
        for (PriceHistory h : histories) {
            if (!h.covers(earliest) || !h.covers(asOf)) {
                throw new IllegalArgumentException(h + " does not cover " + earliest + ".." + asOf);
            }
        }
        return scenarios(histories, asOf, lookBackDays, holdingDays);
    }

    /**
     * The stressed look-back: every window the histories share up to {@code asOf}, at most
     * {@value #STRESSED_MAX_LOOK_BACK_DAYS} days. With the suite's data (BTC from 2014, ETH from 2017) it
     * holds every crash on record up to the as-of date, so its tail is a floor that calm years cannot erode.
     */
    public static List<HistoricalScenario> stressed(Collection<PriceHistory> histories, LocalDate asOf, int holdingDays) {
        LocalDate shared = sharedStart(histories);
        long available = asOf.toEpochDay() - shared.toEpochDay() - holdingDays + 1;
        if (available < 1) {
            throw new IllegalArgumentException("histories share no " + holdingDays + "-day window ending by " + asOf);
        }
        int lookBack = (int) Math.min(available, STRESSED_MAX_LOOK_BACK_DAYS);
        return window(histories, asOf, lookBack, holdingDays);
    }

    /** The first as-of date with a full look-back of {@code lookBackDays} and h-day windows in every history. */
    public static LocalDate firstAsOf(Collection<PriceHistory> histories, int lookBackDays, int holdingDays) {
        return sharedStart(histories).plusDays(lookBackDays - 1L + holdingDays);
    }

    /** The last date every history has. */
    public static LocalDate sharedEnd(Collection<PriceHistory> histories) {
        return histories.stream().map(PriceHistory::lastDate).min(LocalDate::compareTo)
                .orElseThrow(() -> new IllegalArgumentException("no histories"));
    }

    /** Two histories of one underlying would overwrite each other's moves in a scenario: refused. */
    private static void requireDistinctUnderlyings(Collection<PriceHistory> histories) {
        Set<String> seen = new HashSet<>();
        for (PriceHistory h : histories) {
            if (!seen.add(h.underlying())) {
                throw new IllegalArgumentException("two histories of " + h.underlying());
            }
        }
    }

    private static LocalDate sharedStart(Collection<PriceHistory> histories) {
        return histories.stream().map(PriceHistory::firstDate).max(LocalDate::compareTo)
                .orElseThrow(() -> new IllegalArgumentException("no histories"));
    }

    private static List<HistoricalScenario> scenarios(Collection<PriceHistory> histories, LocalDate asOf,
                                                      int lookBackDays, int holdingDays) {
        List<HistoricalScenario> result = new ArrayList<>(lookBackDays);
        for (int back = 0; back < lookBackDays; back++) {
            LocalDate end = asOf.minusDays(back);
            Map<String, Double> moves = new LinkedHashMap<>();
            for (PriceHistory h : histories) {
                moves.put(h.underlying(), h.move(end, holdingDays));
            }
            result.add(new HistoricalScenario(HistoricalScenario.idOf(end, holdingDays), end, holdingDays, moves));
        }
        return result;
    }
}
