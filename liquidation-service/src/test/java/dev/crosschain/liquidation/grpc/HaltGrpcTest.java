package dev.crosschain.liquidation.grpc;

import com.google.rpc.BadRequest;
import com.google.rpc.ErrorInfo;
import com.google.rpc.PreconditionFailure;
import dev.crosschain.liquidation.app.Breaches;
import dev.crosschain.liquidation.app.OperatorHalts;
import dev.crosschain.liquidation.app.Recovery;
import dev.crosschain.liquidation.app.Resets;
import dev.crosschain.liquidation.domain.Halt;
import dev.crosschain.liquidation.domain.LotItem;
import dev.crosschain.liquidation.store.AuctionStore;
import dev.crosschain.liquidation.store.HaltStore;
import dev.crosschain.postgres.PostgresTestResource;
import dev.crosschain.proto.liquidation.v1.Auction;
import dev.crosschain.proto.liquidation.v1.AuctionStatus;
import dev.crosschain.proto.liquidation.v1.GetAuctionRequest;
import dev.crosschain.proto.liquidation.v1.GetHaltsRequest;
import dev.crosschain.proto.liquidation.v1.HaltChange;
import dev.crosschain.proto.liquidation.v1.HaltLevel;
import dev.crosschain.proto.liquidation.v1.LiquidationServiceGrpc;
import dev.crosschain.proto.liquidation.v1.ListAuctionsRequest;
import dev.crosschain.proto.liquidation.v1.ListHaltChangesRequest;
import dev.crosschain.proto.liquidation.v1.ListHaltChangesResponse;
import dev.crosschain.proto.liquidation.v1.PlaceBidRequest;
import dev.crosschain.proto.liquidation.v1.SetHaltRequest;
import dev.crosschain.proto.margin.v1.AccountView;
import dev.crosschain.proto.margin.v1.Position;
import io.agroal.api.AgroalDataSource;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import static dev.crosschain.liquidation.grpc.AuctionResetTest.RESETS_AFTER_A_MINUTE;
import static dev.crosschain.liquidation.grpc.AuctionResetTest.backdateEpoch;
import static dev.crosschain.liquidation.grpc.LiquidationGrpcServiceTest.BIDDER;
import static dev.crosschain.liquidation.grpc.LiquidationGrpcServiceTest.NO_LIMIT;
import static dev.crosschain.liquidation.grpc.TestSupport.awaitUntil;
import static dev.crosschain.liquidation.grpc.TestSupport.detail;
import static dev.crosschain.liquidation.grpc.TestSupport.errorInfo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Operator halts against the real PostgreSQL and the real service: each level's effect, global and per-underlying
 * scope, the admin credential, bad input, the change history, and a halt written by another replica obeyed after a
 * refresh. Halts are scoped to underlyings no other test class trades (HLT, HLU) or lifted after each test.
 */
@QuarkusTest
@QuarkusTestResource(PostgresTestResource.class)
class HaltGrpcTest {

    static final String TOKEN = "test-admin-token";
    /** A lot on underlying HLT only: a position and collateral. */
    static final List<LotItem> HLT_LOT = List.of(LotItem.position("HLT-PERPETUAL", new BigDecimal("-2")),
            LotItem.collateral("arbitrum", "ETH", new BigDecimal("1.5")));

    static LiquidationServiceGrpc.LiquidationServiceBlockingStub liquidation;
    static LiquidationServiceGrpc.LiquidationServiceBlockingStub admin;
    static FakeUpstream upstream;

    @Inject
    OperatorHalts halts;

    @Inject
    HaltStore haltStore;

    @Inject
    AuctionStore store;

    @Inject
    Breaches breaches;

    @Inject
    Resets resets;

    @Inject
    Recovery recovery;

    @Inject
    AgroalDataSource dataSource;

    @BeforeAll
    static void connect() {
        upstream = FakeUpstream.get();
        liquidation = LiquidationServiceGrpc.newBlockingStub(TestSupport.channel());
        admin = withToken(TOKEN);
    }

    @BeforeEach
    void subscribed() {
        awaitUntil("the service subscribes to WatchRisk", () -> !upstream.margin.watchers.isEmpty());
    }

