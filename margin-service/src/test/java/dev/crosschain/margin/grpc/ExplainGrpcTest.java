package dev.crosschain.margin.grpc;

import dev.crosschain.margin.app.Explanations;
import dev.crosschain.margin.app.MarginConfig;
import dev.crosschain.margin.app.MarginEngine;
import dev.crosschain.postgres.PostgresTestResource;
import dev.crosschain.proto.margin.v1.AccountStatus;
import dev.crosschain.proto.margin.v1.AccountView;
import dev.crosschain.proto.margin.v1.ChainCollateralValue;
import dev.crosschain.proto.margin.v1.Contributor;
import dev.crosschain.proto.margin.v1.ExplainRequest;
import dev.crosschain.proto.margin.v1.ExplainResponse;
import dev.crosschain.proto.margin.v1.MarginMode;
import dev.crosschain.proto.margin.v1.MarginServiceGrpc;
import dev.crosschain.proto.margin.v1.PositionRequirement;
import dev.crosschain.proto.margin.v1.ReplaySnapshotRequest;
import dev.crosschain.proto.margin.v1.ReplaySnapshotResponse;
import dev.crosschain.proto.margin.v1.RiskParameters;
import dev.crosschain.proto.margin.v1.Side;
import dev.crosschain.proto.margin.v1.SnapshotFigures;
import io.agroal.api.AgroalDataSource;
import io.grpc.Status;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static dev.crosschain.margin.grpc.MarginGrpcServiceTest.assertError;
import static dev.crosschain.margin.grpc.MarginGrpcServiceTest.fill;
import static dev.crosschain.margin.grpc.SetMarginModeGrpcTest.setMode;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Explain and ReplaySnapshot on the real service and database, FakeUpstream standing in for collateral-service and
 * pricing-service (RevalueBook by its linear rule). Each test uses instruments of its own, so changing their marks
 * moves no other test's account.
 */
@QuarkusTest
@QuarkusTestResource(PostgresTestResource.class)
class ExplainGrpcTest {

    static final String BTC_FUT = "BTC-24SEP27";
    static final String BTC_CALL = "BTC-24SEP27-70000-C";
    static final String TAMPER_FUT = "BTC-31DEC27";
    static final String ETH_FUT = "ETH-24SEP27";
    static final String FALLBACK_FUT = "ETH-31DEC27";
    static final String DIVERGE_FUT = "SOL-24SEP27";
    static final String UNASKED_FUT = "SOL-31DEC27";
    static final String ES_FUT = "BTC-26MAR27";
    static FakeUpstream upstream;

    @Inject
    AgroalDataSource dataSource;
    @Inject
    Explanations explanations;
    @Inject
    MarginEngine engine;
    @Inject
    MarginConfig config;

    @BeforeAll
    static void connect() {
        MarginGrpcServiceTest.connect();
        upstream = FakeUpstream.get();
        upstream.pricing.linear(BTC_FUT, "61000", false);
        upstream.pricing.option(BTC_CALL, "1200", "61000", 0.3);
        upstream.pricing.linear(TAMPER_FUT, "61000", false);
        upstream.pricing.linear(ETH_FUT, "3000", false);
        upstream.pricing.linear(FALLBACK_FUT, "3000", false);
        upstream.pricing.linear(DIVERGE_FUT, "150", false);
        upstream.pricing.linear(UNASKED_FUT, "150", false);
        upstream.pricing.linear(ES_FUT, "60000", false);
    }

    @AfterAll
    static void disconnect() {
        MarginGrpcServiceTest.disconnect();
    }

    @AfterEach
    void upstreamHealthy() {
        upstream.collateral.mode.set(FakeUpstream.Mode.OK);
        upstream.pricing.mode.set(FakeUpstream.Mode.OK);
        upstream.pricing.revalueMode.set(FakeUpstream.Mode.OK);
    }

