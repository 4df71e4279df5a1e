package dev.crosschain.liquidation.grpc;

import com.google.rpc.ErrorInfo;
import dev.crosschain.liquidation.app.Breaches;
import dev.crosschain.liquidation.app.Resets;
import dev.crosschain.liquidation.domain.PriceCurve;
import dev.crosschain.liquidation.store.AuctionStore;
import dev.crosschain.postgres.PostgresTestResource;
import dev.crosschain.proto.liquidation.v1.Auction;
import dev.crosschain.proto.liquidation.v1.AuctionCloseReason;
import dev.crosschain.proto.liquidation.v1.AuctionStatus;
import dev.crosschain.proto.liquidation.v1.Bid;
import dev.crosschain.proto.liquidation.v1.BidStatus;
import dev.crosschain.proto.liquidation.v1.GetAuctionRequest;
import dev.crosschain.proto.liquidation.v1.InsuranceFundEvent;
import dev.crosschain.proto.liquidation.v1.InsuranceFundEventKind;
import dev.crosschain.proto.liquidation.v1.LiquidationServiceGrpc;
import dev.crosschain.proto.liquidation.v1.ListAuctionsRequest;
import dev.crosschain.proto.liquidation.v1.PlaceBidRequest;
import dev.crosschain.proto.liquidation.v1.PlaceBidResponse;
import dev.crosschain.proto.liquidation.v1.WatchAuctionsRequest;
import dev.crosschain.proto.liquidation.v1.WatchAuctionsResponse;
import dev.crosschain.proto.margin.v1.AccountStatus;
import dev.crosschain.proto.margin.v1.AccountView;
import dev.crosschain.proto.margin.v1.CollateralLine;
import dev.crosschain.proto.margin.v1.Position;
import dev.crosschain.proto.margin.v1.PositionTransfer;
import dev.crosschain.proto.margin.v1.TransferPositionsRequest;
import io.grpc.Context;
import io.grpc.Status;
import io.agroal.api.AgroalDataSource;
import io.grpc.stub.StreamObserver;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static dev.crosschain.liquidation.grpc.LiquidationGrpcServiceTest.BIDDER;
import static dev.crosschain.liquidation.grpc.LiquidationGrpcServiceTest.FUND;
import static dev.crosschain.liquidation.grpc.LiquidationGrpcServiceTest.freeze;
import static dev.crosschain.liquidation.grpc.LiquidationGrpcServiceTest.leg;
import static dev.crosschain.liquidation.grpc.LiquidationGrpcServiceTest.view;
import static dev.crosschain.liquidation.grpc.TestSupport.assertError;
import static dev.crosschain.liquidation.grpc.TestSupport.assertInvalid;
import static dev.crosschain.liquidation.grpc.TestSupport.awaitUntil;
import static dev.crosschain.liquidation.grpc.TestSupport.errorInfo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/**
 * The buffer bound through the service: margin-service's view (the fake's) of an account with equity 1350, MM 1500,
 * IM 2100 and a lot worth 1500 (LiquidationGrpcServiceTest's view): at the configured share 0.5 its level is
 * 1500 + 0.5 x 600 = 1800, 450 above its equity. The auctions here hold their start price 0.95 x 1500 = 1425 for a
 * day (a stair-step of one step a day), so the bound does not move while a test runs; the penalty (0.02 x 1500 = 30
 * per unit) leaves the account 1395 per unit, counted at 1 per USDC (the view's ethereum/USDC line has no MM
 * haircut). Bound of a fresh auction: (450 + 0.000001) / (1395 + 450) = 0.2439024395663..., up to 12 places
 * 0.243902439567, whose cash 0.243902439567 x 1425 = 347.560976382975 rounds to 347.560976, less 7.317073 penalty
 * 0.0000008 short of the micro-USD above the 0.756097560433 x 450 still short; raised to 0.243902439650 (cash
 * 347.56097650125 -> 347.560977: 0.0000018425 above; a unit less rounds down).
 */
