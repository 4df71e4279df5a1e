package dev.crosschain.liquidation.grpc;

import dev.crosschain.liquidation.app.AuctionEvents;
import dev.crosschain.liquidation.app.Breaches;
import dev.crosschain.liquidation.app.CapsInUse;
import dev.crosschain.liquidation.app.LiquidationConfig;
import dev.crosschain.liquidation.app.NewAuctionGate;
import dev.crosschain.liquidation.app.Recovery;
import dev.crosschain.liquidation.app.Settlement;
import dev.crosschain.liquidation.client.CollateralClient;
import dev.crosschain.liquidation.client.MarginClient;
import dev.crosschain.liquidation.domain.AuctionCaps;
import dev.crosschain.liquidation.store.AuctionStore;
import dev.crosschain.postgres.PostgresTestResource;
import dev.crosschain.proto.liquidation.v1.Auction;
import dev.crosschain.proto.liquidation.v1.AuctionStatus;
import dev.crosschain.proto.liquidation.v1.BidStatus;
import dev.crosschain.proto.liquidation.v1.GetAuctionRequest;
import dev.crosschain.proto.liquidation.v1.GetHaltsRequest;
import dev.crosschain.proto.liquidation.v1.LiquidationServiceGrpc;
import dev.crosschain.proto.liquidation.v1.ListAuctionsRequest;
import dev.crosschain.proto.liquidation.v1.LotItem;
import dev.crosschain.proto.liquidation.v1.PlaceBidRequest;
import dev.crosschain.proto.margin.v1.AccountStatus;
import dev.crosschain.proto.margin.v1.AccountView;
import dev.crosschain.proto.margin.v1.CollateralLine;
import dev.crosschain.proto.margin.v1.Position;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusMock;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static dev.crosschain.liquidation.grpc.LiquidationGrpcServiceTest.BIDDER;
import static dev.crosschain.liquidation.grpc.LiquidationGrpcServiceTest.NO_LIMIT;
import static dev.crosschain.liquidation.grpc.TestSupport.awaitUntil;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/**
 * Caps on the value in auction through the real store, margin client and settlement. The test profile sets no cap (and
 * a @TestProfile restart fails in this build, see BreakerGrpcTest): each test builds a Breaches over the service's
 * configuration with caps on a collateral line no other test's lots hold (arbitrum/USDC, ethereum/ETH), so the value
 * in auction it counts is this test's alone, and puts it under the service's own Breaches (QuarkusMock, reset after the
 * test) so recovery drives held breaches with the same caps.
 */
@QuarkusTest
@QuarkusTestResource(PostgresTestResource.class)
class CapsGrpcTest {

    static LiquidationServiceGrpc.LiquidationServiceBlockingStub liquidation;
    static FakeUpstream upstream;

    @Inject
    AuctionStore store;
    @Inject
    MarginClient margin;
    @Inject
    Settlement settlement;
    @Inject
    AuctionEvents events;
    @Inject
    Clock clock;
    @Inject
    LiquidationConfig config;
    @Inject
    NewAuctionGate gate;
    @Inject
    CollateralClient collateral;
    @Inject
    Recovery recovery;
    @Inject
    AgroalDataSource dataSource;

    @BeforeAll
    static void connect() {
        upstream = FakeUpstream.get();
        liquidation = LiquidationServiceGrpc.newBlockingStub(TestSupport.channel());
    }

    /** The service's configuration with {@code liquidation.caps.asset."<key>"=<usd>}. */
    private LiquidationConfig withCap(String key, String usd) {
        LiquidationConfig.Caps caps = new LiquidationConfig.Caps() {
            @Override
            public Optional<BigDecimal> globalUsd() {
                return Optional.empty();
            }

            @Override
            public Map<String, BigDecimal> asset() {
                return Map.of(key, new BigDecimal(usd));
            }
        };
        return TestSupport.configWith(config, "caps", caps);
    }

    private Breaches capped(LiquidationConfig capped) {
        Breaches breaches = new Breaches(store, margin, settlement, events, clock, capped, gate, collateral);
        QuarkusMock.installMockForType(breaches, Breaches.class);
        return breaches;
    }

