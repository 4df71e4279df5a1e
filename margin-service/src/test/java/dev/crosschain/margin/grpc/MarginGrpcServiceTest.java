package dev.crosschain.margin.grpc;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.BadRequest;
import com.google.rpc.ErrorInfo;
import com.google.rpc.PreconditionFailure;
import dev.crosschain.postgres.PostgresTestResource;
import dev.crosschain.proto.margin.v1.AccountStatus;
import dev.crosschain.proto.margin.v1.AccountView;
import dev.crosschain.proto.margin.v1.ApplyFillRequest;
import dev.crosschain.proto.margin.v1.ApplyFillResponse;
import dev.crosschain.proto.margin.v1.CollateralLine;
import dev.crosschain.proto.margin.v1.GetAccountViewRequest;
import dev.crosschain.proto.margin.v1.HypotheticalFill;
import dev.crosschain.proto.margin.v1.HypotheticalWithdrawal;
import dev.crosschain.proto.margin.v1.MarginMode;
import dev.crosschain.proto.margin.v1.MarginServiceGrpc;
import dev.crosschain.proto.margin.v1.Position;
import dev.crosschain.proto.margin.v1.PositionTransfer;
import dev.crosschain.proto.margin.v1.RiskEvent;
import dev.crosschain.proto.margin.v1.SetLiquidationFreezeRequest;
import dev.crosschain.proto.margin.v1.SetLiquidationFreezeResponse;
import dev.crosschain.proto.margin.v1.Side;
import dev.crosschain.proto.margin.v1.TransferPositionsRequest;
import dev.crosschain.proto.margin.v1.TransferPositionsResponse;
import dev.crosschain.proto.margin.v1.WatchAccountRequest;
import dev.crosschain.proto.margin.v1.WatchAccountResponse;
import dev.crosschain.proto.margin.v1.WatchRiskRequest;
import dev.crosschain.proto.margin.v1.WatchRiskResponse;
import dev.crosschain.proto.margin.v1.WhatIfRequest;
import dev.crosschain.proto.margin.v1.WhatIfResponse;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.StreamObserver;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

@QuarkusTest
@QuarkusTestResource(PostgresTestResource.class)
class MarginGrpcServiceTest {

    static final Duration PATIENCE = Duration.ofSeconds(20);
    static final String PERP = "ETH-PERPETUAL";
    static final String CALL = "ETH-27DEC26-3500-C";

    static ManagedChannel channel;
    static MarginServiceGrpc.MarginServiceBlockingStub margin;
    static MarginServiceGrpc.MarginServiceStub async;
    static FakeUpstream upstream;
    @jakarta.inject.Inject
    dev.crosschain.margin.app.MarginEngine engine;

    @jakarta.inject.Inject
    dev.crosschain.margin.app.MarginConfig config;

    @jakarta.inject.Inject
    io.agroal.api.AgroalDataSource dataSource;

    @BeforeAll
    static void connect() {
        upstream = FakeUpstream.get();
        upstream.pricing.linear(PERP, "3000", false);
        upstream.pricing.option(CALL, "100", "3000", 0.25);
        channel = ManagedChannelBuilder.forAddress("localhost", 19103).usePlaintext().build();
        // a deadline per call, not one fixed when the class connects (that one ran out for every call after 30 s): every
        // class that calls through this stub gets it, so no call adds its own 30 s
        margin = MarginServiceGrpc.newBlockingStub(channel).withInterceptors(new io.grpc.ClientInterceptor() {
            @Override
            public <Q, A> io.grpc.ClientCall<Q, A> interceptCall(io.grpc.MethodDescriptor<Q, A> method, io.grpc.CallOptions options,
                                                                 io.grpc.Channel next) {
                return next.newCall(method, options.getDeadline() == null ? options.withDeadlineAfter(30, TimeUnit.SECONDS) : options);
            }
        });
        async = MarginServiceGrpc.newStub(channel);
    }

    @AfterAll
    static void disconnect() {
        channel.shutdownNow();
    }

    @AfterEach
    void upstreamHealthy() {
        upstream.collateral.mode.set(FakeUpstream.Mode.OK);
        upstream.pricing.mode.set(FakeUpstream.Mode.OK);
    }

    // ---- ApplyFill + GetAccountView ----

    @Test
    void fillsMakeAPositionAndTheViewAddsUp() {
        String acc = "acc-view";
        upstream.collateral.set(acc, false,
                new Object[]{"arbitrum", "ETH", "2", "3000", "0.15", "0.10"},
                new Object[]{"ethereum", "USDC", "1000", "1", "0.02", "0.01"});
        fill("v-1", acc, PERP, Side.SIDE_BUY, "2", "2800");
        fill("v-2", acc, PERP, Side.SIDE_BUY, "1", "3100");
        ApplyFillResponse reduce = fill("v-3", acc, PERP, Side.SIDE_SELL, "1", "3050");
        assertThat(reduce.getReplayed()).isFalse();
        assertThat(reduce.getPosition()).isEqualTo(Position.newBuilder().setInstrument(PERP).setQuantity("2")
                .setAverageEntryPrice("2900").build());
        fill("v-4", acc, CALL, Side.SIDE_SELL, "1", "100");

        AccountView v = view(acc);
        assertThat(v.getAccountId()).isEqualTo(acc);
        assertThat(v.getMode()).isEqualTo(MarginMode.MARGIN_MODE_CROSS);
        assertThat(v.getFrozen()).isFalse();
        assertThat(v.getCollateralList()).containsExactly(
                CollateralLine.newBuilder().setChainId("arbitrum").setAsset("ETH").setAmount("2").setPriceUsd("3000")
                        .setMarketValueUsd("6000.00000000").setValueImUsd("5100.00000000").setValueMmUsd("5400.00000000").build(),
                CollateralLine.newBuilder().setChainId("ethereum").setAsset("USDC").setAmount("1000").setPriceUsd("1")
                        .setMarketValueUsd("1000.00000000").setValueImUsd("980.00000000").setValueMmUsd("990.00000000").build());
        // perp: 2 @ 2900, mark 3000: uPnL 200, IM 2 x 3000 x 2% = 120, MM 60
        // short call 1 @ 100 (premium +100 realized), mark 100, S 3000, K 3500: IM max(0.15 - 500/3000, 0.10) x 3000 + 100 = 400, MM 225 + 100 = 325
        assertThat(v.getPositionsList()).containsExactly(
                Position.newBuilder().setInstrument(CALL).setQuantity("-1").setAverageEntryPrice("100").setMarkPrice("100")
                        .setUnrealizedPnlUsd("0.00000000").setOptionValueUsd("-100.00000000").setInitialMarginUsd("400.00000000")
                        .setMaintenanceMarginUsd("325.00000000").setDelta(-0.25).build(),
                Position.newBuilder().setInstrument(PERP).setQuantity("2").setAverageEntryPrice("2900").setMarkPrice("3000")
                        .setUnrealizedPnlUsd("200.00000000").setOptionValueUsd("0.00000000").setInitialMarginUsd("120.00000000")
                        .setMaintenanceMarginUsd("60.00000000").setDelta(2.0).build());
        assertThat(v.getCollateralValueUsd()).isEqualTo("6390.00000000");
        assertThat(v.getUnrealizedPnlUsd()).isEqualTo("200.00000000");
        assertThat(v.getRealizedPnlUsd()).isEqualTo("250.00000000"); // 150 from the reduction + 100 premium
        assertThat(v.getOptionValueUsd()).isEqualTo("-100.00000000");
        assertThat(v.getEquityUsd()).isEqualTo("6740.00000000");    // 6390 + 200 + 250 - 100
        assertThat(v.getInitialMarginUsd()).isEqualTo("520.00000000");
        assertThat(v.getMaintenanceMarginUsd()).isEqualTo("385.00000000");
        assertThat(v.getMarginRatio()).isEqualTo(385.0 / 6740.0);
        assertThat(v.getStatus()).isEqualTo(AccountStatus.ACCOUNT_STATUS_HEALTHY);
        assertThat(v.getConservative()).isFalse();
        assertThat(v.getInputAgesList()).extracting(a -> a.getInput()).containsExactly("index:ETH", "collateral");
        assertThat(v.getInputAges(0).getAgeMs()).isGreaterThanOrEqualTo(250);
        assertThat(v.getAsOfUnixMs()).isPositive();
    }

