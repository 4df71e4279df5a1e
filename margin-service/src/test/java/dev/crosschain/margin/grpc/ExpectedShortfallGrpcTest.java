package dev.crosschain.margin.grpc;

import dev.crosschain.margin.domain.Decimals;
import dev.crosschain.margin.domain.history.AccountShortfall;
import dev.crosschain.margin.domain.history.ExpectedShortfallParameters;
import dev.crosschain.margin.domain.history.HistoricalSimulation;
import dev.crosschain.margin.domain.history.LinearBook;
import dev.crosschain.margin.domain.history.PriceHistory;
import dev.crosschain.margin.store.ReturnHistoryStore;
import dev.crosschain.postgres.PostgresTestResource;
import dev.crosschain.proto.margin.v1.AccountView;
import dev.crosschain.proto.margin.v1.EsAntiProcyclicality;
import dev.crosschain.proto.margin.v1.MarginMode;
import dev.crosschain.proto.margin.v1.PortfolioBreakdown;
import dev.crosschain.proto.margin.v1.RiskParameterChange;
import dev.crosschain.proto.margin.v1.RiskParameters;
import dev.crosschain.proto.margin.v1.Side;
import io.grpc.Status;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

import static dev.crosschain.margin.grpc.MarginGrpcServiceTest.assertError;
import static dev.crosschain.margin.grpc.MarginGrpcServiceTest.fill;
import static dev.crosschain.margin.grpc.MarginGrpcServiceTest.view;
import static dev.crosschain.margin.grpc.RiskParametersGrpcTest.active;
import static dev.crosschain.margin.grpc.RiskParametersGrpcTest.allHistory;
import static dev.crosschain.margin.grpc.RiskParametersGrpcTest.configuredRecord;
import static dev.crosschain.margin.grpc.RiskParametersGrpcTest.set;
import static dev.crosschain.margin.grpc.SetMarginModeGrpcTest.setMode;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Expected shortfall as PORTFOLIO's second model through the gRPC API: a set with an ES section recorded by
 * SetRiskParameters, the stored BTC history (seeded from the resources at start), FakeUpstream's linear RevalueBook
 * (P&L = quantity x index x move, the same as {@link LinearBook}, so the expected ES is computed here by the domain
 * model on the same history). {@link #restoreTheConfiguredContents} records the configured contents again, so the
 * classes that run after this one compute without ES.
 */
@QuarkusTest
@QuarkusTestResource(PostgresTestResource.class)
class ExpectedShortfallGrpcTest {

    /** A future no other test marks. */
    static final String FUT = "BTC-25JUN27";
    /** An underlying without a stored history. */
    static final String AVAX_FUT = "AVAX-25JUN27";
    static FakeUpstream upstream;
    static RiskParameters configured;

    @Inject
    ReturnHistoryStore histories;

    @BeforeAll
    static void connect() {
        MarginGrpcServiceTest.connect();
        upstream = FakeUpstream.get();
        upstream.pricing.linear(FUT, "60000", false);
        configured = configuredRecord().getParameters();
    }

    @AfterAll
    static void restoreTheConfiguredContents() {
        try {
            set(configured.toBuilder().setVersion("es-test-restored").build(), "test", "restore the configured contents");
        } finally {
            MarginGrpcServiceTest.disconnect();
        }
    }

    /** The configured set with a narrow +-2% grid, no extended moves, no de-peg add-on, and ES with the floor and buffer in PORTFOLIO. */
    static RiskParameters narrowWithEs(String version) {
        return narrowWithEs(configured, version);
    }

    /** {@code base} with the narrow grid and ES of {@link #narrowWithEs(String)}. */
    static RiskParameters narrowWithEs(RiskParameters base, String version) {
        return base.toBuilder().setVersion(version)
                .setPortfolio(base.getPortfolio().toBuilder().clearCoreMoves().addAllCoreMoves(List.of(-0.02, 0.0, 0.02))
                        .clearExtendedMoves().setStablecoinDepeg(0))
                .setExpectedShortfall(dev.crosschain.proto.margin.v1.ExpectedShortfallParameters.newBuilder()
                        .addModes(MarginMode.MARGIN_MODE_PORTFOLIO).setLevel(0.975).setLookBackDays(365).setHoldingDays(2)
                        .setAntiProcyclicality(EsAntiProcyclicality.ES_ANTI_PROCYCLICALITY_FLOOR_AND_BUFFER))
                .build();
    }

    /**
     * Long 1 BTC future at 60,000 against 100,000 USDC, PORTFOLIO. Scenario MM under the narrow grid: 2% x 60,000 =
     * 1,200.00 + linear add-on 0.5% x 60,000 = 300.00 = 1,500.00. ES: 97.5% over the 365 2-day BTC moves ending on
     * 2024-05-26 (the history's end) of a 60,000 USD exposure, several thousand USD, times BTC's APC ratio: ES drives.
     */
    @Test
    void esAboveANarrowScanDrivesTheRequirement() {
        String acc = "es-long-btc";
        upstream.collateral.set(acc, false, new Object[]{"ethereum", "USDC", "100000", "1", "0", "0"});
        fill(acc + "-f1", acc, FUT, Side.SIDE_BUY, "1", "60000");
        setMode(acc + "-m1", acc, MarginMode.MARGIN_MODE_PORTFOLIO);
        set(narrowWithEs("es-narrow"), "alice@risk", "ES over a narrow grid");

        AccountView v = view(acc);
        PortfolioBreakdown b = v.getPortfolio();
        assertThat(v.getParametersVersion()).isEqualTo("es-narrow");
        assertThat(b.getScanLossUsd()).isEqualTo("1200.00000000");
        assertThat(b.getContingencyTotalUsd()).isEqualTo("300.00000000");

        PriceHistory btc = histories.load("BTC").orElseThrow();
        LocalDate asOf = LocalDate.of(2024, 5, 26);
        assertThat(btc.lastDate()).isEqualTo(asOf);
        double loss = HistoricalSimulation.DEFAULT.requirement(new LinearBook(Map.of("BTC", 60000.0)), List.of(btc), asOf);
        double ratio = new AccountShortfall(ExpectedShortfallParameters.PORTFOLIO_DEFAULT, Map.of("BTC", btc)).ratioOf("BTC", asOf);
        // the ES loss rounded up to the cent first, then times the ratio, rounded up again
        BigDecimal esLoss = Decimals.requirement(BigDecimal.valueOf(loss));
        BigDecimal mm = Decimals.requirement(esLoss.multiply(BigDecimal.valueOf(ratio)));
        assertThat(b.getDrivingModel()).isEqualTo("expected_shortfall");
        assertThat(b.getEsAsOf()).isEqualTo("2024-05-26");
        assertThat(new BigDecimal(b.getEsLossUsd())).isEqualTo(esLoss.toPlainString());
        assertThat(b.getEsApcRatio()).isEqualTo(ratio);
        assertThat(ratio).isGreaterThanOrEqualTo(1.0);
        assertThat(b.getEsExcludedUnderlyingsList()).isEmpty();
        assertThat(mm).isGreaterThan(new BigDecimal("1500"));
        assertThat(v.getMaintenanceMarginUsd()).isEqualTo(mm.toPlainString());
        assertThat(v.getInitialMarginUsd()).isEqualTo(Decimals.requirement(mm.multiply(
                BigDecimal.valueOf(configured.getPortfolio().getImFactor()))).toPlainString());

        // the same set without its ES section: the scenario MM stands, no ES figure
        set(narrowWithEs("es-narrow-off").toBuilder().clearExpectedShortfall().build(), "alice@risk", "ES off");
        AccountView off = view(acc);
        assertThat(off.getMaintenanceMarginUsd()).isEqualTo("1500.00000000");
        assertThat(off.getPortfolio().getDrivingModel()).isEmpty(); // no second model in the set
        assertThat(off.getPortfolio().getEsLossUsd()).isEmpty();
    }

    /**
     * Long 1 BTC future at 60,000 and long 10 AVAX futures at 30 (no stored AVAX history) against 100,000 USDC: AVAX is
     * outside the ES model (es_excluded_underlyings, 0 P&L in every historical scenario), so the ES figure is the BTC
     * position's alone, while the scan covers both; MM = max(scan loss + contingencies, ES x ratio).
     */
    @Test
    void anUnderlyingWithoutHistoryIsOutsideTheEsModelAndTheScanCoversIt() {
        String acc = "es-btc-avax";
        upstream.pricing.linear(AVAX_FUT, "30", false);
        upstream.collateral.set(acc, false, new Object[]{"ethereum", "USDC", "100000", "1", "0", "0"});
        fill(acc + "-f1", acc, FUT, Side.SIDE_BUY, "1", "60000");
        fill(acc + "-f2", acc, AVAX_FUT, Side.SIDE_BUY, "10", "30");
        setMode(acc + "-m1", acc, MarginMode.MARGIN_MODE_PORTFOLIO);
        set(narrowWithEs("es-narrow-avax"), "alice@risk", "ES over a narrow grid, AVAX without history");

        AccountView v = view(acc);
        PortfolioBreakdown b = v.getPortfolio();
        assertThat(histories.load("AVAX")).isEmpty();
        assertThat(b.getEsExcludedUnderlyingsList()).containsExactly("AVAX");
        assertThat(b.getGroupsList()).extracting(g -> g.getGroupId()).contains("AVAX");
        PriceHistory btc = histories.load("BTC").orElseThrow();
        LocalDate asOf = LocalDate.of(2024, 5, 26);
        double loss = HistoricalSimulation.DEFAULT.requirement(new LinearBook(Map.of("BTC", 60000.0)), List.of(btc), asOf);
        BigDecimal esLoss = Decimals.requirement(BigDecimal.valueOf(loss));
        assertThat(b.getEsLossUsd()).isEqualTo(esLoss.toPlainString());
        assertThat(b.getEsAsOf()).isEqualTo("2024-05-26");
        BigDecimal es = Decimals.requirement(esLoss.multiply(BigDecimal.valueOf(b.getEsApcRatio())));
        BigDecimal scenario = new BigDecimal(b.getScanLossUsd()).add(new BigDecimal(b.getContingencyTotalUsd()));
        System.out.printf("BTC+AVAX: scenario MM %s, ES loss %s x ratio %s = %s%n", scenario, esLoss, b.getEsApcRatio(), es);
        assertThat(new BigDecimal(v.getMaintenanceMarginUsd())).isEqualByComparingTo(es.max(scenario));
        assertThat(b.getDrivingModel()).isEqualTo(es.compareTo(scenario) > 0 ? "expected_shortfall" : "scenario");
    }

    /** A bad ES section is refused INVALID_ARGUMENT with its field's path; nothing is recorded or activated. */
    @Test
    void aBadEsSectionIsRefusedWithItsFieldAndChangesNothing() {
        List<RiskParameterChange> before = allHistory();
        RiskParameterChange activeBefore = active();
        bad(es -> es.setLevel(1.0), "parameters.expected_shortfall.level");
        bad(es -> es.setLevel(0), "parameters.expected_shortfall.level");
        bad(es -> es.setLookBackDays(1).setHoldingDays(2), "parameters.expected_shortfall.look_back_days");
        bad(es -> es.setHoldingDays(0), "parameters.expected_shortfall.holding_days");
        bad(es -> es.addModes(MarginMode.MARGIN_MODE_ISOLATED), "parameters.expected_shortfall.modes[1]");
        bad(es -> es.setModes(0, MarginMode.MARGIN_MODE_UNSPECIFIED), "parameters.expected_shortfall.modes[0]");
        bad(es -> es.setAntiProcyclicality(EsAntiProcyclicality.ES_ANTI_PROCYCLICALITY_UNSPECIFIED),
                "parameters.expected_shortfall.anti_procyclicality");
        assertThat(allHistory()).isEqualTo(before);
        assertThat(active()).isEqualTo(activeBefore);
    }

    static void bad(UnaryOperator<dev.crosschain.proto.margin.v1.ExpectedShortfallParameters.Builder> change, String field) {
        RiskParameters p = narrowWithEs("es-bad");
        RiskParameters bad = p.toBuilder().setExpectedShortfall(change.apply(p.getExpectedShortfall().toBuilder())).build();
        assertError(() -> set(bad, "bob", "bad"), Status.Code.INVALID_ARGUMENT, "INVALID_RISK_PARAMETERS", field);
    }
}