@QuarkusTest
@QuarkusTestResource(PostgresTestResource.class)
class BufferBoundGrpcTest {

    static final String BOUND = "0.24390243965";
    /** The start price for a day: no step, no tail, no cusp. */
    static final PriceCurve HELD = PriceCurve.stairStep(new BigDecimal("0.95"), new BigDecimal("0.5"), Duration.ofDays(1),
            new BigDecimal("0.97"), Duration.ZERO, BigDecimal.ZERO);

    static LiquidationServiceGrpc.LiquidationServiceBlockingStub liquidation;
    static FakeUpstream upstream;

    @Inject
    AuctionStore store;

    @Inject
    Breaches breaches;

    @Inject
    Resets resets;

    @Inject
    AgroalDataSource dataSource;

    @BeforeAll
    static void connect() {
        upstream = FakeUpstream.get();
        liquidation = LiquidationServiceGrpc.newBlockingStub(TestSupport.channel());
    }

    @BeforeEach
    void upstreamHealthy() {
        upstream.collateral.mode.set(FakeUpstream.Mode.OK);
    }

    static AccountView bufferedView(String account) {
        AccountView plain = view(account, "-4000");
        return plain.toBuilder().setEquityUsd("1350").setMaintenanceMarginUsd("1500").setInitialMarginUsd("2100")
                .setRealizedPnlUsd("0").setCollateral(1, plain.getCollateral(1).toBuilder().setValueMmUsd("1000")).build();
    }

    /** Claims and opens an auction of the account's view with the held curve, as Breaches does on a breach. */
    private Auction open(String auctionId, AccountView view) {
        return open(auctionId, view, HELD);
    }

    private Auction open(String auctionId, AccountView view, PriceCurve curve) {
        upstream.margin.views.put(view.getAccountId(), view);
        assertThat(store.claim(auctionId, view.getAccountId(), Instant.now(), curve)).isTrue();
        breaches.drive(auctionId, view.getAccountId());
        awaitUntil("auction " + auctionId + " open", () -> get(auctionId).getStatus() == AuctionStatus.AUCTION_STATUS_OPEN);
        return get(auctionId);
    }

    @Test
    void theLiveViewShowsTheBoundAndTheFiguresItComesFrom() {
        List<WatchAuctionsResponse> watched = new CopyOnWriteArrayList<>();
        Context.CancellableContext watching = Context.current().withCancellation();
        try {
            watching.run(() -> LiquidationServiceGrpc.newStub(TestSupport.channel()).watchAuctions(
                    WatchAuctionsRequest.getDefaultInstance(), new StreamObserver<>() {
                        @Override
                        public void onNext(WatchAuctionsResponse value) {
                            watched.add(value);
                        }

                        @Override
                        public void onError(Throwable t) {
                        }

                        @Override
                        public void onCompleted() {
                        }
                    }));
            Auction auction = open("auc-buf-view", bufferedView("acc-buf-view"));
            assertThat(auction.getCurrentPriceUsd()).isEqualTo("1425.00000000");
            assertThat(auction.getMaxFractionNow()).isEqualTo(BOUND);
            assertThat(auction.getRemainingFraction()).isEqualTo("1");
            assertThat(auction.getOpenEquityUsd()).isEqualTo("1350");
            assertThat(auction.getOpenMaintenanceMarginUsd()).isEqualTo("1500");
            assertThat(auction.getOpenInitialMarginUsd()).isEqualTo("2100");
            assertThat(auction.getBufferShare()).isEqualTo("0.5");
            assertThat(auction.getBufferLevelUsd()).isEqualTo("1800");
            assertThat(auction.getOpenRealizedPnlUsd()).isEqualTo("0");
            assertThat(auction.getOpenCashValueUsd()).isEqualTo("1");
            assertThat(auction.getCloseReason()).isEqualTo(AuctionCloseReason.AUCTION_CLOSE_REASON_UNSPECIFIED);
            assertThat(liquidation.listAuctions(ListAuctionsRequest.newBuilder().setAccountId("acc-buf-view").build())
                    .getAuctionsList()).singleElement().extracting(Auction::getMaxFractionNow).isEqualTo(BOUND);
            awaitUntil("the watcher sees the bound", () -> watched.stream().map(WatchAuctionsResponse::getAuction)
                    .anyMatch(a -> a.getAuctionId().equals("auc-buf-view") && a.getMaxFractionNow().equals(BOUND)));
        } finally {
            watching.cancel(null);
        }
    }