    /**
     * CROSS: long 1 BTC future at 60,000 (mark 61,000) and short 2 calls 70,000 (mark 1,200, index 61,000) on 2 ETH on
     * arbitrum and 10,000 USDC on ethereum. Future: notional 61,000, first tier (IM 2%, MM 1%): 1,220 / 610. Calls: MM
     * (0.075 x 61,000 + 1,200) x 2 = 11,550, the largest; IM max(0.15 - 9,000/61,000, 0.10) x 61,000 + 1,200 = 7,300 x 2.
     * The replay reproduces the whole view, also after the marks and the active set changed.
     */
    @Test
    void aCrossAccountReplaysIdenticallyAndIgnoresLiveMarksAndTheActiveSet() {
        String acc = "explain-cross";
        upstream.collateral.set(acc, false, new Object[]{"arbitrum", "ETH", "2", "3000", "0.15", "0.10"},
                new Object[]{"ethereum", "USDC", "10000", "1", "0.02", "0.01"});
        fill(acc + "-f1", acc, BTC_FUT, Side.SIDE_BUY, "1", "60000");
        fill(acc + "-f2", acc, BTC_CALL, Side.SIDE_SELL, "2", "1000");

        ExplainResponse explained = explain(acc);
        AccountView live = MarginGrpcServiceTest.view(acc);
        AccountView v = explained.getView();
        assertThat(v.getMode()).isEqualTo(MarginMode.MARGIN_MODE_CROSS);
        assertSameFigures(v, live);
        assertThat(v.getMaintenanceMarginUsd()).isEqualTo("12160.00000000");
        assertThat(v.getInitialMarginUsd()).isEqualTo("15820.00000000");
        assertThat(explained.getExplanation().getPositionsList()).containsExactly(
                PositionRequirement.newBuilder().setInstrument(BTC_FUT).setRule("linear_tier").setTier(0)
                        .setNotionalUsd("61000.00000000").setImRate("0.02").setMmRate("0.01").setMarkUsed("61000")
                        .setInitialMarginUsd("1220.00000000").setMaintenanceMarginUsd("610.00000000").build(),
                PositionRequirement.newBuilder().setInstrument(BTC_CALL).setRule("short_option").setTier(-1)
                        .setMarkUsed("1200").setInitialMarginUsd("14600.00000000").setMaintenanceMarginUsd("11550.00000000").build());
        assertThat(explained.getExplanation().getChainsList()).containsExactly(
                ChainCollateralValue.newBuilder().setChainId("arbitrum").setMarketValueUsd("6000.00000000")
                        .setValueImUsd("5100.00000000").setValueMmUsd("5400.00000000").build(),
                ChainCollateralValue.newBuilder().setChainId("ethereum").setMarketValueUsd("10000.00000000")
                        .setValueImUsd("9800.00000000").setValueMmUsd("9900.00000000").build());
        assertThat(explained.getExplanation().getLargestContributor()).isEqualTo(Contributor.newBuilder().setKind("position")
                .setName(BTC_CALL).setAmountUsd("11550.00000000").build());

        ReplaySnapshotResponse replay = replay(explained.getSnapshotId());
        assertThat(replay.getIdentical()).isTrue();
        assertThat(replay.getView()).isEqualTo(v);
        assertThat(replay.getRecorded()).isEqualTo(figures(v));
        assertThat(replay.getTakenAtUnixMs()).isEqualTo(v.getAsOfUnixMs());

        RiskParameters before = RiskParametersGrpcTest.active().getParameters();
        try {
            upstream.pricing.linear(BTC_FUT, "65000", false);
            upstream.pricing.option(BTC_CALL, "1500", "65000", 0.35);
            RiskParametersGrpcTest.set(RiskParametersGrpcTest.withFirstTier(before, "explain-doubled", "0.04", "0.02"), "test",
                    "explain replays ignore the active set");
            AccountView moved = MarginGrpcServiceTest.view(acc);
            assertThat(moved.getParametersVersion()).isEqualTo("explain-doubled");
            assertThat(moved.getMaintenanceMarginUsd()).isNotEqualTo(v.getMaintenanceMarginUsd());

            ReplaySnapshotResponse again = replay(explained.getSnapshotId());
            assertThat(again.getIdentical()).isTrue();
            assertThat(again.getView()).isEqualTo(v);
        } finally {
            upstream.pricing.linear(BTC_FUT, "61000", false);
            upstream.pricing.option(BTC_CALL, "1200", "61000", 0.3);
            RiskParametersGrpcTest.set(before.toBuilder().setVersion("explain-restored").build(), "test",
                    "restore the contents active before the explain test");
        }
    }

