package dev.crosschain.liquidation.grpc;

import dev.crosschain.liquidation.app.AuctionEvents;
import dev.crosschain.liquidation.app.Breaches;
import dev.crosschain.liquidation.app.IndexBreakers;
import dev.crosschain.liquidation.app.LiquidationConfig;
import dev.crosschain.liquidation.app.LotUnderlyings;
import dev.crosschain.liquidation.app.NewAuctionGate;
import dev.crosschain.liquidation.app.OperatorHalts;
import dev.crosschain.liquidation.app.Settlement;
import dev.crosschain.liquidation.client.CollateralClient;
import dev.crosschain.liquidation.client.MarginClient;
import dev.crosschain.liquidation.client.PricingClient;
import dev.crosschain.liquidation.domain.BreakerTrip;
import dev.crosschain.liquidation.domain.LotItem;
import dev.crosschain.liquidation.store.AuctionStore;
import dev.crosschain.postgres.PostgresTestResource;
import dev.crosschain.proto.liquidation.v1.Auction;
import dev.crosschain.proto.liquidation.v1.AuctionStatus;
import dev.crosschain.proto.liquidation.v1.GetAuctionRequest;
import dev.crosschain.proto.liquidation.v1.GetHaltsRequest;
import dev.crosschain.proto.liquidation.v1.LiquidationServiceGrpc;
import dev.crosschain.proto.liquidation.v1.ListAuctionsRequest;
import dev.crosschain.proto.liquidation.v1.PlaceBidRequest;
import dev.crosschain.proto.margin.v1.AccountStatus;
import dev.crosschain.proto.margin.v1.CollateralLine;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusMock;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;

import static dev.crosschain.liquidation.grpc.HaltGrpcTest.viewOn;
import static dev.crosschain.liquidation.grpc.TestSupport.awaitUntil;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Index circuit breakers against the fake pricing-service's WatchIndexPrices: STALE (flagged, silent for max-age,
 * never sent, pricing-service down) and MOVED hold new auctions and release them; running auctions go on. The test
 * accounts' lots touch ETH and USDC (collateral) and one test underlying each, so ETH and USDC are kept fresh.
 */
@QuarkusTest
@QuarkusTestResource(PostgresTestResource.class)
class BreakerGrpcTest {

    /**
     * The breakers are off in the test profile (they would hold every other test's auctions), and a @TestProfile
     * restart fails in this build (narayana's properties cannot be reloaded): each test builds its own enabled
     * breakers over the service's real pricing client, and a gate and a Breaches over them and the real store and
     * margin client (QuarkusMock puts them under the service's own beans for the test that needs those). A short
     * max-age and window let a test see them trip and clear.
     */
    record Enabled(boolean enabled, Duration maxAge, double maxMove, Duration window, Duration reconnect)
            implements LiquidationConfig.Breaker {
    }

    static final Enabled ENABLED = new Enabled(true, Duration.ofSeconds(4), 0.10, Duration.ofSeconds(3), Duration.ofMillis(200));

    static LiquidationServiceGrpc.LiquidationServiceBlockingStub liquidation;
    static FakeUpstream upstream;

    @Inject
    AuctionStore store;

    @Inject
    LiquidationConfig config;

    @Inject
    PricingClient pricing;

    @Inject
    MarginClient margin;

    @Inject
    OperatorHalts halts;

    @Inject
    LotUnderlyings underlyings;

    @Inject
    CollateralClient collateral;

    @Inject
    Settlement settlement;

    @Inject
    AuctionEvents events;

    @Inject
    Clock clock;

    IndexBreakers breakers;
    NewAuctionGate gate;
    Breaches breaches;

    @BeforeAll
    static void connect() {
        upstream = FakeUpstream.get();
        liquidation = LiquidationServiceGrpc.newBlockingStub(TestSupport.channel());
    }

