package dev.crosschain.margin.grpc;

import com.google.rpc.ErrorInfo;
import dev.crosschain.margin.domain.PreconditionException;
import dev.crosschain.margin.store.AccountStore;
import dev.crosschain.postgres.PostgresTestResource;
import dev.crosschain.proto.margin.v1.AccountStatus;
import dev.crosschain.proto.margin.v1.AccountView;
import dev.crosschain.proto.margin.v1.AdjustIsolatedMarginRequest;
import dev.crosschain.proto.margin.v1.AdjustIsolatedMarginResponse;
import dev.crosschain.proto.margin.v1.HypotheticalFill;
import dev.crosschain.proto.margin.v1.IsolatedBucket;
import dev.crosschain.proto.margin.v1.MarginMode;
import dev.crosschain.proto.margin.v1.PositionTransfer;
import dev.crosschain.proto.margin.v1.SetMarginModeResponse;
import dev.crosschain.proto.margin.v1.TransferPositionsRequest;
import dev.crosschain.proto.margin.v1.Side;
import dev.crosschain.proto.margin.v1.WatchRiskRequest;
import dev.crosschain.proto.margin.v1.WatchRiskResponse;
import dev.crosschain.proto.margin.v1.WhatIfRequest;
import dev.crosschain.proto.margin.v1.WhatIfResponse;
import io.grpc.Context;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static dev.crosschain.margin.grpc.MarginGrpcServiceTest.assertError;
import static dev.crosschain.margin.grpc.MarginGrpcServiceTest.awaitItem;
import static dev.crosschain.margin.grpc.MarginGrpcServiceTest.collect;
import static dev.crosschain.margin.grpc.MarginGrpcServiceTest.detail;
import static dev.crosschain.margin.grpc.MarginGrpcServiceTest.fill;
import static dev.crosschain.margin.grpc.MarginGrpcServiceTest.freeze;
import static dev.crosschain.margin.grpc.MarginGrpcServiceTest.view;
import static dev.crosschain.margin.grpc.RequestWithdrawalGrpcTest.withdraw;
import static dev.crosschain.margin.grpc.SetMarginModeGrpcTest.setMode;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * ISOLATED mode end to end (real PostgreSQL, fake upstreams): buckets per position, AdjustIsolatedMargin, the
 * switch, withdrawals from the free pool and the re-margin pass. Perpetuals of underlyings no other test marks, so
 * moving their marks moves only these accounts. Standard rules: tier 1, IM 2%, MM 1%; USDC haircut IM 2%, MM 1%.
 */
@QuarkusTest
@QuarkusTestResource(PostgresTestResource.class)
class IsolatedMarginGrpcTest {

    static final String A = "ISOA-PERPETUAL";
    static final String B = "ISOB-PERPETUAL";
    /** The golden account's breached perpetual: its mark alone moves. */
    static final String G = "ISOG-PERPETUAL";
    static FakeUpstream upstream;

    @Inject
    AccountStore store;

    @BeforeAll
    static void connect() {
        MarginGrpcServiceTest.connect();
        upstream = FakeUpstream.get();
        upstream.pricing.linear(A, "150", false);
        upstream.pricing.linear(B, "40", false);
        upstream.pricing.linear(G, "150", false);
    }

    @AfterAll
    static void disconnect() {
        MarginGrpcServiceTest.disconnect();
    }

