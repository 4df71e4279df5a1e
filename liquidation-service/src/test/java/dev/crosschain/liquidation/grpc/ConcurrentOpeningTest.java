package dev.crosschain.liquidation.grpc;

import dev.crosschain.liquidation.app.Recovery;
import dev.crosschain.liquidation.app.RiskWatcher;
import dev.crosschain.postgres.PostgresTestResource;
import dev.crosschain.proto.liquidation.v1.Auction;
import dev.crosschain.proto.liquidation.v1.AuctionStatus;
import dev.crosschain.proto.liquidation.v1.HaltLevel;
import dev.crosschain.proto.liquidation.v1.LiquidationServiceGrpc;
import dev.crosschain.proto.liquidation.v1.ListAuctionsRequest;
import dev.crosschain.proto.margin.v1.AccountStatus;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.stream.IntStream;

import static dev.crosschain.liquidation.grpc.LiquidationGrpcServiceTest.view;
import static dev.crosschain.liquidation.grpc.TestSupport.awaitUntil;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Many accounts breaching at once (issue 6: every auction open within a second of a move that breaches 1,000): the
 * WatchRisk events are handled on liquidation.open.parallelism threads, one account's events one at a time, the latest last.
 */
@QuarkusTest
@QuarkusTestResource(PostgresTestResource.class)
class ConcurrentOpeningTest {

    /** Every account of this test's. */
    private static final String PREFIX = "acc-concurrent-";

    static LiquidationServiceGrpc.LiquidationServiceBlockingStub liquidation;
    static LiquidationServiceGrpc.LiquidationServiceBlockingStub admin;
    static FakeUpstream upstream;

    @Inject
    RiskWatcher watcher;

    @Inject
    Recovery recovery;

    @BeforeAll
    static void connect() {
        upstream = FakeUpstream.get();
        liquidation = LiquidationServiceGrpc.newBlockingStub(TestSupport.channel());
        admin = HaltGrpcTest.withToken(HaltGrpcTest.TOKEN);
    }

    @BeforeEach
    void subscribed() {
        awaitUntil("the service subscribes to WatchRisk", () -> !upstream.margin.watchers.isEmpty());
    }

    /**
     * 50 accounts breach at once, each event sent twice (as a re-subscription repeats it), and margin-service takes 100 ms
     * per view: the openings overlap (one at a time they would not), each account is viewed by one opening at a time,
     * and each gets exactly one auction, OPEN.
     */
    @Test
    void fiftySimultaneousBreachesOpenOneAuctionEachSideBySide() {
        List<String> accounts = accounts(PREFIX + "many-", 50);
        upstream.margin.viewDelayMillis.set(100);
        upstream.margin.mostViewsInFlight.set(0);
        upstream.margin.mostViewsInFlightForOneAccount.set(0);
        long handled = watcher.eventsHandled();
        try {
            for (String account : accounts) {
                upstream.margin.views.put(account, view(account, "-4000"));
            }
            for (int round = 0; round < 2; round++) {
                for (String account : accounts) {
                    upstream.margin.push(account, AccountStatus.ACCOUNT_STATUS_LIQUIDATION);
                }
            }
            awaitUntil("an OPEN auction for each of the 50", () -> accounts.stream()
                    .allMatch(a -> auctionsOf(a).stream().anyMatch(x -> x.getStatus() == AuctionStatus.AUCTION_STATUS_OPEN)));
            awaitUntil("every event handled", () -> watcher.eventsHandled() >= handled + 100);
        } finally {
            upstream.margin.viewDelayMillis.set(0);
        }
        for (String account : accounts) {
            assertThat(auctionsOf(account)).as(account).singleElement().satisfies(a -> {
                assertThat(a.getStatus()).isEqualTo(AuctionStatus.AUCTION_STATUS_OPEN);
                assertThat(upstream.margin.freezesOf(account)).extracting(f -> f.getAuctionId())
                        .containsOnly(a.getAuctionId());
            });
        }
        assertThat(upstream.margin.mostViewsInFlight.get()).as("openings side by side").isGreaterThan(1);
        assertThat(upstream.margin.mostViewsInFlightForOneAccount.get()).as("one opening per account at a time").isEqualTo(1);
    }

