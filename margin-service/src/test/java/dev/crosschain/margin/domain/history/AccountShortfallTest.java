package dev.crosschain.margin.domain.history;

import dev.crosschain.margin.domain.MarginMode;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The ES model of an account's book: the plan (as-of date, scenarios, exclusions), the ES figure and its APC ratio. */
class AccountShortfallTest {

    static final LocalDate DAY0 = LocalDate.of(2024, 1, 1);

    static PriceHistory history(String underlying, LocalDate first, String... closes) {
        return new PriceHistory(underlying, first, Arrays.stream(closes).map(BigDecimal::new).toList());
    }

    /** XYZ over five days: 100, 110, 99, 99, 118.8; 1-day moves +10%, -10%, 0%, +20% (ending on days 1..4). */
    static final PriceHistory XYZ = history("XYZ", DAY0, "100", "110", "99", "99", "118.8");

    static ExpectedShortfallParameters parameters(double level, int lookBack, int holding, ExpectedShortfallParameters.Apc apc) {
        return new ExpectedShortfallParameters(Set.of(MarginMode.PORTFOLIO), level, lookBack, holding, apc);
    }

    /**
     * Golden by hand: look-back 4 days of 1-day moves ending on day 4 (the last date XYZ has), level 0.625, so the
     * tail holds k = 4 x 0.375 = 1.5 scenarios. A long 1,000 USD exposure makes +100, -100, 0, +200 (days 1..4);
     * losses from the largest: 100, 0, -100, -200. ES = (100 + 0.5 x 0) / 1.5 = 66.666.. -> 66.67 (rounded up).
     * Without APC the ratio is 1 and the requirement the ES.
     */
    @Test
    void esOfATinyHistoryByHand() {
        AccountShortfall model = new AccountShortfall(parameters(0.625, 4, 1, ExpectedShortfallParameters.Apc.NONE), Map.of("XYZ", XYZ));
        AccountShortfall.Plan plan = model.plan(List.of("XYZ"));
        assertThat(plan.asOf()).isEqualTo(DAY0.plusDays(4));
        assertThat(plan.included()).containsExactly("XYZ");
        assertThat(plan.excluded()).isEmpty();
        assertThat(plan.scenarios()).extracting(HistoricalScenario::id)
                .containsExactly("hist:2024-01-05/1d", "hist:2024-01-04/1d", "hist:2024-01-03/1d", "hist:2024-01-02/1d");
        double[] pnl = new LinearBook(Map.of("XYZ", 1000.0)).pnl(plan.scenarios());
        assertThat(pnl).containsExactly(new double[]{200, 0, -100, 100}, within(1e-9));

        ShortfallResult es = model.result(plan, pnl);
        assertThat(es.loss()).isEqualByComparingTo("66.67");
        assertThat(es.apcRatio()).isEqualTo(1.0);
        assertThat(es.requirement()).isEqualByComparingTo("66.67");
        assertThat(es.asOf()).isEqualTo(DAY0.plusDays(4));
    }

    /**
     * The floor and buffer on the same history: the series of a unit exposure has one as-of date (day 4), where the
     * raw and stressed look-backs are the same four windows, so the floor equals the raw figure and the buffer at the
     * series' start is the full 25%: ratio 1.25 (long and short alike). The ES loss is rounded up to the cent first,
     * 66.666.. -> 66.67, then times the ratio, 66.67 x 1.25 = 83.3375 -> 83.34 (rounded up again).
     */
    @Test
    void floorAndBufferOfATinyHistoryByHand() {
        AccountShortfall model = new AccountShortfall(parameters(0.625, 4, 1, ExpectedShortfallParameters.Apc.FLOOR_AND_BUFFER),
                Map.of("XYZ", XYZ));
        AccountShortfall.Plan plan = model.plan(List.of("XYZ"));
        ShortfallResult es = model.result(plan, new LinearBook(Map.of("XYZ", 1000.0)).pnl(plan.scenarios()));
        assertThat(es.apcRatio()).isCloseTo(1.25, within(1e-12));
        assertThat(es.loss()).isEqualByComparingTo("66.67");
        assertThat(es.requirement()).isEqualByComparingTo("83.34");
    }

    /**
     * BTC on 2024-05-26 (the shipped history's end), the service's model (97.5%, 365 days of 2-day moves): a calm
     * year after the 2020 and 2022 crashes, so the stressed look-back (ten years, every crash) asks more than the
     * last year, the floor binds, and the ratio is at least stressed / raw > 1, for a long and for a short exposure.
     */
    @Test
    void theApcRatioIsAtLeastTheStressedOverTheRawFigureWhereTheFloorBinds() {
        PriceHistory btc = HistoryFixtures.btc();
        HistoricalSimulation sim = HistoricalSimulation.DEFAULT;
        LocalDate asOf = btc.lastDate();
        double ratio = new AccountShortfall(ExpectedShortfallParameters.PORTFOLIO_DEFAULT, Map.of("BTC", btc)).ratioOf("BTC", asOf);
        for (double exposure : new double[]{1.0, -1.0}) {
            LinearBook unit = new LinearBook(Map.of("BTC", exposure));
            double raw = sim.requirement(unit, List.of(btc), asOf);
            double stressed = sim.stressedRequirement(unit, List.of(btc), asOf);
            assertThat(stressed).as("the floor binds for exposure %s", exposure).isGreaterThan(raw);
            assertThat(ratio).isGreaterThanOrEqualTo(stressed / raw - 1e-12);
        }
        assertThat(ratio).isGreaterThan(1.0);
    }