    @Test
    void aViewWithoutTheFiguresOpensAnUnboundedAuctionSoldUntilEmpty() {
        Auction auction = open("auc-buf-none", view("acc-buf-none", "-4000"));
        assertThat(auction.getMaxFractionNow()).isEqualTo("1");
        assertThat(auction.getOpenEquityUsd()).isEmpty();
        assertThat(auction.getBufferLevelUsd()).isEmpty();
        Bid bid = liquidation.placeBid(bid("bid-buf-none", auction, "1")).getBid();
        assertThat(bid.getStatus()).isEqualTo(BidStatus.BID_STATUS_SETTLED);
        Auction closed = get(auction.getAuctionId());
        assertThat(closed.getCloseReason()).isEqualTo(AuctionCloseReason.AUCTION_CLOSE_REASON_SOLD);
        assertThat(closed.getRemainingFraction()).isEqualTo("0");
        assertThat(closed.getMaxFractionNow()).isEmpty();
    }

    @Test
    void aBidAboveTheBoundIsRefusedWithTheBoundAndBadInputChangesNothing() {
        Auction auction = open("auc-buf-above", bufferedView("acc-buf-above"));
        var refused = assertError(() -> liquidation.placeBid(bid("bid-buf-above", auction, "0.25")),
                Status.Code.FAILED_PRECONDITION, "FRACTION_ABOVE_BOUND");
        ErrorInfo info = errorInfo(refused);
        assertThat(info.getMetadataMap()).containsAllEntriesOf(Map.of("max_fraction", BOUND, "lot_price_usd", "1425.00000000"));
        // one unit in the 13th place above the bound is above it
        assertError(() -> liquidation.placeBid(bid("bid-buf-above-2", auction, "0.2439024396501")),
                Status.Code.FAILED_PRECONDITION, "FRACTION_ABOVE_BOUND");
        assertInvalid(() -> liquidation.placeBid(bid("bid-buf-zero", auction, "0")), "INVALID_FRACTION", "fraction");
        assertInvalid(() -> liquidation.placeBid(bid("bid-buf-big", auction, "1.5")), "INVALID_FRACTION", "fraction");
        assertError(() -> liquidation.placeBid(bid("bid-buf-over", auction, "1").toBuilder().setAuctionVersion(7).build()),
                Status.Code.FAILED_PRECONDITION, "STALE_VERSION");
        assertThat(get(auction.getAuctionId())).isEqualTo(auction);
        assertThat(upstream.collateral.calls.stream().filter(c -> c.getTransferId().startsWith("bid-buf-above"))).isEmpty();
        assertThat(upstream.margin.freezesOf("acc-buf-above")).containsExactly(freeze("acc-buf-above", true, auction.getAuctionId()));
    }

