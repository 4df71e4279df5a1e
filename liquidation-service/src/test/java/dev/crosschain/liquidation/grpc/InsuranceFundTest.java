package dev.crosschain.liquidation.grpc;

import dev.crosschain.liquidation.app.Breaches;
import dev.crosschain.liquidation.app.LiquidationConfig;
import dev.crosschain.liquidation.app.Settlement;
import dev.crosschain.liquidation.app.Takeovers;
import dev.crosschain.liquidation.domain.AssetDecimals;
import dev.crosschain.liquidation.domain.AuctionRules;
import dev.crosschain.liquidation.domain.BidRequest;
import dev.crosschain.liquidation.domain.FundCheck;
import dev.crosschain.liquidation.domain.PreconditionException;
import dev.crosschain.liquidation.domain.LotItem;
import dev.crosschain.liquidation.domain.PriceCurve;
import dev.crosschain.liquidation.store.AuctionStore;
import dev.crosschain.postgres.PostgresTestResource;
import dev.crosschain.proto.collateral.v1.TransferLeg;
import dev.crosschain.proto.liquidation.v1.Auction;
import dev.crosschain.proto.liquidation.v1.AuctionStatus;
import dev.crosschain.proto.liquidation.v1.Bid;
import dev.crosschain.proto.liquidation.v1.BidStatus;
import dev.crosschain.proto.liquidation.v1.GetAuctionRequest;
import dev.crosschain.proto.liquidation.v1.GetInsuranceFundRequest;
import dev.crosschain.proto.liquidation.v1.GetInsuranceFundResponse;
import dev.crosschain.proto.liquidation.v1.InsuranceFundEvent;
import dev.crosschain.proto.liquidation.v1.InsuranceFundEventKind;
import dev.crosschain.proto.liquidation.v1.LiquidationServiceGrpc;
import dev.crosschain.proto.liquidation.v1.ListInsuranceFundEventsRequest;
import dev.crosschain.proto.liquidation.v1.ListInsuranceFundEventsResponse;
import dev.crosschain.proto.liquidation.v1.PlaceBidRequest;
import dev.crosschain.proto.liquidation.v1.PlaceBidResponse;
import dev.crosschain.proto.margin.v1.PositionTransfer;
import dev.crosschain.proto.margin.v1.TransferPositionsRequest;
import io.agroal.api.AgroalDataSource;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static dev.crosschain.liquidation.grpc.TestSupport.assertError;
import static dev.crosschain.liquidation.grpc.TestSupport.assertInvalid;
import static dev.crosschain.liquidation.grpc.TestSupport.awaitUntil;
import static dev.crosschain.liquidation.grpc.TestSupport.errorInfo;
import static dev.crosschain.liquidation.grpc.TestSupport.preconditionTypes;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The insurance fund: the penalty leg, bids at a negative price paid by the fund, the fund's takeover with bad debt
 * and its repayment, the fund RPCs, and value conservation. Auctions are inserted with a curve that holds its start
 * price for 7 days (tail and cusp 0), so every price here is computed by hand: buf 0.95 x V for V > 0,
 * V - |V| x 0.05 for V < 0. The fund's books are shared by every test of the service, so figures are compared as
 * differences.
 */
@QuarkusTest
@QuarkusTestResource(PostgresTestResource.class)
class InsuranceFundTest {

    static final String FUND = "insurance-fund";
    static final PriceCurve HOLDS = PriceCurve.stairStep(new BigDecimal("0.95"), new BigDecimal("0.5"), Duration.ofDays(7),
            new BigDecimal("0.97"), Duration.ZERO, BigDecimal.ZERO);
    /** Starts at 1% of the mark value: below the 2% penalty rate. */
    static final PriceCurve CHEAP = PriceCurve.stairStep(new BigDecimal("0.01"), BigDecimal.ZERO, Duration.ofDays(7),
            new BigDecimal("0.5"), Duration.ZERO, BigDecimal.ZERO);
    static final BigDecimal ETH_USD = new BigDecimal("3000");
    static final AssetDecimals ETH_18 = new AssetDecimals(Map.of("arbitrum/ETH", 18));

    static LiquidationServiceGrpc.LiquidationServiceBlockingStub liquidation;
    static FakeUpstream upstream;

    @Inject
    AuctionStore store;

    @Inject
    Takeovers takeovers;

    @Inject
    Breaches breaches;

    @Inject
    LiquidationConfig config;

    @Inject
    Settlement settlement;

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

    // ---- penalty ----