    @BeforeEach
    void breakersOn() {
        upstream.pricing.down = false;
        LiquidationConfig enabled = TestSupport.configWith(config, "breaker", ENABLED);
        breakers = new IndexBreakers(pricing, clock, enabled);
        gate = new NewAuctionGate(halts, margin, breakers, underlyings);
        breaches = new Breaches(store, margin, settlement, events, clock, enabled, gate, collateral);
        breakers.start();
        awaitUntil("the breakers receive the index", () -> !breakers.trippedForEvery());
    }

    @AfterEach
    void breakersOff() {
        breakers.stop();
        upstream.pricing.down = false;
    }

    @Test
    void anIndexPricingFlagsStaleHoldsNewAuctionsUntilItIsFresh() {
        fresh("BRK");
        upstream.pricing.push("BRK", "50", true);
        awaitTrip("BRK", BreakerTrip.Kind.STALE);

        upstream.margin.views.put("acc-brk-stale", viewOn("acc-brk-stale", "BRK-PERPETUAL"));
        breaches.onLiquidation("acc-brk-stale");
        assertThat(auctionsOf("acc-brk-stale")).as("no auction, not even OPENING").isEmpty();

        fresh("BRK");
        awaitFresh("BRK's breaker clears", () -> trip("BRK").isEmpty(), "BRK");
        breaches.retryUnclaimed();
        awaitFresh("acc-brk-stale's auction opens", () -> isOpen("acc-brk-stale"), "BRK");
    }

    @Test
    void anIndexNotReceivedForMaxAgeIsStale() {
        fresh("BRS");
        // ETH and USDC stay fresh, BRS is silent
        awaitFresh("BRS silent for max-age", () -> trip("BRS").map(t -> t.kind() == BreakerTrip.Kind.STALE).orElse(false));
        assertThat(trip("BRS").orElseThrow().detail()).contains("no index update");

        upstream.margin.views.put("acc-brs", viewOn("acc-brs", "BRS-PERPETUAL"));
        breaches.onLiquidation("acc-brs");
        assertThat(auctionsOf("acc-brs")).isEmpty();

        // the push reaches the breakers asynchronously: a retry before they see it is held again and never retried
        fresh("BRS");
        awaitFresh("BRS's breaker clears", () -> trip("BRS").isEmpty(), "BRS");
        breaches.retryUnclaimed();
        awaitFresh("acc-brs's auction opens", () -> isOpen("acc-brs"), "BRS");
    }

    @Test
    void anUnderlyingPricingNeverSentHoldsTheOpenUntilItArrives() {
        fresh();
        // not listed (trips are what pricing-service sent), so a claim is not held before it: the gate holds the open
        // (Breaches#drive, as HaltGrpcTest#anAccountClaimedBeforeTheHaltStaysOpeningUntilItIsLifted shows for a halt)
        assertThat(trip("BRN")).isEmpty();
        assertThat(gate.hold(lotOn("BRN"))).hasValueSatisfying(why -> assertThat(why)
                .contains("breaker BRN STALE").contains("no index received"));

        fresh("BRN");
        awaitFresh("BRN's index arrives", () -> gate.hold(lotOn("BRN")).isEmpty(), "BRN");
    }

