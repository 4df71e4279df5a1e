package dev.crosschain.liquidation.grpc;

import com.google.protobuf.Any;
import com.google.rpc.Code;
import com.google.rpc.ErrorInfo;
import com.google.rpc.PreconditionFailure;
import dev.crosschain.liquidation.app.Breaches;
import dev.crosschain.liquidation.app.LiquidationConfig;
import dev.crosschain.liquidation.client.MarginClient;
import dev.crosschain.liquidation.domain.LotItem;
import dev.crosschain.liquidation.domain.PriceCurve;
import dev.crosschain.liquidation.store.AuctionStore;
import dev.crosschain.postgres.PostgresTestResource;
import dev.crosschain.proto.liquidation.v1.Auction;
import dev.crosschain.proto.liquidation.v1.AuctionStatus;
import dev.crosschain.proto.liquidation.v1.GetAuctionRequest;
import dev.crosschain.proto.liquidation.v1.LiquidationServiceGrpc;
import dev.crosschain.proto.liquidation.v1.ListAuctionsRequest;
import dev.crosschain.proto.liquidation.v1.PlaceBidRequest;
import dev.crosschain.proto.margin.v1.AccountStatus;
import dev.crosschain.proto.margin.v1.AccountView;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static dev.crosschain.liquidation.grpc.LiquidationGrpcServiceTest.configuredPrice;
import static dev.crosschain.liquidation.grpc.LiquidationGrpcServiceTest.view;
import static dev.crosschain.liquidation.grpc.TestSupport.PATIENCE;
import static dev.crosschain.liquidation.grpc.TestSupport.awaitUntil;
import static dev.crosschain.liquidation.grpc.TestSupport.detail;
import static dev.crosschain.liquidation.grpc.TestSupport.errorInfo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The open order claim -> freeze -> snapshot -> open, against the real PostgreSQL, the real service and
 * the fake margin-service that records the order of the calls it gets.
 */
@QuarkusTest
@QuarkusTestResource(PostgresTestResource.class)
class AuctionOpeningTest {

    static final PriceCurve CURVE = LiquidationGrpcServiceTest.CONFIGURED;
    /** %test.liquidation.recovery.grace: recovery drives OPENING auctions claimed longer ago than this. */
    static final Duration GRACE = Duration.ofSeconds(1);

    static LiquidationServiceGrpc.LiquidationServiceBlockingStub liquidation;
    static FakeUpstream upstream;

    @Inject
    AuctionStore store;

    @Inject
    Breaches breaches;

    @Inject
    MarginClient margin;

    @Inject
    LiquidationConfig config;

    @BeforeAll
    static void connect() {
        upstream = FakeUpstream.get();
        liquidation = LiquidationServiceGrpc.newBlockingStub(TestSupport.channel());
    }

    @BeforeEach
    void subscribed() {
        awaitUntil("the service subscribes to WatchRisk", () -> !upstream.margin.watchers.isEmpty());
    }

    @Test
    void theAccountIsSnapshottedOnlyAfterItsFreezeAnswered() {
        Auction auction = breachUntil("acc-order", view("acc-order", "-4000"), AuctionStatus.AUCTION_STATUS_OPEN);
        // the release before V3 read the view first and froze after the open: this order is the fix
        assertFrozenBeforeViewed("acc-order", auction.getAuctionId());
        assertThat(auction.getLotCount()).isEqualTo(3);
        assertThat(auction.getVersion()).isEqualTo(1);
        assertThat(auction.getCancelReason()).isEmpty();
    }

    @Test
    void anOpeningWhoseFreezeAnswersTheViewTakesItsSnapshotFromItAndAsksNoView() {
        upstream.margin.viewsWithFreeze.add("acc-freeze-view");
        Auction auction = breachUntil("acc-freeze-view", view("acc-freeze-view", "-4000"), AuctionStatus.AUCTION_STATUS_OPEN);
        assertThat(upstream.margin.sequenceOf("acc-freeze-view")).as("one freeze, no GetAccountView")
                .containsExactly("freeze acc-freeze-view " + auction.getAuctionId());
        assertThat(upstream.margin.freezesOf("acc-freeze-view")).singleElement()
                .satisfies(f -> assertThat(f.getReturnView()).isTrue());
        // opened on the view the freeze answered (no other was asked): its ETH and USDC collateral and its ETH perpetual
        assertThat(auction.getLotCount()).isEqualTo(3);
        assertThat(auction.getVersion()).isEqualTo(1);
    }

