package dev.crosschain.margin.grpc;

import dev.crosschain.postgres.PostgresTestResource;
import dev.crosschain.proto.margin.v1.AccountView;
import dev.crosschain.proto.margin.v1.GetRiskParametersRequest;
import dev.crosschain.proto.margin.v1.LinearTier;
import dev.crosschain.proto.margin.v1.ListRiskParameterChangesRequest;
import dev.crosschain.proto.margin.v1.ListRiskParameterChangesResponse;
import dev.crosschain.proto.margin.v1.MarginServiceGrpc;
import dev.crosschain.proto.margin.v1.RiskParameterChange;
import dev.crosschain.proto.margin.v1.RiskParameters;
import dev.crosschain.proto.margin.v1.SetRiskParametersRequest;
import dev.crosschain.proto.margin.v1.SetRiskParametersResponse;
import dev.crosschain.proto.margin.v1.Side;
import dev.crosschain.proto.margin.v1.WatchAccountRequest;
import dev.crosschain.proto.margin.v1.WatchAccountResponse;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.stub.MetadataUtils;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

import static dev.crosschain.margin.grpc.MarginGrpcServiceTest.assertError;
import static dev.crosschain.margin.grpc.MarginGrpcServiceTest.awaitItem;
import static dev.crosschain.margin.grpc.MarginGrpcServiceTest.fill;
import static dev.crosschain.margin.grpc.MarginGrpcServiceTest.view;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Get/List/SetRiskParameters on the real service and database. Every set this class records other than the last
 * one carries test contents; {@link #restoreTheConfiguredContents} records the configured contents again under a new
 * version, so the classes that run after it compute with today's figures.
 */
@QuarkusTest
@QuarkusTestResource(PostgresTestResource.class)
class RiskParametersGrpcTest {

    static final String ADMIN_TOKEN = "test-admin-token"; // %test.margin.admin.token
    static final String PERP = "ETH-PERPETUAL";
    static FakeUpstream upstream;

    @jakarta.inject.Inject
    dev.crosschain.margin.store.RiskParameterStore store;
    /** The configured set as the service reports it (captured before anything changes it). */
    static RiskParameters configured;

    @BeforeAll
    static void connect() {
        MarginGrpcServiceTest.connect();
        upstream = FakeUpstream.get();
        // by its version: RiskParameterRestartTest records config rows of its own, so "the newest config row" depends on
        // the order the classes run in
        configured = configuredRecord().getParameters();
    }

    @AfterAll
    static void restoreTheConfiguredContents() {
        try {
            set(configured.toBuilder().setVersion("grpc-test-restored").build(), "test", "restore the configured contents");
        } finally {
            MarginGrpcServiceTest.disconnect();
        }
    }

    @Test
    void theConfiguredSetIsRecordedAtStartAsConfigWithTodaysValues() {
        assertThat(configured.getVersion()).isEqualTo("rp-1");
        assertThat(configured.getRules().getLinearTiersList()).extracting(LinearTier::getBelow, LinearTier::getIm, LinearTier::getMm)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("1000000", "0.02", "0.01"),
                        org.assertj.core.groups.Tuple.tuple("5000000", "0.04", "0.02"), org.assertj.core.groups.Tuple.tuple("", "0.10", "0.05"));
        assertThat(configured.getRules().getOptionMm()).isEqualTo("0.075");
        assertThat(configured.getPortfolio().getVersion()).isEqualTo("pm-1");
        assertThat(configured.getPortfolio().getCoreMovesList()).containsExactly(-0.16, -0.12, -0.08, -0.04, 0.0, 0.04, 0.08, 0.12, 0.16);
        assertThat(configured.getPortfolio().getImFactor()).isEqualTo(1.3);
        RiskParameterChange seed = configuredRecord();
        assertThat(seed.getChangedBy()).isEqualTo("config");
        assertThat(seed.getReason()).isEqualTo("configured at start");
        assertThat(history().stream().filter(c -> c.getParameters().getVersion().equals("rp-1"))).hasSize(1);
    }

    @Test
    void aSetIsActiveAtOnceShownInViewsAndRecordedWithWhoWhenWhy() {
        String acc = "rp-cross";
        upstream.collateral.set(acc, false, new Object[]{"ethereum", "USDC", "1000", "1", "0", "0"});
        fill("rp-cross-f1", acc, PERP, Side.SIDE_BUY, "1", "3000"); // notional 3000: first tier
        set(configured.toBuilder().setVersion("rp-before-doubling").build(), "alice@risk", "the configured contents");
        AccountView before = view(acc);
        assertThat(before.getParametersVersion()).isEqualTo(active().getParameters().getVersion());

        RiskParameters doubled = withFirstTier(configured, "rp-doubled", "0.04", "0.02");
        long from = System.currentTimeMillis();
        SetRiskParametersResponse answer = set(doubled, "alice@risk", "first tier x2 after the review");
        long to = System.currentTimeMillis();
        assertThat(answer.getReplayed()).isFalse();
        RiskParameterChange change = answer.getChange();
        assertThat(change.getParameters()).isEqualTo(doubled);
        assertThat(change.getChangedBy()).isEqualTo("alice@risk");
        assertThat(change.getReason()).isEqualTo("first tier x2 after the review");
        // the database clock of the same host: within a second of the call
        assertThat(change.getChangedAtUnixMs()).isBetween(from - 1000, to + 1000);

        assertThat(active()).isEqualTo(change);
        assertThat(history().get(0)).isEqualTo(change);

        AccountView after = view(acc);
        assertThat(after.getParametersVersion()).isEqualTo("rp-doubled");
        assertThat(before.getMaintenanceMarginUsd()).isEqualTo("30.00000000"); // 3000 x 0.01 under rp-1's contents
        assertThat(after.getMaintenanceMarginUsd()).isEqualTo("60.00000000"); // 3000 x 0.02
        assertThat(after.getInitialMarginUsd()).isEqualTo("120.00000000");
    }

    @Test
    void anotherReplicasChangeIsPickedUpByTheReMarginTick() {
        String acc = "rp-replica";
        upstream.collateral.set(acc, false, new Object[]{"ethereum", "USDC", "1000", "1", "0", "0"});
        fill("rp-replica-f1", acc, PERP, Side.SIDE_BUY, "1", "3000");
        BlockingQueue<Object> views = new LinkedBlockingQueue<>();
        io.grpc.Context.CancellableContext watch = io.grpc.Context.current().withCancellation();
        try {
            watch.run(() -> MarginGrpcServiceTest.async.watchAccount(WatchAccountRequest.newBuilder().setAccountId(acc).build(),
                    MarginGrpcServiceTest.collect(views)));
            awaitItem(views, i -> i instanceof WatchAccountResponse, WatchAccountResponse.class);
            // recorded straight into the shared table, as another replica's SetRiskParameters does
            store.record(RiskParametersMapper.toDomain(withFirstTier(configured, "rp-other-replica", "0.036", "0.018"), "parameters"),
                    "other-replica-admin", "set elsewhere");
            WatchAccountResponse seen = awaitItem(views, i -> i instanceof WatchAccountResponse r
                    && r.getView().getParametersVersion().equals("rp-other-replica"), WatchAccountResponse.class);
            assertThat(seen.getView().getMaintenanceMarginUsd()).isEqualTo("54.00000000"); // 3000 x 0.018
            assertThat(active().getParameters().getVersion()).isEqualTo("rp-other-replica");
        } finally {
            watch.cancel(null);
        }
    }

    @Test
    void theSameVersionWithTheSameContentsIsAReplayAndWithOtherContentsIsRefused() {
        RiskParameters p = withFirstTier(configured, "rp-idem", "0.03", "0.015");
        SetRiskParametersResponse first = set(p, "bob", "idempotency");
        int rows = history().size();
        // decimals compared by value: 0.030 is the same rate
        SetRiskParametersResponse again = set(withFirstTier(configured, "rp-idem", "0.030", "0.015"), "carol", "again");
        assertThat(again.getReplayed()).isTrue();
        assertThat(again.getChange()).isEqualTo(first.getChange());
        assertThat(history()).hasSize(rows);

        RiskParameterChange activeBefore = active();
        assertError(() -> set(withFirstTier(configured, "rp-idem", "0.04", "0.015"), "bob", "other contents"),
                Status.Code.ALREADY_EXISTS, "VERSION_EXISTS", null);
        assertError(() -> set(configured.toBuilder().setVersion("rp-idem").setPortfolio(configured.getPortfolio().toBuilder()
                .setImFactor(1.31)).build(), "bob", "other portfolio"), Status.Code.ALREADY_EXISTS, "VERSION_EXISTS", null);
        assertThat(history()).hasSize(rows);
        assertThat(active()).isEqualTo(activeBefore);
    }

    @Test
    void aReplayOfAnOlderVersionIsRefusedAndTheNewerSetStaysActive() {
        RiskParameters rp2 = withFirstTier(configured, "rp-replay-2", "0.03", "0.015");
        RiskParameters rp3 = withFirstTier(configured, "rp-replay-3", "0.035", "0.015");
        SetRiskParametersResponse second = set(rp2, "erin", "rp-2");
        assertThat(second.getActiveVersion()).isEqualTo("rp-replay-2");
        SetRiskParametersResponse third = set(rp3, "erin", "rp-3");
        assertThat(third.getActiveVersion()).isEqualTo("rp-replay-3");
        int rows = history().size();

        // rp-2 again would answer "active" while rp-3 stays active: a false rollback
        assertError(() -> set(rp2, "erin", "back to rp-2"), Status.Code.FAILED_PRECONDITION, "VERSION_NOT_ACTIVE", null);
        assertThat(active()).isEqualTo(third.getChange());
        assertThat(history()).hasSize(rows);

        // a replay of the newest is still answered, without a new row
        SetRiskParametersResponse again = set(rp3, "erin", "rp-3 again");
        assertThat(again.getReplayed()).isTrue();
        assertThat(again.getChange()).isEqualTo(third.getChange());
        assertThat(again.getActiveVersion()).isEqualTo("rp-replay-3");
        assertThat(history()).hasSize(rows);
    }

    @Test
    void everyBadFieldIsRefusedWithItsPathAndNothingIsRecorded() {
        int rows = history().size();
        RiskParameterChange activeBefore = active();
        badParameters(p -> p.setVersion("has space"), "parameters.version");
        badParameters(p -> p.setVersion(""), "parameters.version");
        badParameters(p -> p.setRules(p.getRules().toBuilder().setLinearTiers(0, LinearTier.newBuilder().setBelow("1000000")
                .setIm("0.02").setMm("0.03"))), "parameters.rules.linear_tiers[0].mm");
        badParameters(p -> p.setRules(p.getRules().toBuilder().setLinearTiers(0, LinearTier.newBuilder().setBelow("lots")
                .setIm("0.02").setMm("0.01"))), "parameters.rules.linear_tiers[0].below");
        badParameters(p -> p.setRules(p.getRules().toBuilder().removeLinearTiers(2)), "parameters.rules.linear_tiers[1].below");
        // a rate that falls as notional grows (rp-1: 0.02/0.01, 0.04/0.02, 0.10/0.05)
        badParameters(p -> p.setRules(p.getRules().toBuilder().setLinearTiers(1, LinearTier.newBuilder().setBelow("5000000")
                .setIm("0.015").setMm("0.01"))), "parameters.rules.linear_tiers[1].im");
        badParameters(p -> p.setRules(p.getRules().toBuilder().setLinearTiers(2, LinearTier.newBuilder()
                .setIm("0.10").setMm("0.015"))), "parameters.rules.linear_tiers[2].mm");
        badParameters(p -> p.setRules(p.getRules().toBuilder().clearLinearTiers()), "parameters.rules.linear_tiers");
        badParameters(p -> p.setRules(p.getRules().toBuilder().setOptionImBase("x")), "parameters.rules.option_im_base");
        badParameters(p -> p.setRules(p.getRules().toBuilder().setOptionMm("0.2")), "parameters.rules.option_mm");
        // plain decimals only, with a bounded scale and precision: an exponent once made toPlainString build a
        // billion-digit string
        badParameters(p -> p.setRules(p.getRules().toBuilder().setOptionMm("1E-1000000000")), "parameters.rules.option_mm");
        badParameters(p -> p.setRules(p.getRules().toBuilder().setOptionImBase("1e-1")), "parameters.rules.option_im_base");
        badParameters(p -> p.setRules(p.getRules().toBuilder().setStaleScanRange("0." + "0".repeat(18) + "1")),
                "parameters.rules.stale_scan_range");
        badParameters(p -> p.setRules(p.getRules().toBuilder().setStaleScanRange("0." + "0".repeat(1_000_000) + "1")),
                "parameters.rules.stale_scan_range");
        badParameters(p -> p.setRules(p.getRules().toBuilder().setLinearTiers(0, LinearTier.newBuilder().setBelow("1" + "0".repeat(38))
                .setIm("0.02").setMm("0.01"))), "parameters.rules.linear_tiers[0].below");
        badParameters(p -> p.setRules(p.getRules().toBuilder().setStaleScanRange("1")), "parameters.rules.stale_scan_range");
        badParameters(p -> p.setPortfolio(p.getPortfolio().toBuilder().clearCoreMoves().addAllCoreMoves(List.of(-0.1, 0.1))),
                "parameters.portfolio.core_moves");
        badParameters(p -> p.setPortfolio(p.getPortfolio().toBuilder().setImFactor(Double.NaN)), "parameters.portfolio.im_factor");
        badParameters(p -> p.setPortfolio(p.getPortfolio().toBuilder().setExtendedMoves(0,
                p.getPortfolio().getExtendedMoves(0).toBuilder().setWeight(2))), "parameters.portfolio.extended_moves[0].weight");
        badParameters(p -> p.setPortfolio(p.getPortfolio().toBuilder().setVersion("")), "parameters.portfolio.version");
        badParameters(RiskParameters.Builder::clearPortfolio, "parameters.portfolio.core_moves");
        badParameters(RiskParameters.Builder::clearRules, "parameters.rules.option_mm");
        // several at once: all reported
        var several = assertError(() -> set(configured.toBuilder().setVersion("rp-bad").setRules(configured.getRules().toBuilder()
                        .setOptionMm("").setStaleScanRange("0")).setPortfolio(configured.getPortfolio().toBuilder().setGroupOffset(1)).build(),
                "bob", "bad"), Status.Code.INVALID_ARGUMENT, "INVALID_RISK_PARAMETERS", null);
        assertThat(MarginGrpcServiceTest.detail(several, com.google.rpc.BadRequest.class).getFieldViolationsList())
                .extracting(com.google.rpc.BadRequest.FieldViolation::getField)
                .containsExactly("parameters.rules.option_mm", "parameters.rules.stale_scan_range", "parameters.portfolio.group_offset");

        RiskParameters good = configured.toBuilder().setVersion("rp-never").build();
        assertError(() -> set(good, "", "why"), Status.Code.INVALID_ARGUMENT, "MISSING_FIELD", "changed_by");
        assertError(() -> set(good, "x".repeat(129), "why"), Status.Code.INVALID_ARGUMENT, "INVALID_CHANGED_BY", "changed_by");
        assertError(() -> set(good, "bob\u0007bell", "why"), Status.Code.INVALID_ARGUMENT, "INVALID_CHANGED_BY", "changed_by");
        assertError(() -> set(good, "bob", " "), Status.Code.INVALID_ARGUMENT, "MISSING_FIELD", "reason");
        assertError(() -> set(good, "bob", "r".repeat(1025)), Status.Code.INVALID_ARGUMENT, "INVALID_REASON", "reason");
        assertError(() -> set(good, "bob", "\uD83D\uDE00".repeat(1025)), Status.Code.INVALID_ARGUMENT, "INVALID_REASON", "reason");
        assertError(() -> set(good, "bob", "a \u0007 bell"), Status.Code.INVALID_ARGUMENT, "INVALID_REASON", "reason");
        assertError(() -> set(good, "bob", "tab\there"), Status.Code.INVALID_ARGUMENT, "INVALID_REASON", "reason");
        assertError(() -> list(-1, ""), Status.Code.INVALID_ARGUMENT, "INVALID_PAGE_SIZE", "page_size");
        assertError(() -> list(101, ""), Status.Code.INVALID_ARGUMENT, "INVALID_PAGE_SIZE", "page_size");
        assertError(() -> list(1, "abc"), Status.Code.INVALID_ARGUMENT, "INVALID_PAGE_TOKEN", "page_token");
        assertError(() -> list(1, "0"), Status.Code.INVALID_ARGUMENT, "INVALID_PAGE_TOKEN", "page_token");

        assertThat(history()).hasSize(rows);
        assertThat(history().stream().map(c -> c.getParameters().getVersion())).doesNotContain("rp-never", "rp-bad", "has space");
        assertThat(active()).isEqualTo(activeBefore);
    }

    @Test
    void aReasonCountsCharactersAsCodePointsAndMayBreakLines() {
        // 1024 characters outside the BMP are 2048 UTF-16 units: still 1024 characters
        String reason = "line one\n" + "\uD83D\uDE00".repeat(1015);
        SetRiskParametersResponse answer = set(configured.toBuilder().setVersion("rp-long-reason").build(), "frank", reason);
        assertThat(answer.getChange().getReason()).isEqualTo(reason);
    }

    @Test
    void withoutTheAdminTokenSetIsRefusedAndNothingIsRecorded() {
        int rows = history().size();
        SetRiskParametersRequest request = SetRiskParametersRequest.newBuilder()
                .setParameters(configured.toBuilder().setVersion("rp-unauth")).setChangedBy("mallory").setReason("no").build();
        assertError(() -> stub(null).setRiskParameters(request), Status.Code.UNAUTHENTICATED, "MISSING_CREDENTIAL", null);
        assertError(() -> stub("wrong-token").setRiskParameters(request), Status.Code.UNAUTHENTICATED, "MISSING_CREDENTIAL", null);
        assertError(() -> stub(ADMIN_TOKEN + "x").setRiskParameters(request), Status.Code.UNAUTHENTICATED, "MISSING_CREDENTIAL", null);
        // the credential is checked before the fields: an unauthenticated caller learns nothing of them
        assertError(() -> stub(null).setRiskParameters(request.toBuilder().setChangedBy("").build()), Status.Code.UNAUTHENTICATED,
                "MISSING_CREDENTIAL", null);
        assertThat(history()).hasSize(rows);
    }

    @Test
    void theHistoryPagesNewestFirst() {
        set(configured.toBuilder().setVersion("rp-page-1").build(), "dave", "page 1");
        set(configured.toBuilder().setVersion("rp-page-2").build(), "dave", "page 2");
        List<RiskParameterChange> all = history();
        assertThat(all).extracting(RiskParameterChange::getSeq).isSortedAccordingTo((a, b) -> Long.compare(b, a));
        ListRiskParameterChangesResponse first = list(1, "");
        assertThat(first.getChangesList()).containsExactly(all.get(0));
        ListRiskParameterChangesResponse second = list(1, first.getNextPageToken());
        assertThat(second.getChangesList()).containsExactly(all.get(1));
        ListRiskParameterChangesResponse rest = list(100, second.getNextPageToken());
        assertThat(rest.getChangesList()).isEqualTo(all.subList(2, all.size()));
        assertThat(rest.getNextPageToken()).isEmpty();
    }

    // ---- helpers ----

    static void badParameters(UnaryOperator<RiskParameters.Builder> change, String field) {
        RiskParameters bad = change.apply(configured.toBuilder().setVersion("rp-bad")).build();
        assertError(() -> set(bad, "bob", "bad"), Status.Code.INVALID_ARGUMENT, "INVALID_RISK_PARAMETERS", field);
    }

    static RiskParameters withFirstTier(RiskParameters base, String version, String im, String mm) {
        return base.toBuilder().setVersion(version).setRules(base.getRules().toBuilder()
                .setLinearTiers(0, base.getRules().getLinearTiers(0).toBuilder().setIm(im).setMm(mm))).build();
    }

    static SetRiskParametersResponse set(RiskParameters parameters, String by, String reason) {
        return stub(ADMIN_TOKEN).setRiskParameters(SetRiskParametersRequest.newBuilder().setParameters(parameters)
                .setChangedBy(by).setReason(reason).build());
    }

    static RiskParameterChange active() {
        return stub(null).getRiskParameters(GetRiskParametersRequest.getDefaultInstance()).getActive();
    }

    static ListRiskParameterChangesResponse list(int size, String token) {
        return stub(null).listRiskParameterChanges(ListRiskParameterChangesRequest.newBuilder().setPageSize(size).setPageToken(token).build());
    }

    /** The configured set's record: margin.parameters.version (rp-1 under test) recorded at start. */
    static RiskParameterChange configuredRecord() {
        return allHistory().stream().filter(c -> c.getParameters().getVersion().equals("rp-1")).findFirst().orElseThrow();
    }

    /** Every page of the history, newest first. */
    static List<RiskParameterChange> allHistory() {
        List<RiskParameterChange> all = new java.util.ArrayList<>();
        String token = "";
        do {
            ListRiskParameterChangesResponse page = list(100, token);
            all.addAll(page.getChangesList());
            token = page.getNextPageToken();
        } while (!token.isEmpty());
        return all;
    }

    static List<RiskParameterChange> history() {
        return list(100, "").getChangesList();
    }

    static MarginServiceGrpc.MarginServiceBlockingStub stub(String token) {
        MarginServiceGrpc.MarginServiceBlockingStub stub = MarginServiceGrpc.newBlockingStub(MarginGrpcServiceTest.channel)
                .withDeadlineAfter(30, TimeUnit.SECONDS);
        if (token == null) {
            return stub;
        }
        Metadata headers = new Metadata();
        headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
        return stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
    }
}