    /**
     * PORTFOLIO: short 2 ETH futures at 3,000 against 2 ETH on arbitrum: the future loses 6,000 m, the collateral
     * gains 5,400 m; worst at +16%: 96.00, the future's share 960.00 (the largest), arbitrum's -864.00; linear
     * add-on 30.00. The replay answers from the recorded revaluation and the recorded set: identical with a changed
     * PORTFOLIO section active and every upstream down.
     */
    @Test
    void aPortfolioAccountReplaysFromTheRecordedRevaluationWithoutPricing() {
        String acc = "explain-pm";
        portfolioBook(acc, ETH_FUT);
        ExplainResponse explained = explain(acc);
        AccountView v = explained.getView();
        assertSameFigures(v, MarginGrpcServiceTest.view(acc));
        assertThat(v.getMode()).isEqualTo(MarginMode.MARGIN_MODE_PORTFOLIO);
        assertThat(v.getMaintenanceMarginUsd()).isEqualTo("126.00000000");
        assertThat(v.getConservative()).isFalse();
        assertThat(v.getPortfolio().getGroups(0).getDrivingScenarioId()).isEqualTo("ETH:+16%/vol+");
        assertThat(explained.getExplanation().getPositionsList()).isEmpty();
        assertThat(explained.getExplanation().getLargestContributor()).isEqualTo(Contributor.newBuilder().setKind("position")
                .setName(ETH_FUT).setAmountUsd("960.00000000").build());

        RiskParameters before = RiskParametersGrpcTest.active().getParameters();
        try {
            RiskParametersGrpcTest.set(before.toBuilder().setVersion("explain-pm-im").setPortfolio(before.getPortfolio().toBuilder()
                    .setVersion("pm-explain").setImFactor(before.getPortfolio().getImFactor() * 2)).build(), "test",
                    "explain replays ignore the active PORTFOLIO section");
            AccountView moved = MarginGrpcServiceTest.view(acc);
            assertThat(moved.getParametersVersion()).isEqualTo("explain-pm-im");
            assertThat(moved.getInitialMarginUsd()).isNotEqualTo(v.getInitialMarginUsd());

            upstream.pricing.linear(ETH_FUT, "3300", false);
            upstream.collateral.mode.set(FakeUpstream.Mode.UNAVAILABLE);
            upstream.pricing.mode.set(FakeUpstream.Mode.UNAVAILABLE);
            upstream.pricing.revalueMode.set(FakeUpstream.Mode.UNAVAILABLE);
            ReplaySnapshotResponse replay = replay(explained.getSnapshotId());
            assertThat(replay.getIdentical()).isTrue();
            assertThat(replay.getView()).isEqualTo(v);
        } finally {
            upstream.pricing.linear(ETH_FUT, "3000", false);
            RiskParametersGrpcTest.set(before.toBuilder().setVersion("explain-pm-restored").build(), "test",
                    "restore the contents active before the PORTFOLIO explain test");
        }
    }

    /**
     * RevalueBook down: Explain answers GetAccountView's labelled fallback (MM = max(cross 60, last revalued 126.00))
     * and records the failure; the replay fails the same call the same way and gives the same fallback, although
     * RevalueBook answers again by then.
     */
    @Test
    void aPortfolioAccountValuedByTheFallbackReplaysToo() {
        String acc = "explain-fallback";
        portfolioBook(acc, FALLBACK_FUT);
        engine.reevaluate(acc); // records the revalued MM, the fallback's floor
        upstream.pricing.revalueMode.set(FakeUpstream.Mode.UNAVAILABLE);
        ExplainResponse explained = explain(acc);
        upstream.pricing.revalueMode.set(FakeUpstream.Mode.OK);
        AccountView v = explained.getView();
        assertThat(v.getConservative()).isTrue();
        assertThat(v.getPortfolio().getContingencies(0).getKind()).isEqualTo("revaluation_unavailable");
        assertThat(v.getMaintenanceMarginUsd()).isEqualTo("126.00000000");
        assertThat(explained.getExplanation().getLargestContributor()).isEqualTo(Contributor.newBuilder().setKind("contingency")
                .setName("revaluation_unavailable:last_portfolio").setAmountUsd("126.00000000").build());

        ReplaySnapshotResponse replay = replay(explained.getSnapshotId());
        assertThat(replay.getIdentical()).isTrue();
        assertThat(replay.getView()).isEqualTo(v);
        assertThat(MarginGrpcServiceTest.view(acc).getConservative()).isFalse(); // live, RevalueBook answers
    }