    @Test
    void anOpeningWhoseFreezeAnswersNoViewAsksGetAccountViewOnce() {
        Auction auction = breachUntil("acc-freeze-noview", view("acc-freeze-noview", "-4000"), AuctionStatus.AUCTION_STATUS_OPEN);
        assertThat(upstream.margin.sequenceOf("acc-freeze-noview")).as("the freeze, then one GetAccountView")
                .containsExactly("freeze acc-freeze-noview " + auction.getAuctionId(), "view acc-freeze-noview");
        assertThat(upstream.margin.freezesOf("acc-freeze-noview")).singleElement()
                .satisfies(f -> assertThat(f.getReturnView()).isTrue());
        assertThat(auction.getLotCount()).isEqualTo(3);
    }

    @Test
    void aFreezeThatFailsLeavesTheAuctionOpeningWithoutASnapshotUntilRecoveryOpensIt() {
        Instant before = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        upstream.margin.freezeFailures.put("acc-down", status(Code.UNAVAILABLE, null));
        Auction opening;
        try {
            opening = breachUntil("acc-down", view("acc-down", "-4000"), AuctionStatus.AUCTION_STATUS_OPENING);
            awaitUntil("freezes tried", () -> upstream.margin.sequenceOf("acc-down").size() >= 5);
            assertOpeningHasNoLotNorPrice(opening);
            assertThat(upstream.margin.sequenceOf("acc-down")).as("never snapshotted while not frozen")
                    .allMatch(call -> call.equals("freeze acc-down " + opening.getAuctionId()));
            assertBidRefusedAndNothingChanged(opening);
            assertThat(liquidation.listAuctions(ListAuctionsRequest.newBuilder().setStatus(AuctionStatus.AUCTION_STATUS_OPENING)
                    .setAccountId("acc-down").build()).getAuctionsList()).extracting(Auction::getAuctionId)
                    .containsExactly(opening.getAuctionId());
        } finally {
            upstream.margin.freezeFailures.remove("acc-down");
        }

        Auction open = awaitStatus(opening.getAuctionId(), AuctionStatus.AUCTION_STATUS_OPEN);
        assertFrozenBeforeViewed("acc-down", open.getAuctionId());
        assertOpenedAfter(open, before);
        assertThat(auctionsOf("acc-down")).extracting(Auction::getAuctionId).containsExactly(open.getAuctionId());
    }

    @Test
    void anAuctionLeftOpeningByACrashIsOpenedByRecoveryWithItsCurveStartingAtTheOpen() {
        upstream.margin.views.put("acc-crash", view("acc-crash", "-4000"));
        // claimed now (ListAuctions lists newest claim first, and other tests read that order)
        Instant claimed = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        // what a process that crashed right after its claim leaves behind (no event ever comes again)
        assertThat(store.claim("auc-crash", "acc-crash", claimed, CURVE)).isTrue();

        Auction open = awaitStatus("auc-crash", AuctionStatus.AUCTION_STATUS_OPEN);
        assertThat(open.getClaimedAtUnixMs()).isEqualTo(claimed.toEpochMilli());
        // recovery drives claims older than its grace (1 s in tests): the curve starts at the open, not the claim
        assertOpenedAfter(open, claimed.plus(GRACE));
        assertFrozenBeforeViewed("acc-crash", "auc-crash");
        assertThat(open.getStartValueUsd()).isEqualTo("1500.00000000");
        assertThat(open.getLotCount()).isEqualTo(3);
    }