    /**
     * The largest unit ratio is an approximation, not a bound: compared (and printed) with a {@link LinearBook}'s own
     * floor ratio, max(raw, stressed) / raw of the book's ES, on the shipped BTC, ETH and SOL histories at the plan's
     * as-of date. One underlying: the book's floor ratio is its direction's unit floor ratio, which the unit ratio
     * (floor and buffer, the larger direction) is at least. Several underlyings: no order holds in general (the
     * book's stressed tail is its own mix), so only the comparison is printed.
     */
    @Test
    void theLargestUnitRatioComparedWithABookFloorRatio() {
        Map<String, PriceHistory> shipped = Map.of("BTC", HistoryFixtures.btc(), "ETH", HistoryFixtures.eth(), "SOL", HistoryFixtures.sol());
        AccountShortfall model = new AccountShortfall(ExpectedShortfallParameters.PORTFOLIO_DEFAULT, shipped);
        HistoricalSimulation sim = HistoricalSimulation.DEFAULT;
        List<Map<String, Double>> books = List.of(Map.of("BTC", 100_000.0), Map.of("ETH", -50_000.0), Map.of("SOL", 20_000.0),
                Map.of("BTC", 100_000.0, "ETH", -100_000.0), Map.of("BTC", 50_000.0, "ETH", 50_000.0, "SOL", 50_000.0),
                Map.of("ETH", 100_000.0, "SOL", -100_000.0));
        for (Map<String, Double> exposures : books) {
            AccountShortfall.Plan plan = model.plan(exposures.keySet());
            assertThat(plan.included()).containsExactlyInAnyOrderElementsOf(exposures.keySet());
            LinearBook book = new LinearBook(exposures);
            List<PriceHistory> histories = plan.included().stream().map(shipped::get).toList();
            double raw = sim.requirement(book, histories, plan.asOf());
            double stressed = sim.stressedRequirement(book, histories, plan.asOf());
            double bookFloor = Math.max(raw, stressed) / raw;
            double largest = plan.apcRatios().values().stream().mapToDouble(Double::doubleValue).max().orElseThrow();
            System.out.printf("book %s as of %s: raw ES %.2f, stressed %.2f, book floor/raw %.4f; largest unit ratio %.4f%n",
                    new TreeMap<>(exposures), plan.asOf(), raw, stressed, bookFloor, largest);
            assertThat(largest).isGreaterThanOrEqualTo(1.0);
            if (exposures.size() == 1) {
                assertThat(largest).as("one underlying: %s", exposures).isGreaterThanOrEqualTo(bookFloor - 1e-12);
            }
        }
    }

    /**
     * A book of XYZ, NEW (a history too short for the look-back) and DOT (no history): only XYZ is in the model; the
     * as-of date is XYZ's last date, not NEW's earlier one (NEW is left out first). No history at all: unavailable.
     */
    @Test
    void underlyingsWithoutAFullLookBackAreExcluded() {
        PriceHistory young = history("NEW", DAY0.plusDays(2), "5", "6");
        AccountShortfall model = new AccountShortfall(parameters(0.625, 4, 1, ExpectedShortfallParameters.Apc.NONE),
                Map.of("XYZ", XYZ, "NEW", young));
        AccountShortfall.Plan plan = model.plan(List.of("XYZ", "NEW", "DOT"));
        assertThat(plan.included()).containsExactly("XYZ");
        assertThat(plan.excluded()).containsExactly("DOT", "NEW");
        assertThat(plan.asOf()).isEqualTo(DAY0.plusDays(4));
        assertThat(plan.scenarios()).allSatisfy(s -> assertThat(s.moves()).containsOnlyKeys("XYZ"));

        AccountShortfall.Plan none = model.plan(List.of("DOT"));
        assertThat(none.available()).isFalse();
        ShortfallResult unavailable = model.result(none, new double[0]);
        assertThat(unavailable.available()).isFalse();
        assertThat(unavailable.excluded()).containsExactly("DOT");
    }

    /** Two underlyings: the as-of date is the last date both have, and each scenario moves both by their own move. */
    @Test
    void theAsOfDateIsTheLastDateEveryHistoryHas() {
        PriceHistory longer = history("ABC", DAY0, "10", "11", "12", "13", "14", "15");
        AccountShortfall model = new AccountShortfall(parameters(0.625, 4, 1, ExpectedShortfallParameters.Apc.NONE),
                Map.of("XYZ", XYZ, "ABC", longer));
        AccountShortfall.Plan plan = model.plan(List.of("XYZ", "ABC"));
        assertThat(plan.asOf()).isEqualTo(XYZ.lastDate());
        assertThat(plan.scenarios().get(0).moves()).containsOnlyKeys("ABC", "XYZ");
        assertThat(plan.scenarios().get(0).move("ABC")).isCloseTo(14.0 / 13 - 1, within(1e-15));
        assertThat(plan.scenarios().get(0).move("XYZ")).isCloseTo(0.2, within(1e-12));
    }
}