    /** An account in LIQUIDATION holding {@code amount} of a collateral line at {@code price}, and optionally a perp. */
    private static AccountView view(String account, String chain, String asset, String amount, String price, String marketValue,
                                    String perpQuantity, String perpPnl) {
        AccountView.Builder v = AccountView.newBuilder().setAccountId(account).setStatus(AccountStatus.ACCOUNT_STATUS_LIQUIDATION)
                .addCollateral(CollateralLine.newBuilder().setChainId(chain).setAsset(asset).setAmount(amount)
                        .setPriceUsd(price).setMarketValueUsd(marketValue).setValueMmUsd(marketValue))
                .setUnrealizedPnlUsd(perpPnl == null ? "0" : perpPnl).setOptionValueUsd("0");
        if (perpQuantity != null) {
            v.addPositions(Position.newBuilder().setInstrument("ETH-PERPETUAL").setQuantity(perpQuantity)
                    .setAverageEntryPrice("1000").setMarkPrice("3000").setUnrealizedPnlUsd(perpPnl).setOptionValueUsd("0"));
        }
        return v.build();
    }

    private void claim(String auctionId, AccountView view) {
        upstream.margin.views.put(view.getAccountId(), view);
        assertThat(store.claim(auctionId, view.getAccountId(), Instant.now(), BufferBoundGrpcTest.HELD)).isTrue();
    }

    private static Auction get(String auctionId) {
        return liquidation.getAuction(GetAuctionRequest.newBuilder().setAuctionId(auctionId).build()).getAuction();
    }