    /**
     * PORTFOLIO with expected shortfall driving (long 1 BTC future at 60,000, a +-2% grid: scenario MM 1,500.00, ES
     * several thousand): the snapshot records the ES plan (as-of date, historical scenarios and moves, exclusions, APC
     * ratios), the replay answers it instead of the stored histories and is identical; the recorded BTC APC ratio
     * doubled in SQL gives another MM, identical=false (the ratio is read from the snapshot, not recomputed).
     */
    @Test
    void aPortfolioAccountWithExpectedShortfallReplaysFromTheRecordedPlan() throws SQLException {
        String acc = "explain-es";
        upstream.collateral.set(acc, false, new Object[]{"ethereum", "USDC", "100000", "1", "0", "0"});
        fill(acc + "-f1", acc, ES_FUT, Side.SIDE_BUY, "1", "60000");
        setMode(acc + "-m1", acc, MarginMode.MARGIN_MODE_PORTFOLIO);
        RiskParameters before = RiskParametersGrpcTest.active().getParameters();
        try {
            RiskParametersGrpcTest.set(ExpectedShortfallGrpcTest.narrowWithEs(before, "explain-es"), "test", "ES drives");
            ExplainResponse explained = explain(acc);
            AccountView v = explained.getView();
            assertThat(v.getPortfolio().getDrivingModel()).isEqualTo("expected_shortfall");
            assertThat(v.getPortfolio().getEsAsOf()).isEqualTo("2024-05-26");
            assertSameFigures(v, MarginGrpcServiceTest.view(acc));

            ReplaySnapshotResponse replay = replay(explained.getSnapshotId());
            assertThat(replay.getIdentical()).isTrue();
            assertThat(replay.getView()).isEqualTo(v);

            double ratio = v.getPortfolio().getEsApcRatio();
            assertThat(update(explained.getSnapshotId(), "\"apc_ratios\":{\"BTC\":\"" + ratio + "\"",
                    "\"apc_ratios\":{\"BTC\":\"" + ratio * 2 + "\"")).isEqualTo(1);
            ReplaySnapshotResponse tampered = replay(explained.getSnapshotId());
            assertThat(tampered.getIdentical()).isFalse();
            assertThat(tampered.getRecorded()).isEqualTo(figures(v));
            assertThat(new BigDecimal(tampered.getView().getMaintenanceMarginUsd()))
                    .isGreaterThan(new BigDecimal(v.getMaintenanceMarginUsd()));
        } finally {
            RiskParametersGrpcTest.set(before.toBuilder().setVersion("explain-es-restored").build(), "test",
                    "restore the contents active before the ES explain test");
        }
    }

    /** A mark changed in the stored row: the replay computes other figures and says so (the comparison can fail). */
    @Test
    void aTamperedSnapshotReplaysNotIdentical() throws SQLException {
        String acc = "explain-tamper";
        upstream.collateral.set(acc, false, new Object[]{"ethereum", "USDC", "10000", "1", "0.02", "0.01"});
        fill(acc + "-f1", acc, TAMPER_FUT, Side.SIDE_BUY, "1", "60000");
        ExplainResponse explained = explain(acc);
        assertThat(replay(explained.getSnapshotId()).getIdentical()).isTrue();

        assertThat(update(explained.getSnapshotId(), "\"mark\":\"61000\"", "\"mark\":\"62000\"")).isEqualTo(1);
        ReplaySnapshotResponse replay = replay(explained.getSnapshotId());
        assertThat(replay.getIdentical()).isFalse();
        assertThat(replay.getRecorded()).isEqualTo(figures(explained.getView()));
        assertThat(replay.getRecorded().getMaintenanceMarginUsd()).isEqualTo("610.00000000");
        assertThat(replay.getView().getMaintenanceMarginUsd()).isEqualTo("620.00000000");
    }

    /** A stored revaluation of other scenarios than the engine asks cannot stand in for RevalueBook: refused, not guessed. */
    @Test
    void aSnapshotWhoseRevaluationAsksOtherScenariosIsRefusedDiverged() throws SQLException {
        String acc = "explain-diverge";
        portfolioBook(acc, DIVERGE_FUT);
        ExplainResponse explained = explain(acc);
        assertThat(update(explained.getSnapshotId(), "/vol+\"", "/vol++\"")).isEqualTo(1);
        assertError(() -> replay(explained.getSnapshotId()), Status.Code.FAILED_PRECONDITION, "SNAPSHOT_DIVERGED", null);
    }