    @Test
    void aBidAtTheBoundRestoresTheAccountClosesTheAuctionRestoredAndUnfreezesIt() {
        Auction auction = open("auc-buf-restore", bufferedView("acc-buf-restore"));
        Bid bid = liquidation.placeBid(bid("bid-buf-restore", auction, auction.getMaxFractionNow())).getBid();
        assertThat(bid.getStatus()).isEqualTo(BidStatus.BID_STATUS_SETTLED);
        // 0.24390243965 x 1425 = 347.56097650125 -> 347.560977; penalty 0.02 x 0.24390243965 x 1500 -> 7.317073 (down)
        assertThat(bid.getPaidUsd()).isEqualTo("347.560977");
        assertThat(bid.getPenaltyUsd()).isEqualTo("7.317073");
        assertThat(upstream.collateral.callsOf("bid-buf-restore/collateral")).singleElement().satisfies(t ->
                assertThat(t.getLegsList()).containsExactly(
                        leg("acc-buf-restore", BIDDER, "arbitrum", "ETH", "0.365853659475"),
                        // 243.90243965 rounded down to USDC's 6 decimals: the account keeps the dust
                        leg("acc-buf-restore", BIDDER, "ethereum", "USDC", "243.902439"),
                        leg(BIDDER, "acc-buf-restore", "ethereum", "USDC", "347.560977"),
                        leg("acc-buf-restore", FUND, "ethereum", "USDC", "7.317073")));
        assertThat(upstream.margin.transferCalls.stream().filter(t -> t.getTransferId().equals("bid-buf-restore/positions")).toList())
                .containsExactly(TransferPositionsRequest.newBuilder().setTransferId("bid-buf-restore/positions")
                        .setFromAccountId("acc-buf-restore").setToAccountId(BIDDER)
                        .addPositions(PositionTransfer.newBuilder().setInstrument("ETH-PERPETUAL").setQuantity("-0.4878048793")).build());

        Auction closed = get(auction.getAuctionId());
        assertThat(closed.getStatus()).isEqualTo(AuctionStatus.AUCTION_STATUS_CLOSED);
        assertThat(closed.getCloseReason()).isEqualTo(AuctionCloseReason.AUCTION_CLOSE_REASON_RESTORED);
        assertThat(closed.getRemainingFraction()).isEqualTo("0.75609756035");
        assertThat(closed.getMaxFractionNow()).isEmpty();
        assertThat(closed.getClosedAtUnixMs()).isPositive();
        awaitUntil("the unfreeze of acc-buf-restore", () -> upstream.margin.freezesOf("acc-buf-restore").size() == 2);
        assertThat(upstream.margin.freezesOf("acc-buf-restore")).containsExactly(
                freeze("acc-buf-restore", true, auction.getAuctionId()), freeze("acc-buf-restore", false, auction.getAuctionId()));

        // closed as any closed auction: a later bid is refused and changes nothing
        assertError(() -> liquidation.placeBid(bid("bid-buf-late", closed, "0.1")), Status.Code.FAILED_PRECONDITION,
                "AUCTION_CLOSED");
        assertThat(get(auction.getAuctionId())).isEqualTo(closed);
        assertThat(upstream.collateral.callsOf("bid-buf-late/collateral")).isEmpty();
    }

    @Test
    void aSmallerBidLeavesTheAuctionOpenAndTheNextBoundStartsFromWhatItLeft() {
        Auction afterFirst = openWithATenthSold("two");
        PlaceBidRequest second = bid("bid-buf-two-2", afterFirst, afterFirst.getMaxFractionNow()).toBuilder()
                .setBidderAccountId("carol").build();
        assertThat(liquidation.placeBid(second).getBid().getStatus()).isEqualTo(BidStatus.BID_STATUS_SETTLED);
        Auction closed = get(afterFirst.getAuctionId());
        assertThat(closed.getCloseReason()).isEqualTo(AuctionCloseReason.AUCTION_CLOSE_REASON_RESTORED);
        assertThat(closed.getRemainingFraction()).isEqualTo("0.75609756035");
        assertThat(closed.getBidsList()).extracting(Bid::getFraction).containsExactly("0.1", "0.14390243965");
    }