    @Test
    void aMoveAboveMaxMoveWithinTheWindowHoldsNewAuctionsButNotRunningOnesUntilTheWindowPasses() {
        fresh("BRM", "BRQ");
        upstream.pricing.push("BRQ", "105", false);
        upstream.pricing.push("BRM", "115", false);
        awaitTrip("BRM", BreakerTrip.Kind.MOVED);
        assertThat(trip("BRM").orElseThrow().detail()).contains("15.00%");
        assertThat(trip("BRQ")).as("5% is within max-move").isEmpty();

        upstream.margin.views.put("acc-brm", viewOn("acc-brm", "BRM-PERPETUAL"));
        breaches.onLiquidation("acc-brm");
        assertThat(auctionsOf("acc-brm")).isEmpty();
        // a running auction on BRM takes bids
        assertThat(store.insertAuction("auc-brm-running", "acc-brm-running", Instant.now(), new BigDecimal("1500"),
                AuctionResetTest.NEVER_RESETS, List.of(LotItem.position("BRM-PERPETUAL", new BigDecimal("-2"))))).isTrue();
        upstream.margin.views.put("acc-brm-running", viewOn("acc-brm-running", "BRM-PERPETUAL"));
        Auction running = get("auc-brm-running");
        liquidation.placeBid(PlaceBidRequest.newBuilder().setBidId("bid-brm-running").setAuctionId(running.getAuctionId())
                .setBidderAccountId(LiquidationGrpcServiceTest.BIDDER).setFraction("0.25")
                .setMaxLotPriceUsd(LiquidationGrpcServiceTest.NO_LIMIT).setAuctionVersion(running.getVersion()).build());
        assertThat(get("auc-brm-running").getRemainingFraction()).isEqualTo("0.75");

        // BRM stays at 115: once the window no longer holds the move, it clears
        awaitFresh("BRM's move leaves the window", () -> {
            upstream.pricing.push("BRM", "115", false);
            return trip("BRM").isEmpty();
        });
        breaches.retryUnclaimed();
        awaitFresh("acc-brm's auction opens", () -> {
            upstream.pricing.push("BRM", "115", false);
            return isOpen("acc-brm");
        });
    }

    @Test
    void aWrappedTokenCountsUnderItsCanonicalAssetSoItsAuctionOpensOnceThatIndexIsFresh() {
        // WBRC is priced as BRC: pricing-service publishes BRC and never WBRC
        upstream.collateral.added.put("brcchain", Map.of("WBRC", 8));
        upstream.collateral.canonical.put("brcchain/WBRC", "BRC");
        collateral.forgetDecimals();
        try {
            fresh("BRC");
            upstream.pricing.push("BRC", "100", true);
            awaitTrip("BRC", BreakerTrip.Kind.STALE);
            upstream.margin.views.put("acc-brc", viewOn("acc-brc", "ETH-PERPETUAL").toBuilder()
                    .addCollateral(CollateralLine.newBuilder().setChainId("brcchain").setAsset("WBRC").setAmount("0.5")
                            .setPriceUsd("100").setMarketValueUsd("50")).build());

            breaches.onLiquidation("acc-brc");
            assertThat(auctionsOf("acc-brc")).as("held by BRC's breaker before the claim").isEmpty();

            // counted under WBRC it would be claimed and then held OPENING for an index that never comes
            awaitFresh("BRC's breaker clears", () -> trip("BRC").isEmpty(), "BRC");
            breaches.retryUnclaimed();
            awaitFresh("acc-brc's auction opens", () -> isOpen("acc-brc"), "BRC");
            assertThat(get(auctionsOf("acc-brc").get(0).getAuctionId()).getLotList())
                    .anySatisfy(item -> assertThat(item.getAsset()).isEqualTo("WBRC"));
        } finally {
            upstream.collateral.added.remove("brcchain");
            upstream.collateral.canonical.remove("brcchain/WBRC");
            collateral.forgetDecimals();
        }
    }