    /**
     * Cap arbitrum/USDC 1500. A (1000 USDC, -2 ETH-PERPETUAL at -400) fits whole. B (900 USDC, -1 at -100; mark value
     * 800) finds 500 of room: 500 / 900 = 0.555555555555 (down to 12 places) of its portfolio: 499.999999 USDC (down to
     * 6 decimals), -0.555555555555 ETH-PERPETUAL, start value 800 x 0.555555555555 = 444.444444444. C (300 USDC) finds
     * 0.000001: a lot of 0.000000999 USDC rounds to nothing, it waits OPENING. A sold whole frees 1000: recovery opens C.
     */
    @Test
    void aBindingCapCutsTheLotHoldsWhatCannotFitAndOpensItOnceAnAuctionCloses() {
        LiquidationConfig cappedConfig = withCap("arbitrum/USDC", "1500");
        Breaches breaches = capped(cappedConfig);
        claim("auc-cap-a", view("acc-cap-a", "arbitrum", "USDC", "1000", "1", "1000", "-2", "-400"));
        claim("auc-cap-b", view("acc-cap-b", "arbitrum", "USDC", "900", "1", "900", "-1", "-100"));
        claim("auc-cap-c", view("acc-cap-c", "arbitrum", "USDC", "300", "1", "300", null, null));
        breaches.drive("auc-cap-a", "acc-cap-a");
        breaches.drive("auc-cap-b", "acc-cap-b");
        breaches.drive("auc-cap-c", "acc-cap-c");

        Auction a = get("auc-cap-a");
        assertThat(a.getStatus()).isEqualTo(AuctionStatus.AUCTION_STATUS_OPEN);
        assertThat(a.getLotFraction()).isEqualTo("1");
        Auction b = get("auc-cap-b");
        assertThat(b.getStatus()).isEqualTo(AuctionStatus.AUCTION_STATUS_OPEN);
        assertThat(b.getLotFraction()).isEqualTo("0.555555555555");
        assertThat(b.getLotList()).extracting(LotItem::getInstrument, LotItem::getChainId, LotItem::getAsset, LotItem::getQuantity)
                .containsExactly(tuple("ETH-PERPETUAL", "", "", "-0.555555555555"), tuple("", "arbitrum", "USDC", "499.999999"));
        assertThat(new BigDecimal(b.getStartValueUsd())).isEqualByComparingTo("444.44444444");
        assertThat(b.getOpenEquityUsd()).as("the view has no equity, IM or MM: no buffer").isEmpty();
        assertThat(get("auc-cap-c").getStatus()).isEqualTo(AuctionStatus.AUCTION_STATUS_OPENING);
        assertThat(new CapsInUse(store, cappedConfig).lines()).singleElement().satisfies(line -> {
            assertThat(line.scope()).isEqualTo("arbitrum/USDC");
            assertThat(line.capUsd()).isEqualByComparingTo("1500");
            assertThat(line.inAuctionUsd()).isEqualByComparingTo("1499.999999");
        });
        // the service itself sets no cap: GetHalts lists none; with this test's caps in its CapsInUse, it lists them
        assertThat(liquidation.getHalts(GetHaltsRequest.getDefaultInstance()).getCapsList()).isEmpty();
        QuarkusMock.installMockForType(new CapsInUse(store, cappedConfig), CapsInUse.class);
        assertThat(liquidation.getHalts(GetHaltsRequest.getDefaultInstance()).getCapsList()).singleElement()
                .satisfies(cap -> {
                    assertThat(cap.getScope()).isEqualTo("arbitrum/USDC");
                    assertThat(new BigDecimal(cap.getCapUsd())).isEqualByComparingTo("1500");
                    assertThat(new BigDecimal(cap.getInAuctionUsd())).isEqualByComparingTo("1499.999999");
                });

        assertThat(liquidation.placeBid(PlaceBidRequest.newBuilder().setBidId("bid-cap-a").setAuctionId("auc-cap-a")
                .setBidderAccountId(BIDDER).setFraction("1").setMaxLotPriceUsd(NO_LIMIT).setAuctionVersion(a.getVersion())
                .build()).getBid().getStatus()).isEqualTo(BidStatus.BID_STATUS_SETTLED);
        awaitUntil("recovery opens the held auc-cap-c", () -> get("auc-cap-c").getStatus() == AuctionStatus.AUCTION_STATUS_OPEN);
        Auction c = get("auc-cap-c");
        assertThat(c.getLotFraction()).isEqualTo("1");
        assertThat(c.getLotList()).extracting(LotItem::getQuantity).containsExactly("300");
        assertThat(new CapsInUse(store, cappedConfig).lines()).singleElement()
                .satisfies(line -> assertThat(line.inAuctionUsd()).isEqualByComparingTo("799.999999"));

        // B's part sold: its account, still in LIQUIDATION in margin's view, is auctioned again once released (300 in
        // auction now, its 900 fits whole). The release is recorded only once B's freeze, sent moments before, can no
        // longer be in flight (liquidation.client deadline + slack, ~11 s here), by recovery; whichever Breaches gets
        // the release event (observers reach the service's own bean, not this test's) reads the partial lot from the store.
        assertThat(liquidation.placeBid(PlaceBidRequest.newBuilder().setBidId("bid-cap-b").setAuctionId("auc-cap-b")
                .setBidderAccountId(BIDDER).setFraction(b.getRemainingFraction()).setMaxLotPriceUsd(NO_LIMIT)
                .setAuctionVersion(b.getVersion()).build()).getBid().getStatus()).isEqualTo(BidStatus.BID_STATUS_SETTLED);
        awaitUntil("a second auction of acc-cap-b opens", Duration.ofSeconds(60), () -> liquidation.listAuctions(ListAuctionsRequest.newBuilder()
                .setAccountId("acc-cap-b").setStatus(AuctionStatus.AUCTION_STATUS_OPEN).build()).getAuctionsCount() == 1);
        assertThat(liquidation.listAuctions(ListAuctionsRequest.newBuilder().setAccountId("acc-cap-b")
                .setStatus(AuctionStatus.AUCTION_STATUS_OPEN).build()).getAuctions(0).getLotFraction()).isEqualTo("1");
    }