    @Test
    void aResetToANegativeValueAfterAPartialBidSellsTheRestWholeWithTheFundPayingTheBidder() {
        Auction afterFirst = openWithATenthSold("neg");
        // the lot as opened is now worth -400: the rest is insolvent, 139.5 already received or not
        assertThat(store.reset(afterFirst.getAuctionId(), afterFirst.getVersion(), Instant.now(), new BigDecimal("-400"),
                PriceCurve.ResetReason.TAIL)).isPresent();
        Auction reset = get(afterFirst.getAuctionId());
        // -400 x (2 - 0.95)
        assertThat(reset.getCurrentPriceUsd()).isEqualTo("-420.00000000");
        assertThat(reset.getMaxFractionNow()).isEqualTo("0.9");
        BigDecimal fundBalance = upstream.collateral.balance(FUND, "ethereum", "USDC");
        upstream.collateral.setBalance(FUND, "ethereum", "USDC", "100000");
        try {
            Bid rest = liquidation.placeBid(bid("bid-buf-neg-2", reset, "0.9")).getBid();
            assertThat(rest.getStatus()).isEqualTo(BidStatus.BID_STATUS_SETTLED);
            assertThat(rest.getPaidUsd()).isEqualTo("-378.000000");
            Auction closed = get(afterFirst.getAuctionId());
            assertThat(closed.getCloseReason()).isEqualTo(AuctionCloseReason.AUCTION_CLOSE_REASON_SOLD);
            assertThat(closed.getRemainingFraction()).isEqualTo("0");
            assertThat(InsuranceFundTest.eventsOf("bid-buf-neg-2"))
                    .extracting(InsuranceFundEvent::getKind, InsuranceFundEvent::getAmountUsd)
                    .containsExactly(tuple(InsuranceFundEventKind.INSURANCE_FUND_EVENT_KIND_PAYOUT, "378"));
        } finally {
            upstream.collateral.setBalance(FUND, "ethereum", "USDC", fundBalance.toPlainString());
        }
    }

    @Test
    void aRestoringBidWhoseCollateralIsRefusedIsUndoneAndTheAuctionReopensWithTheBoundRecomputed() {
        Auction afterFirst = openWithATenthSold("undo");
        upstream.collateral.mode.set(FakeUpstream.Mode.INSUFFICIENT_BALANCE);
        assertError(() -> liquidation.placeBid(bid("bid-buf-undo-2", afterFirst, afterFirst.getMaxFractionNow())),
                Status.Code.FAILED_PRECONDITION, "INSUFFICIENT_BALANCE");
        Auction reopened = get(afterFirst.getAuctionId());
        assertThat(reopened.getStatus()).isEqualTo(AuctionStatus.AUCTION_STATUS_OPEN);
        assertThat(reopened.getCloseReason()).isEqualTo(AuctionCloseReason.AUCTION_CLOSE_REASON_UNSPECIFIED);
        assertThat(reopened.getClosedAtUnixMs()).isZero();
        assertThat(reopened.getRemainingFraction()).isEqualTo("0.9");
        assertThat(reopened.getBidsList()).extracting(Bid::getBidId).containsExactly("bid-buf-undo-1");
        // from the first bid's 139.5 alone again, at a new version (accepted, then undone)
        assertThat(reopened.getMaxFractionNow()).isEqualTo("0.14390243965");
        assertThat(reopened.getVersion()).isEqualTo(afterFirst.getVersion() + 2);
        assertThat(upstream.margin.freezesOf("acc-buf-undo")).containsExactly(freeze("acc-buf-undo", true, afterFirst.getAuctionId()));

        upstream.collateral.mode.set(FakeUpstream.Mode.OK);
        Bid restoring = liquidation.placeBid(bid("bid-buf-undo-3", reopened, reopened.getMaxFractionNow())).getBid();
        assertThat(restoring.getStatus()).isEqualTo(BidStatus.BID_STATUS_SETTLED);
        assertThat(get(afterFirst.getAuctionId()).getCloseReason()).isEqualTo(AuctionCloseReason.AUCTION_CLOSE_REASON_RESTORED);
    }