    /**
     * Golden, by hand. 10,000 USDC (value IM 9,800, MM 9,900). Long 100 ISOG @ 150 (IM 300, MM 150), short 500 ISOB @ 40
     * (IM 400, MM 200). The switch opens the buckets at their IM (G 300, B 400; pool 9,100); 600 more into B (1,000;
     * pool 8,500). ISOG falls to 148.40: uPnL -160, notional 14,840, IM 296.80, MM 148.40; G's bucket 300 - 160 = 140
     * <= 148.40: LIQUIDATION, so is the account (CROSS: equity 9,740 against IM 696.80, healthy). B's bucket stays
     * 1,000 / IM 400 / MM 200 HEALTHY, to the cent as before. Account: equity 9,900 - 160 = 9,740; IM 696.80; MM 348.40.
     */
    @Test
    void oneBreachedBucketLiquidatesTheAccountWhileTheHealthyBucketIsUnchanged() throws Exception {
        String acc = "iso-golden";
        upstream.collateral.set(acc, false, new Object[]{"ethereum", "USDC", "10000", "1", "0.02", "0.01"});
        fill("iso-golden-f1", acc, G, Side.SIDE_BUY, "100", "150");
        fill("iso-golden-f2", acc, B, Side.SIDE_SELL, "500", "40");
        SetMarginModeResponse switched = setMode("iso-golden-m1", acc, MarginMode.MARGIN_MODE_ISOLATED);
        assertThat(switched.getMode()).isEqualTo(MarginMode.MARGIN_MODE_ISOLATED);
        assertThat(switched.getInitialMarginUsd()).isEqualTo("700.00000000");
        AccountView opened = view(acc);
        assertThat(opened.getFreePoolUsd()).isEqualTo("9100.00000000");
        assertThat(opened.getIsolatedBucketsList()).containsExactly(
                bucket(B, "400", "400", "400", "200", AccountStatus.ACCOUNT_STATUS_HEALTHY),
                bucket(G, "300", "300", "300", "150", AccountStatus.ACCOUNT_STATUS_HEALTHY));
        assertThat(adjust("iso-golden-a1", acc, B, "600").getAllocationUsd()).isEqualTo("1000.00000000");
        AccountView before = view(acc);
        assertThat(before.getStatus()).isEqualTo(AccountStatus.ACCOUNT_STATUS_HEALTHY);
        IsolatedBucket healthy = bucket(B, "1000", "1000", "400", "200", AccountStatus.ACCOUNT_STATUS_HEALTHY);
        assertThat(before.getIsolatedBuckets(0)).isEqualTo(healthy);

        BlockingQueue<Object> events = new LinkedBlockingQueue<>();
        Context.CancellableContext watching = Context.current().withCancellation();
        try {
            watching.run(() -> MarginGrpcServiceTest.async.watchRisk(WatchRiskRequest.getDefaultInstance(), collect(events)));
            upstream.pricing.linear(G, "148.4", false);
            // the re-margin pass (every second) values the ISOLATED account and publishes its change
            WatchRiskResponse breach = awaitItem(events, i -> i instanceof WatchRiskResponse w
                    && w.getEvent().getAccountId().equals(acc)
                    && w.getEvent().getStatus() == AccountStatus.ACCOUNT_STATUS_LIQUIDATION, WatchRiskResponse.class);
            assertThat(breach.getEvent().getBreachedInstrument()).isEqualTo(G);
            assertThat(breach.getEvent().getEquityUsd()).isEqualTo("9740.00000000");
            assertThat(breach.getEvent().getInitialMarginUsd()).isEqualTo("696.80000000");
            assertThat(breach.getEvent().getMaintenanceMarginUsd()).isEqualTo("348.40000000");

            AccountView after = view(acc);
            assertThat(after.getStatus()).isEqualTo(AccountStatus.ACCOUNT_STATUS_LIQUIDATION);
            assertThat(after.getEquityUsd()).isEqualTo("9740.00000000");
            assertThat(after.getInitialMarginUsd()).isEqualTo("696.80000000");
            assertThat(after.getMaintenanceMarginUsd()).isEqualTo("348.40000000");
            assertThat(after.getFreePoolUsd()).isEqualTo("8500.00000000");
            assertThat(after.getIsolatedBucketsList()).containsExactly(healthy,
                    bucket(G, "300", "140", "296.8", "148.4", AccountStatus.ACCOUNT_STATUS_LIQUIDATION));
        } finally {
            watching.cancel(null);
            upstream.pricing.linear(G, "150", false);
        }
    }