    @Test
    void throughTheServiceBeansAStaleIndexHoldsTheBreachMarginReportsAndGetHaltsShowsTheTrip() {
        // the service's own beans (RiskWatcher, Breaches, NewAuctionGate, the gRPC service) over this test's enabled
        // breakers, for this test only (QuarkusMock resets after it)
        QuarkusMock.installMockForType(breakers, IndexBreakers.class);
        fresh("BRV");
        upstream.pricing.push("BRV", "100", true);
        awaitTrip("BRV", BreakerTrip.Kind.STALE);
        assertThat(liquidation.getHalts(GetHaltsRequest.getDefaultInstance()).getBreakersList())
                .anySatisfy(b -> assertThat(b.getUnderlying() + ":" + b.getKind()).isEqualTo("BRV:BREAKER_KIND_STALE"));

        upstream.margin.views.put("acc-brv", viewOn("acc-brv", "BRV-PERPETUAL"));
        upstream.margin.push("acc-brv", AccountStatus.ACCOUNT_STATUS_LIQUIDATION);
        awaitFresh("the gate reads acc-brv's view", () -> upstream.margin.sequenceOf("acc-brv").contains("view acc-brv"));
        assertThat(auctionsOf("acc-brv")).as("held before the claim").isEmpty();

        // recovery's scheduled pass retries the waiting breach once the index is fresh
        awaitFresh("acc-brv's auction opens", () -> isOpen("acc-brv"), "BRV");
    }

    @Test
    void whilePricingIsUnreachableEveryUnderlyingIsStale() {
        fresh("BRD");
        upstream.pricing.goDown();
        awaitTrip("*", BreakerTrip.Kind.STALE);

        upstream.margin.views.put("acc-brd", viewOn("acc-brd", "BRD-PERPETUAL"));
        breaches.onLiquidation("acc-brd");
        assertThat(auctionsOf("acc-brd")).isEmpty();
        assertThat(upstream.margin.sequenceOf("acc-brd")).as("held without even a view").isEmpty();

        upstream.pricing.down = false;
        awaitFresh("the index stream is back", () -> trip("*").isEmpty(), "BRD");
        breaches.retryUnclaimed();
        awaitFresh("acc-brd's auction opens", () -> isOpen("acc-brd"), "BRD");
    }

    // ---- helpers ----

    /** Pushes a fresh index for ETH and USDC (every test lot's collateral) and the given underlyings, at 100 but ETH. */
    private static void fresh(String... underlyings) {
        upstream.pricing.push("ETH", "3000", false);
        upstream.pricing.push("USDC", "1", false);
        for (String underlying : underlyings) {
            upstream.pricing.push(underlying, "100", false);
        }
    }

    /** Awaits the condition while ETH, USDC and the given underlyings stay fresh (they would age out in max-age). */
    private static void awaitFresh(String what, BooleanSupplier condition, String... underlyings) {
        awaitUntil(what, () -> {
            upstream.pricing.push("ETH", "3000", false);
            upstream.pricing.push("USDC", "1", false);
            for (String underlying : underlyings) {
                upstream.pricing.push(underlying, "100", false);
            }
            return condition.getAsBoolean();
        });
    }

    /** A lot on the underlying with ETH and USDC collateral (kept fresh by {@link #fresh}). */
    private static List<LotItem> lotOn(String underlying) {
        return List.of(LotItem.position(underlying + "-PERPETUAL", new BigDecimal("-2")),
                LotItem.collateral("arbitrum", "ETH", new BigDecimal("1.5")), LotItem.collateral("ethereum", "USDC", BigDecimal.TEN));
    }

    private void awaitTrip(String underlying, BreakerTrip.Kind kind) {
        awaitUntil(underlying + " tripped " + kind, () -> trip(underlying).map(t -> t.kind() == kind).orElse(false));
    }

    private Optional<BreakerTrip> trip(String underlying) {
        return breakers.trips().stream().filter(t -> t.underlying().equals(underlying)).findFirst();
    }

    private static boolean isOpen(String account) {
        return auctionsOf(account).stream().anyMatch(a -> a.getStatus() == AuctionStatus.AUCTION_STATUS_OPEN);
    }

    private static List<Auction> auctionsOf(String account) {
        return liquidation.listAuctions(ListAuctionsRequest.newBuilder().setAccountId(account).build()).getAuctionsList();
    }

    private static Auction get(String auctionId) {
        return liquidation.getAuction(GetAuctionRequest.newBuilder().setAuctionId(auctionId).build()).getAuction();
    }
}