    @Test
    void aReplayOfTheRestoringBidAnswersTheSameAndMovesNothingTwice() {
        Auction auction = open("auc-buf-replay", bufferedView("acc-buf-replay"));
        PlaceBidRequest request = bid("bid-buf-replay", auction, BOUND);
        PlaceBidResponse first = liquidation.placeBid(request);
        Auction closed = get(auction.getAuctionId());
        assertThat(closed.getCloseReason()).isEqualTo(AuctionCloseReason.AUCTION_CLOSE_REASON_RESTORED);
        PlaceBidResponse again = liquidation.placeBid(request);
        assertThat(first.getReplayed()).isFalse();
        assertThat(again.getReplayed()).isTrue();
        assertThat(again.getBid()).isEqualTo(get(auction.getAuctionId()).getBids(0));
        assertThat(again.getBid().getBidId()).isEqualTo(first.getBid().getBidId());
        assertThat(again.getBid().getFraction()).isEqualTo(BOUND);
        assertThat(upstream.collateral.callsOf("bid-buf-replay/collateral")).hasSize(1);
        assertThat(get(auction.getAuctionId())).isEqualTo(closed);
    }

    /**
     * A reset after a price move re-bases the bound on the account as it is then (AccountSnapshotTest and
     * BufferTargetTest compute these figures by hand): a tenth sold at 1425 (139.5 kept), then ETH falls from 3000 to
     * 2800 and the view says -1.8 ETH-PERPETUAL at PnL -3240, 1.35 ETH (3654 after its MM haircut), 1039.5 USDC: equity
     * 1453.5, MM 1350, IM 1890. The lot as opened is worth -3600 + 4200 + 1000 = 1600 now (price 1520); what remains of
     * it at MM value -3240 + 3654 + 900 = 1314, so R = 139.5; r0 = 0.9, C0 = 139.5; bound 0.091083151532 (the open's
     * figures would give 0.1369969...).
     */
    @Test
    void aResetAfterAPriceMoveReBasesTheBoundOnTheAccountAsItIsNow() throws Exception {
        Auction reset = resetAfterATenthSoldWithEquity("buf-rebase", "1453.5");
        assertThat(store.resets(reset.getAuctionId())).singleElement()
                .satisfies(r -> assertThat(r.startValueUsd()).isEqualByComparingTo("1600"));
        assertThat(reset.getCurrentPriceUsd()).isEqualTo("1520.00000000");
        assertThat(reset.getOpenEquityUsd()).isEqualTo("1453.5");
        assertThat(reset.getOpenMaintenanceMarginUsd()).isEqualTo("1350");
        assertThat(reset.getOpenInitialMarginUsd()).isEqualTo("1890");
        assertThat(reset.getOpenRealizedPnlUsd()).isEqualTo("139.5");
        assertThat(reset.getOpenCashValueUsd()).isEqualTo("1");
        assertThat(reset.getBufferLevelUsd()).isEqualTo("1620");
        assertThat(reset.getBufferShare()).isEqualTo("0.5");
        assertThat(reset.getBufferBaseRemainingFraction()).isEqualTo("0.9");
        assertThat(reset.getBufferBaseProceedsUsd()).isEqualTo("139.5");
        assertThat(reset.getMaxFractionNow()).isEqualTo("0.091083151532");

        Bid restoring = liquidation.placeBid(bid("bid-buf-rebase-2", reset, reset.getMaxFractionNow())).getBid();
        assertThat(restoring.getStatus()).isEqualTo(BidStatus.BID_STATUS_SETTLED);
        assertThat(restoring.getPaidUsd()).isEqualTo("138.446390");
        assertThat(restoring.getPenaltyUsd()).isEqualTo("2.91466");
        Auction closed = get(reset.getAuctionId());
        assertThat(closed.getCloseReason()).isEqualTo(AuctionCloseReason.AUCTION_CLOSE_REASON_RESTORED);
        assertThat(closed.getRemainingFraction()).isEqualTo("0.808916848468");
    }