    @Test
    void adjustMovesCentsBetweenPoolAndBucketOnceAndAReplayAnswersTheFirstAnswer() {
        String acc = "iso-adjust";
        isolatedWithOnePosition(acc); // bucket 300 = IM, free pool 9,500
        assertThat(view(acc).getFreePoolUsd()).isEqualTo("9500.00000000");

        AdjustIsolatedMarginResponse first = adjust("iso-adjust-1", acc, A, "250.50");
        assertThat(first.getReplayed()).isFalse();
        assertThat(first.getInstrument()).isEqualTo(A);
        assertThat(first.getAllocationUsd()).isEqualTo("550.50000000");
        assertThat(first.getFreePoolUsd()).isEqualTo("9249.50000000");
        AccountView moved = view(acc);
        assertThat(moved.getFreePoolUsd()).isEqualTo("9249.50000000");
        assertThat(moved.getIsolatedBuckets(0)).isEqualTo(bucket(A, "550.5", "550.5", "300", "150", AccountStatus.ACCOUNT_STATUS_HEALTHY));

        AdjustIsolatedMarginResponse replay = adjust("iso-adjust-1", acc, A, "250.5"); // the same amount
        assertThat(replay.getReplayed()).isTrue();
        assertThat(replay.toBuilder().setReplayed(false).build()).isEqualTo(first);
        assertThat(view(acc).getIsolatedBucketsList()).isEqualTo(moved.getIsolatedBucketsList());
        assertError(() -> adjust("iso-adjust-1", acc, A, "250.51"), Status.Code.ALREADY_EXISTS, "IDEMPOTENCY_CONFLICT", null);
        assertError(() -> adjust("iso-adjust-1", "iso-other", A, "250.50"), Status.Code.ALREADY_EXISTS, "IDEMPOTENCY_CONFLICT", null);

        AdjustIsolatedMarginResponse back = adjust("iso-adjust-2", acc, A, "-250.50");
        assertThat(back.getAllocationUsd()).isEqualTo("300.00000000");
        assertThat(back.getFreePoolUsd()).isEqualTo("9500.00000000");
        assertUnchanged(acc, "300", "9500.00000000");

        // a fill's what-if opens the new position's bucket at its IM from the pool; nothing changes
        WhatIfResponse whatIf = MarginGrpcServiceTest.margin.whatIf(WhatIfRequest.newBuilder().setAccountId(acc)
                .addFills(HypotheticalFill.newBuilder().setInstrument(B).setSide(Side.SIDE_SELL).setQuantity("500")).build());
        assertThat(whatIf.getAfter().getIsolatedBucketsList()).containsExactly(
                bucket(A, "300", "300", "300", "150", AccountStatus.ACCOUNT_STATUS_HEALTHY),
                bucket(B, "400", "400", "400", "200", AccountStatus.ACCOUNT_STATUS_HEALTHY));
        assertThat(whatIf.getAfter().getFreePoolUsd()).isEqualTo("9100.00000000");
        assertUnchanged(acc, "300", "9500.00000000");

        // no liquidation price of the account's equity (a bucket's is not computed yet), and no Explain snapshot
        // that could not replay the buckets
        assertThat(MarginGrpcServiceTest.margin.getAccountView(dev.crosschain.proto.margin.v1.GetAccountViewRequest.newBuilder()
                .setAccountId(acc).setIncludeLiquidationPrices(true).build()).getView().getLiquidationPricesList()).isEmpty();
        assertError(() -> MarginGrpcServiceTest.margin.explain(dev.crosschain.proto.margin.v1.ExplainRequest.newBuilder()
                .setAccountId(acc).build()), Status.Code.FAILED_PRECONDITION, "MODE_NOT_AVAILABLE", null);

        // switching away returns the buckets to the pool; back to ISOLATED, they open anew at IM
        adjust("iso-adjust-3", acc, A, "1000");
        setMode("iso-adjust-m2", acc, MarginMode.MARGIN_MODE_CROSS);
        AccountView cross = view(acc);
        assertThat(cross.getIsolatedBucketsList()).isEmpty();
        assertThat(cross.getFreePoolUsd()).isEmpty();
        setMode("iso-adjust-m3", acc, MarginMode.MARGIN_MODE_ISOLATED);
        assertUnchanged(acc, "300", "9500.00000000");
    }