    /**
     * Cap ethereum/ETH 1000; eight accounts with 0.2 ETH at 2000 (400 each) open at once on eight threads: two fit
     * whole, one finds 200 of room (half its portfolio, 0.1 ETH), five wait. Without the caps row lock two openings
     * would read the same value in auction and overshoot.
     */
    @Test
    void concurrentOpeningsNeverTakeTheCapOver() throws Exception {
        LiquidationConfig cappedConfig = withCap("ethereum/ETH", "1000");
        Breaches breaches = capped(cappedConfig);
        int racers = 8;
        for (int i = 0; i < racers; i++) {
            claim("auc-cap-race-" + i, view("acc-cap-race-" + i, "ethereum", "ETH", "0.2", "2000", "400", null, null));
        }
        ExecutorService pool = Executors.newFixedThreadPool(racers);
        try {
            CyclicBarrier start = new CyclicBarrier(racers);
            List<Future<Boolean>> drives = new ArrayList<>();
            for (int i = 0; i < racers; i++) {
                int n = i;
                drives.add(pool.submit(() -> {
                    start.await(30, TimeUnit.SECONDS);
                    return breaches.drive("auc-cap-race-" + n, "acc-cap-race-" + n);
                }));
            }
            for (Future<Boolean> drive : drives) {
                drive.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        List<String> fractions = new ArrayList<>();
        for (int i = 0; i < racers; i++) {
            Auction auction = get("auc-cap-race-" + i);
            if (auction.getStatus() == AuctionStatus.AUCTION_STATUS_OPEN) {
                fractions.add(auction.getLotFraction());
            } else {
                assertThat(auction.getStatus()).isEqualTo(AuctionStatus.AUCTION_STATUS_OPENING);
            }
        }
        assertThat(fractions).containsExactlyInAnyOrder("1", "1", "0.5");
        AuctionCaps.Usage used = store.usage();
        assertThat(used.of("ethereum/ETH")).isEqualByComparingTo("1000");

        // the held ones leave no OPENING claim behind for recovery to open after this test: their accounts recover
        for (int i = 0; i < racers; i++) {
            if (get("auc-cap-race-" + i).getStatus() == AuctionStatus.AUCTION_STATUS_OPENING) {
                String account = "acc-cap-race-" + i;
                upstream.margin.views.put(account, upstream.margin.views.get(account).toBuilder()
                        .setStatus(AccountStatus.ACCOUNT_STATUS_HEALTHY).build());
                breaches.drive("auc-cap-race-" + i, account);
                assertThat(get("auc-cap-race-" + i).getCancelReason()).isNotEmpty();
            }
        }
    }

    /**
     * A partial lot sold and released whose release event never reached a Breaches (a crash between the unfreeze and the
     * in-memory event): the account, still in LIQUIDATION in margin's view, would stay with no auction. Recovery finds
     * the released partial lot in the store and looks at the account again: a new auction opens for it.
     */
    @Test
    void recoveryLooksAgainAtAnAccountReleasedAfterAPartialLotWhoseEventWasLost() throws Exception {
        claim("auc-cap-lost", view("acc-cap-lost", "base", "USDC", "500", "1", "500", null, null));
        assertThat(store.open("auc-cap-lost", Instant.now(), new BigDecimal("250"),
                List.of(dev.crosschain.liquidation.domain.LotItem.collateral("base", "USDC", new BigDecimal("250"))), null))
                .isTrue();
        // as if a cap had cut it to half the portfolio, a bid had sold it, and the unfreeze had been recorded
        try (Connection c = dataSource.getConnection();
             PreparedStatement u = c.prepareStatement("""
                     UPDATE auction SET lot_fraction = 0.5, status = 'CLOSED', remaining_fraction = 0, closed_at_ms = ?,
                         unfrozen = TRUE WHERE auction_id = 'auc-cap-lost'""")) {
            u.setLong(1, Instant.now().toEpochMilli());
            assertThat(u.executeUpdate()).isEqualTo(1);
        }
        assertThat(store.releasedAfterPartialLot(Recovery.BATCH)).contains("acc-cap-lost");
        recovery.run();
        awaitUntil("recovery opens a new auction of acc-cap-lost", () -> liquidation.listAuctions(ListAuctionsRequest
                .newBuilder().setAccountId("acc-cap-lost").setStatus(AuctionStatus.AUCTION_STATUS_OPEN).build())
                .getAuctionsCount() == 1);
        assertThat(store.releasedAfterPartialLot(Recovery.BATCH)).doesNotContain("acc-cap-lost");
    }
}