    @Test
    void twoProcessesClaimingOneAccountMakeExactlyOneAuction() throws Exception {
        for (int round = 0; round < 10; round++) {
            String account = "acc-twice-" + round;
            upstream.margin.views.put(account, view(account, "-4000"));
            // the claim itself, raced on another account: one insert wins, the other meets the unique index
            List<Boolean> claims = new CopyOnWriteArrayList<>();
            String claimed = "acc-claims-" + round;
            twiceAtOnce(() -> claims.add(store.claim("auc-" + claimed + "-" + Thread.currentThread().getId(), claimed, Instant.now(), CURVE)));
            assertThat(claims).as("round %d: one claim wins", round).containsExactlyInAnyOrder(true, false);
            twiceAtOnce(() -> breaches.onLiquidation(account));
            List<Auction> auctions = auctionsOf(account);
            assertThat(auctions).as("round %d", round).hasSize(1);
            assertThat(auctions.get(0).getStatus()).isEqualTo(AuctionStatus.AUCTION_STATUS_OPEN);
            assertThat(upstream.margin.freezesOf(account)).extracting(f -> f.getAuctionId())
                    .containsOnly(auctions.get(0).getAuctionId());
        }
    }

    @Test
    void twoDriversOfOneClaimOpenItOnce() throws Exception {
        for (int round = 0; round < 10; round++) {
            String account = "acc-drivers-" + round;
            String auctionId = "auc-drivers-" + round;
            upstream.margin.views.put(account, view(account, "-4000"));
            assertThat(store.claim(auctionId, account, Instant.now(), CURVE)).isTrue();
            twiceAtOnce(() -> breaches.drive(auctionId, account));
            // the conditional open itself, raced on a fresh claim: one opens, the other changes nothing
            String raced = "auc-opens-" + round;
            upstream.margin.views.put("acc-opens-" + round, view("acc-opens-" + round, "-4000"));
            assertThat(store.claim(raced, "acc-opens-" + round, Instant.now(), CURVE)).isTrue();
            List<Boolean> opens = new CopyOnWriteArrayList<>();
            twiceAtOnce(() -> opens.add(store.open(raced, Instant.now(), new BigDecimal("1500"),
                    List.of(LotItem.position("ETH-PERPETUAL", new BigDecimal("-2"))), null)));
            Auction racedOpen = get(raced);
            assertThat(racedOpen.getStatus()).isEqualTo(AuctionStatus.AUCTION_STATUS_OPEN);
            assertThat(racedOpen.getVersion()).isEqualTo(1);
            if (opens.contains(true)) {
                assertThat(opens).as("round %d", round).containsExactlyInAnyOrder(true, false);
                assertThat(racedOpen.getLotCount()).isEqualTo(1);
            } else {
                // a loaded machine let recovery (claims older than its 1 s grace) open it first, with the view's lot
                assertThat(opens).as("round %d", round).containsExactly(false, false);
                assertThat(racedOpen.getLotCount()).isEqualTo(3);
            }
            Auction open = get(auctionId);
            assertThat(open.getStatus()).as("round %d", round).isEqualTo(AuctionStatus.AUCTION_STATUS_OPEN);
            assertThat(open.getVersion()).isEqualTo(1);
            assertThat(open.getLotCount()).as("one lot, not two").isEqualTo(3);
        }
    }

    @Test
    void aClaimAndAnOpenAuctionOfAnOlderReplicaExcludeEachOther() {
        // rolling upgrade: a replica of the release before V3 inserts OPEN auctions directly
        assertThat(store.claim("auc-new-replica", "acc-upgrade", Instant.now(), CURVE)).isTrue();
        assertThat(store.insertAuction("auc-old-replica", "acc-upgrade", Instant.now(), BigDecimal.TEN, CURVE, List.of())).isFalse();

        assertThat(store.insertAuction("auc-old-replica-2", "acc-upgrade-2", Instant.now(), BigDecimal.TEN, CURVE, List.of())).isTrue();
        assertThat(store.claim("auc-new-replica-2", "acc-upgrade-2", Instant.now(), CURVE)).isFalse();
        assertThat(store.activity("acc-upgrade")).isEqualTo(AuctionStore.Activity.ACTIVE);
    }