    /**
     * The re-base test's auction, a tenth sold and the price moved as there, reset from a view whose equity is
     * {@code equity} (MM 1350, IM 1890: level 1620).
     */
    private Auction resetAfterATenthSoldWithEquity(String name, String equity) throws Exception {
        AccountView opened = bufferedView("acc-" + name);
        opened = opened.toBuilder().setCollateral(0, opened.getCollateral(0).toBuilder().setValueMmUsd("4350")).build();
        Auction auction = open("auc-" + name, opened, AuctionResetTest.RESETS_AFTER_A_MINUTE);
        assertThat(liquidation.placeBid(bid("bid-" + name, auction, "0.1")).getBid().getStatus())
                .isEqualTo(BidStatus.BID_STATUS_SETTLED);
        upstream.margin.views.put("acc-" + name, AccountView.newBuilder().setAccountId("acc-" + name)
                .setStatus(AccountStatus.ACCOUNT_STATUS_LIQUIDATION).setFrozen(true)
                .addCollateral(CollateralLine.newBuilder().setChainId("arbitrum").setAsset("ETH").setAmount("1.35")
                        .setPriceUsd("2800").setMarketValueUsd("3780").setValueMmUsd("3654"))
                .addCollateral(CollateralLine.newBuilder().setChainId("ethereum").setAsset("USDC").setAmount("1039.5")
                        .setPriceUsd("1").setMarketValueUsd("1039.5").setValueMmUsd("1039.5"))
                .addPositions(Position.newBuilder().setInstrument("ETH-PERPETUAL").setQuantity("-1.8").setAverageEntryPrice("1000")
                        .setMarkPrice("2800").setUnrealizedPnlUsd("-3240").setOptionValueUsd("0"))
                .setUnrealizedPnlUsd("-3240").setOptionValueUsd("0").setEquityUsd(equity).setMaintenanceMarginUsd("1350")
                .setInitialMarginUsd("1890").setRealizedPnlUsd("0").build());
        AuctionResetTest.backdateEpoch(dataSource, auction.getAuctionId(), Instant.now().minusSeconds(90));
        resets.run();
        awaitUntil("the reset of " + auction.getAuctionId(), () -> get(auction.getAuctionId()).getEpoch() == 1);
        return get(auction.getAuctionId());
    }

    /**
     * A bid's settlement in flight at the reset (ACCEPTED: collateral-service down) keeps the open's figures: the view
     * may show the bid half done. The view has the re-base test's figures (E 1453.5, MM 1350, IM 1890).
     */
    @Test
    void aResetWithABidInFlightKeepsTheOpensFigures() throws Exception {
        AccountView opened = bufferedView("acc-buf-rebase-inflight");
        opened = opened.toBuilder().setCollateral(0, opened.getCollateral(0).toBuilder().setValueMmUsd("4350")).build();
        Auction auction = open("auc-buf-rebase-inflight", opened, AuctionResetTest.RESETS_AFTER_A_MINUTE);
        upstream.collateral.mode.set(FakeUpstream.Mode.UNAVAILABLE);
        try {
            assertThat(liquidation.placeBid(bid("bid-buf-rebase-inflight", auction, "0.1")).getBid().getStatus())
                    .isEqualTo(BidStatus.BID_STATUS_ACCEPTED);
            upstream.margin.views.put(opened.getAccountId(), opened.toBuilder().setEquityUsd("1453.5")
                    .setMaintenanceMarginUsd("1350").setInitialMarginUsd("1890").build());
            AuctionResetTest.backdateEpoch(dataSource, auction.getAuctionId(), Instant.now().minusSeconds(90));
            resets.run();
            awaitUntil("the reset of " + auction.getAuctionId(), () -> get(auction.getAuctionId()).getEpoch() == 1);
            Auction reset = get(auction.getAuctionId());
            assertThat(reset.getOpenEquityUsd()).isEqualTo("1350");
            assertThat(reset.getOpenMaintenanceMarginUsd()).isEqualTo("1500");
            assertThat(reset.getBufferBaseRemainingFraction()).isEqualTo("1");
            assertThat(reset.getBufferBaseProceedsUsd()).isEqualTo("0");
        } finally {
            upstream.collateral.mode.set(FakeUpstream.Mode.OK);
        }
        awaitUntil("recovery settles the bid",
                () -> get(auction.getAuctionId()).getBids(0).getStatus() == BidStatus.BID_STATUS_SETTLED);
    }

