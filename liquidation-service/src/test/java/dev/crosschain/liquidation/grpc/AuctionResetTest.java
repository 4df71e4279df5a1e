package dev.crosschain.liquidation.grpc;

import dev.crosschain.liquidation.app.Resets;
import dev.crosschain.liquidation.domain.AssetDecimals;
import dev.crosschain.liquidation.domain.Auction;
import dev.crosschain.liquidation.domain.AuctionRules;
import dev.crosschain.liquidation.domain.BidRequest;
import dev.crosschain.liquidation.domain.LotItem;
import dev.crosschain.liquidation.domain.PriceCurve;
import dev.crosschain.liquidation.store.AuctionStore;
import dev.crosschain.postgres.PostgresTestResource;
import dev.crosschain.proto.liquidation.v1.GetAuctionRequest;
import dev.crosschain.proto.liquidation.v1.LiquidationServiceGrpc;
import dev.crosschain.proto.liquidation.v1.PlaceBidRequest;
import dev.crosschain.proto.liquidation.v1.PriceCurveKind;
import dev.crosschain.proto.margin.v1.AccountStatus;
import dev.crosschain.proto.margin.v1.AccountView;
import dev.crosschain.proto.margin.v1.CollateralLine;
import dev.crosschain.proto.margin.v1.Position;
import io.agroal.api.AgroalDataSource;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static dev.crosschain.liquidation.grpc.TestSupport.PATIENCE;
import static dev.crosschain.liquidation.grpc.TestSupport.awaitUntil;
import static dev.crosschain.liquidation.grpc.TestSupport.errorInfo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Resets against the real PostgreSQL and the real gRPC service: one epoch per reset however many
 * resetters race, the version bump that refuses a bid on the old epoch, and prices that survive a
 * read back from the store (what a restarted replica sees).
 */
@QuarkusTest
@QuarkusTestResource(PostgresTestResource.class)
class AuctionResetTest {

    static final List<LotItem> LOT = List.of(LotItem.position("ETH-PERPETUAL", new BigDecimal("-2")),
            LotItem.collateral("arbitrum", "ETH", new BigDecimal("1.5")));
    /** No tail, no cusp: the service's own reset ticker never touches these auctions. */
    static final PriceCurve NEVER_RESETS = PriceCurve.stairStep(new BigDecimal("0.95"), new BigDecimal("0.5"),
            Duration.ofSeconds(30), new BigDecimal("0.97"), Duration.ZERO, BigDecimal.ZERO);

    /** Needs a reset a minute into an epoch (tests move the epoch start back past it). */
    static final PriceCurve RESETS_AFTER_A_MINUTE = PriceCurve.stairStep(new BigDecimal("0.95"), new BigDecimal("0.5"),
            Duration.ofSeconds(30), new BigDecimal("0.97"), Duration.ofSeconds(60), BigDecimal.ZERO);

    static LiquidationServiceGrpc.LiquidationServiceBlockingStub liquidation;
    static FakeUpstream upstream;

    @Inject
    AuctionStore store;

    @Inject
    Resets resets;

    @Inject
    AgroalDataSource dataSource;

    @BeforeAll
    static void connect() {
        upstream = FakeUpstream.get();
        liquidation = LiquidationServiceGrpc.newBlockingStub(TestSupport.channel());
    }