    @Test
    void accountKnownOnlyToCollateralHasNoPositionsAndOnlyToMarginHasZeroCollateral() {
        upstream.collateral.set("acc-coll-only", false, new Object[]{"ethereum", "USDC", "500", "1", "0", "0"});
        AccountView collOnly = view("acc-coll-only");
        assertThat(collOnly.getPositionsList()).isEmpty();
        assertThat(collOnly.getEquityUsd()).isEqualTo("500.00000000");
        assertThat(collOnly.getMarginRatio()).isZero();

        fill("mo-1", "acc-margin-only", PERP, Side.SIDE_SELL, "1", "3000");
        AccountView marginOnly = view("acc-margin-only");
        assertThat(marginOnly.getCollateralList()).isEmpty();
        assertThat(marginOnly.getCollateralValueUsd()).isEqualTo("0.00000000");
        assertThat(marginOnly.getEquityUsd()).isEqualTo("0.00000000");
        assertThat(marginOnly.getMaintenanceMarginUsd()).isEqualTo("30.00000000");
        assertThat(marginOnly.getStatus()).isEqualTo(AccountStatus.ACCOUNT_STATUS_LIQUIDATION);
        assertThat(marginOnly.getMarginRatio()).isEqualTo(Double.POSITIVE_INFINITY);
    }

    @Test
    void staleMarkMakesTheViewConservative() {
        String perp = "BTC-PERPETUAL";
        upstream.pricing.linear(perp, "100000", true);
        fill("st-1", "acc-stale", perp, Side.SIDE_BUY, "1", "100000");
        AccountView v = view("acc-stale");
        assertThat(v.getConservative()).isTrue();
        assertThat(v.getPositions(0).getMarkPrice()).isEqualTo("85000");
        assertThat(v.getUnrealizedPnlUsd()).isEqualTo("-15000.00000000");
        assertThat(v.getInputAgesList()).anySatisfy(a -> {
            assertThat(a.getInput()).isEqualTo("index:BTC");
            assertThat(a.getStale()).isTrue();
        });
    }

    // ---- idempotency ----

    @Test
    void fillReplayAnswersTheFirstAnswerAndAConflictChangesNothing() {
        String acc = "acc-replay";
        ApplyFillResponse first = fill("r-1", acc, PERP, Side.SIDE_BUY, "1", "3000");
        fill("r-2", acc, PERP, Side.SIDE_BUY, "1", "3200");
        ApplyFillResponse replay = fill("r-1", acc, PERP, Side.SIDE_BUY, "1.000", "3000.0");
        assertThat(replay.getReplayed()).isTrue();
        assertThat(replay.getPosition()).isEqualTo(first.getPosition());

        assertError(() -> fill("r-1", acc, PERP, Side.SIDE_BUY, "2", "3000"), Status.Code.ALREADY_EXISTS, "IDEMPOTENCY_CONFLICT", null);
        assertError(() -> fill("r-1", acc, PERP, Side.SIDE_SELL, "1", "3000"), Status.Code.ALREADY_EXISTS, "IDEMPOTENCY_CONFLICT", null);
        Position p = view(acc).getPositions(0);
        assertThat(p.getQuantity()).isEqualTo("2");
        assertThat(p.getAverageEntryPrice()).isEqualTo("3100");
    }