    /**
     * A stored revaluation with a call the engine does not ask (the first one recorded twice): the recorded figures
     * used answers the replay did not, so it is refused, not called identical.
     */
    @Test
    void aSnapshotWithARecordedCallLeftUnaskedIsRefusedDiverged() throws SQLException {
        String acc = "explain-unasked";
        portfolioBook(acc, UNASKED_FUT);
        ExplainResponse explained = explain(acc);
        assertThat(replay(explained.getSnapshotId()).getIdentical()).isTrue();

        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement("UPDATE explain_snapshot SET inputs = jsonb_set(inputs::jsonb, "
                     + "'{revaluations}', (inputs::jsonb -> 'revaluations') || (inputs::jsonb -> 'revaluations' -> 0))::text "
                     + "WHERE snapshot_id = ? AND jsonb_array_length(inputs::jsonb -> 'revaluations') = 1")) {
            s.setObject(1, UUID.fromString(explained.getSnapshotId()));
            assertThat(s.executeUpdate()).isEqualTo(1);
        }
        assertError(() -> replay(explained.getSnapshotId()), Status.Code.FAILED_PRECONDITION, "SNAPSHOT_DIVERGED", null);
    }

    /** Retention: the purge keeps a snapshot younger than the retention and deletes it after; it is then unknown. */
    @Test
    void snapshotsPastTheirRetentionArePurged() {
        String acc = "explain-purge";
        upstream.collateral.set(acc, false, new Object[]{"ethereum", "USDC", "100", "1", "0", "0"});
        ExplainResponse explained = explain(acc);
        long takenAt = explained.getView().getAsOfUnixMs();
        long retention = config.explain().retention().toMillis();

        explanations.purge(takenAt + retention);
        assertThat(replay(explained.getSnapshotId()).getIdentical()).isTrue();

        assertThat(explanations.purge(takenAt + retention + 1)).isGreaterThanOrEqualTo(1);
        assertError(() -> replay(explained.getSnapshotId()), Status.Code.NOT_FOUND, "UNKNOWN_SNAPSHOT", null);
    }

    /** Retention is measured from the row's instant: a row past it answers NOT_FOUND while it still exists. */
    @Test
    void aSnapshotPastItsRetentionIsUnknownEvenBeforeThePurge() throws SQLException {
        String acc = "explain-expired";
        upstream.collateral.set(acc, false, new Object[]{"ethereum", "USDC", "100", "1", "0", "0"});
        ExplainResponse explained = explain(acc);
        assertThat(replay(explained.getSnapshotId()).getIdentical()).isTrue();

        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement("UPDATE explain_snapshot SET taken_at_ms = ? WHERE snapshot_id = ?")) {
            s.setLong(1, System.currentTimeMillis() - config.explain().retention().toMillis() - Duration.ofMinutes(1).toMillis());
            s.setObject(2, UUID.fromString(explained.getSnapshotId()));
            assertThat(s.executeUpdate()).isEqualTo(1);
        }
        assertThat(rows(explained.getSnapshotId())).isEqualTo(1);
        assertError(() -> replay(explained.getSnapshotId()), Status.Code.NOT_FOUND, "UNKNOWN_SNAPSHOT", null);
    }

    @Test
    void badInputIsRefusedWithItsFieldAndStoresNothing() throws SQLException {
        String acc = "explain-bad";
        upstream.collateral.set(acc, false, new Object[]{"ethereum", "USDC", "100", "1", "0", "0"});
        fill(acc + "-f1", acc, BTC_FUT, Side.SIDE_BUY, "0.001", "60000");
        long before = rows();

        assertError(() -> explain(""), Status.Code.INVALID_ARGUMENT, "MISSING_FIELD", "account_id");
        assertError(() -> explain("  "), Status.Code.INVALID_ARGUMENT, "MISSING_FIELD", "account_id");
        assertError(() -> explain("bad\u0001account"), Status.Code.INVALID_ARGUMENT, "INVALID_ACCOUNT", "account_id");
        assertError(() -> explain("explain-nobody"), Status.Code.NOT_FOUND, "UNKNOWN_ACCOUNT", null);
        upstream.collateral.mode.set(FakeUpstream.Mode.UNAVAILABLE);
        assertError(() -> explain(acc), Status.Code.UNAVAILABLE, "DEPENDENCY_UNAVAILABLE", null);
        upstream.collateral.mode.set(FakeUpstream.Mode.OK);
        upstream.pricing.mode.set(FakeUpstream.Mode.UNAVAILABLE);
        assertError(() -> explain(acc), Status.Code.UNAVAILABLE, "DEPENDENCY_UNAVAILABLE", null);
        upstream.pricing.mode.set(FakeUpstream.Mode.OK);
        assertThat(rows()).isEqualTo(before);

        assertError(() -> replay(""), Status.Code.INVALID_ARGUMENT, "MISSING_FIELD", "snapshot_id");
        assertError(() -> replay("not-a-snapshot"), Status.Code.INVALID_ARGUMENT, "INVALID_SNAPSHOT_ID", "snapshot_id");
        assertError(() -> replay("1-1-1-1-1"), Status.Code.INVALID_ARGUMENT, "INVALID_SNAPSHOT_ID", "snapshot_id");
        assertError(() -> replay(UUID.randomUUID().toString()), Status.Code.NOT_FOUND, "UNKNOWN_SNAPSHOT", null);

        // the same account explains once the upstreams answer: the refusals above were theirs
        explain(acc);
        assertThat(rows()).isEqualTo(before + 1);
    }

    // ---- helpers ----

    /** Short 2 of {@code future} at 3,000 against 2 ETH on arbitrum (haircuts IM 15%, MM 10%), switched to PORTFOLIO. */
    static void portfolioBook(String acc, String future) {
        upstream.collateral.set(acc, false, new Object[]{"arbitrum", "ETH", "2", "3000", "0.15", "0.10"});
        fill(acc + "-f1", acc, future, Side.SIDE_SELL, "2", "3000");
        assertThat(setMode(acc + "-m1", acc, MarginMode.MARGIN_MODE_PORTFOLIO).getMode()).isEqualTo(MarginMode.MARGIN_MODE_PORTFOLIO);
    }

    static void assertSameFigures(AccountView explained, AccountView live) {
        assertThat(figures(explained)).isEqualTo(figures(live));
        assertThat(explained.getPortfolio()).isEqualTo(live.getPortfolio());
        assertThat(explained.getParametersVersion()).isEqualTo(live.getParametersVersion());
    }

    static SnapshotFigures figures(AccountView v) {
        return SnapshotFigures.newBuilder().setEquityUsd(v.getEquityUsd()).setInitialMarginUsd(v.getInitialMarginUsd())
                .setMaintenanceMarginUsd(v.getMaintenanceMarginUsd()).setMarginRatio(v.getMarginRatio()).setStatus(v.getStatus())
                .build();
    }

    static ExplainResponse explain(String account) {
        return stub().explain(ExplainRequest.newBuilder().setAccountId(account).build());
    }

    static ReplaySnapshotResponse replay(String snapshotId) {
        return stub().replaySnapshot(ReplaySnapshotRequest.newBuilder().setSnapshotId(snapshotId).build());
    }

    static MarginServiceGrpc.MarginServiceBlockingStub stub() {
        return MarginServiceGrpc.newBlockingStub(MarginGrpcServiceTest.channel).withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    /** Replaces every {@code from} by {@code to} in the snapshot's stored inputs; answers the rows changed (0 when absent). */
    int update(String snapshotId, String from, String to) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement("UPDATE explain_snapshot SET inputs = replace(inputs, ?, ?) "
                     + "WHERE snapshot_id = ? AND position(? IN inputs) > 0")) {
            s.setString(1, from);
            s.setString(2, to);
            s.setObject(3, UUID.fromString(snapshotId));
            s.setString(4, from);
            return s.executeUpdate();
        }
    }

    long rows() throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement("SELECT count(*) FROM explain_snapshot");
             ResultSet rs = s.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** The rows stored under {@code snapshotId}, however old. */
    long rows(String snapshotId) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement("SELECT count(*) FROM explain_snapshot WHERE snapshot_id = ?")) {
            s.setObject(1, UUID.fromString(snapshotId));
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }
}