    @Test
    void everyBadInputIsRefusedWithItsFieldAndChangesNothing() {
        String acc = "iso-bad";
        isolatedWithOnePosition(acc); // bucket 300 = IM, free pool 9,500
        String[][] cases = {
                // request id, account, instrument, delta, reason, field
                {"", acc, A, "1", "MISSING_FIELD", "request_id"},
                {"a/b", acc, A, "1", "INVALID_ID", "request_id"},
                {"iso-bad-1", "", A, "1", "MISSING_FIELD", "account_id"},
                {"iso-bad-1", "a".repeat(129), A, "1", "INVALID_ACCOUNT", "account_id"},
                {"iso-bad-1", acc, "", "1", "MISSING_FIELD", "instrument"},
                {"iso-bad-1", acc, "NOT AN INSTRUMENT", "1", "UNKNOWN_INSTRUMENT", "instrument"},
                {"iso-bad-1", acc, A, "", "INVALID_DELTA", "delta_usd"},
                {"iso-bad-1", acc, A, "ten", "INVALID_DELTA", "delta_usd"},
                {"iso-bad-1", acc, A, "NaN", "INVALID_DELTA", "delta_usd"},
                {"iso-bad-1", acc, A, "0", "INVALID_DELTA", "delta_usd"},
                {"iso-bad-1", acc, A, "-0.00", "INVALID_DELTA", "delta_usd"},
                {"iso-bad-1", acc, A, "1.001", "INVALID_DELTA", "delta_usd"},
                {"iso-bad-1", acc, A, "1e3", "INVALID_DELTA", "delta_usd"},
        };
        for (String[] c : cases) {
            assertError(() -> adjust(c[0], c[1], c[2], c[3]), Status.Code.INVALID_ARGUMENT, c[4], c[5]);
            assertUnchanged(acc, "300", "9500.00000000");
        }

        // state: each refused with its figures, nothing changed, and the refused id is not kept
        StatusRuntimeException pool = assertError(() -> adjust("iso-bad-1", acc, A, "9500.01"), Status.Code.FAILED_PRECONDITION,
                "INSUFFICIENT_FREE_POOL", null);
        assertThat(detail(pool, ErrorInfo.class).getMetadataMap()).containsEntry("free_pool_usd", "9500.00000000")
                .containsEntry("requested_usd", "9500.01000000").containsEntry("shortfall_usd", "0.01000000");
        assertUnchanged(acc, "300", "9500.00000000");
        StatusRuntimeException below = assertError(() -> adjust("iso-bad-1", acc, A, "-0.01"), Status.Code.FAILED_PRECONDITION,
                "BUCKET_BELOW_IM", null);
        assertThat(detail(below, ErrorInfo.class).getMetadataMap()).containsEntry("bucket_equity_after_usd", "299.99000000")
                .containsEntry("initial_margin_usd", "300.00000000").containsEntry("shortfall_usd", "0.01000000");
        assertUnchanged(acc, "300", "9500.00000000");
        assertError(() -> adjust("iso-bad-1", acc, B, "1"), Status.Code.FAILED_PRECONDITION, "NO_OPEN_POSITION", null);
        assertError(() -> adjust("iso-bad-1", "iso-nobody", A, "1"), Status.Code.NOT_FOUND, "UNKNOWN_ACCOUNT", null);
        String crossAcc = "iso-bad-cross";
        upstream.collateral.set(crossAcc, false, new Object[]{"ethereum", "USDC", "1000", "1", "0", "0"});
        fill("iso-bad-f2", crossAcc, A, Side.SIDE_BUY, "1", "150");
        assertError(() -> adjust("iso-bad-1", crossAcc, A, "1"), Status.Code.FAILED_PRECONDITION, "NOT_ISOLATED", null);
        freeze(acc, true, "auction-iso-bad");
        assertError(() -> adjust("iso-bad-1", acc, A, "1"), Status.Code.FAILED_PRECONDITION, "ACCOUNT_FROZEN", null);
        freeze(acc, false, "auction-iso-bad");
        assertUnchanged(acc, "300", "9500.00000000");
        assertThat(adjust("iso-bad-1", acc, A, "9500").getFreePoolUsd()).isEqualTo("0.00000000");
    }

