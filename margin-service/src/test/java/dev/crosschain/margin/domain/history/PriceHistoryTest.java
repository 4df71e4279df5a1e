package dev.crosschain.margin.domain.history;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.LocalDate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class PriceHistoryTest {

    static final double TOL = 1e-12;
    static final String FILE = """
            date,open,high,low,close,volume
            2020-03-10,7922.1,8136.9,7814.8,7909.7,42213940994
            2020-03-11,7910.1,7950.8,7642.8,7911.430176,38682762605
            2020-03-12,7913.6,7929.1,4860.4,4970.788086,53980357243
            2020-03-13,5017.8,5838.1,4106.9,5563.707031,74156772075
            """;

    @Test
    void parsesDatesAndClosesExactly() {
        PriceHistory h = PriceHistory.parse("BTC", "test.csv", FILE);
        assertThat(h.underlying()).isEqualTo("BTC");
        assertThat(h.firstDate()).isEqualTo(LocalDate.of(2020, 3, 10));
        assertThat(h.lastDate()).isEqualTo(LocalDate.of(2020, 3, 13));
        assertThat(h.size()).isEqualTo(4);
        assertThat(h.closes().get(2)).isEqualByComparingTo(new BigDecimal("4970.788086"));
        assertThat(h.close(LocalDate.of(2020, 3, 12))).isEqualTo(4970.788086);
    }

    @Test
    void movesAreSimpleReturnsOverTheHoldingPeriod() {
        PriceHistory h = PriceHistory.parse("BTC", "test.csv", FILE);
        // the README's -37.17% of 2020-03-12
        assertThat(h.move(LocalDate.of(2020, 3, 12), 1)).isCloseTo(4970.788086 / 7911.430176 - 1, within(TOL));
        assertThat(h.move(LocalDate.of(2020, 3, 12), 1)).isCloseTo(-0.3717, within(5e-5));
        assertThat(h.move(LocalDate.of(2020, 3, 13), 2)).isCloseTo(5563.707031 / 7911.430176 - 1, within(TOL));
        assertThatThrownBy(() -> h.move(LocalDate.of(2020, 3, 11), 2)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("history starts 2020-03-10");
        assertThatThrownBy(() -> h.move(LocalDate.of(2020, 3, 14), 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> h.move(LocalDate.of(2020, 3, 13), 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void malformedFilesAreRefusedWithTheLine() {
        assertLine("date,close\n2020-01-01,1\n", 1, "header");
        assertLine(FILE.replace("2020-03-12,7913.6", "2020-03-13,7913.6"), 4, "gap");
        assertLine(FILE.replace("2020-03-12,7913.6", "2020-03-11,7913.6"), 4, "not ascending");
        assertLine(FILE.replace("2020-03-12,7913.6", "2020-03-14,7913.6"), 4, "gap: 2020-03-14 follows 2020-03-11");
        assertLine(FILE.replace("4970.788086", "abc"), 4, "not a plain decimal");
        assertLine(FILE.replace("4970.788086", "0"), 4, "not positive");
        assertLine(FILE.replace("4970.788086", "-1"), 4, "not positive");
        assertLine(FILE.replace(",53980357243", ""), 4, "expected 6 fields");
        assertLine(FILE.replace("2020-03-12,", "12/03/2020,"), 4, "not an ISO date");
        assertLine(FILE.replace("2020-03-12,", "\n2020-03-12,"), 4, "empty line");
        assertLine(FILE.replace("7909.7,42213940994", "7909.7,-5"), 2, "volume is negative");
        assertThatThrownBy(() -> PriceHistory.parse("BTC", "empty.csv", PriceHistory.HEADER + "\n"))
                .isInstanceOf(MalformedHistoryException.class).hasMessageContaining("no rows");
    }

    private static void assertLine(String text, int line, String problem) {
        assertThatThrownBy(() -> PriceHistory.parse("BTC", "bad.csv", text))
                .isInstanceOfSatisfying(MalformedHistoryException.class, e -> {
                    assertThat(e.line()).isEqualTo(line);
                    assertThat(e.source()).isEqualTo("bad.csv");
                })
                .hasMessageContaining(problem);
    }

    @Test
    void theShippedFilesParseWithTheirPublishedRangesAndCrashes() {
        PriceHistory btc = HistoryFixtures.btc();
        PriceHistory eth = HistoryFixtures.eth();
        PriceHistory sol = HistoryFixtures.sol();
        assertThat(btc.firstDate()).isEqualTo(LocalDate.of(2014, 9, 17));
        assertThat(btc.size()).isEqualTo(3540);
        assertThat(eth.firstDate()).isEqualTo(LocalDate.of(2017, 11, 9));
        assertThat(eth.size()).isEqualTo(2391);
        assertThat(sol.firstDate()).isEqualTo(LocalDate.of(2020, 4, 10));
        assertThat(sol.size()).isEqualTo(1508);
        assertThat(btc.lastDate()).isEqualTo(LocalDate.of(2024, 5, 26)).isEqualTo(eth.lastDate()).isEqualTo(sol.lastDate());
        // shared/data/README.md: the largest one-day falls
        assertThat(btc.move(LocalDate.of(2020, 3, 12), 1)).isCloseTo(-0.3717, within(5e-5));
        assertThat(eth.move(LocalDate.of(2020, 3, 12), 1)).isCloseTo(-0.4235, within(5e-5));
        assertThat(sol.move(LocalDate.of(2022, 11, 9), 1)).isCloseTo(-0.4228, within(5e-5));
    }

    @Test
    void constructorRefusesNonPositiveCloses() {
        assertThatThrownBy(() -> new PriceHistory("X", LocalDate.of(2020, 1, 1), java.util.List.of(BigDecimal.ONE, BigDecimal.ZERO)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("2020-01-02");
        assertThatThrownBy(() -> new PriceHistory("X", LocalDate.of(2020, 1, 1), java.util.List.of()))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
