package dev.crosschain.margin.store;

import dev.crosschain.margin.domain.Collateral;
import dev.crosschain.margin.domain.CollateralLine;
import dev.crosschain.margin.domain.InputSnapshot;
import dev.crosschain.margin.domain.MarginMode;
import dev.crosschain.margin.domain.MarketMark;
import dev.crosschain.margin.domain.Position;
import dev.crosschain.margin.domain.history.AccountShortfall;
import dev.crosschain.margin.domain.history.HistoricalScenario;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** The stored form reads back to the same inputs: decimals with their scale, doubles bit for bit. */
class SnapshotJsonTest {

    /** Doubles a decimal text could get wrong: a sum with a long tail, signed zero, the smallest subnormal, extremes. */
    static final double[] AWKWARD = {0.1 + 0.2, -0.0, Double.MIN_VALUE, 1e-310, Double.MAX_VALUE, -Math.PI / 3,
            Math.nextUp(1.0), 123456789.12345678, Double.POSITIVE_INFINITY};

    @Test
    void everyInputReadsBackExactly() {
        InputSnapshot s = snapshot();
        String json = SnapshotJson.write(s);
        InputSnapshot back = SnapshotJson.read(json, s.accountId(), s.parametersVersion(), s.nowMs());

        assertThat(back.mode()).isEqualTo(MarginMode.PORTFOLIO);
        assertThat(back.frozen()).isTrue();
        // record equality compares BigDecimals by equals: value AND scale
        assertThat(back.realizedPnl()).isEqualTo(s.realizedPnl());
        assertThat(back.positions()).isEqualTo(s.positions());
        assertThat(back.collateral()).isEqualTo(s.collateral());
        assertThat(back.portfolioIm()).isNull();
        assertThat(back.portfolioMm()).isEqualTo(s.portfolioMm());
        assertThat(back.marks().keySet()).isEqualTo(s.marks().keySet());
        s.marks().forEach((name, m) -> {
            MarketMark b = back.marks().get(name);
            assertThat(b).isEqualTo(m);
            assertThat(Double.doubleToRawLongBits(b.delta())).isEqualTo(Double.doubleToRawLongBits(m.delta()));
        });
        assertThat(back.revaluations()).hasSize(2);
        InputSnapshot.RevalueCall answered = back.revaluations().get(0);
        assertThat(answered.instruments()).isEqualTo(s.revaluations().get(0).instruments());
        assertThat(answered.scenarioIds()).isEqualTo(s.revaluations().get(0).scenarioIds());
        assertThat(answered.staleUnderlyings()).containsExactly("ETH");
        assertThat(answered.failed()).isFalse();
        double[][] pnl = s.revaluations().get(0).pnl();
        for (int p = 0; p < pnl.length; p++) {
            for (int c = 0; c < pnl[p].length; c++) {
                assertThat(Double.doubleToRawLongBits(answered.pnl()[p][c])).as("pnl[%d][%d]", p, c)
                        .isEqualTo(Double.doubleToRawLongBits(pnl[p][c]));
            }
        }
        InputSnapshot.RevalueCall failed = back.revaluations().get(1);
        assertThat(failed.failed()).isTrue();
        assertThat(failed.failureCode()).isEqualTo("UNAVAILABLE");
        assertThat(failed.failure()).isEqualTo("down");
        // ES plans: Double.equals in the records' maps compares bits (-0.0 is not 0.0)
        assertThat(back.shortfallPlans()).isEqualTo(s.shortfallPlans());
        // and the text is stable: written again it is the same
        assertThat(SnapshotJson.write(back)).isEqualTo(json);
    }

    /** A snapshot stored before ES plans were recorded (no shortfall_plans) reads with none: its set applied no ES. */
    @Test
    void aSnapshotWithoutShortfallPlansReadsWithNone() {
        InputSnapshot s = snapshot();
        String json = SnapshotJson.write(s);
        String older = json.substring(0, json.indexOf(",\"shortfall_plans\"")) + "}";
        assertThat(SnapshotJson.read(older, s.accountId(), s.parametersVersion(), s.nowMs()).shortfallPlans()).isEmpty();
    }

    @Test
    void theAwkwardDoublesAreWrittenAsTheirShortestRoundTrippingText() {
        String json = SnapshotJson.write(snapshot());
        assertThat(json).contains("\"0.30000000000000004\"", "\"-0.0\"", "\"4.9E-324\"", "\"1.0E-310\"", "\"Infinity\"");
        assertThat(json).contains("\"realized_pnl\":\"1E+3\"");
    }

    static InputSnapshot snapshot() {
        Map<String, MarketMark> marks = new java.util.LinkedHashMap<>();
        for (int i = 0; i < AWKWARD.length; i++) {
            String name = "ETH-27DEC26-" + (3000 + i) + "-C";
            marks.put(name, new MarketMark(name, "ETH", new BigDecimal("101.250000"), new BigDecimal("3000.5"), AWKWARD[i], i % 2 == 0,
                    1_700_000_000_000L + i));
        }
        Collateral collateral = new Collateral(List.of(new CollateralLine("arbitrum", "WETH", new BigDecimal("2.000000000000000001"),
                new BigDecimal("3000"), new BigDecimal("6000.000000000000003"), new BigDecimal("5100.00"), new BigDecimal("5400.0"),
                true, "ETH", new BigDecimal("0.10"), new BigDecimal("0.15"))), new BigDecimal("6000"), new BigDecimal("5100.00"),
                new BigDecimal("5400.0"), true, 1_700_000_000_123L);
        double[][] pnl = new double[2][AWKWARD.length];
        for (int c = 0; c < AWKWARD.length; c++) {
            pnl[0][c] = AWKWARD[c];
            pnl[1][c] = -AWKWARD[c] / 7;
        }
        List<String> scenarios = java.util.stream.IntStream.range(0, AWKWARD.length).mapToObj(i -> "ETH:" + i + "%/vol+").toList();
        return new InputSnapshot("acc-json", MarginMode.PORTFOLIO, true, new BigDecimal("1E+3"),
                List.of(new Position("ETH-27DEC26-3000-C", new BigDecimal("-2.50"), new BigDecimal("100.125")),
                        new Position("ETH-PERPETUAL", new BigDecimal("1"), new BigDecimal("2999.99"))),
                marks, collateral, null, new BigDecimal("126.00000000"), "rp-1", 1_700_000_001_000L,
                List.of(new InputSnapshot.RevalueCall(List.of("ETH-27DEC26-3000-C", "ETH-PERPETUAL"), scenarios, pnl, Set.of("ETH"), null, null),
                        new InputSnapshot.RevalueCall(List.of("ETH-PERPETUAL"), scenarios, new double[0][], Set.of(), "UNAVAILABLE", "down")),
                List.of(new AccountShortfall.Plan(LocalDate.of(2024, 5, 26), List.of("ETH"), List.of("AVAX"),
                                List.of(new HistoricalScenario("hist:2024-05-26/2d", LocalDate.of(2024, 5, 26), 2, Map.of("ETH", 0.1 + 0.2)),
                                        new HistoricalScenario("hist:2024-05-25/2d", LocalDate.of(2024, 5, 25), 2, Map.of("ETH", -0.0)),
                                        new HistoricalScenario("hist:2024-05-24/2d", LocalDate.of(2024, 5, 24), 2, Map.of("ETH", -Math.PI / 10))),
                                Map.of("ETH", Math.nextUp(1.0))),
                        new AccountShortfall.Plan(null, List.of(), List.of("DOT"), List.of(), Map.of())));
    }
}