    @Test
    void theSwitchIsRefusedWhenThePoolCannotOpenEveryBucket() {
        String acc = "iso-short";
        upstream.collateral.set(acc, false, new Object[]{"ethereum", "USDC", "500", "1", "0.02", "0.01"}); // value IM 490
        fill("iso-short-f1", acc, A, Side.SIDE_BUY, "100", "150"); // IM 300
        fill("iso-short-f2", acc, B, Side.SIDE_SELL, "500", "40"); // IM 400
        StatusRuntimeException e = assertError(() -> setMode("iso-short-m1", acc, MarginMode.MARGIN_MODE_ISOLATED),
                Status.Code.FAILED_PRECONDITION, "INSUFFICIENT_MARGIN", null);
        assertThat(detail(e, ErrorInfo.class).getMetadataMap()).containsEntry("free_pool_usd", "490.00000000")
                .containsEntry("required_usd", "700.00000000").containsEntry("shortfall_usd", "210.00000000");
        AccountView v = view(acc);
        assertThat(v.getMode()).isEqualTo(MarginMode.MARGIN_MODE_CROSS);
        assertThat(v.getIsolatedBucketsList()).isEmpty();
        // the refused id was not kept
        assertThat(setMode("iso-short-m1", acc, MarginMode.MARGIN_MODE_CROSS).getReplayed()).isFalse();
    }

    /**
     * 10,000 USDC (value IM 9,800), a bucket of 1,300 (IM 300): the free pool is 8,500. Withdrawing 9,000 USDC takes
     * 8,820 of value: the pool would be -320 (CROSS would allow it: equity IM 980 >= IM 300); 8,000 leaves 660.
     */
    @Test
    void aWithdrawalMayTakeOnlyTheFreePool() {
        String acc = "iso-wd";
        isolatedWithOnePosition(acc); // bucket 300 = IM, free pool 9,500
        adjust("iso-wd-a1", acc, A, "1000");
        StatusRuntimeException e = assertError(() -> withdraw("iso-wd-1", acc, "ethereum", "USDC", "9000", "0xa"),
                Status.Code.FAILED_PRECONDITION, "INSUFFICIENT_MARGIN", null);
        assertThat(detail(e, ErrorInfo.class).getMetadataMap()).containsEntry("free_pool_after_usd", "-320.00000000")
                .containsEntry("shortfall_usd", "320.00000000");
        assertUnchanged(acc, "1300", "8500.00000000");
        assertThat(withdraw("iso-wd-2", acc, "ethereum", "USDC", "8000", "0xa").getReplayed()).isFalse();
    }

    /**
     * A bucket's own margin call does not hold up a withdrawal from the free pool: 150 ISOA (IM 450) in a bucket of
     * 300 is a MARGIN_CALL, the account too; withdrawing 1,000 USDC (980 of value) leaves the pool 8,520 and the
     * whole book healthy (CROSS: equity IM 8,820 >= IM 450).
     */
    @Test
    void aBucketInMarginCallDoesNotHoldUpAWithdrawalFromThePool() {
        String acc = "iso-wd-mc";
        isolatedWithOnePosition(acc); // bucket 300 = IM, free pool 9,500
        fill("iso-wd-mc-f2", acc, A, Side.SIDE_BUY, "50", "150");
        AccountView v = view(acc);
        assertThat(v.getStatus()).isEqualTo(AccountStatus.ACCOUNT_STATUS_MARGIN_CALL);
        assertThat(v.getIsolatedBuckets(0)).isEqualTo(bucket(A, "300", "300", "450", "225", AccountStatus.ACCOUNT_STATUS_MARGIN_CALL));
        assertThat(withdraw("iso-wd-mc-1", acc, "ethereum", "USDC", "1000", "0xa").getReplayed()).isFalse();
    }