    @Test
    void anAccountNoLongerInLiquidationWhenSnapshottedGetsNoAuctionAndIsUnfrozen() {
        AccountView healthy = view("acc-healed", "-4000").toBuilder().setStatus(AccountStatus.ACCOUNT_STATUS_MARGIN_CALL).build();
        Auction cancelled = breachUntil("acc-healed", healthy, AuctionStatus.AUCTION_STATUS_CLOSED);
        assertThat(cancelled.getCancelReason()).isEqualTo("NOT_IN_LIQUIDATION");
        assertThat(cancelled.getLotList()).isEmpty();
        assertThat(cancelled.getBidsList()).isEmpty();
        assertThat(cancelled.getStartedAtUnixMs()).isZero();
        assertThat(cancelled.getCurrentPriceUsd()).isEmpty();
        assertThat(cancelled.getClosedAtUnixMs()).isPositive();
        String id = cancelled.getAuctionId();
        assertFrozenBeforeViewed("acc-healed", id);
        // the cancel's unfreeze follows its own freeze at once, which might still be in flight from another
        // driver: recovery sends it again once no freeze can land any more, and only that one is recorded
        awaitUntil("the unfreeze recorded", unfreezePatience(), () -> store.activity("acc-healed") == AuctionStore.Activity.NONE);
        List<String> calls = upstream.margin.sequenceOf("acc-healed");
        assertThat(calls.get(calls.size() - 1)).isEqualTo("unfreeze acc-healed " + id);
        assertThat(calls).filteredOn(call -> call.startsWith("unfreeze ")).hasSize(2);
        assertBidRefusedAndNothingChanged(cancelled, "AUCTION_CLOSED");

        // an account margin-service does not know: cancelled the same way
        upstream.margin.push("acc-nobody", AccountStatus.ACCOUNT_STATUS_LIQUIDATION);
        awaitUntil("the cancel of acc-nobody", () -> auctionsOf("acc-nobody").stream()
                .anyMatch(a -> a.getStatus() == AuctionStatus.AUCTION_STATUS_CLOSED));
        assertThat(auctionsOf("acc-nobody")).singleElement().satisfies(a -> {
            assertThat(a.getCancelReason()).isEqualTo("UNKNOWN_ACCOUNT");
            assertThat(a.getLotList()).isEmpty();
        });
    }