    @AfterEach
    void liftEveryHalt() {
        for (var halt : liquidation.getHalts(GetHaltsRequest.getDefaultInstance()).getHaltsList()) {
            admin.setHalt(set(halt.getUnderlying(), HaltLevel.HALT_LEVEL_NONE));
        }
    }

    // ---- NO_NEW_AUCTIONS ----

    @Test
    void aBreachUnderAGlobalNoNewAuctionsHaltWaitsAndOpensOnceLifted() {
        admin.setHalt(set("", HaltLevel.HALT_LEVEL_NO_NEW_AUCTIONS));
        upstream.margin.views.put("acc-halt-global", LiquidationGrpcServiceTest.view("acc-halt-global", "-4000"));

        breaches.onLiquidation("acc-halt-global");
        breaches.retryUnclaimed();

        assertThat(auctionsOf("acc-halt-global")).as("no auction, not even OPENING").isEmpty();
        assertThat(upstream.margin.freezesOf("acc-halt-global")).as("never frozen").isEmpty();

        admin.setHalt(set("", HaltLevel.HALT_LEVEL_NONE));
        // recovery's next pass retries the waiting breach
        awaitOpen("acc-halt-global");
    }

    @Test
    void anUnderlyingHaltHoldsOnlyAccountsWhoseLotTouchesIt() {
        admin.setHalt(set("HLT", HaltLevel.HALT_LEVEL_NO_NEW_AUCTIONS));
        upstream.margin.views.put("acc-halt-hlt", viewOn("acc-halt-hlt", "HLT-PERPETUAL"));
        upstream.margin.views.put("acc-halt-other", viewOn("acc-halt-other", "HLV-PERPETUAL"));

        breaches.onLiquidation("acc-halt-hlt");
        breaches.onLiquidation("acc-halt-other");

        assertThat(auctionsOf("acc-halt-hlt")).isEmpty();
        assertThat(auctionsOf("acc-halt-other")).extracting(Auction::getStatus).containsExactly(AuctionStatus.AUCTION_STATUS_OPEN);
        // a halt above NO_NEW_AUCTIONS holds new auctions too
        admin.setHalt(set("HLT", HaltLevel.HALT_LEVEL_NO_BIDS));
        breaches.retryUnclaimed();
        assertThat(auctionsOf("acc-halt-hlt")).isEmpty();

        admin.setHalt(set("HLT", HaltLevel.HALT_LEVEL_NONE));
        breaches.retryUnclaimed();
        awaitOpen("acc-halt-hlt");
    }

    @Test
    void collateralCountsUnderItsTokenSymbol() {
        // LiquidationGrpcServiceTest.view holds USDC only as collateral on ethereum
        admin.setHalt(set("USDC", HaltLevel.HALT_LEVEL_NO_NEW_AUCTIONS));
        upstream.margin.views.put("acc-halt-usdc", viewOn("acc-halt-usdc", "HLW-PERPETUAL"));
        breaches.onLiquidation("acc-halt-usdc");
        assertThat(auctionsOf("acc-halt-usdc")).isEmpty();
        admin.setHalt(set("USDC", HaltLevel.HALT_LEVEL_NONE));
        breaches.retryUnclaimed();
        awaitOpen("acc-halt-usdc");
    }

    @Test
    void anAccountClaimedBeforeTheHaltStaysOpeningUntilItIsLifted() {
        upstream.margin.views.put("acc-halt-claimed", viewOn("acc-halt-claimed", "HLT-PERPETUAL"));
        // claimed by a process that has not driven it yet (or crashed)
        assertThat(store.claim("auc-halt-claimed", "acc-halt-claimed", Instant.now(), AuctionOpeningTest.CURVE)).isTrue();
        admin.setHalt(set("HLT", HaltLevel.HALT_LEVEL_NO_NEW_AUCTIONS));

        breaches.drive("auc-halt-claimed", "acc-halt-claimed");

        assertThat(get("auc-halt-claimed").getStatus()).isEqualTo(AuctionStatus.AUCTION_STATUS_OPENING);
        admin.setHalt(set("HLT", HaltLevel.HALT_LEVEL_NONE));
        breaches.drive("auc-halt-claimed", "acc-halt-claimed");
        // recovery may be driving it at the same time: one of the two opens it
        awaitOpen("acc-halt-claimed");
    }