    @Test
    void aSettledBidPaysThePenaltyToTheFundInItsOneTransferAndAReplayPaysNothingTwice() {
        open("auc-pen", "acc-pen", "1000", LotItem.position("PERP-PEN", new BigDecimal("-1")),
                LotItem.collateral("arbitrum", "ETH", new BigDecimal("0.5")));
        GetInsuranceFundResponse before = fund();
        PlaceBidRequest request = bid("bid-pen", "auc-pen", "liq-pen", "0.4", "1000000");
        Bid bid = liquidation.placeBid(request).getBid();

        // price 0.95 x 1000 = 950; paid 0.4 x 950 = 380; penalty 0.02 x 0.4 x 1000 = 8
        assertThat(bid.getStatus()).isEqualTo(BidStatus.BID_STATUS_SETTLED);
        assertThat(bid.getPaidUsd()).isEqualTo("380.000000");
        assertThat(bid.getPenaltyUsd()).isEqualTo("8");
        assertThat(bid.getTakeover()).isFalse();
        assertThat(upstream.collateral.applied.get("bid-pen/collateral").getLegsList()).containsExactly(
                leg("acc-pen", "liq-pen", "arbitrum", "ETH", "0.2"),
                leg("liq-pen", "acc-pen", "ethereum", "USDC", "380"),
                leg("acc-pen", FUND, "ethereum", "USDC", "8"));
        GetInsuranceFundResponse after = fund();
        assertThat(delta(before, after, GetInsuranceFundResponse::getPenaltiesUsd)).isEqualByComparingTo("8");
        assertThat(eventsOf("bid-pen")).extracting(InsuranceFundEvent::getKind, InsuranceFundEvent::getAmountUsd)
                .contains(org.assertj.core.groups.Tuple.tuple(InsuranceFundEventKind.INSURANCE_FUND_EVENT_KIND_PENALTY, "8"));

        PlaceBidResponse replay = liquidation.placeBid(request);
        assertThat(replay.getReplayed()).isTrue();
        assertThat(replay.getBid()).isEqualTo(bid);
        assertThat(upstream.collateral.callsOf("bid-pen/collateral")).hasSize(1);
        assertThat(fund().getPenaltiesUsd()).isEqualTo(after.getPenaltiesUsd());
        assertThat(eventsOf("bid-pen")).extracting(InsuranceFundEvent::getKind)
                .containsOnlyOnce(InsuranceFundEventKind.INSURANCE_FUND_EVENT_KIND_PENALTY);
    }

    @Test
    void thePenaltyIsNeverMoreThanWhatTheAccountReceives() {
        store.insertAuction("auc-cheap", "acc-cheap", Instant.now(), new BigDecimal("1000"), CHEAP,
                List.of(LotItem.collateral("arbitrum", "ETH", new BigDecimal("0.25"))));
        Bid bid = liquidation.placeBid(bid("bid-cheap", "auc-cheap", "liq-cheap", "1", "1000000")).getBid();
        // price 0.01 x 1000 = 10 received; 0.02 x 1000 = 20 would be more: the penalty is the 10
        assertThat(bid.getPaidUsd()).isEqualTo("10.000000");
        assertThat(bid.getPenaltyUsd()).isEqualTo("10");
        assertThat(upstream.collateral.applied.get("bid-cheap/collateral").getLegsList()).containsExactly(
                leg("acc-cheap", "liq-cheap", "arbitrum", "ETH", "0.25"),
                leg("liq-cheap", "acc-cheap", "ethereum", "USDC", "10"),
                leg("acc-cheap", FUND, "ethereum", "USDC", "10"));
    }

    // ---- insolvent lots ----