    @Test
    void aFreezeHeldByAnotherAuctionNeverOpensAnAuctionAndTheAccountsClosedAuctionsAreUnfrozenAgain() {
        // an earlier auction of the account, closed and its unfreeze recorded: yet margin still holds its freeze
        assertThat(store.claim("auc-held-old", "acc-held", Instant.now(), CURVE)).isTrue();
        assertThat(store.cancel("auc-held-old", Instant.now(), "NOT_IN_LIQUIDATION")).isTrue();
        assertThat(store.markUnfrozen("auc-held-old", Instant.now(), Duration.ZERO)).isTrue();
        String unfreezeOld = "unfreeze acc-held auc-held-old";
        // a refusal for another reason: left OPENING, retried, nothing else done
        upstream.margin.freezeFailures.put("acc-held", status(Code.FAILED_PRECONDITION, "SOME_OTHER_REASON"));
        Auction opening;
        try {
            opening = breachUntil("acc-held", view("acc-held", "-4000"), AuctionStatus.AUCTION_STATUS_OPENING);
            awaitUntil("recovery retries the freeze", () -> upstream.margin.sequenceOf("acc-held").size() >= 2);
            assertThat(upstream.margin.sequenceOf("acc-held")).allMatch(call -> call.startsWith("freeze "));
            assertThat(store.activity("acc-held")).isEqualTo(AuctionStore.Activity.ACTIVE);

            // ACCOUNT_FROZEN: the closed auction's unfreeze is sent again (margin lifts only that id's freeze)
            upstream.margin.freezeFailures.put("acc-held", status(Code.FAILED_PRECONDITION, "ACCOUNT_FROZEN"));
            awaitUntil("the closed auction's unfreeze sent again", () -> upstream.margin.sequenceOf("acc-held").contains(unfreezeOld));
            assertThat(upstream.margin.sequenceOf("acc-held")).filteredOn(call -> call.startsWith("view ")).isEmpty();
            assertThat(get(opening.getAuctionId()).getStatus()).isEqualTo(AuctionStatus.AUCTION_STATUS_OPENING);
            assertThat(upstream.margin.freezesOf("acc-held")).extracting(f -> f.getAuctionId()).containsOnly("auc-held-old");
        } finally {
            // margin-service released the old freeze: the new auction's freeze now holds
            upstream.margin.freezeFailures.remove("acc-held");
        }
        Auction open = awaitStatus(opening.getAuctionId(), AuctionStatus.AUCTION_STATUS_OPEN);
        // what margin-service answered (refused freezes left out): the old freeze lifted before the new one held
        List<String> answered = upstream.margin.freezesOf("acc-held").stream()
                .map(f -> (f.getFrozen() ? "freeze " : "unfreeze ") + f.getAccountId() + " " + f.getAuctionId()).toList();
        assertThat(answered.indexOf(unfreezeOld)).isNotNegative();
        assertThat(answered.indexOf("freeze acc-held " + open.getAuctionId())).isGreaterThan(answered.indexOf(unfreezeOld));
    }

    @Test
    void aFreezeLandingAfterTheCancelsUnfreezeIsUndoneByTheUnfreezeSentAgain() {
        String account = "acc-late";
        upstream.margin.views.put(account, view(account, "-4000").toBuilder().setStatus(AccountStatus.ACCOUNT_STATUS_MARGIN_CALL).build());
        assertThat(store.claim("auc-late", account, Instant.now(), CURVE)).isTrue();
        // driver B found the auction OPENING and sent its freeze, slow to land (its call timed out but ran)
        assertThat(store.noteFreezeSent("auc-late", dev.crosschain.liquidation.domain.AuctionStatus.OPENING, Instant.now())).isTrue();
        // driver A: freeze, snapshot (no longer in liquidation), cancel, unfreeze
        breaches.drive("auc-late", account);
        assertThat(get("auc-late").getCancelReason()).isEqualTo("NOT_IN_LIQUIDATION");
        // B's freeze lands after A's unfreeze
        margin.setFreeze(account, true, "auc-late");
        assertThat(upstream.margin.sequenceOf(account)).containsExactly("freeze acc-late auc-late", "view acc-late",
                "unfreeze acc-late auc-late", "freeze acc-late auc-late");
        assertThat(store.activity(account)).as("the unfreeze is still pending").isEqualTo(AuctionStore.Activity.UNFREEZE_PENDING);

        awaitUntil("the unfreeze sent again and recorded", unfreezePatience(), () -> store.activity(account) == AuctionStore.Activity.NONE);
        List<String> calls = upstream.margin.sequenceOf(account);
        assertThat(calls.get(calls.size() - 1)).as("margin's last call about the account").isEqualTo("unfreeze acc-late auc-late");
        assertThat(calls).filteredOn(call -> call.startsWith("unfreeze ")).hasSize(2);
    }