    @Test
    void recoveryReachesPastMoreHeldClaimsThanOnePage() {
        admin.setHalt(set("HLT", HaltLevel.HALT_LEVEL_NO_NEW_AUCTIONS));
        recovery.useBatch(2);
        try {
            // claimed now (a backdated claim would break LiquidationGrpcServiceTest's newest-claim-first order):
            // recovery takes them up after liquidation.recovery.grace
            Instant now = Instant.now();
            for (int i = 0; i < 3; i++) {
                upstream.margin.views.put("acc-held-" + i, viewOn("acc-held-" + i, "HLT-PERPETUAL"));
                assertThat(store.claim("auc-held-" + i, "acc-held-" + i, now, AuctionOpeningTest.CURVE)).isTrue();
            }
            upstream.margin.views.put("acc-held-not", viewOn("acc-held-not", "HLX-PERPETUAL"));
            assertThat(store.claim("auc-held-not", "acc-held-not", now, AuctionOpeningTest.CURVE)).isTrue();

            awaitUntil("recovery opens the claim behind the held ones", () -> {
                recovery.run();
                return get("auc-held-not").getStatus() == AuctionStatus.AUCTION_STATUS_OPEN;
            });
            for (int i = 0; i < 3; i++) {
                assertThat(get("auc-held-" + i).getStatus()).isEqualTo(AuctionStatus.AUCTION_STATUS_OPENING);
            }
        } finally {
            recovery.useBatch(Recovery.BATCH);
        }
    }

    @Test
    void anAccountWhoseViewCannotBeReadUnderAScopedHaltWaitsUnclaimed() {
        admin.setHalt(set("HLT", HaltLevel.HALT_LEVEL_NO_NEW_AUCTIONS));
        upstream.margin.views.put("acc-halt-noview", viewOn("acc-halt-noview", "HLX-PERPETUAL"));
        upstream.margin.viewFailures.put("acc-halt-noview", Status.INTERNAL.withDescription("margin broken"));
        try {
            breaches.onLiquidation("acc-halt-noview");
            assertThat(auctionsOf("acc-halt-noview")).as("not claimed, so never held OPENING").isEmpty();
            assertThat(upstream.margin.freezesOf("acc-halt-noview")).isEmpty();
        } finally {
            upstream.margin.viewFailures.remove("acc-halt-noview");
        }
        // still in the retry set: claimed once the view reads
        awaitOpen("acc-halt-noview");
    }

    // ---- NO_RESETS ----

    @Test
    void noResetUnderNoResetsTheResetFollowsTheLift() throws Exception {
        upstream.margin.views.put("acc-halt-reset", viewOn("acc-halt-reset", "HLT-PERPETUAL"));
        Instant opened = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        assertThat(store.insertAuction("auc-halt-reset", "acc-halt-reset", opened, new BigDecimal("1500"),
                RESETS_AFTER_A_MINUTE, HLT_LOT)).isTrue();
        admin.setHalt(set("HLT", HaltLevel.HALT_LEVEL_NO_RESETS));
        backdateEpoch(dataSource, "auc-halt-reset", opened.minusSeconds(90));

        assertThat(resets.run()).noneMatch(r -> r.auctionId().equals("auc-halt-reset"));
        Auction halted = get("auc-halt-reset");
        assertThat(halted.getNeedsReset()).isTrue();
        assertThat(halted.getHaltLevel()).isEqualTo(HaltLevel.HALT_LEVEL_NO_RESETS);
        assertThat(halted.getHalted()).as("bids are not halted at NO_RESETS").isFalse();
        assertThat(store.resets("auc-halt-reset")).isEmpty();

        admin.setHalt(set("HLT", HaltLevel.HALT_LEVEL_NONE));
        resets.run();
        awaitUntil("the reset of auc-halt-reset", () -> !store.resets("auc-halt-reset").isEmpty());
        assertThat(get("auc-halt-reset").getEpoch()).isEqualTo(1);
        assertThat(get("auc-halt-reset").getHaltLevel()).isEqualTo(HaltLevel.HALT_LEVEL_NONE);
    }

    // ---- NO_BIDS ----