    @Test
    void twoConcurrentDuplicatesBothGetTheFirstAnswer() throws Exception {
        String acc = "iso-dup";
        isolatedWithOnePosition(acc); // bucket 300 = IM, free pool 9,500
        ExecutorService callers = Executors.newFixedThreadPool(2);
        try {
            CountDownLatch go = new CountDownLatch(1);
            Callable<AdjustIsolatedMarginResponse> whole = () -> {
                go.await();
                return adjust("iso-dup-1", acc, A, "9500"); // the whole pool: a second move would find it empty
            };
            Future<AdjustIsolatedMarginResponse> one = callers.submit(whole);
            Future<AdjustIsolatedMarginResponse> two = callers.submit(whole);
            go.countDown();
            AdjustIsolatedMarginResponse a = one.get(60, TimeUnit.SECONDS);
            AdjustIsolatedMarginResponse b = two.get(60, TimeUnit.SECONDS);
            assertThat(List.of(a.getReplayed(), b.getReplayed())).containsExactlyInAnyOrder(false, true);
            assertThat(a.toBuilder().setReplayed(false).build()).isEqualTo(b.toBuilder().setReplayed(false).build());
            assertThat(a.getAllocationUsd()).isEqualTo("9800.00000000");
            assertUnchanged(acc, "9800", "0.00000000");
        } finally {
            callers.shutdownNow();
        }
    }

    /**
     * A fill landing between AdjustIsolatedMargin's check and its write (the check's command built, then the fill)
     * is ALLOCATION_CHANGED and changes nothing: a grown position (its IM up) and, at the same quantity, realized PnL
     * (the free pool moved). Then: realized PnL is the free pool's, a closed position's bucket returns to the pool,
     * and a position opened after the switch gets its opening bucket (IM) recorded before an adjustment judges it.
     */
    @Test
    void aFillBetweenCheckAndWriteIsAllocationChangedAndThePoolTakesRealizedPnlAndClosedBuckets() {
        String acc = "iso-race";
        isolatedWithOnePosition(acc); // long 100 ISOA @ 150, bucket 300 = IM, free pool 9,500
        AccountStore.AdjustCommand checked = new AccountStore.AdjustCommand("iso-race-1", "hash", acc, A, new BigDecimal("100"),
                new BigDecimal("300"), new BigDecimal("400"), new BigDecimal("9400"), new BigDecimal("100"), BigDecimal.ZERO);
        fill("iso-race-f2", acc, A, Side.SIDE_BUY, "50", "150"); // 150 ISOA: IM 450
        assertAllocationChanged(checked);
        fill("iso-race-f3", acc, A, Side.SIDE_SELL, "50", "151"); // back to 100, realized +50
        assertAllocationChanged(checked);
        assertThat(store.adjustment("iso-race-1", "hash")).isEmpty();
        assertUnchanged(acc, "300", "9550.00000000"); // 9,800 + 50 - 300: the realized PnL went to the pool

        fill("iso-race-f4", acc, A, Side.SIDE_SELL, "100", "150"); // closed at its entry
        AccountView closed = view(acc);
        assertThat(closed.getIsolatedBucketsList()).isEmpty();
        assertThat(closed.getFreePoolUsd()).isEqualTo("9850.00000000"); // the bucket's 300 back in the pool

        fill("iso-race-f5", acc, B, Side.SIDE_SELL, "500", "40"); // IM 400: its bucket opens at 400 from the pool
        assertThat(adjust("iso-race-2", acc, B, "1").getAllocationUsd()).isEqualTo("401.00000000");
        assertThat(view(acc).getFreePoolUsd()).isEqualTo("9449.00000000");
    }