    @Test
    void aBidAtANegativePriceIsPaidByTheFundAndOneItCannotPayChangesNothing() {
        open("auc-neg", "acc-neg", "-500", LotItem.position("PERP-NEG", new BigDecimal("-1")),
                LotItem.collateral("arbitrum", "ETH", new BigDecimal("1")));
        awaitNoRecentPayouts();
        Auction opened = get("auc-neg");
        // -500 - 500 x 0.05
        assertThat(opened.getCurrentPriceUsd()).isEqualTo("-525.00000000");
        upstream.collateral.setBalance(FUND, "ethereum", "USDC", "100");
        GetInsuranceFundResponse before = fund();

        StatusRuntimeException shortFund = assertError(
                () -> liquidation.placeBid(bid("bid-neg-short", "auc-neg", "liq-neg", "1", "-500")),
                Status.Code.FAILED_PRECONDITION, "INSURANCE_FUND_SHORT");
        assertThat(preconditionTypes(shortFund)).containsExactly("INSURANCE_FUND_SHORT");
        assertThat(errorInfo(shortFund).getMetadataMap()).containsEntry("fund_balance_usd", "100")
                .containsEntry("payout_usd", "525").containsEntry("fund_account_id", FUND);
        assertThat(get("auc-neg")).isEqualTo(opened.toBuilder().setCurrentPriceUsd(get("auc-neg").getCurrentPriceUsd()).build());
        assertThat(upstream.collateral.callsOf("bid-neg-short/collateral")).isEmpty();
        assertThat(fund()).isEqualTo(before);

        upstream.collateral.setBalance(FUND, "ethereum", "USDC", "600");
        // the bidder wants at least 600 to take the lot: -525 is above that limit
        assertError(() -> liquidation.placeBid(bid("bid-neg-greedy", "auc-neg", "liq-neg", "1", "-600")),
                Status.Code.FAILED_PRECONDITION, "PRICE_ABOVE_LIMIT");
        Bid paid = liquidation.placeBid(bid("bid-neg", "auc-neg", "liq-neg", "1", "-500")).getBid();
        assertThat(paid.getStatus()).isEqualTo(BidStatus.BID_STATUS_SETTLED);
        assertThat(paid.getPaidUsd()).isEqualTo("-525.000000");
        assertThat(paid.getPenaltyUsd()).isEqualTo("0");
        assertThat(upstream.collateral.applied.get("bid-neg/collateral").getLegsList()).containsExactly(
                leg("acc-neg", "liq-neg", "arbitrum", "ETH", "1"),
                leg(FUND, "liq-neg", "ethereum", "USDC", "525"));
        assertThat(upstream.collateral.balance(FUND, "ethereum", "USDC")).isEqualByComparingTo("75");
        GetInsuranceFundResponse after = fund();
        assertThat(after.getBalanceUsd()).isEqualTo("75");
        assertThat(delta(before, after, GetInsuranceFundResponse::getPayoutsUsd)).isEqualByComparingTo("525");
        assertThat(eventsOf("bid-neg")).extracting(InsuranceFundEvent::getKind, InsuranceFundEvent::getAmountUsd)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(InsuranceFundEventKind.INSURANCE_FUND_EVENT_KIND_PAYOUT, "525"));
        assertThat(get("auc-neg").getStatus()).isEqualTo(AuctionStatus.AUCTION_STATUS_CLOSED);
    }

    @Test
    void theFundTakesOverALotItCannotPayForAndALaterPenaltyRepaysTheBadDebt() {
        open("auc-take", "acc-take", "-600", LotItem.position("PERP-TAKE", new BigDecimal("-2")),
                LotItem.collateral("arbitrum", "ETH", new BigDecimal("1")));
        upstream.collateral.setBalance(FUND, "ethereum", "USDC", "75");
        GetInsuranceFundResponse before = fund();

        // the fund cannot pay the 630 the lot costs it: short from now, taken over once short for takeover-after (1 s)
        assertThat(takeovers.check("auc-take")).isFalse();
        assertThat(get("auc-take").getStatus()).isEqualTo(AuctionStatus.AUCTION_STATUS_OPEN);
        awaitUntil("the fund takes auc-take over", () -> takeovers.check("auc-take"));

        Auction closed = get("auc-take");
        assertThat(closed.getStatus()).isEqualTo(AuctionStatus.AUCTION_STATUS_CLOSED);
        Bid takeover = closed.getBidsList().get(0);
        assertThat(takeover.getBidId()).isEqualTo("auc-take/takeover");
        assertThat(takeover.getBidderAccountId()).isEqualTo(FUND);
        assertThat(takeover.getTakeover()).isTrue();
        assertThat(takeover.getStatus()).isEqualTo(BidStatus.BID_STATUS_SETTLED);
        assertThat(takeover.getPaidUsd()).isEqualTo("0.000000");
        assertThat(takeover.getBadDebtUsd()).isEqualTo("600");
        assertThat(upstream.collateral.applied.get("auc-take/takeover/collateral").getLegsList())
                .containsExactly(leg("acc-take", FUND, "arbitrum", "ETH", "1"));
        TransferPositionsRequest positions = upstream.margin.transfers.get("auc-take/takeover/positions");
        assertThat(positions.getToAccountId()).isEqualTo(FUND);
        assertThat(positions.getPositionsList()).containsExactly(
                PositionTransfer.newBuilder().setInstrument("PERP-TAKE").setQuantity("-2").build());
        assertThat(eventsOf("auc-take/takeover")).extracting(InsuranceFundEvent::getKind, InsuranceFundEvent::getAmountUsd)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(InsuranceFundEventKind.INSURANCE_FUND_EVENT_KIND_BAD_DEBT, "600"),
                        org.assertj.core.groups.Tuple.tuple(InsuranceFundEventKind.INSURANCE_FUND_EVENT_KIND_TAKEOVER, "-600"));
        GetInsuranceFundResponse taken = fund();
        assertThat(delta(before, taken, GetInsuranceFundResponse::getBadDebtUsd)).isEqualByComparingTo("600");
        assertThat(new BigDecimal(taken.getOutstandingBadDebtUsd())).isGreaterThanOrEqualTo(new BigDecimal("600"));
        // once, whatever runs again
        assertThat(takeovers.check("auc-take")).isFalse();
        assertThat(store.takeOver("auc-take", 0, "auc-take/takeover", FUND, Instant.now(), Duration.ofSeconds(30),
                dev.crosschain.liquidation.domain.AssetDecimals.UNKNOWN).orElseThrow().replayed()).isTrue();
        assertThat(fund().getBadDebtUsd()).isEqualTo(taken.getBadDebtUsd());

        // a later penalty (0.02 x 1 x 1000 = 20) repays the bad debt first
        open("auc-repay", "acc-repay", "1000", LotItem.collateral("arbitrum", "ETH", new BigDecimal("0.5")));
        liquidation.placeBid(bid("bid-repay", "auc-repay", "liq-repay", "1", "1000000"));
        GetInsuranceFundResponse repaid = fund();
        assertThat(delta(taken, repaid, GetInsuranceFundResponse::getRepaidUsd)).isEqualByComparingTo("20");
        assertThat(delta(taken, repaid, GetInsuranceFundResponse::getOutstandingBadDebtUsd)).isEqualByComparingTo("-20");
        assertThat(eventsOf("bid-repay")).extracting(InsuranceFundEvent::getKind, InsuranceFundEvent::getAmountUsd)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(InsuranceFundEventKind.INSURANCE_FUND_EVENT_KIND_REPAYMENT, "20"),
                        org.assertj.core.groups.Tuple.tuple(InsuranceFundEventKind.INSURANCE_FUND_EVENT_KIND_PENALTY, "20"));
    }

    @Test
    void aTakeoverDecidedOnAnAuctionThatChangedSinceOrIsNotInsolventDoesNothing() {
        open("auc-if-stale", "acc-if-stale", "-600", LotItem.collateral("arbitrum", "ETH", BigDecimal.ONE));
        long seen = store.find("auc-if-stale").orElseThrow().version();
        // a reset between the pass's read and its takeover: to a positive value, and a new version
        assertThat(store.reset("auc-if-stale", seen, Instant.now(), new BigDecimal("100"), PriceCurve.ResetReason.TAIL)).isPresent();
        long afterReset = store.find("auc-if-stale").orElseThrow().version();
        assertThat(store.takeOver("auc-if-stale", seen, "auc-if-stale/takeover", FUND, Instant.now(), Duration.ofSeconds(30), ETH_18))
                .isEmpty();
        // at the current version too: the lot is no longer insolvent
        assertThat(store.takeOver("auc-if-stale", afterReset, "auc-if-stale/takeover", FUND, Instant.now(), Duration.ofSeconds(30), ETH_18))
                .isEmpty();
        assertThat(store.find("auc-if-stale").orElseThrow().status()).isEqualTo(dev.crosschain.liquidation.domain.AuctionStatus.OPEN);
        assertThat(store.findBid("auc-if-stale/takeover")).isEmpty();

        open("auc-if-bumped", "acc-if-bumped", "-600", LotItem.collateral("arbitrum", "ETH", BigDecimal.ONE));
        long before = store.find("auc-if-bumped").orElseThrow().version();
        // a reset to another negative value: still insolvent, but not the auction the pass decided on
        assertThat(store.reset("auc-if-bumped", before, Instant.now(), new BigDecimal("-10"), PriceCurve.ResetReason.TAIL)).isPresent();
        assertThat(store.takeOver("auc-if-bumped", before, "auc-if-bumped/takeover", FUND, Instant.now(), Duration.ofSeconds(30), ETH_18))
                .isEmpty();
        assertThat(store.findBid("auc-if-bumped/takeover")).isEmpty();
        // the auction as it is now is taken over: the refusals above were the version's
        long now = store.find("auc-if-bumped").orElseThrow().version();
        assertThat(store.takeOver("auc-if-bumped", now, "auc-if-bumped/takeover", FUND, Instant.now(), Duration.ofSeconds(30), ETH_18))
                .hasValueSatisfying(a -> assertThat(a.bid().takeover()).isTrue());
    }

    @Test
    void aTransferRefusedOnTheFundsLegIsInsuranceFundShortAndOnTheBiddersLegIsNot() {
        upstream.collateral.mode.set(FakeUpstream.Mode.LEDGER);
        open("auc-if-late", "acc-if-late", "-500", LotItem.collateral("arbitrum", "ETH", BigDecimal.ONE));
        upstream.collateral.setBalance("acc-if-late", "arbitrum", "ETH", "1");
        upstream.collateral.setBalance(FUND, "ethereum", "USDC", "100");
        // accepted on a read of 600; the fund holds 100 when the transfer comes
        FundCheck read = new FundCheck(true, FUND, new BigDecimal("0.02"), new BigDecimal("600"), null);
        dev.crosschain.liquidation.domain.Bid late = store.accept(new BidRequest("bid-if-late", "auc-if-late", "liq-if-late", BigDecimal.ONE,
                BigDecimal.ZERO, 0), Instant.now(), Duration.ofSeconds(30), AuctionRules.DEFAULT, ETH_18, read).bid();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> settlement.settle(late))
                .isInstanceOfSatisfying(PreconditionException.class, e -> {
                    assertThat(e.reason()).isEqualTo("INSURANCE_FUND_SHORT");
                    assertThat(e.metadata()).containsEntry("fund_account_id", FUND).containsEntry("fund_balance_usd", "100")
                            .containsEntry("payout_usd", "525").containsKey("pending_payouts_usd");
                });
        assertThat(store.findBid("bid-if-late")).isEmpty();
        assertThat(get("auc-if-late").getStatus()).isEqualTo(AuctionStatus.AUCTION_STATUS_OPEN);
        assertThat(upstream.collateral.balance(FUND, "ethereum", "USDC")).isEqualByComparingTo("100");

        // the bidder's cash leg refused: the bidder's problem, not the fund's
        open("auc-if-poor", "acc-if-poor", "1000", LotItem.collateral("arbitrum", "ETH", new BigDecimal("0.5")));
        upstream.collateral.setBalance("acc-if-poor", "arbitrum", "ETH", "0.5");
        assertError(() -> liquidation.placeBid(bid("bid-if-poor", "auc-if-poor", "liq-if-poor", "1", "1000000")),
                Status.Code.FAILED_PRECONDITION, "INSUFFICIENT_BALANCE");
        assertThat(get("auc-if-poor").getStatus()).isEqualTo(AuctionStatus.AUCTION_STATUS_OPEN);
    }

    @Test
    void theFundLegsUseTheFundRecordedOnTheBidNotTheConfiguration() {
        open("auc-if-other", "acc-if-other", "1000", LotItem.collateral("arbitrum", "ETH", new BigDecimal("0.5")));
        // accepted while the fund was configured as another account (another replica, or before a change)
        FundCheck other = new FundCheck(true, "other-fund", new BigDecimal("0.02"), null, null);
        dev.crosschain.liquidation.domain.Bid accepted = store.accept(new BidRequest("bid-if-other", "auc-if-other", "liq-if-other",
                BigDecimal.ONE, new BigDecimal("1000000"), 0), Instant.now(), Duration.ofSeconds(30), AuctionRules.DEFAULT, ETH_18,
                other).bid();
        assertThat(store.findBid("bid-if-other").orElseThrow().fundAccountId()).isEqualTo("other-fund");
        assertThat(settlement.collateralLegs(store.findBid("bid-if-other").orElseThrow())).last()
                .isEqualTo(new dev.crosschain.liquidation.client.CollateralClient.Leg("acc-if-other", "other-fund", "ethereum", "USDC",
                        accepted.penaltyUsd()));
        settlement.settle(accepted);
        assertThat(upstream.collateral.applied.get("bid-if-other/collateral").getLegsList()).last()
                .isEqualTo(leg("acc-if-other", "other-fund", "ethereum", "USDC", "20"));
    }

    @Test
    void twoBidsRacingForAFundThatCanPayOneArePaidOnceAndAReplayPaysNothingMore() throws Exception {
        upstream.collateral.mode.set(FakeUpstream.Mode.LEDGER);
        open("auc-if-duel-1", "acc-if-duel-1", "-500", LotItem.collateral("arbitrum", "ETH", BigDecimal.ONE));
        open("auc-if-duel-2", "acc-if-duel-2", "-500", LotItem.collateral("arbitrum", "ETH", BigDecimal.ONE));
        upstream.collateral.setBalance("acc-if-duel-1", "arbitrum", "ETH", "1");
        upstream.collateral.setBalance("acc-if-duel-2", "arbitrum", "ETH", "1");
        upstream.collateral.setBalance(FUND, "ethereum", "USDC", "600");
        awaitNoRecentPayouts();
        GetInsuranceFundResponse before = fund();

        // 525 each, 600 in the fund: one is paid, the other refused, whatever the interleaving
        java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        List<java.util.concurrent.Future<Object>> outcomes = new ArrayList<>();
        try {
            for (int i = 1; i <= 2; i++) {
                PlaceBidRequest request = bid("bid-if-duel-" + i, "auc-if-duel-" + i, "liq-if-duel", "1", "0");
                outcomes.add(pool.submit(() -> {
                    start.await();
                    try {
                        return liquidation.placeBid(request).getBid();
                    } catch (StatusRuntimeException e) {
                        return e;
                    }
                }));
            }
            start.countDown();
            List<Object> results = new ArrayList<>();
            for (java.util.concurrent.Future<Object> outcome : outcomes) {
                results.add(outcome.get(20, java.util.concurrent.TimeUnit.SECONDS));
            }
            List<Bid> paid = results.stream().filter(Bid.class::isInstance).map(Bid.class::cast).toList();
            List<StatusRuntimeException> refused = results.stream().filter(StatusRuntimeException.class::isInstance)
                    .map(StatusRuntimeException.class::cast).toList();
            assertThat(paid).singleElement().satisfies(b -> assertThat(b.getStatus()).isEqualTo(BidStatus.BID_STATUS_SETTLED));
            assertThat(refused).singleElement().satisfies(e -> {
                assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
                assertThat(errorInfo(e).getReason()).isEqualTo("INSURANCE_FUND_SHORT");
            });
            assertThat(upstream.collateral.balance(FUND, "ethereum", "USDC")).isEqualByComparingTo("75");
            assertThat(delta(before, fund(), GetInsuranceFundResponse::getPayoutsUsd)).isEqualByComparingTo("525");

            // the winner's replay: the stored bid, no second transfer, no second payout
            Bid winner = paid.get(0);
            PlaceBidResponse replay = liquidation.placeBid(bid(winner.getBidId(), winner.getAuctionId(), "liq-if-duel", "1", "0"));
            assertThat(replay.getReplayed()).isTrue();
            assertThat(replay.getBid()).isEqualTo(winner);
            assertThat(upstream.collateral.callsOf(winner.getBidId() + "/collateral")).hasSize(1);
            assertThat(upstream.collateral.balance(FUND, "ethereum", "USDC")).isEqualByComparingTo("75");
            assertThat(delta(before, fund(), GetInsuranceFundResponse::getPayoutsUsd)).isEqualByComparingTo("525");
            assertThat(eventsOf(winner.getBidId())).extracting(InsuranceFundEvent::getKind)
                    .containsExactly(InsuranceFundEventKind.INSURANCE_FUND_EVENT_KIND_PAYOUT);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aPassClearsTheShortfallOfEveryAuctionNoLongerOwedPastItsBatchesAndKeepsTheOnesStillShort() throws Exception {
        // more than one batch of 200 (AuctionStore#clearFundShort of many): the last, partial one is cleared too
        int many = 205;
        Instant longAgo = Instant.now().minus(Duration.ofHours(1));
        List<String> notOwed = new ArrayList<>();
        for (int i = 0; i < many; i++) {
            String auctionId = "auc-many-" + i;
            open(auctionId, "acc-many-" + i, "1000", LotItem.collateral("arbitrum", "ETH", new BigDecimal("0.1")));
            markFundShort(auctionId, longAgo);
            notOwed.add(auctionId);
        }
        // owes 10,500,000 (V - |V| x 0.05): more than the fund holds
        open("auc-many-short", "acc-many-short", "-10000000", LotItem.collateral("arbitrum", "ETH", BigDecimal.ONE));
        // recorded after the pass began: a newer view than the pass's, never cleared by it
        Instant afterThePass = Instant.now().plus(Duration.ofHours(1));
        open("auc-many-later", "acc-many-later", "1000", LotItem.collateral("arbitrum", "ETH", new BigDecimal("0.1")));
        markFundShort("auc-many-later", afterThePass);
        BigDecimal balance = upstream.collateral.balance(FUND, "ethereum", "USDC");
        upstream.collateral.setBalance(FUND, "ethereum", "USDC", "1000000");
        try {
            takeovers.run();
        } finally {
            upstream.collateral.setBalance(FUND, "ethereum", "USDC", balance.toPlainString());
        }

        for (String auctionId : notOwed) {
            assertThat(fundShortSince(auctionId)).as(auctionId).isNull();
        }
        // short from this pass on, so not taken over yet (takeover-after 1 s from now)
        assertThat(fundShortSince("auc-many-short")).isNotNull();
        assertThat(store.find("auc-many-short").orElseThrow().status()).isEqualTo(dev.crosschain.liquidation.domain.AuctionStatus.OPEN);
        assertThat(fundShortSince("auc-many-later")).isEqualTo(afterThePass.toEpochMilli());
    }

    private void markFundShort(String auctionId, Instant since) throws Exception {
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement("UPDATE auction SET fund_short_since_ms = ? WHERE auction_id = ?")) {
            s.setLong(1, since.toEpochMilli());
            s.setString(2, auctionId);
            assertThat(s.executeUpdate()).isEqualTo(1);
        }
    }

    private Long fundShortSince(String auctionId) throws Exception {
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement("SELECT fund_short_since_ms FROM auction WHERE auction_id = ?")) {
            s.setString(1, auctionId);
            try (ResultSet rs = s.executeQuery()) {
                assertThat(rs.next()).isTrue();
                long since = rs.getLong(1);
                return rs.wasNull() ? null : since;
            }
        }
    }

    @Test
    void aTakeoverCollateralServiceRefusesIsNotTriedAgainAtEveryPass() {
        open("auc-if-refuse", "acc-if-refuse", "-600", LotItem.collateral("arbitrum", "ETH", BigDecimal.ONE));
        upstream.collateral.setBalance(FUND, "ethereum", "USDC", "75");
        upstream.collateral.mode.set(FakeUpstream.Mode.INSUFFICIENT_BALANCE);
        awaitUntil("a takeover of auc-if-refuse is tried", () -> takeovers.check("auc-if-refuse"));
        assertThat(upstream.collateral.callsOf("auc-if-refuse/takeover/collateral")).hasSize(1);
        assertThat(store.findBid("auc-if-refuse/takeover")).isEmpty();
        assertThat(get("auc-if-refuse").getStatus()).isEqualTo(AuctionStatus.AUCTION_STATUS_OPEN);
        // still short and past takeover-after, but backing off: no second transfer at the next passes
        for (int pass = 0; pass < 5; pass++) {
            assertThat(takeovers.check("auc-if-refuse")).isFalse();
        }
        assertThat(upstream.collateral.callsOf("auc-if-refuse/takeover/collateral")).hasSize(1);
    }

    // ---- the fund's own account ----

    @Test
    void theFundNeverBidsAndIsNeverAuctioned() {
        open("auc-if-fundbid", "acc-if-fundbid", "1000", LotItem.collateral("arbitrum", "ETH", new BigDecimal("0.5")));
        Auction opened = get("auc-if-fundbid");
        StatusRuntimeException refused = assertError(() -> liquidation.placeBid(bid("bid-if-fundbid", "auc-if-fundbid", FUND, "1", "1000000")),
                Status.Code.FAILED_PRECONDITION, "FUND_BIDDER");
        assertThat(preconditionTypes(refused)).containsExactly("FUND_BIDDER");
        assertThat(withoutPrice(get("auc-if-fundbid"))).isEqualTo(withoutPrice(opened));
        assertThat(upstream.collateral.callsOf("bid-if-fundbid/collateral")).isEmpty();

        breaches.onLiquidation(FUND);
        breaches.onLiquidation(FUND);
        assertThat(store.activity(FUND)).isEqualTo(AuctionStore.Activity.NONE);
    }

    // ---- the fund's balance read ----

    @Test
    void aPayoutSettlingBetweenTheBalanceReadAndTheAcceptIsCountedAsPending() {
        open("auc-if-race-1", "acc-if-race-1", "-500", LotItem.collateral("arbitrum", "ETH", BigDecimal.ONE));
        open("auc-if-race-2", "acc-if-race-2", "-500", LotItem.collateral("arbitrum", "ETH", BigDecimal.ONE));
        upstream.collateral.setBalance(FUND, "ethereum", "USDC", "600");
        awaitNoRecentPayouts();
        // step one of the second bid: the time, then the balance read (600: enough for one payout of 525)
        Instant readAt = Instant.now();
        BigDecimal read = upstream.collateral.balance(FUND, "ethereum", "USDC");
        // meanwhile the first bid is paid 525 and settles: the fund holds 75
        assertThat(liquidation.placeBid(bid("bid-if-race-1", "auc-if-race-1", "liq-if-race", "1", "0")).getBid().getStatus())
                .isEqualTo(BidStatus.BID_STATUS_SETTLED);
        Auction before = withoutPrice(get("auc-if-race-2"));
        // step two: the accept with the balance read before, which does not show that payout
        FundCheck check = new FundCheck(true, FUND, new BigDecimal("0.02"), read, readAt);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> store.accept(new BidRequest("bid-if-race-2", "auc-if-race-2", "liq-if-race",
                        BigDecimal.ONE, BigDecimal.ZERO, 0), Instant.now(), Duration.ofSeconds(30), AuctionRules.DEFAULT, ETH_18, check))
                .isInstanceOfSatisfying(PreconditionException.class, e -> {
                    assertThat(e.reason()).isEqualTo("INSURANCE_FUND_SHORT");
                    assertThat(new BigDecimal(e.metadata().get("pending_payouts_usd"))).isGreaterThanOrEqualTo(new BigDecimal("525"));
                });
        assertThat(withoutPrice(get("auc-if-race-2"))).isEqualTo(before);
        assertThat(store.findBid("bid-if-race-2")).isEmpty();
    }

    /**
     * Waits until no payout of another test settled recently: for the longest a transfer may take, a settled payout
     * still counts as pending against the fund's balance read (FundedAcceptance), which would make these tests' fund
     * short.
     */
    private void awaitNoRecentPayouts() {
        awaitUntil("no payout settled in the last " + config.client().maxInFlight(),
                () -> store.pendingPayouts(Instant.now().minus(config.client().maxInFlight())).signum() == 0);
    }

    /** An auction without its live price: what a refused bid must leave unchanged. */
    private static Auction withoutPrice(Auction auction) {
        return auction.toBuilder().clearCurrentPriceUsd().build();
    }

    // ---- the fund RPCs ----

    @Test
    void theFundIsQueryableAndItsEventsPageNewestFirst() {
        open("auc-page", "acc-page", "1000", LotItem.collateral("arbitrum", "ETH", new BigDecimal("0.5")));
        liquidation.placeBid(bid("bid-page-1", "auc-page", "liq-page", "0.5", "1000000"));
        liquidation.placeBid(bid("bid-page-2", "auc-page", "liq-page", "0.5", "1000000"));
        upstream.collateral.setBalance(FUND, "ethereum", "USDC", "123.45");

        GetInsuranceFundResponse fund = fund();
        assertThat(fund.getAccountId()).isEqualTo(FUND);
        assertThat(fund.getBalanceUsd()).isEqualTo("123.45");
        assertThat(new BigDecimal(fund.getOutstandingBadDebtUsd())).isEqualByComparingTo(
                new BigDecimal(fund.getBadDebtUsd()).subtract(new BigDecimal(fund.getRepaidUsd())));

        List<InsuranceFundEvent> all = allEvents();
        assertThat(all).isNotEmpty();
        // newest first: bid-page-2's events before bid-page-1's
        List<String> bids = all.stream().map(InsuranceFundEvent::getBidId).filter(b -> b.startsWith("bid-page")).distinct().toList();
        assertThat(bids).containsExactly("bid-page-2", "bid-page-1");
        ListInsuranceFundEventsResponse first = liquidation.listInsuranceFundEvents(
                ListInsuranceFundEventsRequest.newBuilder().setPageSize(1).build());
        assertThat(first.getEventsList()).containsExactly(all.get(0));
        if (all.size() > 1) {
            ListInsuranceFundEventsResponse second = liquidation.listInsuranceFundEvents(ListInsuranceFundEventsRequest.newBuilder()
                    .setPageSize(1).setPageToken(first.getNextPageToken()).build());
            assertThat(second.getEventsList()).containsExactly(all.get(1));
        }
    }

    @Test
    void badFundEventPagesAreRefusedWithTheirFields() {
        assertInvalid(() -> liquidation.listInsuranceFundEvents(ListInsuranceFundEventsRequest.newBuilder().setPageSize(501).build()),
                "INVALID_PAGE_SIZE", "page_size");
        assertInvalid(() -> liquidation.listInsuranceFundEvents(ListInsuranceFundEventsRequest.newBuilder().setPageSize(-1).build()),
                "INVALID_PAGE_SIZE", "page_size");
        assertInvalid(() -> liquidation.listInsuranceFundEvents(ListInsuranceFundEventsRequest.newBuilder()
                .setPageToken("not-a-token!").build()), "INVALID_PAGE_TOKEN", "page_token");
        assertInvalid(() -> liquidation.listInsuranceFundEvents(ListInsuranceFundEventsRequest.newBuilder()
                .setPageSize(1000).setPageToken("c2VxOi0x").build()), "INVALID_PAGE_SIZE", "page_size", "page_token");
    }

    // ---- conservation ----

    /**
     * Every account's value at the same marks (collateral as the fake ledger holds it at ETH 3000 / USDC 1, positions at
     * their per-unit mark value), the fund's included (its cash, and the collateral and positions it took over), is the
     * same before and after a solvent bid, a bid paid by the fund and a takeover; and the recorded bad debt is minus what
     * the fund took over is worth. The fake ledger refuses overdrafts, so a leg from the wrong account fails the bid.
     */
    @Test
    void accountsAndFundAreConservedToTheCentAndBadDebtIsWhatTheFundTookOver() {
        upstream.collateral.mode.set(FakeUpstream.Mode.LEDGER);
        Map<String, BigDecimal> perUnit = Map.of("PERP-CS", new BigDecimal("2500"), "PERP-CI", new BigDecimal("3500"),
                "PERP-CT", new BigDecimal("3600"));
        Map<String, Map<String, BigDecimal>> positions = new HashMap<>();
        positions.put("acc-cs", new HashMap<>(Map.of("PERP-CS", new BigDecimal("-1"))));
        positions.put("acc-ci", new HashMap<>(Map.of("PERP-CI", new BigDecimal("-1"))));
        positions.put("acc-ct", new HashMap<>(Map.of("PERP-CT", new BigDecimal("-1"))));
        List<String> accounts = List.of("acc-cs", "acc-ci", "acc-ct", "liq-c", FUND);
        upstream.collateral.setBalance("acc-cs", "arbitrum", "ETH", "1");
        upstream.collateral.setBalance("acc-cs", "ethereum", "USDC", "500");
        upstream.collateral.setBalance("acc-ci", "arbitrum", "ETH", "1");
        upstream.collateral.setBalance("acc-ct", "arbitrum", "ETH", "1");
        upstream.collateral.setBalance("liq-c", "ethereum", "USDC", "10000");
        upstream.collateral.setBalance(FUND, "ethereum", "USDC", "600");
        awaitNoRecentPayouts();
        // V: 3000 + 500 - 2500 = 1000; 3000 - 3500 = -500; 3000 - 3600 = -600
        open("auc-cs", "acc-cs", "1000", LotItem.position("PERP-CS", new BigDecimal("-1")),
                LotItem.collateral("arbitrum", "ETH", BigDecimal.ONE), LotItem.collateral("ethereum", "USDC", new BigDecimal("500")));
        open("auc-ci", "acc-ci", "-500", LotItem.position("PERP-CI", new BigDecimal("-1")),
                LotItem.collateral("arbitrum", "ETH", BigDecimal.ONE));
        open("auc-ct", "acc-ct", "-600", LotItem.position("PERP-CT", new BigDecimal("-1")),
                LotItem.collateral("arbitrum", "ETH", BigDecimal.ONE));
        GetInsuranceFundResponse fundBefore = fund();
        BigDecimal fundEthBefore = upstream.collateral.balance(FUND, "arbitrum", "ETH");
        BigDecimal before = value(accounts, positions, perUnit);
        // what earlier tests' takeovers left in the fund aside
        assertThat(before.subtract(ETH_USD.multiply(fundEthBefore))).isEqualByComparingTo("10500");

        liquidation.placeBid(bid("bid-cs", "auc-cs", "liq-c", "1", "1000000"));
        liquidation.placeBid(bid("bid-ci", "auc-ci", "liq-c", "1", "0"));
        // the fund has 95 left, the last lot costs it 630: taken over
        awaitUntil("the fund takes auc-ct over", () -> takeovers.check("auc-ct"));
        for (String transferId : List.of("bid-cs/positions", "bid-ci/positions", "auc-ct/takeover/positions")) {
            TransferPositionsRequest moved = upstream.margin.transfers.get(transferId);
            assertThat(moved).as(transferId).isNotNull();
            for (PositionTransfer p : moved.getPositionsList()) {
                BigDecimal quantity = new BigDecimal(p.getQuantity());
                positions.computeIfAbsent(moved.getFromAccountId(), a -> new HashMap<>()).merge(p.getInstrument(), quantity.negate(), BigDecimal::add);
                positions.computeIfAbsent(moved.getToAccountId(), a -> new HashMap<>()).merge(p.getInstrument(), quantity, BigDecimal::add);
            }
        }
        GetInsuranceFundResponse fundAfter = fund();
        BigDecimal badDebt = delta(fundBefore, fundAfter, GetInsuranceFundResponse::getBadDebtUsd);
        assertThat(badDebt).isEqualByComparingTo("600");
        BigDecimal after = value(accounts, positions, perUnit);
        assertThat(after.setScale(2, java.math.RoundingMode.HALF_EVEN)).isEqualTo(before.setScale(2, java.math.RoundingMode.HALF_EVEN));
        // the fund's cash: 600 + 20 penalty - 525 payout; what it took over: ETH 1 and PERP-CT -1 = -600
        assertThat(fundAfter.getBalanceUsd()).isEqualTo("95");
        BigDecimal takenOver = ETH_USD.multiply(upstream.collateral.balance(FUND, "arbitrum", "ETH").subtract(fundEthBefore))
                .add(positions.get(FUND).getOrDefault("PERP-CT", BigDecimal.ZERO).multiply(perUnit.get("PERP-CT")));
        assertThat(takenOver).isEqualByComparingTo(badDebt.negate());
    }

    // ---- helpers ----

    /** Collateral (ledger: ETH at 3000, USDC at 1) and positions (per-unit mark values) of the accounts, USD. */
    private static BigDecimal value(List<String> accounts, Map<String, Map<String, BigDecimal>> positions,
                                    Map<String, BigDecimal> perUnit) {
        BigDecimal total = BigDecimal.ZERO;
        for (String account : accounts) {
            total = total.add(ETH_USD.multiply(upstream.collateral.balance(account, "arbitrum", "ETH")))
                    .add(upstream.collateral.balance(account, "ethereum", "USDC"));
            for (Map.Entry<String, BigDecimal> p : positions.getOrDefault(account, Map.of()).entrySet()) {
                total = total.add(p.getValue().multiply(perUnit.get(p.getKey())));
            }
        }
        return total;
    }

    /** An OPEN auction of the lot with start value {@code value}, on the curve that holds its start price. */
    private void open(String auctionId, String account, String value, LotItem... lot) {
        assertThat(store.insertAuction(auctionId, account, Instant.now(), new BigDecimal(value), HOLDS, List.of(lot))).isTrue();
    }

    private static PlaceBidRequest bid(String bidId, String auctionId, String bidder, String fraction, String limit) {
        return PlaceBidRequest.newBuilder().setBidId(bidId).setAuctionId(auctionId).setBidderAccountId(bidder)
                .setFraction(fraction).setMaxLotPriceUsd(limit).build();
    }

    private static Auction get(String auctionId) {
        return liquidation.getAuction(GetAuctionRequest.newBuilder().setAuctionId(auctionId).build()).getAuction();
    }

    private static GetInsuranceFundResponse fund() {
        return liquidation.getInsuranceFund(GetInsuranceFundRequest.getDefaultInstance());
    }

    private static BigDecimal delta(GetInsuranceFundResponse before, GetInsuranceFundResponse after,
                                    java.util.function.Function<GetInsuranceFundResponse, String> figure) {
        return new BigDecimal(figure.apply(after)).subtract(new BigDecimal(figure.apply(before)));
    }

    /** Every fund event, newest first, through all pages. */
    private static List<InsuranceFundEvent> allEvents() {
        List<InsuranceFundEvent> events = new ArrayList<>();
        String token = "";
        do {
            ListInsuranceFundEventsResponse page = LiquidationServiceGrpc.newBlockingStub(TestSupport.channel()).listInsuranceFundEvents(
                    ListInsuranceFundEventsRequest.newBuilder().setPageSize(500).setPageToken(token).build());
            events.addAll(page.getEventsList());
            token = page.getNextPageToken();
        } while (!token.isEmpty());
        return events;
    }

    static List<InsuranceFundEvent> eventsOf(String bidId) {
        return allEvents().stream().filter(e -> e.getBidId().equals(bidId)).toList();
    }

    private static TransferLeg leg(String from, String to, String chain, String asset, String amount) {
        return TransferLeg.newBuilder().setFromAccountId(from).setToAccountId(to).setChainId(chain).setAsset(asset)
                .setAmount(amount).build();
    }
}