    /**
     * Under a global NO_NEW_AUCTIONS halt, 25 accounts breach and recover (LIQUIDATION then HEALTHY), 25 others only
     * breach; their views all still say LIQUIDATION (margin-service's view lags), so only the order of the events tells
     * them apart. Once the halt is lifted the 25 still in breach open and the 25 that recovered are never claimed nor
     * frozen: a HEALTHY handled before its LIQUIDATION would leave the account waiting to be claimed.
     */
    @Test
    void aBreachFollowedByItsRecoveryIsNeverClaimedOnceAHaltLifts() {
        List<String> recovered = accounts(PREFIX + "flip-", 25);
        List<String> breached = accounts(PREFIX + "stay-", 25);
        admin.setHalt(HaltGrpcTest.set("", HaltLevel.HALT_LEVEL_NO_NEW_AUCTIONS));
        long handled = watcher.eventsHandled();
        try {
            for (String account : recovered) {
                upstream.margin.views.put(account, view(account, "-4000"));
            }
            for (String account : breached) {
                upstream.margin.views.put(account, view(account, "-4000"));
            }
            for (int i = 0; i < 25; i++) {
                upstream.margin.push(recovered.get(i), AccountStatus.ACCOUNT_STATUS_LIQUIDATION);
                upstream.margin.push(breached.get(i), AccountStatus.ACCOUNT_STATUS_LIQUIDATION);
                upstream.margin.push(recovered.get(i), AccountStatus.ACCOUNT_STATUS_HEALTHY);
            }
            awaitUntil("every event handled", () -> watcher.eventsHandled() >= handled + 75);
        } finally {
            admin.setHalt(HaltGrpcTest.set("", HaltLevel.HALT_LEVEL_NONE));
        }
        awaitUntil("an OPEN auction for each of the 25 still in breach", () -> breached.stream()
                .allMatch(a -> auctionsOf(a).stream().anyMatch(x -> x.getStatus() == AuctionStatus.AUCTION_STATUS_OPEN)));
        // a recovered account wrongly left waiting could be claimed later in the pass that opened the others, or the next:
        // two more passes ended means one ran whole after the 25 opened
        long passes = recovery.passes();
        awaitUntil("a whole recovery pass after the 25 opened", () -> recovery.passes() >= passes + 2);
        for (String account : recovered) {
            assertThat(auctionsOf(account)).as(account).isEmpty();
            assertThat(upstream.margin.sequenceOf(account)).as(account).isEmpty();
        }
        for (String account : breached) {
            assertThat(auctionsOf(account)).as(account).hasSize(1);
        }
    }

    /**
     * Two accounts whose ids hash alike (so they share Breaches' lock stripe, whatever the stripe count) breach at once
     * while margin-service takes a second per view: their openings overlap, as the lock covers only the bookkeeping
     * before the claim, not the freeze and view calls after it.
     */
    @Test
    void accountsSharingALockStripeOpenSideBySide() {
        List<String> accounts = List.of(PREFIX + "stripe-Aa", PREFIX + "stripe-BB");
        assertThat(accounts.get(0).hashCode()).isEqualTo(accounts.get(1).hashCode());
        upstream.margin.viewDelayMillis.set(1000);
        upstream.margin.mostViewsInFlight.set(0);
        try {
            for (String account : accounts) {
                upstream.margin.views.put(account, view(account, "-4000"));
            }
            for (String account : accounts) {
                upstream.margin.push(account, AccountStatus.ACCOUNT_STATUS_LIQUIDATION);
            }
            awaitUntil("an OPEN auction for both", () -> accounts.stream()
                    .allMatch(a -> auctionsOf(a).stream().anyMatch(x -> x.getStatus() == AuctionStatus.AUCTION_STATUS_OPEN)));
        } finally {
            upstream.margin.viewDelayMillis.set(0);
        }
        assertThat(upstream.margin.mostViewsInFlight.get()).as("the two views at once").isGreaterThan(1);
    }

    private static List<String> accounts(String prefix, int n) {
        return IntStream.range(0, n).mapToObj(i -> prefix + i).toList();
    }

    private static List<Auction> auctionsOf(String account) {
        return liquidation.listAuctions(ListAuctionsRequest.newBuilder().setAccountId(account).build()).getAuctionsList();
    }
}
