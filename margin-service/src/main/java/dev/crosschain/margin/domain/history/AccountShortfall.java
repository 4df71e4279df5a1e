package dev.crosschain.margin.domain.history;

import dev.crosschain.margin.domain.Decimals;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * The ES model of one parameter set over the stored histories, for any account's book: which historical scenarios
 * to revalue a book in ({@link #plan}) and its ES figure from the book's P&L in them ({@link #result}). The APC
 * ratios of each underlying ({@link ApcRatios}) are computed on first use and kept: once per (history, parameter
 * set), never per account. Thread-safe.
 */
public final class AccountShortfall implements ShortfallModel {

    private final ExpectedShortfallParameters parameters;
    private final HistoricalSimulation simulation;
    private final Map<String, PriceHistory> histories;
    private final Map<String, ApcRatios> ratios = new ConcurrentHashMap<>();
    /** Plans by the book's underlyings: the same few sets recur across accounts and re-margin ticks. */
    private final Map<List<String>, Plan> plans = new ConcurrentHashMap<>();

    /** @param histories the stored histories by underlying */
    public AccountShortfall(ExpectedShortfallParameters parameters, Map<String, PriceHistory> histories) {
        this.parameters = parameters;
        this.simulation = parameters.simulation();
        this.histories = Map.copyOf(histories);
    }

    public ExpectedShortfallParameters parameters() {
        return parameters;
    }

    /**
     * What a book's ES needs.
     *
     * @param asOf      the as-of date; null when no underlying of the book has a usable history
     * @param included  the underlyings in the model, in name order
     * @param excluded  the others, in name order
     * @param scenarios the historical scenarios ending on {@code asOf}, newest first, moving every included underlying
     * @param apcRatios the APC ratio of each included underlying on {@code asOf}; empty without APC
     */
    public record Plan(LocalDate asOf, List<String> included, List<String> excluded, List<HistoricalScenario> scenarios,
                       Map<String, Double> apcRatios) {
        public Plan {
            included = List.copyOf(included);
            excluded = List.copyOf(excluded);
            scenarios = List.copyOf(scenarios);
            apcRatios = Collections.unmodifiableMap(new TreeMap<>(apcRatios));
        }

        /** Every underlying the plan was made for (in the model or not), in name order. */
        public List<String> underlyings() {
            return Stream.concat(included.stream(), excluded.stream()).sorted().distinct().toList();
        }

        public boolean available() {
            return asOf != null;
        }
    }

    /**
     * The plan of a book exposed to {@code underlyings}: the as-of date is the last date every history in the model
     * has. A history shorter than one look-back is left out; so is one that does not reach back a whole look-back
     * before the as-of date of the others (then the as-of date is taken again over the rest, which moves it no
     * earlier: the history that ends first always covers its own look-back).
     */
    @Override
    public Plan plan(Collection<String> underlyings) {
        return plans.computeIfAbsent(List.copyOf(new TreeSet<>(underlyings)), this::planOf);
    }

    private Plan planOf(List<String> all) {
        long span = simulation.lookBackDays() + (long) simulation.holdingDays();
        List<PriceHistory> usable = all.stream().filter(histories::containsKey).map(histories::get)
                .filter(h -> h.size() >= span).toList();
        while (!usable.isEmpty()) {
            LocalDate earliest = HistoricalScenarios.sharedEnd(usable).minusDays(span - 1);
            List<PriceHistory> covering = usable.stream().filter(h -> h.covers(earliest)).toList();
            if (covering.size() == usable.size()) {
                break;
            }
            usable = covering;
        }
        if (usable.isEmpty()) {
            return new Plan(null, List.of(), all, List.of(), Map.of());
        }
        LocalDate asOf = HistoricalScenarios.sharedEnd(usable);
        List<String> included = usable.stream().map(PriceHistory::underlying).toList();
        List<String> excluded = all.stream().filter(u -> !included.contains(u)).toList();
        Map<String, Double> apc = new TreeMap<>();
        if (parameters.antiProcyclicality() == ExpectedShortfallParameters.Apc.FLOOR_AND_BUFFER) {
            included.forEach(u -> apc.put(u, ratioOf(u, asOf)));
        }
        return new Plan(asOf, included, excluded, simulation.scenarios(usable, asOf), apc);
    }

    @Override
    public ShortfallResult result(Plan plan, double[] bookPnl) {
        return result(parameters, plan, bookPnl);
    }

    /**
     * The ES figure of a book from its P&L per scenario of {@code plan} (USD, negative = loss, in the plan's order),
     * from the plan alone (a replay has no histories): the ES at the set's level (>= 0) rounded up to the cent, times
     * the largest APC ratio of the plan (1 without), rounded up to the cent again (conservative both times).
     */
    public static ShortfallResult result(ExpectedShortfallParameters parameters, Plan plan, double[] bookPnl) {
        if (!plan.available()) {
            return ShortfallResult.unavailable(plan.excluded());
        }
        if (bookPnl.length != plan.scenarios().size()) {
            throw new IllegalArgumentException(bookPnl.length + " P&Ls for " + plan.scenarios().size() + " scenarios");
        }
        BigDecimal loss = Decimals.requirement(BigDecimal.valueOf(parameters.simulation().es().requirement(bookPnl)));
        double ratio = 1.0;
        for (double r : plan.apcRatios().values()) {
            ratio = Math.max(ratio, r);
        }
        BigDecimal requirement = Decimals.requirement(loss.multiply(BigDecimal.valueOf(ratio)));
        return new ShortfallResult(loss, plan.asOf(), ratio, requirement, plan.excluded());
    }

    /** The APC ratio of {@code underlying} on {@code asOf}: one unit exposure's floor and buffer over its raw ES. */
    public double ratioOf(String underlying, LocalDate asOf) {
        ApcRatios series = ratios.computeIfAbsent(underlying,
                u -> ApcRatios.of(histories.get(u), simulation, Procyclicality.DEFAULT));
        // a plan's as-of date lies in every included history after a full look-back: the series has it
        return series.ratio(asOf).orElseThrow(() -> new IllegalStateException("no APC ratio of " + underlying + " on " + asOf));
    }
}