    @Test
    void aBidUnderNoBidsIsRefusedHaltedAndChangesNothingUntilLifted() {
        Auction auction = inserted("auc-halt-bid", "acc-halt-bid");
        admin.setHalt(set("HLT", HaltLevel.HALT_LEVEL_NO_BIDS));

        Auction halted = get("auc-halt-bid");
        assertThat(halted.getHalted()).isTrue();
        assertThat(halted.getHaltLevel()).isEqualTo(HaltLevel.HALT_LEVEL_NO_BIDS);
        assertHalted(() -> liquidation.placeBid(bid("bid-halted", auction)), "HLT");
        assertNothingChanged(auction, "bid-halted");

        admin.setHalt(set("HLT", HaltLevel.HALT_LEVEL_NONE));
        assertThat(get("auc-halt-bid").getHalted()).isFalse();
        assertThat(liquidation.placeBid(bid("bid-halted", auction)).getBid().getFraction()).isEqualTo("0.25");
    }

    @Test
    void aGlobalNoBidsHaltCoversEveryAuctionButAReplayStillGetsItsFirstAnswer() {
        Auction auction = inserted("auc-halt-replay", "acc-halt-replay");
        var first = liquidation.placeBid(bid("bid-before-halt", auction));
        admin.setHalt(set("", HaltLevel.HALT_LEVEL_NO_BIDS));

        var replay = liquidation.placeBid(bid("bid-before-halt", auction));
        assertThat(replay.getReplayed()).isTrue();
        assertThat(replay.getBid().getBidId()).isEqualTo(first.getBid().getBidId());
        Auction after = get("auc-halt-replay");
        assertHalted(() -> liquidation.placeBid(bid("bid-after-halt", after)), "GLOBAL");
        assertNothingChanged(after, "bid-after-halt");
    }

    @Test
    void aHaltWrittenByAnotherReplicaIsObeyedAfterTheRefresh() {
        Auction auction = inserted("auc-halt-replica", "acc-halt-replica");
        // what SetHalt on another replica leaves: the row, not this replica's cache
        haltStore.set(new Halt("HLU", dev.crosschain.liquidation.domain.HaltLevel.NO_BIDS, "ops-2", "replica test", Instant.now()));
        haltStore.set(new Halt("HLT", dev.crosschain.liquidation.domain.HaltLevel.NO_BIDS, "ops-2", "replica test", Instant.now()));
        // bound: liquidation.halt.refresh (1 s); here the refresh is explicit
        halts.refresh();

        assertThat(liquidation.getHalts(GetHaltsRequest.getDefaultInstance()).getHaltsList())
                .extracting(dev.crosschain.proto.liquidation.v1.Halt::getUnderlying).containsExactly("HLT", "HLU");
        assertHalted(() -> liquidation.placeBid(bid("bid-replica", auction)), "HLT");
        assertNothingChanged(auction, "bid-replica");
    }

    @Test
    void aBidIsJudgedInItsTransactionByTheHaltRowsNotByThisReplicasLastRead() {
        Auction auction = inserted("auc-halt-rows", "acc-halt-rows");
        // written as another replica's SetHalt writes it; this replica has not read it (the scheduled refresh may race)
        haltStore.set(new Halt("HLT", dev.crosschain.liquidation.domain.HaltLevel.NO_BIDS, "ops-3", "rows test", Instant.now()));
        assertHalted(() -> liquidation.placeBid(bid("bid-rows-1", auction)), "HLT");
        assertNothingChanged(auction, "bid-rows-1");

        haltStore.set(new Halt("HLT", dev.crosschain.liquidation.domain.HaltLevel.NONE, "ops-3", "rows test", Instant.now()));
        assertThat(liquidation.placeBid(bid("bid-rows-2", auction)).getBid().getBidId()).isEqualTo("bid-rows-2");
        assertThat(get("auc-halt-rows").getRemainingFraction()).isEqualTo("0.75");
    }

    // ---- SetHalt, GetHalts, ListHaltChanges ----