    @Test
    void aBreachWhileTheLastAuctionsUnfreezeIsPendingOpensAnAuctionOnceTheUnfreezeIsDone() {
        String account = "acc-again";
        upstream.margin.unfreezeFailures.put(account, status(Code.UNAVAILABLE, null));
        Auction cancelled;
        try {
            cancelled = breachUntil(account, view(account, "-4000").toBuilder().setStatus(AccountStatus.ACCOUNT_STATUS_MARGIN_CALL).build(),
                    AuctionStatus.AUCTION_STATUS_CLOSED);
            awaitUntil("the cancel's unfreeze tried",
                    () -> upstream.margin.sequenceOf(account).contains("unfreeze " + account + " " + cancelled.getAuctionId()));
            assertThat(store.activity(account)).isEqualTo(AuctionStore.Activity.UNFREEZE_PENDING);
            // breached again while that unfreeze is pending: margin-service sends the change once
            upstream.margin.views.put(account, view(account, "-4000"));
            upstream.margin.push(account, AccountStatus.ACCOUNT_STATUS_MARGIN_CALL);
            upstream.margin.push(account, AccountStatus.ACCOUNT_STATUS_LIQUIDATION);
            assertThat(auctionsOf(account)).as("no claim while the unfreeze is pending").hasSize(1);
        } finally {
            upstream.margin.unfreezeFailures.remove(account);
        }
        // recovery's unfreeze gets through and is recorded: the breach is claimed then, and opens
        awaitUntil("a new auction open", unfreezePatience(), () -> auctionsOf(account).stream()
                .anyMatch(a -> a.getStatus() == AuctionStatus.AUCTION_STATUS_OPEN));
        Auction open = auctionsOf(account).get(0);
        assertThat(open.getAuctionId()).isNotEqualTo(cancelled.getAuctionId());
        assertThat(open.getLotCount()).isEqualTo(3);
        List<String> calls = upstream.margin.sequenceOf(account);
        assertThat(calls.indexOf("freeze " + account + " " + open.getAuctionId()))
                .isGreaterThan(calls.lastIndexOf("unfreeze " + account + " " + cancelled.getAuctionId()));
    }

    @Test
    void anAccountInLiquidationWithNothingToAuctionGetsNoAuctionAndIsUnfrozen() {
        AccountView empty = AccountView.newBuilder().setAccountId("acc-empty").setStatus(AccountStatus.ACCOUNT_STATUS_LIQUIDATION).build();
        Auction cancelled = breachUntil("acc-empty", empty, AuctionStatus.AUCTION_STATUS_CLOSED);
        assertThat(cancelled.getCancelReason()).isEqualTo("EMPTY_LOT");
        assertThat(cancelled.getLotList()).isEmpty();
        assertThat(cancelled.getStartedAtUnixMs()).isZero();
        assertThat(cancelled.getCurrentPriceUsd()).isEmpty();
        assertFrozenBeforeViewed("acc-empty", cancelled.getAuctionId());
        awaitUntil("the unfreeze sent", () -> upstream.margin.sequenceOf("acc-empty")
                .contains("unfreeze acc-empty " + cancelled.getAuctionId()));
        assertThat(auctionsOf("acc-empty")).singleElement().extracting(Auction::getStatus).isEqualTo(AuctionStatus.AUCTION_STATUS_CLOSED);
    }

    // ---- helpers ----

    /** How long an unfreeze recovery sends again may take: the longest a freeze may be in flight, then PATIENCE. */
    private Duration unfreezePatience() {
        return config.client().maxInFlight().plus(PATIENCE);
    }

