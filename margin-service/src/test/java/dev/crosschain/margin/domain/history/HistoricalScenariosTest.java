package dev.crosschain.margin.domain.history;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class HistoricalScenariosTest {

    static final double TOL = 1e-12;
    static final LocalDate D1 = LocalDate.of(2021, 1, 1);

    static PriceHistory history(String u, LocalDate first, String... closes) {
        return new PriceHistory(u, first, java.util.Arrays.stream(closes).map(BigDecimal::new).toList());
    }

    @Test
    void jointMovesOnTheSameDatesNewestFirst() {
        PriceHistory a = history("BTC", D1, "100", "110", "99", "120");
        PriceHistory b = history("ETH", D1, "10", "8", "8", "12");
        List<HistoricalScenario> s = HistoricalScenarios.window(List.of(a, b), D1.plusDays(3), 2, 1);
        assertThat(s).extracting(HistoricalScenario::id).containsExactly("hist:2021-01-04/1d", "hist:2021-01-03/1d");
        assertThat(s.get(0).move("BTC")).isCloseTo(120.0 / 99 - 1, within(TOL));
        assertThat(s.get(0).move("ETH")).isCloseTo(0.5, within(TOL));
        assertThat(s.get(1).move("BTC")).isCloseTo(-0.1, within(TOL));
        assertThat(s.get(1).move("ETH")).isCloseTo(0.0, within(TOL));

        List<HistoricalScenario> twoDay = HistoricalScenarios.window(List.of(a, b), D1.plusDays(3), 2, 2);
        assertThat(twoDay).extracting(HistoricalScenario::id).containsExactly("hist:2021-01-04/2d", "hist:2021-01-03/2d");
        assertThat(twoDay.get(0).moves()).containsOnlyKeys("BTC", "ETH");
        assertThat(twoDay.get(0).move("ETH")).isCloseTo(0.5, within(TOL));
        assertThat(twoDay.get(1).move("BTC")).isCloseTo(-0.01, within(TOL));
        assertThat(twoDay.get(1).move("ETH")).isCloseTo(-0.2, within(TOL));
    }

    @Test
    void twoHistoriesOfOneUnderlyingAreRefusedNotOverwritten() {
        PriceHistory a = history("BTC", D1, "100", "110", "99", "120");
        PriceHistory other = history("BTC", D1, "1", "2", "3", "4");
        assertThatThrownBy(() -> HistoricalScenarios.window(List.of(a, other), D1.plusDays(3), 2, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("two histories of BTC");
        assertThatThrownBy(() -> HistoricalScenarios.stressed(List.of(a, other), D1.plusDays(3), 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("two histories of BTC");
    }

    @Test
    void aLookBackNotFullyAvailableIsRefusedNotShortened() {
        PriceHistory a = history("BTC", D1, "100", "110", "99", "120");
        PriceHistory b = history("ETH", D1.plusDays(1), "8", "8", "12");
        assertThatThrownBy(() -> HistoricalScenarios.window(List.of(a, b), D1.plusDays(3), 3, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ETH");
        assertThat(HistoricalScenarios.window(List.of(a, b), D1.plusDays(3), 2, 1)).hasSize(2);
        assertThat(HistoricalScenarios.firstAsOf(List.of(a, b), 2, 1)).isEqualTo(D1.plusDays(3));
        assertThatThrownBy(() -> HistoricalScenarios.window(List.of(a), D1.plusDays(4), 1, 1))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theStressedLookBackTakesEverySharedWindowUpToTenYears() {
        PriceHistory a = history("BTC", D1, "100", "110", "99", "120", "60");
        PriceHistory b = history("ETH", D1.plusDays(1), "8", "8", "12", "6");
        List<HistoricalScenario> s = HistoricalScenarios.stressed(List.of(a, b), D1.plusDays(4), 1);
        assertThat(s).hasSize(3);
        assertThat(s.get(2).end()).isEqualTo(D1.plusDays(2));

        PriceHistory btc = HistoryFixtures.btc();
        List<HistoricalScenario> all = HistoricalScenarios.stressed(List.of(btc), btc.lastDate(), 1);
        assertThat(all.size()).isEqualTo(btc.size() - 1); // under ten years: every 1-day window
        assertThat(HistoricalScenarios.stressed(List.of(btc), btc.lastDate(), 1)).isNotEmpty();
        List<HistoricalScenario> crash = HistoricalScenarios.stressed(List.of(btc, HistoryFixtures.eth()), LocalDate.of(2020, 3, 12), 1);
        assertThat(crash.get(0).moves()).containsOnlyKeys("BTC", "ETH");
        assertThat(crash.size()).isEqualTo(854);
        assertThat(crash.get(crash.size() - 1).end()).isEqualTo(LocalDate.of(2017, 11, 10));
    }

    @Test
    void linearBookPnlIsExposureTimesMove() {
        HistoricalScenario s = new HistoricalScenario("x", D1, 1, Map.of("BTC", -0.3, "ETH", 0.1));
        // long 1M BTC perp, short 2M ETH perp hedged by 1.8M of ETH collateral at haircut value
        LinearBook book = new LinearBook(Map.of("BTC", 1_000_000.0, "ETH", -2_000_000.0 + 1_800_000.0));
        assertThat(book.pnl(s)).isCloseTo(-300_000 - 20_000, within(1e-6));
        assertThatThrownBy(() -> new LinearBook(Map.of("SOL", 1.0)).pnl(s)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("SOL");
        assertThatThrownBy(() -> new HistoricalScenario("y", D1, 1, Map.of("BTC", -1.0)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