    @Test
    void setHaltAnswersTheHaltAndGetHaltsListsOnlyThoseInForceGlobalFirst() {
        var answered = admin.setHalt(set("HLT", HaltLevel.HALT_LEVEL_NO_RESETS)).getHalt();
        assertThat(answered.getUnderlying()).isEqualTo("HLT");
        assertThat(answered.getLevel()).isEqualTo(HaltLevel.HALT_LEVEL_NO_RESETS);
        assertThat(answered.getChangedBy()).isEqualTo("ops");
        assertThat(answered.getReason()).isEqualTo("test NO_RESETS");
        assertThat(answered.getChangedAtUnixMs()).isPositive();
        admin.setHalt(set("", HaltLevel.HALT_LEVEL_NO_NEW_AUCTIONS));
        admin.setHalt(set("HLU", HaltLevel.HALT_LEVEL_NO_BIDS));
        admin.setHalt(set("HLU", HaltLevel.HALT_LEVEL_NONE));

        assertThat(liquidation.getHalts(GetHaltsRequest.getDefaultInstance()).getHaltsList())
                .extracting(h -> h.getUnderlying() + ":" + h.getLevel())
                .containsExactly(":HALT_LEVEL_NO_NEW_AUCTIONS", "HLT:HALT_LEVEL_NO_RESETS");
    }

    @Test
    void listHaltChangesPagesNewestFirstWithWhoWhenWhatAndWhy() {
        String marker = "paging-" + System.nanoTime();
        List<HaltLevel> levels = List.of(HaltLevel.HALT_LEVEL_NO_NEW_AUCTIONS, HaltLevel.HALT_LEVEL_NO_RESETS,
                HaltLevel.HALT_LEVEL_NO_BIDS, HaltLevel.HALT_LEVEL_NO_RESETS, HaltLevel.HALT_LEVEL_NONE);
        for (int i = 0; i < levels.size(); i++) {
            admin.setHalt(SetHaltRequest.newBuilder().setUnderlying("HLU").setLevel(levels.get(i))
                    .setChangedBy("ops-" + i).setReason(marker + " " + i).build());
        }
        List<HaltChange> seen = new ArrayList<>();
        List<Integer> pageSizes = new ArrayList<>();
        String token = "";
        do {
            ListHaltChangesResponse page = liquidation.listHaltChanges(ListHaltChangesRequest.newBuilder()
                    .setPageSize(2).setPageToken(token).build());
            pageSizes.add(page.getChangesCount());
            seen.addAll(page.getChangesList());
            token = page.getNextPageToken();
        } while (!token.isEmpty() && seen.stream().filter(c -> c.getReason().startsWith(marker)).count() < levels.size());
        List<HaltChange> mine = seen.stream().filter(c -> c.getReason().startsWith(marker)).toList();
        assertThat(pageSizes).allMatch(size -> size <= 2);
        assertThat(seen.subList(0, 5)).as("the newest five are this test's").isEqualTo(mine);
        assertThat(mine).extracting(HaltChange::getChangedBy).containsExactly("ops-4", "ops-3", "ops-2", "ops-1", "ops-0");
        assertThat(mine).extracting(HaltChange::getLevel).containsExactly(HaltLevel.HALT_LEVEL_NONE,
                HaltLevel.HALT_LEVEL_NO_RESETS, HaltLevel.HALT_LEVEL_NO_BIDS, HaltLevel.HALT_LEVEL_NO_RESETS,
                HaltLevel.HALT_LEVEL_NO_NEW_AUCTIONS);
        assertThat(mine).extracting(HaltChange::getPreviousLevel).containsExactly(HaltLevel.HALT_LEVEL_NO_RESETS,
                HaltLevel.HALT_LEVEL_NO_BIDS, HaltLevel.HALT_LEVEL_NO_RESETS, HaltLevel.HALT_LEVEL_NO_NEW_AUCTIONS,
                HaltLevel.HALT_LEVEL_NONE);
        assertThat(mine).allMatch(c -> c.getUnderlying().equals("HLU") && c.getChangedAtUnixMs() > 0);
        assertThat(mine.get(0).getReason()).isEqualTo(marker + " 4");

        assertInvalid(() -> liquidation.listHaltChanges(ListHaltChangesRequest.newBuilder().setPageSize(501).build()),
                "INVALID_PAGE_SIZE", "page_size");
        assertInvalid(() -> liquidation.listHaltChanges(ListHaltChangesRequest.newBuilder().setPageSize(-1).build()),
                "INVALID_PAGE_SIZE", "page_size");
        // a ListAuctions token is not a halt-change position
        assertInvalid(() -> liquidation.listHaltChanges(ListHaltChangesRequest.newBuilder()
                .setPageToken(LiquidationGrpcService.encodeToken(5)).build()), "INVALID_PAGE_TOKEN", "page_token");
        assertInvalid(() -> liquidation.listHaltChanges(ListHaltChangesRequest.newBuilder().setPageToken("nope").build()),
                "INVALID_PAGE_TOKEN", "page_token");
    }