    /** Runs the action on two threads released together (two processes racing), and waits for both. */
    private static void twiceAtOnce(Runnable action) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            CyclicBarrier start = new CyclicBarrier(2);
            List<Future<?>> racers = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                Callable<Void> racer = () -> {
                    start.await(PATIENCE.toSeconds(), TimeUnit.SECONDS);
                    action.run();
                    return null;
                };
                racers.add(pool.submit(racer));
            }
            for (Future<?> racer : racers) {
                racer.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static Auction breachUntil(String account, AccountView view, AuctionStatus status) {
        upstream.margin.views.put(account, view);
        upstream.margin.push(account, AccountStatus.ACCOUNT_STATUS_LIQUIDATION);
        awaitUntil("an auction for " + account + " in " + status,
                () -> auctionsOf(account).stream().anyMatch(a -> a.getStatus() == status));
        return auctionsOf(account).stream().filter(a -> a.getStatus() == status).findFirst().orElseThrow();
    }

    /**
     * The account's first call at margin-service is the freeze with the auction's id, and it was viewed
     * (snapshotted) after that: with the order before V3 (view, open, freeze) the first call is the view.
     */
    private static void assertFrozenBeforeViewed(String account, String auctionId) {
        List<String> calls = upstream.margin.sequenceOf(account);
        assertThat(calls).as("calls about %s", account).isNotEmpty().contains("view " + account);
        assertThat(calls.get(0)).as("calls %s", calls).isEqualTo("freeze " + account + " " + auctionId);
    }

    private static Auction awaitStatus(String auctionId, AuctionStatus status) {
        awaitUntil(auctionId + " in " + status, () -> get(auctionId).getStatus() == status);
        return get(auctionId);
    }

    private static void assertOpeningHasNoLotNorPrice(Auction opening) {
        assertThat(opening.getLotList()).isEmpty();
        assertThat(opening.getStartedAtUnixMs()).isZero();
        assertThat(opening.getStartValueUsd()).isEmpty();
        assertThat(opening.getCurrentPriceUsd()).isEmpty();
        assertThat(opening.getEpochStartValueUsd()).isEmpty();
        assertThat(opening.getVersion()).isZero();
        assertThat(opening.getNeedsReset()).isFalse();
    }

    /** Opened at or after {@code before}; epoch 0 starts at the open, and the price is the curve's from there. */
    private static void assertOpenedAfter(Auction open, Instant before) {
        assertThat(open.getStartedAtUnixMs()).isGreaterThanOrEqualTo(before.toEpochMilli());
        assertThat(open.getEpochStartedAtUnixMs()).isEqualTo(open.getStartedAtUnixMs());
        assertThat(open.getVersion()).isEqualTo(1);
        Instant start = Instant.ofEpochMilli(open.getStartedAtUnixMs());
        assertThat(configuredPrice(open, start).toPlainString()).isEqualTo("1425.00000000");
    }

    private static void assertBidRefusedAndNothingChanged(Auction auction) {
        assertBidRefusedAndNothingChanged(auction, "AUCTION_OPENING");
    }

    private static void assertBidRefusedAndNothingChanged(Auction auction, String reason) {
        String bidId = "bid-" + auction.getAuctionId();
        PlaceBidRequest bid = PlaceBidRequest.newBuilder().setBidId(bidId).setAuctionId(auction.getAuctionId())
                .setBidderAccountId(LiquidationGrpcServiceTest.BIDDER).setFraction("0.5")
                .setMaxLotPriceUsd(LiquidationGrpcServiceTest.NO_LIMIT).setAuctionVersion(0).build();
        assertThatThrownBy(() -> liquidation.placeBid(bid)).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
            assertThat(errorInfo(e).getReason()).isEqualTo(reason);
            assertThat(detail(e, PreconditionFailure.class).getViolationsList())
                    .extracting(PreconditionFailure.Violation::getType).containsExactly(reason);
        });
        Auction now = get(auction.getAuctionId());
        assertThat(now.getStatus()).isEqualTo(auction.getStatus());
        assertThat(now.getVersion()).isEqualTo(auction.getVersion());
        assertThat(now.getBidsList()).isEmpty();
        assertThat(now.getLotList()).isEqualTo(auction.getLotList());
        assertThat(upstream.collateral.callsOf(bidId + "/collateral")).isEmpty();
    }

    private static com.google.rpc.Status status(Code code, String reason) {
        com.google.rpc.Status.Builder status = com.google.rpc.Status.newBuilder().setCode(code.getNumber()).setMessage(code.name());
        if (reason != null) {
            status.addDetails(Any.pack(ErrorInfo.newBuilder().setReason(reason).setDomain("margin.crosschain").build()));
        }
        return status.build();
    }

    private static List<Auction> auctionsOf(String account) {
        return liquidation.listAuctions(ListAuctionsRequest.newBuilder().setAccountId(account).build()).getAuctionsList();
    }

    private static Auction get(String auctionId) {
        return liquidation.getAuction(GetAuctionRequest.newBuilder().setAuctionId(auctionId).build()).getAuction();
    }
}