    /** A view above its level (1700 > 1620) would leave nothing bounded: the reset keeps the open's figures. */
    @Test
    void aResetFromAViewAboveItsLevelKeepsTheOpensFigures() throws Exception {
        Auction reset = resetAfterATenthSoldWithEquity("buf-rebase-above", "1700");
        // bufferedView's figures: E 1350, MM 1500, IM 2100
        assertThat(reset.getOpenEquityUsd()).isEqualTo("1350");
        assertThat(reset.getOpenMaintenanceMarginUsd()).isEqualTo("1500");
        assertThat(reset.getOpenInitialMarginUsd()).isEqualTo("2100");
        assertThat(reset.getBufferBaseRemainingFraction()).isEqualTo("1");
        assertThat(reset.getBufferBaseProceedsUsd()).isEqualTo("0");
    }

    /**
     * A view with E < 0 (insolvent now) is re-based on, and turns the bound off: R = -100 - 1314 = -1414, and a bid may
     * take all that remains (0.9).
     */
    @Test
    void aResetFromAnInsolventViewReBasesAndTurnsTheBoundOff() throws Exception {
        Auction reset = resetAfterATenthSoldWithEquity("buf-rebase-insolvent", "-100");
        assertThat(reset.getOpenEquityUsd()).isEqualTo("-100");
        assertThat(reset.getOpenRealizedPnlUsd()).isEqualTo("-1414");
        assertThat(reset.getBufferBaseRemainingFraction()).isEqualTo("0.9");
        assertThat(reset.getMaxFractionNow()).isEqualTo("0.9");
    }

    @Test
    void aFreshAuctionShowsItsBufferBasedAtTheOpen() {
        Auction auction = open("auc-buf-base", bufferedView("acc-buf-base"));
        assertThat(auction.getBufferBaseRemainingFraction()).isEqualTo("1");
        assertThat(auction.getBufferBaseProceedsUsd()).isEqualTo("0");
    }

    /**
     * Opens an auction of the buffered view of acc-buf-{name} and sells 0.1 of it at the start price: 142.5 paid, 3
     * penalty, 139.5 kept. The next bound: (0.9 x 450 - 139.5 + 0.000001) / 1845 = 0.1439024395663... -> 0.143902439567,
     * raised as the first bound to 0.14390243965 (cash 205.06097650125 -> 205.060977).
     */
    private Auction openWithATenthSold(String name) {
        Auction auction = open("auc-buf-" + name, bufferedView("acc-buf-" + name));
        liquidation.placeBid(bid("bid-buf-" + name + "-1", auction, "0.1"));
        Auction afterFirst = get(auction.getAuctionId());
        assertThat(afterFirst.getStatus()).isEqualTo(AuctionStatus.AUCTION_STATUS_OPEN);
        assertThat(afterFirst.getMaxFractionNow()).isEqualTo("0.14390243965");
        return afterFirst;
    }

    private Auction get(String auctionId) {
        return liquidation.getAuction(GetAuctionRequest.newBuilder().setAuctionId(auctionId).build()).getAuction();
    }

    static PlaceBidRequest bid(String bidId, Auction auction, String fraction) {
        return PlaceBidRequest.newBuilder().setBidId(bidId).setAuctionId(auction.getAuctionId()).setBidderAccountId(BIDDER)
                .setFraction(fraction).setMaxLotPriceUsd(auction.getCurrentPriceUsd()).setAuctionVersion(auction.getVersion())
                .build();
    }
}