    @Test
    void setHaltRefusesBadInputAndChangesNothing() {
        int before = changeCount();
        assertInvalid(() -> admin.setHalt(set("HLT", HaltLevel.HALT_LEVEL_UNSPECIFIED)), "INVALID_LEVEL", "level");
        assertInvalid(() -> admin.setHalt(set("HLT", HaltLevel.HALT_LEVEL_NO_BIDS).toBuilder().setLevelValue(99).build()),
                "INVALID_LEVEL", "level");
        // the registry's canonical asset names: 1 to 32 of A-Z a-z 0-9 . _ -
        for (String scope : List.of("ET H", "ETH/USD", "*", "É", "A".repeat(33))) {
            assertInvalid(() -> admin.setHalt(set(scope, HaltLevel.HALT_LEVEL_NO_BIDS)), "INVALID_SCOPE", "underlying");
        }
        assertInvalid(() -> admin.setHalt(set("HLT", HaltLevel.HALT_LEVEL_NO_BIDS).toBuilder().setChangedBy(" ").build()),
                "MISSING_FIELD", "changed_by");
        assertInvalid(() -> admin.setHalt(set("HLT", HaltLevel.HALT_LEVEL_NO_BIDS).toBuilder().setReason("").build()),
                "MISSING_FIELD", "reason");
        assertInvalid(() -> admin.setHalt(set("HLT", HaltLevel.HALT_LEVEL_NO_BIDS).toBuilder().setReason("x".repeat(501)).build()),
                "INVALID_TEXT", "reason");
        // every bad field at once, the first one's reason
        assertInvalid(() -> admin.setHalt(SetHaltRequest.newBuilder().setUnderlying("e th").setLevel(HaltLevel.HALT_LEVEL_NO_BIDS).build()),
                "INVALID_SCOPE", "underlying", "changed_by", "reason");
        assertInvalid(() -> admin.setHalt(SetHaltRequest.newBuilder().setUnderlying("e th").setChangedBy("ops").build()),
                "INVALID_LEVEL", "level", "underlying", "reason");

        assertThat(changeCount()).isEqualTo(before);
        assertThat(liquidation.getHalts(GetHaltsRequest.getDefaultInstance()).getHaltsList()).isEmpty();
    }

    @Test
    void setHaltWithoutTheAdminTokenIsUnauthenticatedAndChangesNothing() {
        int before = changeCount();
        for (var stub : List.of(liquidation, withToken("wrong-token"), withToken(""))) {
            StatusRuntimeException e = catchStatus(() -> stub.setHalt(set("", HaltLevel.HALT_LEVEL_NO_BIDS)));
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
            assertThat(errorInfo(e).getReason()).isEqualTo("MISSING_CREDENTIAL");
            assertThat(e.getStatus().getDescription()).doesNotContain(TOKEN);
        }
        // bad input from a caller without the token is refused for the credential first
        assertThat(catchStatus(() -> liquidation.setHalt(SetHaltRequest.getDefaultInstance())).getStatus().getCode())
                .isEqualTo(Status.Code.UNAUTHENTICATED);
        assertThat(changeCount()).isEqualTo(before);
        assertThat(liquidation.getHalts(GetHaltsRequest.getDefaultInstance()).getHaltsList()).isEmpty();
    }

    // ---- helpers ----

    static LiquidationServiceGrpc.LiquidationServiceBlockingStub withToken(String token) {
        Metadata headers = new Metadata();
        headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
        return LiquidationServiceGrpc.newBlockingStub(TestSupport.channel())
                .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
    }