    @Test
    void concurrentFillsOnOneAccountAllCount() throws Exception {
        String acc = "acc-concurrent";
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(8);
        try {
            java.util.List<java.util.concurrent.Future<ApplyFillResponse>> results = new java.util.ArrayList<>();
            for (int i = 0; i < 16; i++) {
                String id = "c-" + (i % 12); // four ids are sent twice: replays, not double counts
                results.add(pool.submit(() -> fill(id, acc, PERP, Side.SIDE_BUY, "1", "3000")));
            }
            for (var r : results) {
                r.get(30, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(view(acc).getPositions(0).getQuantity()).isEqualTo("12");
    }

    @Test
    void aViewReadWhileFillsCloseAPositionSeesRealizedPnlAndPositionsOfOneMoment() throws Exception {
        // the account row and its positions were read in separate READ COMMITTED statements: a fill committing between
        // them showed the realized PnL from before it and the position from after it (equity off by what the fill
        // realized), on the path that approves withdrawals and mode switches too
        String acc = "acc-one-moment";
        upstream.collateral.set(acc, false, new Object[]{"ethereum", "USDC", "100000", "1", "0.02", "0.01"});
        fill("om-open", acc, PERP, Side.SIDE_BUY, "20", "2800");
        java.util.concurrent.atomic.AtomicBoolean filling = new java.util.concurrent.atomic.AtomicBoolean(true);
        java.util.concurrent.atomic.AtomicInteger reads = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(3);
        try {
            java.util.List<java.util.concurrent.Future<?>> readers = new java.util.ArrayList<>();
            for (int r = 0; r < 3; r++) {
                readers.add(pool.submit(() -> {
                    while (filling.get()) {
                        AccountView seen = view(acc);
                        BigDecimal held = seen.getPositionsList().stream().filter(p -> p.getInstrument().equals(PERP))
                                .map(p -> new BigDecimal(p.getQuantity())).findFirst().orElse(BigDecimal.ZERO);
                        // each unit sold at 3000 from an entry of 2800 realized 200 (20 per fill of 0.1)
                        assertThat(new BigDecimal(seen.getRealizedPnlUsd())).as("realized PnL beside %s held", held)
                                .isEqualByComparingTo(BigDecimal.valueOf(20).subtract(held).multiply(BigDecimal.valueOf(200)));
                        reads.incrementAndGet();
                    }
                    return null;
                }));
            }
            try {
                for (int i = 0; i < 200; i++) {
                    fill("om-close-" + i, acc, PERP, Side.SIDE_SELL, "0.1", "3000");
                }
            } finally {
                filling.set(false);
            }
            for (var reader : readers) {
                reader.get(30, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        System.out.printf("%d views read while 200 fills were applied%n", reads.get());
        assertThat(reads.get()).as("views read while the fills were applied").isPositive();
        assertThat(new BigDecimal(view(acc).getRealizedPnlUsd())).isEqualByComparingTo("4000");
    }

    // ---- WatchRisk / WatchAccount ----

    @Test
    void priceDropFlipsWatchRiskToLiquidation() {
        String perp = "SOL-PERPETUAL";
        String acc = "acc-liq";
        upstream.pricing.linear(perp, "100", false);
        upstream.collateral.set(acc, false, new Object[]{"ethereum", "USDC", "200", "1", "0", "0"});
        fill("liq-1", acc, perp, Side.SIDE_BUY, "100", "100"); // notional 10,000: IM 200, MM 100
        assertThat(view(acc).getStatus()).isEqualTo(AccountStatus.ACCOUNT_STATUS_HEALTHY);

        BlockingQueue<Object> events = new LinkedBlockingQueue<>();
        Context.CancellableContext stream = Context.current().withCancellation();
        stream.run(() -> async.watchRisk(WatchRiskRequest.getDefaultInstance(), collect(events)));
        try {
            // mark 99.5: uPnL -50, equity 150 < IM 100 x 99.5 x 2% = 199, > MM 99.5: margin call
            upstream.pricing.linear(perp, "99.5", false);
            RiskEvent call = awaitItem(events, e -> e instanceof WatchRiskResponse r && r.getEvent().getAccountId().equals(acc)
                    && r.getEvent().getStatus() == AccountStatus.ACCOUNT_STATUS_MARGIN_CALL, WatchRiskResponse.class).getEvent();
            assertThat(call.getEquityUsd()).isEqualTo("150.00000000");
            assertThat(call.getInitialMarginUsd()).isEqualTo("199.00000000");
            // mark 98.5: uPnL -150, equity 50 <= MM 98.5: liquidation
            upstream.pricing.linear(perp, "98.5", false);
            RiskEvent event = awaitItem(events, e -> e instanceof WatchRiskResponse r && r.getEvent().getAccountId().equals(acc)
                    && r.getEvent().getStatus() == AccountStatus.ACCOUNT_STATUS_LIQUIDATION, WatchRiskResponse.class).getEvent();
            assertThat(event.getEquityUsd()).isEqualTo("50.00000000");
            assertThat(event.getMaintenanceMarginUsd()).isEqualTo("98.50000000");
            assertThat(event.getMarginRatio()).isEqualTo(98.5 / 50.0);
            assertThat(event.getPreviousStatus()).isEqualTo(AccountStatus.ACCOUNT_STATUS_MARGIN_CALL);
        } finally {
            stream.cancel(null);
        }

        // a new subscriber first gets the account in its snapshot
        BlockingQueue<Object> snapshot = new LinkedBlockingQueue<>();
        Context.CancellableContext second = Context.current().withCancellation();
        second.run(() -> async.watchRisk(WatchRiskRequest.getDefaultInstance(), collect(snapshot)));
        try {
            RiskEvent first = awaitItem(snapshot, e -> e instanceof WatchRiskResponse r && r.getEvent().getAccountId().equals(acc),
                    WatchRiskResponse.class).getEvent();
            assertThat(first.getStatus()).isEqualTo(AccountStatus.ACCOUNT_STATUS_LIQUIDATION);
            assertThat(first.getPreviousStatus()).isEqualTo(AccountStatus.ACCOUNT_STATUS_UNSPECIFIED);
        } finally {
            second.cancel(null);
            upstream.pricing.linear(perp, "100", false);
        }
    }

    @Test
    void watchAccountSendsTheViewThenChanges() {
        String acc = "acc-watch";
        upstream.collateral.set(acc, false, new Object[]{"ethereum", "USDC", "10000", "1", "0", "0"});
        BlockingQueue<Object> views = new LinkedBlockingQueue<>();
        Context.CancellableContext stream = Context.current().withCancellation();
        stream.run(() -> async.watchAccount(WatchAccountRequest.newBuilder().setAccountId(acc).build(), collect(views)));
        try {
            AccountView first = awaitItem(views, e -> e instanceof WatchAccountResponse, WatchAccountResponse.class).getView();
            assertThat(first.getPositionsList()).isEmpty();
            fill("w-1", acc, PERP, Side.SIDE_BUY, "1", "3000");
            AccountView after = awaitItem(views, e -> e instanceof WatchAccountResponse r && r.getView().getPositionsCount() == 1,
                    WatchAccountResponse.class).getView();
            assertThat(after.getInitialMarginUsd()).isEqualTo("60.00000000");
        } finally {
            stream.cancel(null);
        }
    }

    // ---- freeze ----

    @Test
    void freezeBlocksFillsUntilTheSameAuctionUnfreezes() {
        String acc = "acc-freeze";
        fill("fz-1", acc, PERP, Side.SIDE_BUY, "1", "3000");
        assertThat(freeze(acc, true, "auction-1")).isTrue();
        assertThat(freeze(acc, true, "auction-1")).isTrue(); // idempotent
        assertThat(view(acc).getFrozen()).isTrue();

        StatusRuntimeException e = assertError(() -> fill("fz-2", acc, PERP, Side.SIDE_BUY, "1", "3000"),
                Status.Code.FAILED_PRECONDITION, "ACCOUNT_FROZEN", null);
        assertThat(detail(e, PreconditionFailure.class).getViolations(0).getType()).isEqualTo("ACCOUNT_FROZEN");
        assertThat(fill("fz-1", acc, PERP, Side.SIDE_BUY, "1", "3000").getReplayed()).isTrue(); // a replay still answers
        assertError(() -> freeze(acc, false, "auction-2"), Status.Code.FAILED_PRECONDITION, "ACCOUNT_FROZEN", null);
        assertError(() -> freeze(acc, true, "auction-2"), Status.Code.FAILED_PRECONDITION, "ACCOUNT_FROZEN", null);
        assertThat(view(acc).getPositions(0).getQuantity()).isEqualTo("1");

        assertThat(freeze(acc, false, "auction-1")).isFalse();
        assertThat(freeze(acc, false, "auction-1")).isFalse();
        assertThat(fill("fz-2", acc, PERP, Side.SIDE_BUY, "1", "3000").getPosition().getQuantity()).isEqualTo("2");
        // a late freeze of the auction that released the account (a retry landing after the unfreeze) is refused
        assertError(() -> freeze(acc, true, "auction-1"), Status.Code.FAILED_PRECONDITION, "FREEZE_RELEASED", null);
        assertThat(view(acc).getFrozen()).isFalse();

        assertError(() -> freeze("acc-nobody", true, "auction-1"), Status.Code.NOT_FOUND, "UNKNOWN_ACCOUNT", null);
        assertError(() -> freeze("", true, "auction-1"), Status.Code.INVALID_ARGUMENT, "MISSING_FIELD", "account_id");
        assertError(() -> freeze(acc, true, ""), Status.Code.INVALID_ARGUMENT, "MISSING_FIELD", "auction_id");
        assertThat(view(acc).getFrozen()).isFalse();
    }

    @Test
    void anUnfreezeThatOvertakesItsFreezeKeepsTheAccountUnfrozen() {
        String acc = "acc-freeze-overtaken";
        fill("fzo-1", acc, PERP, Side.SIDE_BUY, "1", "3000");
        // the unfreeze of auction-o arrives first (its freeze still in flight): nothing to unfreeze, but recorded
        assertThat(freeze(acc, false, "auction-o")).isFalse();
        assertError(() -> freeze(acc, true, "auction-o"), Status.Code.FAILED_PRECONDITION, "FREEZE_RELEASED", null);
        assertThat(view(acc).getFrozen()).isFalse();
        assertThat(fill("fzo-2", acc, PERP, Side.SIDE_BUY, "1", "3000").getPosition().getQuantity()).isEqualTo("2");
        // another auction still freezes the account
        assertThat(freeze(acc, true, "auction-p")).isTrue();
        assertThat(view(acc).getFrozen()).isTrue();
        assertThat(freeze(acc, false, "auction-p")).isFalse();
    }

    @Test
    void aFreezeAskingForTheViewAnswersTheFrozenViewAndWatchAccountSeesIt() {
        String acc = "acc-freeze-view";
        fundedLong(acc, "1000", "2900");
        BlockingQueue<Object> views = new LinkedBlockingQueue<>();
        Context.CancellableContext stream = Context.current().withCancellation();
        stream.run(() -> async.watchAccount(WatchAccountRequest.newBuilder().setAccountId(acc).build(), collect(views)));
        try {
            awaitItem(views, e -> e instanceof WatchAccountResponse, WatchAccountResponse.class);
            SetLiquidationFreezeResponse answer = freezeWithView(acc, true, "auction-v");
            assertThat(answer.getFrozen()).isTrue();
            assertThat(answer.hasView()).isTrue();
            AccountView frozen = answer.getView();
            assertThat(frozen.getAccountId()).isEqualTo(acc);
            assertThat(frozen.getFrozen()).isTrue();
            // perp 1 @ 2900, mark 3000: equity 1000 + 100, IM 60, MM 30
            assertThat(frozen.getEquityUsd()).isEqualTo("1100.00000000");
            assertThat(frozen.getInitialMarginUsd()).isEqualTo("60.00000000");
            assertThat(frozen.getMaintenanceMarginUsd()).isEqualTo("30.00000000");
            assertThat(figures(frozen)).isEqualTo(figures(view(acc)));
            AccountView watched = awaitItem(views, e -> e instanceof WatchAccountResponse r && r.getView().getFrozen(),
                    WatchAccountResponse.class).getView();
            assertThat(figures(watched)).isEqualTo(figures(frozen));
        } finally {
            stream.cancel(null);
        }
        // idempotent like any freeze, and an unfreeze asking for the view answers none
        assertThat(freezeWithView(acc, true, "auction-v").getView().getFrozen()).isTrue();
        SetLiquidationFreezeResponse unfrozen = freezeWithView(acc, false, "auction-v");
        assertThat(unfrozen.getFrozen()).isFalse();
        assertThat(unfrozen.hasView()).isFalse();
        assertThat(view(acc).getFrozen()).isFalse();
    }

    @Test
    void aFreezeAskingForTheViewWhileCollateralIsSlowIsAnsweredWithinTheCallersDeadlineWithoutTheView() {
        String acc = "acc-freeze-view-slow";
        fundedLong(acc, "1000", "3000");
        upstream.collateral.mode.set(FakeUpstream.Mode.SLOW);
        SetLiquidationFreezeResponse answer;
        try {
            // the caller's deadline equals margin's own client deadline (1 s here): a valuation run under the caller's
            // context would end with it, and the caller would see DEADLINE_EXCEEDED on a freeze that is stored
            answer = margin.withDeadlineAfter(1, TimeUnit.SECONDS).setLiquidationFreeze(SetLiquidationFreezeRequest.newBuilder()
                    .setAccountId(acc).setFrozen(true).setAuctionId("auction-s").setReturnView(true).build());
        } finally {
            upstream.collateral.mode.set(FakeUpstream.Mode.OK);
        }
        assertThat(answer.getFrozen()).isTrue();
        assertThat(answer.hasView()).isFalse();
        assertThat(view(acc).getFrozen()).isTrue();
        assertThat(freeze(acc, false, "auction-s")).isFalse();
    }

    @Test
    void aFreezeWhoseValuationOutlastsTheWaitIsValuedOnceAndNotQueuedAgain() {
        String acc = "acc-freeze-view-late";
        fundedLong(acc, "1000", "3000");
        // the fill's re-evaluation made its one GetCollateral; the re-margin passes make GetCollaterals, not these
        awaitTrue(() -> singleCalls(acc) == 1, "the fill's re-evaluation read the collateral");
        upstream.collateral.mode.set(FakeUpstream.Mode.LATE);
        try {
            // the caller's 500 ms: the freeze waits half of it for a valuation whose collateral answers after 600 ms
            SetLiquidationFreezeResponse answer = margin.withDeadlineAfter(500, TimeUnit.MILLISECONDS).setLiquidationFreeze(
                    SetLiquidationFreezeRequest.newBuilder().setAccountId(acc).setFrozen(true).setAuctionId("auction-l")
                            .setReturnView(true).build());
            assertThat(answer.getFrozen()).isTrue();
            assertThat(answer.hasView()).isFalse();
            awaitTrue(() -> singleCalls(acc) >= 2, "the freeze's valuation read the collateral");
            // GetAccountView's own read, 600 ms: long after a re-evaluation queued with the answer would have read
            assertThat(view(acc).getFrozen()).isTrue();
            assertThat(singleCalls(acc)).as("the late valuation records its own result: no re-evaluation queued").isEqualTo(3);
        } finally {
            upstream.collateral.mode.set(FakeUpstream.Mode.OK);
        }
        assertThat(freeze(acc, false, "auction-l")).isFalse();
    }

    static int singleCalls(String account) {
        java.util.concurrent.atomic.AtomicInteger n = upstream.collateral.singleCallsOf.get(account);
        return n == null ? 0 : n.get();
    }

    @Test
    void aFreezeAskingForTheViewWhileCollateralIsDownFreezesAndAnswersNoView() {
        String acc = "acc-freeze-view-down";
        fundedLong(acc, "1000", "3000");
        upstream.collateral.mode.set(FakeUpstream.Mode.UNAVAILABLE);
        SetLiquidationFreezeResponse answer = freezeWithView(acc, true, "auction-d");
        upstream.collateral.mode.set(FakeUpstream.Mode.OK);
        assertThat(answer.getFrozen()).isTrue();
        assertThat(answer.hasView()).isFalse();
        assertThat(view(acc).getFrozen()).isTrue();
        assertError(() -> fill(acc + "-2", acc, PERP, Side.SIDE_BUY, "1", "3000"), Status.Code.FAILED_PRECONDITION, "ACCOUNT_FROZEN", null);
        assertThat(freeze(acc, false, "auction-d")).isFalse();
    }

    @Test
    void aFreezeAskingForTheViewRightAfterTheBreachAnswersTheViewThatFoundIt() {
        String acc = breachedAccount("acc-freeze-kept").account();
        AccountView before = view(acc);
        upstream.pricing.mode.set(FakeUpstream.Mode.UNAVAILABLE); // no valuation can be made now: only the kept view
        SetLiquidationFreezeResponse answer = freezeWithView(acc, true, "auction-k");
        assertThat(answer.getFrozen()).isTrue();
        assertThat(answer.hasView()).as("the breach's view, kept").isTrue();
        assertThat(answer.getView().getFrozen()).isTrue();
        assertThat(answer.getView().getStatus()).isEqualTo(AccountStatus.ACCOUNT_STATUS_LIQUIDATION);
        assertThat(figures(answer.getView().toBuilder().setFrozen(false).build())).isEqualTo(figures(before));
    }

    @Test
    void aFreezeAnswersNoKeptViewOnceTheAccountIsStoredHealthyAgain() throws java.sql.SQLException {
        String acc = breachedAccount("acc-freeze-cleared").account();
        quietPasses();
        // recorded HEALTHY by a valuation this engine did not make (another replica's, or one that read newer marks
        // but was recorded after this one's keep): the stored status stands, not this engine's kept view
        try (java.sql.Connection c = dataSource.getConnection();
             java.sql.PreparedStatement s = c.prepareStatement("UPDATE account SET last_status = 'HEALTHY' WHERE account_id = ?")) {
            s.setString(1, acc);
            assertThat(s.executeUpdate()).isEqualTo(1);
        }
        assertThat(freezeWithView(acc, true, "auction-h").hasView()).as("valued afresh, pricing down").isFalse();
    }

    @Test
    void aFreezeAsksForAFreshValuationWhenTheCollateralChangedSinceTheBreach() {
        Breach breach = breachedAccount("acc-freeze-collateral");
        String acc = breach.account();
        quietPasses();
        upstream.collateral.set(acc, false, new Object[]{"ethereum", "USDC", "150", "1", "0", "0"});
        assertThat(freezeWithView(acc, true, "auction-c").hasView()).as("valued afresh, pricing down").isFalse();
        upstream.collateral.set(acc, false, new Object[]{"ethereum", "USDC", "100", "1", "0", "0"});
        // the same freeze again, the collateral as the breach's view had it: that view is answered (it was not too old)
        SetLiquidationFreezeResponse again = freezeWithView(acc, true, "auction-c");
        assertKeptViewAnswered(breach, again);
    }

    @Test
    void aFreezeAsksForAFreshValuationWhenTheBookChangedSinceTheBreach() {
        Breach breach = breachedAccount("acc-freeze-book");
        String acc = breach.account();
        quietPasses();
        fill(acc + "-2", acc, PERP, Side.SIDE_SELL, "0.5", "3100"); // long 0.5 at 3,100, realized PnL 0
        assertThat(freezeWithView(acc, true, "auction-b1").hasView()).as("valued afresh, pricing down").isFalse();
        assertThat(freeze(acc, false, "auction-b1")).isFalse();
        fill(acc + "-3", acc, PERP, Side.SIDE_BUY, "0.5", "3100"); // the breach's book again
        SetLiquidationFreezeResponse again = freezeWithView(acc, true, "auction-b2");
        assertKeptViewAnswered(breach, again);
    }

    /** {@code again} answered the breach's kept view, frozen; first its premise: the view was not too old yet. */
    void assertKeptViewAnswered(Breach breach, SetLiquidationFreezeResponse again) {
        assertThat(System.currentTimeMillis() - breach.sinceMs()).as("the kept view's age at most").isLessThan(config.freeze().viewMaxAge().toMillis());
        assertThat(again.hasView()).isTrue();
        assertThat(again.getView().getFrozen()).isTrue();
    }

    @Test
    void aFreezeAsksForAFreshValuationWhenTheBreachesViewIsTooOld() {
        String acc = breachedAccount("acc-freeze-old").account();
        long quiet = quietPasses();
        // the kept view was valued before quiet (no valuation succeeds since); a second of slack for a fill's
        // re-evaluation that read its marks just before pricing went down and was slower than the flush
        awaitTrue(() -> System.currentTimeMillis() > quiet + config.freeze().viewMaxAge().toMillis() + 1_000, "the kept view older than its bound");
        assertThat(freezeWithView(acc, true, "auction-o").hasView()).as("valued afresh, pricing down").isFalse();
    }

    @Test
    void badFreezesAskingForTheViewAreRefusedAndFreezeNothing() {
        String acc = "acc-freeze-view-bad";
        fill("fzb-1", acc, PERP, Side.SIDE_BUY, "1", "3000");
        assertError(() -> freezeWithView("", true, "auction-b"), Status.Code.INVALID_ARGUMENT, "MISSING_FIELD", "account_id");
        assertError(() -> freezeWithView(acc, true, ""), Status.Code.INVALID_ARGUMENT, "MISSING_FIELD", "auction_id");
        assertError(() -> freezeWithView("acc-nobody", true, "auction-b"), Status.Code.NOT_FOUND, "UNKNOWN_ACCOUNT", null);
        assertThat(view(acc).getFrozen()).isFalse();
    }

    // ---- TransferPositions ----

    @Test
    void transferMovesAtTheSourceEntryPriceOnceAndAllOrNothing() {
        String src = "acc-tf-src";
        String dst = "acc-tf-dst";
        fill("tf-1", src, PERP, Side.SIDE_BUY, "3", "2900");
        fill("tf-2", dst, PERP, Side.SIDE_BUY, "2", "3200");
        freeze(src, true, "auction-tf"); // allowed while the source is frozen

        TransferPositionsRequest request = transfer("t-1", src, dst, PERP, "2");
        TransferPositionsResponse first = margin.transferPositions(request);
        assertThat(first.getReplayed()).isFalse();
        AccountView source = view(src);
        AccountView dest = view(dst);
        assertThat(source.getPositions(0).getQuantity()).isEqualTo("1");
        assertThat(source.getPositions(0).getAverageEntryPrice()).isEqualTo("2900");
        assertThat(source.getRealizedPnlUsd()).isEqualTo("0.00000000");
        assertThat(dest.getPositions(0).getQuantity()).isEqualTo("4");
        assertThat(dest.getPositions(0).getAverageEntryPrice()).isEqualTo("3050"); // (2 x 3200 + 2 x 2900) / 4
        assertThat(dest.getRealizedPnlUsd()).isEqualTo("0.00000000");

        assertThat(margin.transferPositions(request).getReplayed()).isTrue();
        assertError(() -> margin.transferPositions(transfer("t-1", src, dst, PERP, "1")), Status.Code.ALREADY_EXISTS,
                "IDEMPOTENCY_CONFLICT", null);
        StatusRuntimeException tooMuch = assertError(() -> margin.transferPositions(transfer("t-2", src, dst, PERP, "1.5")),
                Status.Code.FAILED_PRECONDITION, "INSUFFICIENT_POSITION", null);
        assertThat(detail(tooMuch, PreconditionFailure.class).getViolations(0).getSubject()).isEqualTo("positions[0]");
        assertError(() -> margin.transferPositions(transfer("t-3", src, dst, PERP, "-1")),
                Status.Code.FAILED_PRECONDITION, "INSUFFICIENT_POSITION", null);
        // all or nothing: the second leg fails, the first does not move
        assertError(() -> margin.transferPositions(transfer("t-4", src, dst, PERP, "1").toBuilder()
                        .addPositions(PositionTransfer.newBuilder().setInstrument(CALL).setQuantity("1")).build()),
                Status.Code.FAILED_PRECONDITION, "INSUFFICIENT_POSITION", null);
        assertThat(view(src).getPositions(0).getQuantity()).isEqualTo("1");
        assertThat(view(dst).getPositions(0).getQuantity()).isEqualTo("4");

        // bad input
        assertError(() -> margin.transferPositions(transfer("t-5", src, src, PERP, "1")), Status.Code.INVALID_ARGUMENT,
                "SAME_ACCOUNT", "to_account_id");
        assertError(() -> margin.transferPositions(transfer("t-5", src, dst, PERP, "0")), Status.Code.INVALID_ARGUMENT,
                "INVALID_QUANTITY", "positions[0].quantity");
        assertError(() -> margin.transferPositions(transfer("", src, dst, PERP, "1")), Status.Code.INVALID_ARGUMENT,
                "MISSING_FIELD", "transfer_id");
        assertError(() -> margin.transferPositions(transfer("t-5", src, dst, "ETH-NOPE", "1")), Status.Code.INVALID_ARGUMENT,
                "UNKNOWN_INSTRUMENT", "positions[0].instrument");
        assertError(() -> margin.transferPositions(TransferPositionsRequest.newBuilder().setTransferId("t-5").setFromAccountId(src)
                .setToAccountId(dst).build()), Status.Code.INVALID_ARGUMENT, "MISSING_FIELD", "positions");
        assertThat(view(src).getPositions(0).getQuantity()).isEqualTo("1");
        freeze(src, false, "auction-tf");
    }

    // ---- WhatIf ----

    @Test
    void whatIfShowsTheAfterViewAndChangesNothing() {
        String acc = "acc-whatif";
        upstream.collateral.set(acc, false, new Object[]{"arbitrum", "ETH", "2", "3000", "0.15", "0.10"});
        fill("wi-1", acc, PERP, Side.SIDE_BUY, "1", "2900");
        AccountView before = view(acc);

        WhatIfResponse w = margin.whatIf(WhatIfRequest.newBuilder().setAccountId(acc)
                .addFills(HypotheticalFill.newBuilder().setInstrument(PERP).setSide(Side.SIDE_BUY).setQuantity("4"))
                .addFills(HypotheticalFill.newBuilder().setInstrument(CALL).setSide(Side.SIDE_SELL).setQuantity("1").setPrice("120"))
                .addWithdrawals(HypotheticalWithdrawal.newBuilder().setChainId("arbitrum").setAsset("ETH").setAmount("1"))
                .build());
        assertThat(w.getBefore().getEquityUsd()).isEqualTo(before.getEquityUsd());
        assertThat(w.getBefore().getInitialMarginUsd()).isEqualTo("60.00000000");
        AccountView after = w.getAfter();
        // perp 5 @ 2980 (4 at the mark 3000): uPnL 100, IM 300; call: IM 400, option value -100, premium +120
        assertThat(after.getPositionsList()).extracting(Position::getInstrument).containsExactlyInAnyOrder(PERP, CALL);
        assertThat(after.getInitialMarginUsd()).isEqualTo("700.00000000");
        assertThat(after.getCollateralValueUsd()).isEqualTo("2700.00000000"); // 5400 - 3000 x 0.9
        assertThat(after.getCollateral(0).getAmount()).isEqualTo("1");
        assertThat(after.getEquityUsd()).isEqualTo("2820.00000000");         // 2700 + 100 + 120 - 100

        AccountView now = view(acc);
        assertThat(now.getPositionsList()).isEqualTo(before.getPositionsList());
        assertThat(now.getEquityUsd()).isEqualTo(before.getEquityUsd());
        assertThat(now.getRealizedPnlUsd()).isEqualTo(before.getRealizedPnlUsd());

        assertError(() -> margin.whatIf(WhatIfRequest.newBuilder().setAccountId(acc)
                        .addWithdrawals(HypotheticalWithdrawal.newBuilder().setChainId("arbitrum").setAsset("ETH").setAmount("2.5")).build()),
                Status.Code.INVALID_ARGUMENT, "INVALID_QUANTITY", "withdrawals[0].amount");
        assertError(() -> margin.whatIf(WhatIfRequest.newBuilder().setAccountId(acc)
                        .addFills(HypotheticalFill.newBuilder().setInstrument(PERP).setSide(Side.SIDE_BUY).setQuantity("x")).build()),
                Status.Code.INVALID_ARGUMENT, "INVALID_QUANTITY", "fills[0].quantity");
        assertError(() -> margin.whatIf(WhatIfRequest.newBuilder().setAccountId(acc)
                        .addFills(HypotheticalFill.newBuilder().setInstrument(PERP).setSide(Side.SIDE_BUY).setQuantity("1").setPrice("-3")).build()),
                Status.Code.INVALID_ARGUMENT, "INVALID_PRICE", "fills[0].price");
        assertError(() -> margin.whatIf(WhatIfRequest.newBuilder().build()), Status.Code.INVALID_ARGUMENT, "MISSING_FIELD", "account_id");
        assertThat(view(acc).getPositionsList()).isEqualTo(before.getPositionsList());
    }

    // ---- bad input, unknown account, upstream down ----

    @Test
    void badFillsAreRefusedWithDetailsAndChangeNothing() {
        String acc = "acc-bad";
        assertError(() -> fill("", acc, PERP, Side.SIDE_BUY, "1", "3000"), Status.Code.INVALID_ARGUMENT, "MISSING_FIELD", "fill_id");
        assertError(() -> fill("b-1", "", PERP, Side.SIDE_BUY, "1", "3000"), Status.Code.INVALID_ARGUMENT, "MISSING_FIELD", "account_id");
        assertError(() -> fill("b-1", acc, "ETH-PERP", Side.SIDE_BUY, "1", "3000"), Status.Code.INVALID_ARGUMENT, "UNKNOWN_INSTRUMENT", "instrument");
        assertError(() -> fill("b-1", acc, PERP, Side.SIDE_UNSPECIFIED, "1", "3000"), Status.Code.INVALID_ARGUMENT, "MISSING_FIELD", "side");
        assertError(() -> fill("b-1", acc, PERP, Side.SIDE_BUY, "-1", "3000"), Status.Code.INVALID_ARGUMENT, "INVALID_QUANTITY", "quantity");
        assertError(() -> fill("b-1", acc, PERP, Side.SIDE_BUY, "1e3", "3000"), Status.Code.INVALID_ARGUMENT, "INVALID_QUANTITY", "quantity");
        assertError(() -> fill("b-1", acc, PERP, Side.SIDE_BUY, "1", "abc"), Status.Code.INVALID_ARGUMENT, "INVALID_PRICE", "price");
        assertError(() -> fill("b-1", acc, PERP, Side.SIDE_BUY, "1", "0"), Status.Code.INVALID_ARGUMENT, "INVALID_PRICE", "price");
        // nothing was recorded: the account is unknown, and the fill id is still free
        assertError(() -> view(acc), Status.Code.NOT_FOUND, "UNKNOWN_ACCOUNT", null);
        assertThat(fill("b-1", acc, PERP, Side.SIDE_BUY, "1", "3000").getReplayed()).isFalse();
    }

    @Test
    void viewsOfNobodyAreRefused() {
        assertError(() -> view(""), Status.Code.INVALID_ARGUMENT, "MISSING_FIELD", "account_id");
        assertError(() -> view("acc-nobody"), Status.Code.NOT_FOUND, "UNKNOWN_ACCOUNT", null);
        assertError(() -> margin.whatIf(WhatIfRequest.newBuilder().setAccountId("acc-nobody").build()),
                Status.Code.NOT_FOUND, "UNKNOWN_ACCOUNT", null);
        BlockingQueue<Object> items = new LinkedBlockingQueue<>();
        async.watchAccount(WatchAccountRequest.newBuilder().build(), collect(items));
        StatusRuntimeException e = awaitItem(items, x -> x instanceof StatusRuntimeException, StatusRuntimeException.class);
        assertStatus(e, Status.Code.INVALID_ARGUMENT, "MISSING_FIELD", "account_id");
        BlockingQueue<Object> unknown = new LinkedBlockingQueue<>();
        async.watchAccount(WatchAccountRequest.newBuilder().setAccountId("acc-nobody").build(), collect(unknown));
        assertStatus(awaitItem(unknown, x -> x instanceof StatusRuntimeException, StatusRuntimeException.class),
                Status.Code.NOT_FOUND, "UNKNOWN_ACCOUNT", null);
    }

    @Test
    void upstreamDownIsUnavailable() {
        String acc = "acc-down";
        upstream.collateral.set(acc, false, new Object[]{"ethereum", "USDC", "1000", "1", "0", "0"});
        fill("d-1", acc, PERP, Side.SIDE_BUY, "1", "3000"); // fills need no upstream

        upstream.collateral.mode.set(FakeUpstream.Mode.UNAVAILABLE);
        assertError(() -> view(acc), Status.Code.UNAVAILABLE, "DEPENDENCY_UNAVAILABLE", null);
        upstream.collateral.mode.set(FakeUpstream.Mode.OK);

        upstream.pricing.mode.set(FakeUpstream.Mode.UNAVAILABLE);
        assertError(() -> view(acc), Status.Code.UNAVAILABLE, "DEPENDENCY_UNAVAILABLE", null);
        assertError(() -> margin.whatIf(WhatIfRequest.newBuilder().setAccountId(acc).build()),
                Status.Code.UNAVAILABLE, "DEPENDENCY_UNAVAILABLE", null);
        upstream.pricing.mode.set(FakeUpstream.Mode.OK);

        upstream.collateral.mode.set(FakeUpstream.Mode.SLOW);
        assertError(() -> view(acc), Status.Code.UNAVAILABLE, "DEPENDENCY_UNAVAILABLE", null);
        upstream.collateral.mode.set(FakeUpstream.Mode.OK);

        assertThat(view(acc).getStatus()).isEqualTo(AccountStatus.ACCOUNT_STATUS_HEALTHY);
    }

    // ---- helpers ----

    static ApplyFillResponse fill(String fillId, String account, String instrument, Side side, String qty, String price) {
        return margin.applyFill(ApplyFillRequest.newBuilder().setFillId(fillId).setAccountId(account).setInstrument(instrument)
                .setSide(side).setQuantity(qty).setPrice(price).build());
    }

    static AccountView view(String account) {
        return margin.getAccountView(GetAccountViewRequest.newBuilder().setAccountId(account).build()).getView();
    }

    static boolean freeze(String account, boolean frozen, String auction) {
        return margin.setLiquidationFreeze(SetLiquidationFreezeRequest.newBuilder().setAccountId(account).setFrozen(frozen)
                .setAuctionId(auction).build()).getFrozen();
    }

    /** An account funded with {@code usdc} USDC on ethereum (no haircut) and long 1 PERP bought at {@code price} (mark 3,000). */
    static void fundedLong(String acc, String usdc, String price) {
        upstream.collateral.set(acc, false, new Object[]{"ethereum", "USDC", usdc, "1", "0", "0"});
        fill(acc + "-1", acc, PERP, Side.SIDE_BUY, "1", price);
    }

    /** A breached account, and a time before any valuation of it: the oldest its kept view can be. */
    record Breach(String account, long sinceMs) {
    }

    /**
     * A fresh account {@code prefix}-n in LIQUIDATION (100 USDC, long 1 PERP at 3,100, mark 3,000: equity 0, MM 30),
     * once WatchRisk told its breach: a valuation recorded it (and kept its view for a freeze).
     */
    static Breach breachedAccount(String prefix) {
        long since = System.currentTimeMillis();
        String acc = prefix + "-" + java.util.UUID.randomUUID().toString().substring(0, 8);
        BlockingQueue<Object> events = new LinkedBlockingQueue<>();
        Context.CancellableContext stream = Context.current().withCancellation();
        stream.run(() -> async.watchRisk(WatchRiskRequest.getDefaultInstance(), collect(events)));
        try {
            fundedLong(acc, "100", "3100");
            awaitItem(events, e -> e instanceof WatchRiskResponse r && r.getEvent().getAccountId().equals(acc)
                    && r.getEvent().getStatus() == AccountStatus.ACCOUNT_STATUS_LIQUIDATION, WatchRiskResponse.class);
        } finally {
            stream.cancel(null);
        }
        return new Breach(acc, since);
    }

    /**
     * Takes pricing down and returns once no valuation can keep a newer view: a pass runs one at a time (remarginAll),
     * so the one run here starts after any pass that read marks before, and fails itself. Returns when it did: every
     * view kept from now on was valued before.
     */
    long quietPasses() {
        upstream.pricing.mode.set(FakeUpstream.Mode.UNAVAILABLE);
        engine.remarginAll();
        return System.currentTimeMillis();
    }

    /** Waits until {@code condition} holds; fails after PATIENCE. */
    static void awaitTrue(java.util.function.BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("awaiting " + what).isLessThan(deadline);
            java.util.concurrent.locks.LockSupport.parkNanos(10_000_000L);
        }
    }

    static SetLiquidationFreezeResponse freezeWithView(String account, boolean frozen, String auction) {
        return margin.setLiquidationFreeze(SetLiquidationFreezeRequest.newBuilder()
                .setAccountId(account).setFrozen(frozen).setAuctionId(auction).setReturnView(true).build());
    }

    /** The view without what changes from one valuation to the next at the same inputs (when, and the inputs' ages). */
    static AccountView figures(AccountView view) {
        return view.toBuilder().clearAsOfUnixMs().clearInputAges().build();
    }

    static TransferPositionsRequest transfer(String id, String from, String to, String instrument, String qty) {
        return TransferPositionsRequest.newBuilder().setTransferId(id).setFromAccountId(from).setToAccountId(to)
                .addPositions(PositionTransfer.newBuilder().setInstrument(instrument).setQuantity(qty)).build();
    }

    static <T> StreamObserver<T> collect(BlockingQueue<Object> queue) {
        return new StreamObserver<>() {
            @Override
            public void onNext(T value) {
                queue.add(value);
            }

            @Override
            public void onError(Throwable t) {
                queue.add(t);
            }

            @Override
            public void onCompleted() {
                queue.add("completed");
            }
        };
    }

    /** The first item matching, waiting for items up to PATIENCE. */
    static <T> T awaitItem(BlockingQueue<Object> queue, Predicate<Object> wanted, Class<T> type) {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (System.nanoTime() < deadline) {
            Object item;
            try {
                item = queue.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            if (item != null && wanted.test(item)) {
                return type.cast(item);
            }
            if (item instanceof Throwable t && !wanted.test(t)) {
                fail("stream failed", t);
            }
        }
        return fail("no matching stream item within " + PATIENCE);
    }

    static StatusRuntimeException assertError(Runnable call, Status.Code code, String reason, String field) {
        StatusRuntimeException[] caught = new StatusRuntimeException[1];
        assertThatThrownBy(call::run).isInstanceOfSatisfying(StatusRuntimeException.class, e -> caught[0] = e);
        assertStatus(caught[0], code, reason, field);
        return caught[0];
    }

    static void assertStatus(StatusRuntimeException e, Status.Code code, String reason, String field) {
        assertThat(e.getStatus().getCode()).as(e.toString()).isEqualTo(code);
        ErrorInfo info = detail(e, ErrorInfo.class);
        assertThat(info.getReason()).isEqualTo(reason);
        assertThat(info.getDomain()).isEqualTo("margin.crosschain");
        if (field != null) {
            assertThat(detail(e, BadRequest.class).getFieldViolationsList()).extracting(BadRequest.FieldViolation::getField).contains(field);
        }
    }

    static <T extends com.google.protobuf.Message> T detail(StatusRuntimeException e, Class<T> type) {
        com.google.rpc.Status status = StatusProto.fromThrowable(e);
        assertThat(status).as("status details of " + e).isNotNull();
        return status.getDetailsList().stream().filter(d -> d.is(type)).findFirst().map(d -> {
            try {
                return d.unpack(type);
            } catch (InvalidProtocolBufferException x) {
                throw new IllegalStateException(x);
            }
        }).orElseThrow(() -> new AssertionError("no " + type.getSimpleName() + " in " + status));
    }
}
