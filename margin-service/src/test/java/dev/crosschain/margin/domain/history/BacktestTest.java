package dev.crosschain.margin.domain.history;

import org.junit.jupiter.api.Test;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Backtest over the full real daily BTC and ETH history: on every day t with a full look-back, the
 * requirement computed on t (from windows ending on or before t: no look-ahead) is compared with the book's
 * loss over the next h days, {@code -(exposure x (S(t+h)/S(t) - 1))}; an exception is a day whose loss
 * exceeded the requirement. Books are USD 1M re-struck daily (P&L = exposure x move):
 * <ul>
 *   <li>a long BTC perp, a long ETH perp;</li>
 *   <li>a short ETH perp hedged by ETH collateral of the same market value at a 10% MM haircut: the
 *       collateral counts at 90% in equity, so the book keeps a net short exposure of 10% of notional.</li>
 * </ul>
 * Models, each printed with its exact exception count (the data is fixed, so the counts are asserted
 * exactly; a change of model or data that moves one must update it on purpose):
 * <ul>
 *   <li>raw 1-day ES against the 1-day loss: the like-for-like test of a 1-day model;</li>
 *   <li>raw 2-day ES and the service's 2-day ES + APC against the <em>1-day</em> loss: printed for the
 *       record only, a 2-day figure against a 1-day loss is not a test of the model (it passes easily);</li>
 *   <li>raw 2-day ES and 2-day ES + APC against the <em>2-day</em> loss: the like-for-like test of the
 *       service's model. The 2-day losses of neighbouring days overlap, so exceptions cluster.</li>
 * </ul>
 * The goal is at most 1% of days; each line says whether it is met, and it is not claimed where it
 * does not hold: the raw 2-day ES misses it against the 2-day loss for the long BTC perp (36 of 3172 days,
 * 1.13%) and the hedged ETH book (27 of 2023, 1.33%); with APC (floor, buffer) the service's model meets it
 * on all three books, because it charges 40-55% above the raw ES in calm times.
 */
class BacktestTest {

    static final double NOTIONAL = 1_000_000;
    static final double ETH_MM_HAIRCUT = 0.10;
    static final double GOAL = 0.01;

    record Outcome(String label, int days, int exceptions, LocalDate first, LocalDate last, double worstExcess) {
        double rate() {
            return (double) exceptions / days;
        }

        void print() {
            System.out.printf("  %-40s %5d days %s..%s: %3d exceptions = %.2f%% (worst loss/requirement %.2f) goal <= 1%%: %s%n",
                    label, days, first, last, exceptions, rate() * 100, worstExcess, rate() <= GOAL ? "met" : "NOT met");
        }
    }

    /** One model: the ES horizon, APC or not, and the loss horizon it is tested against. */
    record Model(String label, int esHoldingDays, boolean apc, int lossDays) {
    }

    static final List<Model> MODELS = List.of(
            new Model("raw ES 1d vs 1-day loss", 1, false, 1),
            new Model("raw ES 2d vs 1-day loss (record only)", 2, false, 1),
            new Model("ES 2d + APC vs 1-day loss (record only)", 2, true, 1),
            new Model("raw ES 2d vs 2-day loss", 2, false, 2),
            new Model("ES 2d + APC vs 2-day loss (service)", 2, true, 2));

    /** Exact exception counts per book, in the order of {@link #MODELS}. */
    static final Map<String, int[]> EXPECTED_EXCEPTIONS = Map.of(
            "long BTC perp", new int[]{30, 15, 2, 36, 9},
            "long ETH perp", new int[]{20, 7, 2, 18, 5},
            "short ETH perp + ETH collateral", new int[]{20, 10, 1, 27, 3});

    @Test
    void exceptionCountsPerBookAndModel() {
        PriceHistory btc = HistoryFixtures.btc();
        PriceHistory eth = HistoryFixtures.eth();
        Map<String, List<PriceHistory>> histories = new LinkedHashMap<>();
        histories.put("long BTC perp", List.of(btc));
        histories.put("long ETH perp", List.of(eth));
        histories.put("short ETH perp + ETH collateral", List.of(eth));
        Map<String, LinearBook> books = Map.of(
                "long BTC perp", new LinearBook(Map.of("BTC", NOTIONAL)),
                "long ETH perp", new LinearBook(Map.of("ETH", NOTIONAL)),
                "short ETH perp + ETH collateral", new LinearBook(Map.of("ETH", -NOTIONAL + NOTIONAL * (1 - ETH_MM_HAIRCUT))));
        System.out.printf("backtest: loss over the next h days vs the requirement computed on the day, ES %.1f%%, 365-day look-back,"
                + " APC %s%n", ExpectedShortfall.DEFAULT.level() * 100, Procyclicality.DEFAULT);
        Map<String, int[]> actual = new LinkedHashMap<>();
        List<Outcome> service = new ArrayList<>();
        for (Map.Entry<String, List<PriceHistory>> e : histories.entrySet()) {
            String name = e.getKey();
            System.out.println(name + ":");
            List<Outcome> outcomes = new ArrayList<>();
            for (Model m : MODELS) {
                Outcome o = backtest(m, books.get(name), e.getValue());
                o.print();
                outcomes.add(o);
            }
            service.add(outcomes.get(MODELS.size() - 1));
            actual.put(name, outcomes.stream().mapToInt(Outcome::exceptions).toArray());
        }
        actual.forEach((name, counts) -> assertThat(counts).as("%s exceptions per model, in the order printed", name)
                .containsExactly(EXPECTED_EXCEPTIONS.get(name)));
        // the service's model meets the goal like-for-like on every book (it does, with the APC's calm-time
        // overcharge, see CrashReplayTest); the raw 2-day ES does not for BTC (36/3172) nor the hedged book (27/2023)
        assertThat(service).allSatisfy(o -> assertThat(o.rate()).as(o.label()).isLessThanOrEqualTo(GOAL));
    }

    /** Requirement on day t (from the look-back ending on t) against the loss from t to t + lossDays. */
    static Outcome backtest(Model m, LinearBook book, List<PriceHistory> histories) {
        HistoricalSimulation model = new HistoricalSimulation(ExpectedShortfall.DEFAULT, 365, m.esHoldingDays());
        LocalDate first = model.firstAsOf(histories);
        LocalDate last = HistoricalScenarios.sharedEnd(histories).minusDays(m.lossDays());
        int days = (int) (last.toEpochDay() - first.toEpochDay()) + 1;
        double[] requirement = new double[days];
        double[] stressed = new double[days];
        for (int t = 0; t < days; t++) {
            requirement[t] = model.requirement(book, histories, first.plusDays(t));
            if (m.apc()) {
                stressed[t] = model.stressedRequirement(book, histories, first.plusDays(t));
            }
        }
        if (m.apc()) {
            // causal: apc[t] depends on the series up to t only
            requirement = Procyclicality.DEFAULT.apply(requirement, stressed, new boolean[days]);
        }
        int exceptions = 0;
        double worst = 0;
        for (int t = 0; t < days; t++) {
            LocalDate end = first.plusDays(t + (long) m.lossDays());
            double loss = -book.pnl(HistoricalScenarios.window(histories, end, 1, m.lossDays()).get(0));
            if (loss > requirement[t]) {
                exceptions++;
            }
            if (requirement[t] > 0) {
                worst = Math.max(worst, loss / requirement[t]);
            }
        }
        return new Outcome(m.label(), days, exceptions, first, last, worst);
    }
}