    @Test
    void twoResettersRacingOnOneEpochStartItOnceAndABidOnTheOldVersionIsRefused() throws Exception {
        // opened now (other tests list auctions newest first by their open time), reset at an instant 95 s on
        Instant opened = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 10; round++) {
                String auctionId = "auc-race-" + round;
                assertThat(store.insertAuction(auctionId, "acc-race-" + round, opened, new BigDecimal("1500"), NEVER_RESETS, LOT))
                        .isTrue();
                Auction before = store.find(auctionId).orElseThrow();
                CyclicBarrier start = new CyclicBarrier(2);
                Instant at = opened.plusSeconds(95);
                List<Future<Optional<AuctionStore.Reset>>> racers = new ArrayList<>();
                for (String value : List.of("1600", "1700")) {
                    Callable<Optional<AuctionStore.Reset>> racer = () -> {
                        start.await(PATIENCE.toSeconds(), TimeUnit.SECONDS);
                        return store.reset(auctionId, before.version(), at, new BigDecimal(value), PriceCurve.ResetReason.TAIL);
                    };
                    racers.add(pool.submit(racer));
                }
                List<AuctionStore.Reset> won = new ArrayList<>();
                for (Future<Optional<AuctionStore.Reset>> racer : racers) {
                    racer.get(PATIENCE.toSeconds(), TimeUnit.SECONDS).ifPresent(won::add);
                }

                assertThat(won).as("round %d", round).hasSize(1);
                AuctionStore.Reset reset = won.get(0);
                assertThat(reset.epoch()).isEqualTo(1);
                assertThat(store.resets(auctionId)).hasSize(1).first().satisfies(r -> {
                    assertThat(r.epoch()).isEqualTo(1);
                    assertThat(r.at()).isEqualTo(at);
                    assertThat(r.reason()).isEqualTo(PriceCurve.ResetReason.TAIL);
                    assertThat(r.startValueUsd()).isEqualByComparingTo(reset.startValueUsd());
                });
                Auction after = store.find(auctionId).orElseThrow();
                assertThat(after.version()).isEqualTo(before.version() + 1);
                assertThat(after.epoch()).isEqualTo(1);
                assertThat(after.epochStartedAt()).isEqualTo(at);
                assertThat(after.epochStartValueUsd()).isEqualByComparingTo(reset.startValueUsd());
                // the open, the lot, the remaining fraction and the curve are untouched
                assertThat(after.startedAt()).isEqualTo(opened);
                assertThat(after.startValueUsd()).isEqualByComparingTo("1500");
                assertThat(after.remainingFraction()).isEqualByComparingTo("1");
                assertThat(after.lot()).isEqualTo(before.lot());
                assertThat(after.curve()).isEqualTo(NEVER_RESETS);
                // a late resetter that read the old version starts nothing
                assertThat(store.reset(auctionId, before.version(), at.plusSeconds(1), BigDecimal.ONE,
                        PriceCurve.ResetReason.CUSP)).isEmpty();
            }
        } finally {
            pool.shutdownNow();
        }

        // A bidder who saw version 1 (epoch 0's price) is refused, and nothing changes.
        dev.crosschain.proto.liquidation.v1.Auction seen = get("auc-race-0");
        assertThat(seen.getVersion()).isEqualTo(2);
        assertThat(seen.getEpoch()).isEqualTo(1);
        StatusRuntimeException refused = catchStatus(() -> liquidation.placeBid(PlaceBidRequest.newBuilder().setBidId("bid-old-epoch")
                .setAuctionId("auc-race-0").setBidderAccountId("bob").setFraction("0.5").setMaxLotPriceUsd("1000000000")
                .setAuctionVersion(1).build()));
        assertThat(refused.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
        assertThat(errorInfo(refused).getReason()).isEqualTo("STALE_VERSION");
        dev.crosschain.proto.liquidation.v1.Auction now = get("auc-race-0");
        assertThat(now).isEqualTo(seen.toBuilder().setCurrentPriceUsd(now.getCurrentPriceUsd()).build());
        assertThat(now.getBidsList()).isEmpty();
    }

    @Test
    void aSettlementInFlightOrStuckDoesNotHoldTheReset() {
        Instant opened = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        assertThat(store.insertAuction("auc-inflight", "acc-inflight", opened, new BigDecimal("1500"), NEVER_RESETS, LOT)).isTrue();
        AuctionStore.Accepted accepted = store.accept(new BidRequest("bid-inflight", "auc-inflight", "bob", new BigDecimal("0.25"),
                        new BigDecimal("1000000"), 0), opened.plusSeconds(1), Duration.ofMinutes(5), AuctionRules.DEFAULT,
                new AssetDecimals(Map.of("arbitrum/ETH", 18)), TestSupport.NO_PENALTY);
        long version = store.find("auc-inflight").orElseThrow().version();
        assertThat(version).isEqualTo(2);

        // ACCEPTED (its transfers in flight, or stuck): the start value is per unit of the lot as opened, which the
        // settlement does not move, so the reset goes ahead and the bid stays as it is
        Optional<AuctionStore.Reset> reset = store.reset("auc-inflight", version, opened.plusSeconds(10), BigDecimal.TEN,
                PriceCurve.ResetReason.TAIL);
        assertThat(reset).isPresent();
        Auction after = store.find("auc-inflight").orElseThrow();
        assertThat(after.epoch()).isEqualTo(1);
        assertThat(after.version()).isEqualTo(version + 1);
        assertThat(after.remainingFraction()).isEqualByComparingTo("0.75");
        assertThat(after.bids()).singleElement().satisfies(b -> {
            assertThat(b.bidId()).isEqualTo(accepted.bid().bidId());
            assertThat(b.status()).isEqualTo(dev.crosschain.liquidation.domain.BidStatus.ACCEPTED);
        });
        // settling it later moves nothing of the epoch
        store.markSettled(accepted.bid().bidId(), opened.plusSeconds(11));
        assertThat(store.find("auc-inflight").orElseThrow().version()).isEqualTo(version + 1);
        assertThat(store.resets("auc-inflight")).hasSize(1);
    }

    @Test
    void theResetterStartsOneEpochPastTheTailFromTheLotsCurrentMarkValue() throws Exception {
        // the lot (-2 ETH-PERPETUAL, 1.5 ETH) at today's marks: -2000 unrealized PnL + 4500 = 2500 USD (the account's
        // 1000 USDC is not part of this lot)
        upstream.margin.views.put("acc-tail", LiquidationGrpcServiceTest.view("acc-tail", "-2000"));
        Instant opened = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        assertThat(store.insertAuction("auc-tail", "acc-tail", opened, new BigDecimal("1500"), RESETS_AFTER_A_MINUTE, LOT)).isTrue();
        // 90 s of epoch 0 have passed (the open time stays: other tests list auctions newest first by it)
        Instant epochStart = opened.minusSeconds(90);
        backdateEpoch(dataSource, "auc-tail", epochStart);

        // two passes race here, and the service's own ticker may join them: one epoch starts
        ExecutorService pool = Executors.newFixedThreadPool(2);
        List<AuctionStore.Reset> byPasses = new ArrayList<>();
        try {
            CyclicBarrier start = new CyclicBarrier(2);
            List<Future<List<AuctionStore.Reset>>> passes = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                passes.add(pool.submit(() -> {
                    start.await(PATIENCE.toSeconds(), TimeUnit.SECONDS);
                    return resets.run();
                }));
            }
            for (Future<List<AuctionStore.Reset>> pass : passes) {
                pass.get(PATIENCE.toSeconds(), TimeUnit.SECONDS).stream()
                        .filter(r -> r.auctionId().equals("auc-tail")).forEach(byPasses::add);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(byPasses).hasSizeLessThanOrEqualTo(1);
        awaitUntil("the reset of auc-tail", () -> !store.resets("auc-tail").isEmpty());

        List<AuctionStore.Reset> recorded = store.resets("auc-tail");
        assertThat(recorded).hasSize(1);
        AuctionStore.Reset reset = recorded.get(0);
        assertThat(reset.epoch()).isEqualTo(1);
        assertThat(reset.reason()).isEqualTo(PriceCurve.ResetReason.TAIL);
        assertThat(reset.startValueUsd()).isEqualByComparingTo("2500");
        assertThat(reset.at()).isAfterOrEqualTo(epochStart.plusSeconds(60));
        // the new epoch needs no reset before its own tail: another pass does nothing
        assertThat(resets.run()).noneMatch(r -> r.auctionId().equals("auc-tail"));
        assertThat(store.resets("auc-tail")).hasSize(1);

        Auction after = store.find("auc-tail").orElseThrow();
        assertThat(after.version()).isEqualTo(2);
        assertThat(after.epoch()).isEqualTo(1);
        assertThat(after.epochStartedAt()).isEqualTo(reset.at());
        assertThat(after.startedAt()).isEqualTo(opened);
        // 45 s into epoch 1 (one step): 2500 x 0.95 x 0.97 = 2303.75
        assertThat(after.lotPriceAt(reset.at().plusSeconds(45)).toPlainString()).isEqualTo("2303.75000000");

        dev.crosschain.proto.liquidation.v1.Auction wire = get("auc-tail");
        assertThat(wire.getEpoch()).isEqualTo(1);
        assertThat(wire.getVersion()).isEqualTo(2);
        assertThat(wire.getStartedAtUnixMs()).isEqualTo(opened.toEpochMilli());
        assertThat(wire.getStartValueUsd()).isEqualTo("1500.00000000");
        assertThat(wire.getEpochStartedAtUnixMs()).isEqualTo(reset.at().toEpochMilli());
        assertThat(wire.getEpochStartValueUsd()).isEqualTo("2500.00000000");
        assertThat(wire.getCurve().getTailSeconds()).isEqualTo(60);
    }

    @Test
    void afterHalfTheLotSoldAResetPricesTheRemainingHalfAtBufTimesItsOwnCurrentValue() throws Exception {
        Instant opened = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        assertThat(store.insertAuction("auc-half", "acc-half", opened, new BigDecimal("1500"), RESETS_AFTER_A_MINUTE, LOT)).isTrue();
        // bob bought half the lot in epoch 0 and it settled
        AuctionStore.Accepted sold = store.accept(new BidRequest("bid-half-1", "auc-half", "bob", new BigDecimal("0.5"),
                        new BigDecimal("1000000"), 0), opened.plusSeconds(1), Duration.ofMinutes(5), AuctionRules.DEFAULT,
                new AssetDecimals(Map.of("arbitrum/ETH", 18)), TestSupport.NO_PENALTY);
        store.markSettled(sold.bid().bidId(), opened.plusSeconds(2));
        // The account now: -1 ETH-PERPETUAL at PnL -1500 (mark 2500), 0.75 ETH at 3200 (2400), and the USDC bob paid
        // with what it had: the remaining half is worth -1500 + 2400 = 900, the whole lot at these marks 1800; the
        // account's mark value, 712.5 + 2400 - 1500 = 1612.5, counts the cash and only half the lot.
        upstream.margin.views.put("acc-half", AccountView.newBuilder().setAccountId("acc-half")
                .setStatus(AccountStatus.ACCOUNT_STATUS_LIQUIDATION).setFrozen(true)
                .addCollateral(CollateralLine.newBuilder().setChainId("arbitrum").setAsset("ETH").setAmount("0.75")
                        .setPriceUsd("3200").setMarketValueUsd("2400"))
                .addCollateral(CollateralLine.newBuilder().setChainId("ethereum").setAsset("USDC").setAmount("712.5")
                        .setPriceUsd("1").setMarketValueUsd("712.5"))
                .addPositions(Position.newBuilder().setInstrument("ETH-PERPETUAL").setQuantity("-1").setAverageEntryPrice("1000")
                        .setMarkPrice("2500").setUnrealizedPnlUsd("-1500").setOptionValueUsd("0"))
                .setUnrealizedPnlUsd("-1500").setOptionValueUsd("0").build());
        backdateEpoch(dataSource, "auc-half", opened.minusSeconds(90));

        resets.run();
        awaitUntil("the reset of auc-half", () -> !store.resets("auc-half").isEmpty());
        AuctionStore.Reset reset = store.resets("auc-half").get(0);
        assertThat(reset.startValueUsd()).isEqualByComparingTo("1800");
        Auction after = store.find("auc-half").orElseThrow();
        assertThat(after.remainingFraction()).isEqualByComparingTo("0.5");
        // the remaining half at the reset: 0.5 x 0.95 x 1800 = 855 = 0.95 x 900, buf x its own value now
        assertThat(after.lotPriceAt(reset.at()).multiply(after.remainingFraction())).isEqualByComparingTo("855");

        // carol takes it at the curve's price when her bid lands (855 within the first step)
        dev.crosschain.proto.liquidation.v1.Bid bid = liquidation.placeBid(PlaceBidRequest.newBuilder().setBidId("bid-half-2")
                .setAuctionId("auc-half").setBidderAccountId("carol").setFraction("0.5").setMaxLotPriceUsd("1000000")
                .setAuctionVersion(after.version()).build()).getBid();
        BigDecimal lotPrice = after.lotPriceAt(Instant.ofEpochMilli(bid.getPlacedAtUnixMs()));
        assertThat(new BigDecimal(bid.getLotPriceUsd())).isEqualByComparingTo(lotPrice);
        assertThat(new BigDecimal(bid.getPaidUsd())).isEqualByComparingTo(lotPrice.multiply(new BigDecimal("0.5")));
    }

    @Test
    void noResetFromAConservativeViewTheNextPassResetsOnceItIsFresh() throws Exception {
        Instant opened = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        assertThat(store.insertAuction("auc-stale", "acc-stale", opened, new BigDecimal("1500"), RESETS_AFTER_A_MINUTE, LOT)).isTrue();
        // margin's inputs are stale: its figures are conservative, not marks to start an epoch from
        upstream.margin.views.put("acc-stale", LiquidationGrpcServiceTest.view("acc-stale", "-2000").toBuilder()
                .setConservative(true).build());
        backdateEpoch(dataSource, "auc-stale", opened.minusSeconds(90));

        assertThat(resets.run()).noneMatch(r -> r.auctionId().equals("auc-stale"));
        assertThat(store.resets("auc-stale")).isEmpty();
        assertThat(store.find("auc-stale").orElseThrow().epoch()).isZero();

        // fresh again: a pass (this one or the service's own) resets from the lot's value, 4500 - 2000 = 2500
        upstream.margin.views.put("acc-stale", LiquidationGrpcServiceTest.view("acc-stale", "-2000"));
        resets.run();
        awaitUntil("the reset of auc-stale", () -> !store.resets("auc-stale").isEmpty());
        assertThat(store.resets("auc-stale")).singleElement()
                .satisfies(r -> assertThat(r.startValueUsd()).isEqualByComparingTo("2500"));
    }

    @Test
    void anAuctionPastItsTailSaysItNeedsAResetAndRefusesBidsUntilThen() throws Exception {
        Instant opened = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        // margin-service has no view of the account: no pass can reset it
        assertThat(store.insertAuction("auc-waits", "acc-waits-unknown", opened, new BigDecimal("1500"), RESETS_AFTER_A_MINUTE, LOT)).isTrue();
        assertThat(get("auc-waits").getNeedsReset()).isFalse();
        backdateEpoch(dataSource, "auc-waits", opened.minusSeconds(90));

        dev.crosschain.proto.liquidation.v1.Auction waiting = get("auc-waits");
        assertThat(waiting.getNeedsReset()).isTrue();
        StatusRuntimeException refused = catchStatus(() -> liquidation.placeBid(PlaceBidRequest.newBuilder().setBidId("bid-waits")
                .setAuctionId("auc-waits").setBidderAccountId("bob").setFraction("0.5").setMaxLotPriceUsd("1000000000")
                .setAuctionVersion(waiting.getVersion()).build()));
        assertThat(refused.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
        assertThat(errorInfo(refused).getReason()).isEqualTo("NEEDS_RESET");
    }

    @Test
    void thePriceReadBackFromTheStoreIsThePriceComputedBefore() {
        PriceCurve curve = PriceCurve.exponential(new BigDecimal("0.95"), new BigDecimal("0.5"), Duration.ofSeconds(30),
                new BigDecimal("0.97"), Duration.ZERO, BigDecimal.ZERO);
        Instant opened = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        BigDecimal value = new BigDecimal("1234.56789");
        List<Instant> instants = List.of(opened, opened.plusMillis(1), opened.plusMillis(12_345), opened.plusSeconds(45),
                opened.plusSeconds(60), opened.plusSeconds(3600));
        List<BigDecimal> before = instants.stream().map(t -> curve.lotPrice(value, opened, t)).toList();
        // hand-computed: 60 s = 2 steps: 1234.56789 x 0.95 x 0.97^2 = 1103.52468131595 -> 1103.52468132
        assertThat(before.get(4).toPlainString()).isEqualTo("1103.52468132");
        // 45 s = 1.5 steps: 1234.56789 x 0.95 x 0.97 x sqrt(0.97) = 1120.459553304448... -> 1120.45955330
        assertThat(before.get(3).toPlainString()).isEqualTo("1120.45955330");
        // an hour: the floor, 1234.56789 x 0.5 = 617.283945
        assertThat(before.get(5).toPlainString()).isEqualTo("617.28394500");

        assertThat(store.insertAuction("auc-restart", "acc-restart", opened, value, curve, LOT)).isTrue();
        Auction read = store.find("auc-restart").orElseThrow();
        assertThat(read.curve()).isEqualTo(curve);
        assertThat(instants.stream().map(read::lotPriceAt).toList()).isEqualTo(before);

        // after a reset the price runs from the new epoch, also as read back
        Instant resetAt = opened.plusSeconds(70);
        BigDecimal newValue = new BigDecimal("999.99");
        assertThat(store.reset("auc-restart", read.version(), resetAt, newValue, PriceCurve.ResetReason.CUSP)).isPresent();
        Auction reread = store.find("auc-restart").orElseThrow();
        for (Instant t : List.of(resetAt, resetAt.plusSeconds(45), resetAt.plusSeconds(600))) {
            assertThat(reread.lotPriceAt(t)).isEqualTo(curve.lotPrice(newValue, resetAt, t));
        }
        // 30 s into the epoch: 999.99 x 0.95 x 0.97 = 921.4907850 -> 921.49078500
        assertThat(reread.lotPriceAt(resetAt.plusSeconds(30)).toPlainString()).isEqualTo("921.49078500");

        dev.crosschain.proto.liquidation.v1.PriceCurve wire = get("auc-restart").getCurve();
        assertThat(wire).isEqualTo(dev.crosschain.proto.liquidation.v1.PriceCurve.newBuilder()
                .setKind(PriceCurveKind.PRICE_CURVE_KIND_EXPONENTIAL).setBuf("0.95").setFloor("0.5")
                .setStepSeconds(30).setCut("0.97").setTailSeconds(0).setCusp("0").build());
    }

    @Test
    void anAuctionInsertedByAReplicaOlderThanV2IsPricedFromItsOpenUntilAReset() throws Exception {
        // the INSERT of the release before V2, during a rolling upgrade: no curve kind, no epoch columns
        Instant opened = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement("""
                     INSERT INTO auction (auction_id, account_id, status, version, started_at_ms, start_value_usd,
                         remaining_fraction, curve_buf, curve_floor, curve_duration_seconds)
                     VALUES ('auc-v1', 'acc-v1', 'OPEN', 1, ?, 10000, 1, 0.95, 0.5, 600)""")) {
            s.setLong(1, opened.toEpochMilli());
            assertThat(s.executeUpdate()).isEqualTo(1);
        }
        Auction read = store.find("auc-v1").orElseThrow();
        assertThat(read.curve()).isEqualTo(new PriceCurve(new BigDecimal("0.95"), new BigDecimal("0.5"), Duration.ofSeconds(600)));
        assertThat(read.epoch()).isZero();
        assertThat(read.epochStartedAt()).isEqualTo(opened);
        assertThat(read.epochStartValueUsd()).isEqualByComparingTo("10000");
        // d = 0.05 + 0.45 x 0.5 = 0.275 -> 7250
        assertThat(read.lotPriceAt(opened.plusSeconds(300))).isEqualByComparingTo("7250");
        assertThat(get("auc-v1").getEpochStartedAtUnixMs()).isEqualTo(opened.toEpochMilli());

        Instant resetAt = opened.plusSeconds(100);
        assertThat(store.reset("auc-v1", read.version(), resetAt, new BigDecimal("8000"), PriceCurve.ResetReason.TAIL)).isPresent();
        Auction reset = store.find("auc-v1").orElseThrow();
        assertThat(reset.epochStartedAt()).isEqualTo(resetAt);
        // d = 0.275 -> 5800
        assertThat(reset.lotPriceAt(resetAt.plusSeconds(300))).isEqualByComparingTo("5800");
    }

    @Test
    void aLinearAuctionStoresItsDurationAndNoDecayParameters() {
        PriceCurve curve = PriceCurve.linear(new BigDecimal("0.95"), new BigDecimal("0.5"), Duration.ofSeconds(600),
                Duration.ZERO, BigDecimal.ZERO);
        Instant opened = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        assertThat(store.insertAuction("auc-linear", "acc-linear", opened, new BigDecimal("10000"), curve, LOT)).isTrue();
        Auction read = store.find("auc-linear").orElseThrow();
        assertThat(read.curve()).isEqualTo(curve);
        // d = 0.05 + 0.45 x 0.5 = 0.275 -> 7250
        assertThat(read.lotPriceAt(opened.plusSeconds(300))).isEqualByComparingTo("7250");
        assertThat(get("auc-linear").getCurve().getKind()).isEqualTo(PriceCurveKind.PRICE_CURVE_KIND_LINEAR);
        assertThat(get("auc-linear").getCurve().getDurationSeconds()).isEqualTo(600);
        assertThat(get("auc-linear").getCurve().getStepSeconds()).isZero();
        assertThat(get("auc-linear").getCurve().getCut()).isEmpty();
    }

    @Test
    void theDatabaseRefusesCurveParametersTheDomainRefuses() throws Exception {
        Instant opened = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        PriceCurve curve = PriceCurve.stairStep(new BigDecimal("0.95"), new BigDecimal("0.5"), Duration.ofSeconds(30),
                new BigDecimal("0.97"), Duration.ofSeconds(600), new BigDecimal("0.6"));
        assertThat(store.insertAuction("auc-checks", "acc-checks", opened, new BigDecimal("1500"), curve, LOT)).isTrue();
        for (String set : List.of("curve_cut = 1", "curve_cut = 0", "curve_step_seconds = 0", "curve_step_seconds = 604801",
                "curve_tail_seconds = -1", "curve_tail_seconds = 604801", "curve_tail_seconds = 30", "curve_cusp = 0.5",
                "curve_cusp = 0.95", "curve_cusp = -0.1")) {
            try (Connection c = dataSource.getConnection();
                 PreparedStatement s = c.prepareStatement("UPDATE auction SET " + set + " WHERE auction_id = 'auc-checks'")) {
                s.executeUpdate();
                fail("the database took " + set);
            } catch (java.sql.SQLException e) {
                assertThat(e.getSQLState()).as(set).isEqualTo("23514"); // check_violation
            }
        }
        // what the domain takes, the database takes: 7 days, a cusp just above the floor, no tail, no cusp
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement("""
                     UPDATE auction SET curve_step_seconds = 604800, curve_tail_seconds = 0, curve_cusp = 0.500001
                     WHERE auction_id = 'auc-checks'""")) {
            assertThat(s.executeUpdate()).isEqualTo(1);
        }
        assertThat(store.find("auc-checks").orElseThrow().curve().step()).isEqualTo(Duration.ofDays(7));
    }

    // ---- helpers ----

    /** Moves the start of the auction's current epoch (the open time stays: other tests list auctions newest first by it). */
    static void backdateEpoch(AgroalDataSource dataSource, String auctionId, Instant epochStart) throws Exception {
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement("UPDATE auction SET epoch_started_at_ms = ? WHERE auction_id = ?")) {
            s.setLong(1, epochStart.toEpochMilli());
            s.setString(2, auctionId);
            assertThat(s.executeUpdate()).isEqualTo(1);
        }
    }

    private static dev.crosschain.proto.liquidation.v1.Auction get(String auctionId) {
        return liquidation.getAuction(GetAuctionRequest.newBuilder().setAuctionId(auctionId).build()).getAuction();
    }

    private static StatusRuntimeException catchStatus(Runnable call) {
        try {
            call.run();
        } catch (StatusRuntimeException e) {
            return e;
        }
        return fail("expected the call to fail");
    }
}