    @Test
    void switchingFromIsolatedToPortfolioDropsTheBuckets() {
        String acc = "iso-port";
        isolatedWithOnePosition(acc);
        adjust("iso-port-a1", acc, A, "700");
        assertThat(setMode("iso-port-m2", acc, MarginMode.MARGIN_MODE_PORTFOLIO).getMode()).isEqualTo(MarginMode.MARGIN_MODE_PORTFOLIO);
        AccountView v = view(acc);
        assertThat(v.getMode()).isEqualTo(MarginMode.MARGIN_MODE_PORTFOLIO);
        assertThat(v.getIsolatedBucketsList()).isEmpty();
        assertThat(v.getFreePoolUsd()).isEmpty();
        setMode("iso-port-m3", acc, MarginMode.MARGIN_MODE_ISOLATED); // back: the bucket opens anew at its IM
        assertUnchanged(acc, "300", "9500.00000000");
    }

    /**
     * A liquidation bid's transfer out of an ISOLATED position changes its bucket by the leg's bucket_delta_usd in the
     * transaction that moves the position. 10,000 USDC without haircut, long 100 ISOA @ 150 (IM 300): bucket 300, pool
     * 9,700. A bid takes 40 with 120 of the allocation and pays 100 into the bucket: delta -20, and collateral-service
     * moves the net 20 USDC out of the account. Bucket 280, pool 9,980 - 280 = 9,700: the pool is conserved to the
     * cent. The rest moved whole returns what the bucket holds to the pool.
     */
    @Test
    void aTransferOutOfAnIsolatedPositionChangesItsBucketByItsDeltaAndConservesTheFreePool() {
        String acc = "iso-xfer";
        String bidder = "iso-xfer-bidder";
        upstream.collateral.set(acc, false, new Object[]{"ethereum", "USDC", "10000", "1", "0", "0"});
        fill(acc + "-f1", acc, A, Side.SIDE_BUY, "100", "150");
        setMode(acc + "-m1", acc, MarginMode.MARGIN_MODE_ISOLATED);
        assertUnchanged(acc, "300", "9700.00000000");

        TransferPositionsRequest first = bucketTransfer("iso-xfer-t1", acc, bidder, "40", "-20");
        assertThat(MarginGrpcServiceTest.margin.transferPositions(first).getReplayed()).isFalse();
        upstream.collateral.set(acc, false, new Object[]{"ethereum", "USDC", "9980", "1", "0", "0"});
        AccountView after = view(acc);
        assertThat(after.getPositions(0).getQuantity()).isEqualTo("60");
        assertThat(after.getIsolatedBucketsList()).containsExactly(
                bucket(A, "280", "280", "180", "90", AccountStatus.ACCOUNT_STATUS_HEALTHY));
        assertThat(after.getFreePoolUsd()).isEqualTo("9700.00000000");
        // a replay changes nothing again; the id with another delta is a conflict
        assertThat(MarginGrpcServiceTest.margin.transferPositions(first).getReplayed()).isTrue();
        assertError(() -> MarginGrpcServiceTest.margin.transferPositions(bucketTransfer("iso-xfer-t1", acc, bidder, "40", "-21")),
                Status.Code.ALREADY_EXISTS, "IDEMPOTENCY_CONFLICT", null);
        assertUnchanged(acc, "280", "9700.00000000");

        // bad input, and a delta the bucket cannot take: refused, nothing moves
        for (String bad : new String[]{"0", "-0.00", "1.001", "ten", "1e3"}) {
            assertError(() -> MarginGrpcServiceTest.margin.transferPositions(bucketTransfer("iso-xfer-bad", acc, bidder, "10", bad)),
                    Status.Code.INVALID_ARGUMENT, "INVALID_DELTA", "positions[0].bucket_delta_usd");
        }
        StatusRuntimeException below = assertError(() -> MarginGrpcServiceTest.margin.transferPositions(
                bucketTransfer("iso-xfer-bad", acc, bidder, "10", "-280.01")), Status.Code.FAILED_PRECONDITION, "BUCKET_BELOW_ZERO", null);
        assertThat(detail(below, ErrorInfo.class).getMetadataMap()).containsEntry("allocation_usd", "280")
                .containsEntry("delta_usd", "-280.01");
        String crossAcc = "iso-xfer-cross";
        upstream.collateral.set(crossAcc, false, new Object[]{"ethereum", "USDC", "1000", "1", "0", "0"});
        fill(crossAcc + "-f1", crossAcc, A, Side.SIDE_BUY, "1", "150");
        assertError(() -> MarginGrpcServiceTest.margin.transferPositions(bucketTransfer("iso-xfer-bad", crossAcc, bidder, "1", "1")),
                Status.Code.FAILED_PRECONDITION, "NOT_ISOLATED", null);
        assertThat(view(crossAcc).getPositions(0).getQuantity()).isEqualTo("1");
        assertThat(view(acc).getPositions(0).getQuantity()).isEqualTo("60");
        assertUnchanged(acc, "280", "9700.00000000");

        // down to zero, never below; then the rest moved whole: no bucket left, the pool is the collateral
        MarginGrpcServiceTest.margin.transferPositions(bucketTransfer("iso-xfer-t2", acc, bidder, "30", "-280"));
        assertUnchanged(acc, "0", "9980.00000000");
        MarginGrpcServiceTest.margin.transferPositions(bucketTransfer("iso-xfer-t3", acc, bidder, "30", "5"));
        AccountView closed = view(acc);
        assertThat(closed.getPositionsList()).isEmpty();
        assertThat(closed.getIsolatedBucketsList()).isEmpty();
        assertThat(closed.getFreePoolUsd()).isEqualTo("9980.00000000");
    }