    static SetHaltRequest set(String underlying, HaltLevel level) {
        return SetHaltRequest.newBuilder().setUnderlying(underlying).setLevel(level).setChangedBy("ops")
                .setReason("test " + level.name().substring("HALT_LEVEL_".length())).build();
    }

    /** The shared test view (ETH collateral on arbitrum, USDC on ethereum) with its one position on {@code instrument}. */
    static AccountView viewOn(String account, String instrument) {
        AccountView view = LiquidationGrpcServiceTest.view(account, "-4000");
        return view.toBuilder().clearPositions()
                .addPositions(view.getPositions(0).toBuilder().setInstrument(instrument))
                .addPositions(Position.newBuilder().setInstrument("BTC-PERPETUAL").setQuantity("0").setUnrealizedPnlUsd("0"))
                .build();
    }

    /** An open auction of {@link #HLT_LOT} that never resets on its own. */
    private Auction inserted(String auctionId, String account) {
        upstream.margin.views.put(account, viewOn(account, "HLT-PERPETUAL"));
        assertThat(store.insertAuction(auctionId, account, Instant.now(), new BigDecimal("1500"),
                AuctionResetTest.NEVER_RESETS, HLT_LOT)).isTrue();
        return get(auctionId);
    }

    private static PlaceBidRequest bid(String bidId, Auction auction) {
        return PlaceBidRequest.newBuilder().setBidId(bidId).setAuctionId(auction.getAuctionId()).setBidderAccountId(BIDDER)
                .setFraction("0.25").setMaxLotPriceUsd(NO_LIMIT).setAuctionVersion(auction.getVersion()).build();
    }

    private static void assertHalted(Runnable bid, String scope) {
        StatusRuntimeException e = catchStatus(bid);
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
        ErrorInfo info = errorInfo(e);
        assertThat(info.getReason()).isEqualTo("HALTED");
        assertThat(info.getMetadataMap()).containsEntry("scope", scope).containsEntry("level", "NO_BIDS");
        assertThat(detail(e, PreconditionFailure.class).getViolationsList())
                .extracting(PreconditionFailure.Violation::getType).containsExactly("HALTED");
    }

    private void assertNothingChanged(Auction before, String bidId) {
        Auction now = get(before.getAuctionId());
        assertThat(now.getVersion()).isEqualTo(before.getVersion());
        assertThat(now.getRemainingFraction()).isEqualTo(before.getRemainingFraction());
        assertThat(now.getBidsList()).isEqualTo(before.getBidsList());
        assertThat(store.findBid(bidId)).isEmpty();
        assertThat(upstream.collateral.callsOf(bidId + "/collateral")).isEmpty();
        assertThat(upstream.margin.transferCalls).noneMatch(t -> t.getTransferId().startsWith(bidId));
    }

    private static int changeCount() {
        return liquidation.listHaltChanges(ListHaltChangesRequest.newBuilder().setPageSize(500).build()).getChangesCount();
    }

    private static void assertInvalid(Supplier<?> call, String reason, String... fields) {
        StatusRuntimeException e = catchStatus(call::get);
        assertThat(e.getStatus().getCode()).as(e.toString()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(errorInfo(e).getReason()).isEqualTo(reason);
        assertThat(detail(e, BadRequest.class).getFieldViolationsList()).extracting(BadRequest.FieldViolation::getField)
                .containsExactly(fields);
    }

    private static StatusRuntimeException catchStatus(Runnable call) {
        try {
            call.run();
        } catch (StatusRuntimeException e) {
            return e;
        }
        return fail("expected the call to fail");
    }

    /** Waits for the account's one auction to be OPEN (a retry pass of recovery may race the test's own call). */
    private static void awaitOpen(String account) {
        awaitUntil(account + "'s auction opens", () -> auctionsOf(account).stream()
                .anyMatch(a -> a.getStatus() == AuctionStatus.AUCTION_STATUS_OPEN));
        assertThat(auctionsOf(account)).hasSize(1);
    }

    private static List<Auction> auctionsOf(String account) {
        return liquidation.listAuctions(ListAuctionsRequest.newBuilder().setAccountId(account).build()).getAuctionsList();
    }

    private static Auction get(String auctionId) {
        return liquidation.getAuction(GetAuctionRequest.newBuilder().setAuctionId(auctionId).build()).getAuction();
    }
}