    static TransferPositionsRequest bucketTransfer(String id, String from, String to, String quantity, String bucketDelta) {
        return TransferPositionsRequest.newBuilder().setTransferId(id).setFromAccountId(from).setToAccountId(to)
                .addPositions(PositionTransfer.newBuilder().setInstrument(A).setQuantity(quantity).setBucketDeltaUsd(bucketDelta))
                .build();
    }

    void assertAllocationChanged(AccountStore.AdjustCommand checked) {
        assertThatThrownBy(() -> store.adjust(checked)).isInstanceOfSatisfying(PreconditionException.class,
                e -> assertThat(e.reason()).isEqualTo("ALLOCATION_CHANGED"));
    }

    /** 10,000 USDC (value IM 9,800), long 100 ISOA @ 150 (IM 300, MM 150), switched to ISOLATED. */
    static void isolatedWithOnePosition(String acc) {
        upstream.collateral.set(acc, false, new Object[]{"ethereum", "USDC", "10000", "1", "0.02", "0.01"});
        fill(acc + "-f1", acc, A, Side.SIDE_BUY, "100", "150");
        setMode(acc + "-m1", acc, MarginMode.MARGIN_MODE_ISOLATED);
    }

    static void assertUnchanged(String acc, String allocation, String pool) {
        AccountView v = view(acc);
        assertThat(v.getFreePoolUsd()).isEqualTo(pool);
        assertThat(v.getIsolatedBuckets(0).getAllocationUsd()).isEqualTo(usd(allocation));
    }

    static IsolatedBucket bucket(String instrument, String allocation, String equity, String im, String mm, AccountStatus status) {
        return IsolatedBucket.newBuilder().setInstrument(instrument).setAllocationUsd(usd(allocation)).setEquityUsd(usd(equity))
                .setInitialMarginUsd(usd(im)).setMaintenanceMarginUsd(usd(mm)).setStatus(status).build();
    }

    static String usd(String value) {
        return new java.math.BigDecimal(value).setScale(8).toPlainString();
    }

    static AdjustIsolatedMarginResponse adjust(String requestId, String account, String instrument, String delta) {
        return MarginGrpcServiceTest.margin.adjustIsolatedMargin(
                AdjustIsolatedMarginRequest.newBuilder().setRequestId(requestId).setAccountId(account).setInstrument(instrument)
                        .setDeltaUsd(delta).build());
    }
}
