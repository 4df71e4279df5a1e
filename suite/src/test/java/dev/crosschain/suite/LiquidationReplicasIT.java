package dev.crosschain.suite;

import dev.crosschain.postgres.PostgresServer;
import dev.crosschain.proto.liquidation.v1.Auction;
import dev.crosschain.proto.liquidation.v1.AuctionStatus;
import dev.crosschain.proto.liquidation.v1.Bid;
import dev.crosschain.proto.liquidation.v1.BidStatus;
import dev.crosschain.proto.liquidation.v1.BreakerTrip;
import dev.crosschain.proto.liquidation.v1.GetAuctionRequest;
import dev.crosschain.proto.liquidation.v1.GetHaltsRequest;
import dev.crosschain.proto.liquidation.v1.ListAuctionsRequest;
import dev.crosschain.proto.liquidation.v1.PlaceBidRequest;
import dev.crosschain.proto.liquidation.v1.WatchAuctionsRequest;
import dev.crosschain.proto.liquidation.v1.WatchAuctionsResponse;
import dev.crosschain.proto.margin.v1.ApplyFillRequest;
import dev.crosschain.proto.margin.v1.Side;
import io.grpc.Context;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static dev.crosschain.suite.LiquidationBooks.BREACH;
import static dev.crosschain.suite.LiquidationBooks.CASH;
import static dev.crosschain.suite.LiquidationBooks.ENTRY;
import static dev.crosschain.suite.LiquidationBooks.FUND;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two liquidation-service processes (replicas A and B) on one liquidation database, with the other services packaged
 * and running as processes. Several accounts breach on one ETH move; replica A's index circuit breaker is set to trip
 * on that move (max-move 5 %, B's 25 %), so A holds the auctions it claims once its breaker has tripped and B opens
 * them (at once for B's claims, by B's recovery for A's); A may open the few it handles before its breaker trips, so at
 * least one auction opened by B is what is required. A bidder watches WatchAuctions on A only and bids through A and B in turn.
 * Checked: exactly one auction opened per account in the database; the watcher on A saw each open and each change that
 * bids through B made, up to its close, and every bid SETTLED whichever replica settled it; every accepted bid settled
 * (in liquidation-service's database) with one collateral and one position transfer; tokens,
 * positions and value at fixed marks conserved over every account, the bidder and the fund.
 */
class LiquidationReplicasIT {

    /** Away from the other ITs' and the benchmarks' ports; replica B at its own base. */
    private static final int PORT_BASE = 26000;
    private static final int REPLICA_PORT_BASE = 26050;
    private static final int ACCOUNTS = 6;
    private static final int MAX_BIDS_PER_AUCTION = 5;
    private static final Duration PATIENCE = Duration.ofSeconds(60);
    private static final BigDecimal BIDDER_USDC = new BigDecimal("1000000");
    private static final BigDecimal FUND_CAPITAL = new BigDecimal("1000");

    private final Map<String, Auction> watchedOnA = new ConcurrentHashMap<>();

    @Test
    void aBidderWatchingOneReplicaSeesAndBuysEveryAuctionWhicheverReplicaRunsIt() throws Exception {
        String tag = "rep" + Long.toString(System.nanoTime() & 0xffffffL, 36);
        String prefix = "replicas_" + tag + "_";
        List<String> accounts = new ArrayList<>();
        for (int a = 0; a < ACCOUNTS; a++) {
            accounts.add(tag + "-a" + a);
        }
        String bidder = tag + "-bidder";
        Path root = Path.of("").toAbsolutePath().getParent();
        Path logs = root.resolve("suite/target/replicas-logs");
        long started = System.nanoTime();
        try (PostgresServer db = PostgresServer.forTests()) {
            Suite.Replica secondReplica = new Suite.Replica(ServiceSpec.LIQUIDATION, REPLICA_PORT_BASE, logs.resolve("b"),
                    Map.of("LIQUIDATION_BREAKER_MAX_MOVE", "0.25"));
            try (Suite suite = Suite.start(db, prefix, root, logs.resolve("a"), PORT_BASE, List.of(ServiceSpec.values()),
                    Map.of("LIQUIDATION_BREAKER_MAX_MOVE", "0.05"), List.of(secondReplica));
                 Endpoints services = suite.endpoints();
                 Endpoints replicaB = suite.endpoints(secondReplica);
                 IndexFeed feed = new IndexFeed(services, ENTRY)) {
                Map<String, Holdings> deposits = new TreeMap<>();
                accounts.forEach(account -> deposits.put(account, new Holdings(Map.of(CASH, DemoScenario.ALICE_ETHEREUM_USDC,
                        "arbitrum/USDC", DemoScenario.ALICE_ARBITRUM_USDC, "arbitrum/ETH", DemoScenario.ALICE_ARBITRUM_ETH))));
                deposits.put(bidder, new Holdings(Map.of(CASH, BIDDER_USDC)));
                deposits.put(FUND, new Holdings(Map.of(CASH, FUND_CAPITAL)));
                LiquidationBooks.deposit(services, deposits, tag);
                // a fill valued while a chain is still HALTED (collateral counted 0) would start the account in liquidation
                DemoScenario.awaitChainsHealthy(services, accounts.get(0));
                for (String account : accounts) {
                    services.margin().applyFill(ApplyFillRequest.newBuilder().setFillId(account + "-fill").setAccountId(account)
                            .setInstrument(DemoScenario.PERP).setSide(Side.SIDE_BUY)
                            .setQuantity(DemoScenario.PERP_QUANTITY.toPlainString()).setPrice(ENTRY.toPlainString()).build());
                }
                List<String> everyone = new ArrayList<>(accounts);
                everyone.add(bidder);
                LiquidationBooks.Books before = LiquidationBooks.books(services, everyone);

                Context.CancellableContext watching = watch(services);
                try {
                    feed.set(BREACH);
                    Map<String, String> auctionOf = awaitWatchedOpen(accounts);
                    assertTrippedOnAOnly(services, replicaB);
                    long openedByB = opensLogged(logs.resolve("b"), auctionOf.values());
                    System.out.printf("LiquidationReplicasIT: of %d auctions, replica A opened %d, replica B %d%n", ACCOUNTS,
                            opensLogged(logs.resolve("a"), auctionOf.values()), openedByB);
                    assertThat(openedByB).as("auctions replica B opened (the watcher is on A)").isPositive();
                    List<Bid> bids = new ArrayList<>();
                    List<Endpoints> replicas = List.of(services, replicaB);
                    for (String account : accounts) {
                        bids.addAll(buyUntilClosed(auctionOf.get(account), bidder, replicas, bids.size()));
                    }
                    assertThat(bids.stream().map(b -> b.getBidId().contains("-via-a-")).distinct())
                            .as("bids went through both replicas").containsExactlyInAnyOrder(true, false);
                    awaitSettledAndReleased(services, accounts);
                    checkOneOpenedAuctionPerAccount(db, prefix, accounts, auctionOf);
                    Map<String, String> settledBids = settledBids(services, auctionOf);
                    assertThat(settledBids.keySet()).as("the bids settled are the bids the bidder was answered")
                            .isEqualTo(new TreeSet<>(bids.stream().map(Bid::getBidId).toList()));
                    awaitWatchedSettled(settledBids);
                    checkOneTransferEach(db, prefix + ServiceSpec.COLLATERAL.database(),
                            "SELECT transfer_id FROM transfer WHERE transfer_id LIKE ?", tag, "/collateral", settledBids);
                    checkOneTransferEach(db, prefix + ServiceSpec.MARGIN.database(),
                            "SELECT transfer_id FROM position_transfer WHERE transfer_id LIKE ?", tag, "/positions", settledBids);
                } finally {
                    watching.cancel(null);
                }
                feed.set(BREACH); // fresh marks for the views read now (same level)
                LiquidationBooks.checkConservation("LiquidationReplicasIT", before, LiquidationBooks.books(services, everyone));
            } finally {
                for (ServiceSpec spec : ServiceSpec.values()) {
                    db.dropDatabase(prefix + spec.database());
                }
            }
        }
        System.out.printf("LiquidationReplicasIT: %d accounts, auctions opened by replica B watched on A; %d ms%n",
                ACCOUNTS, (System.nanoTime() - started) / 1_000_000);
    }

    /** Watches WatchAuctions on replica A (the suite's own liquidation-service), keeping the last version of each. */
    private Context.CancellableContext watch(Endpoints a) {
        Context.CancellableContext watching = Context.current().withCancellation();
        watching.run(() -> a.liquidationStreams().watchAuctions(WatchAuctionsRequest.getDefaultInstance(), new StreamObserver<>() {
            @Override
            public void onNext(WatchAuctionsResponse value) {
                Auction auction = value.getAuction();
                watchedOnA.merge(auction.getAuctionId(), auction, (was, now) -> now.getVersion() >= was.getVersion() ? now : was);
            }

            @Override
            public void onError(Throwable t) {
                if (Status.fromThrowable(t).getCode() != Status.Code.CANCELLED) {
                    System.out.printf("LiquidationReplicasIT: the watch on replica A ended: %s%n", t);
                }
            }

            @Override
            public void onCompleted() {
            }
        }));
        return watching;
    }

    /** Each account's auction, as the watcher on A saw it open; by account. */
    private Map<String, String> awaitWatchedOpen(List<String> accounts) throws InterruptedException {
        Map<String, String> auctionOf = new TreeMap<>();
        for (String account : accounts) {
            Auction auction = Await.until("the watcher on replica A sees the auction of " + account, PATIENCE, () ->
                    watchedOnA.values().stream().filter(a -> a.getAccountId().equals(account)
                            && a.getStatus() == AuctionStatus.AUCTION_STATUS_OPEN).findFirst());
            auctionOf.put(account, auction.getAuctionId());
        }
        return auctionOf;
    }

    /** How many of {@code auctionIds} the liquidation-service logging to {@code logDir} says it opened. */
    private static long opensLogged(Path logDir, Collection<String> auctionIds) throws IOException {
        try (Stream<String> lines = Files.lines(logDir.resolve(ServiceSpec.LIQUIDATION.module() + ".log"))) {
            return lines.filter(line -> line.contains("opened auction ")).filter(line -> auctionIds.stream()
                    .anyMatch(id -> line.contains("opened auction " + id + " "))).count();
        }
    }

    /** The premise: A's breaker holds new auctions after the move, B's does not, so B opened them all. */
    private static void assertTrippedOnAOnly(Endpoints a, Endpoints b) {
        List<BreakerTrip> onA = a.liquidation().getHalts(GetHaltsRequest.getDefaultInstance()).getBreakersList();
        assertThat(onA).as("breakers tripped on replica A").extracting(BreakerTrip::getUnderlying).contains("ETH");
        assertThat(b.liquidation().getHalts(GetHaltsRequest.getDefaultInstance()).getBreakersList())
                .as("breakers tripped on replica B").isEmpty();
    }

    /**
     * Bids max_fraction_now at the price and version the watcher on A last showed, through A and B in turn (counting from
     * {@code bidsBefore}), until the watcher shows the auction closed. After a refused bid the next one is made on the
     * auction as read then. Returns the bids accepted.
     */
    private List<Bid> buyUntilClosed(String auctionId, String bidder, List<Endpoints> replicas, int bidsBefore)
            throws InterruptedException {
        List<Bid> accepted = new ArrayList<>();
        Auction seen = watchedOnA.get(auctionId);
        for (int n = 0; n < MAX_BIDS_PER_AUCTION; n++) {
            if (seen.getStatus() == AuctionStatus.AUCTION_STATUS_CLOSED) {
                return accepted;
            }
            int through = (bidsBefore + accepted.size()) % 2;
            String bidId = auctionId + "-via-" + (through == 0 ? "a" : "b") + "-" + n;
            try {
                Bid bid = replicas.get(through).liquidation().placeBid(PlaceBidRequest.newBuilder().setBidId(bidId)
                        .setAuctionId(auctionId).setBidderAccountId(bidder).setFraction(seen.getMaxFractionNow())
                        .setMaxLotPriceUsd(seen.getCurrentPriceUsd()).setAuctionVersion(seen.getVersion()).build()).getBid();
                accepted.add(bid);
                // the watcher on A hears of the bid, whichever replica took it
                seen = Await.until("the watcher on replica A sees bid " + bidId, PATIENCE, () -> Optional.of(watchedOnA.get(auctionId))
                        .filter(a -> a.getBidsList().stream().anyMatch(b -> b.getBidId().equals(bidId))));
            } catch (StatusRuntimeException refused) {
                if (refused.getStatus().getCode() != Status.Code.FAILED_PRECONDITION) {
                    throw refused;
                }
                // e.g. the price stepped down since the watcher's message, and with it the bound on the fraction
                System.out.printf("LiquidationReplicasIT: bid %s at version %d refused (%s); bidding again on the auction read now%n",
                        bidId, seen.getVersion(), refused.getStatus().getDescription());
                seen = replicas.get(through).liquidation().getAuction(GetAuctionRequest.newBuilder().setAuctionId(auctionId)
                        .build()).getAuction();
            }
        }
        Await.until("the watcher on replica A sees " + auctionId + " closed", PATIENCE, () ->
                Optional.of(watchedOnA.get(auctionId)).filter(a -> a.getStatus() == AuctionStatus.AUCTION_STATUS_CLOSED));
        return accepted;
    }

    /**
     * The settlements reached the watcher on A too, whichever replica made them: it ends showing each auction with exactly
     * its settled bids, each SETTLED.
     */
    private void awaitWatchedSettled(Map<String, String> settledBids) throws InterruptedException {
        Map<String, Set<String>> bidsOf = new TreeMap<>();
        settledBids.forEach((bid, auction) -> bidsOf.computeIfAbsent(auction, k -> new TreeSet<>()).add(bid));
        for (Map.Entry<String, Set<String>> auction : bidsOf.entrySet()) {
            Await.until("the watcher on replica A sees every bid of " + auction.getKey() + " settled", PATIENCE, () ->
                    Optional.ofNullable(watchedOnA.get(auction.getKey())).filter(a -> a.getStatus() == AuctionStatus.AUCTION_STATUS_CLOSED
                            && a.getBidsList().stream().allMatch(b -> b.getStatus() == BidStatus.BID_STATUS_SETTLED)
                            && a.getBidsList().stream().map(Bid::getBidId).collect(Collectors.toSet()).equals(auction.getValue())));
        }
    }

    private static void awaitSettledAndReleased(Endpoints services, List<String> accounts) throws InterruptedException {
        for (String account : accounts) {
            Await.until("every auction of " + account + " closed and settled", PATIENCE, () -> {
                List<Auction> auctions = services.liquidation().listAuctions(ListAuctionsRequest.newBuilder()
                        .setAccountId(account).build()).getAuctionsList();
                boolean done = auctions.stream().allMatch(a -> a.getStatus() == AuctionStatus.AUCTION_STATUS_CLOSED
                        && a.getBidsList().stream().allMatch(b -> b.getStatus() == BidStatus.BID_STATUS_SETTLED));
                return done ? Optional.of(true) : Optional.empty();
            });
            Await.until(account + " unfrozen", PATIENCE, () -> {
                return LiquidationBooks.view(services, account).getFrozen() ? Optional.empty() : Optional.of(true);
            });
        }
    }

    /**
     * In liquidation-service's database: each account has exactly one auction that opened (a start time), the one the
     * watcher saw; any other row is a claim cancelled before it opened, without bids.
     */
    private static void checkOneOpenedAuctionPerAccount(PostgresServer db, String prefix, List<String> accounts,
                                                        Map<String, String> auctionOf) throws SQLException {
        Map<String, List<String>> opened = new TreeMap<>();
        try (Connection c = DriverManager.getConnection(db.jdbcUrl(prefix + ServiceSpec.LIQUIDATION.database()), db.user(), db.password());
             PreparedStatement s = c.prepareStatement("""
                     SELECT account_id, auction_id, started_at_ms IS NOT NULL,
                            EXISTS (SELECT 1 FROM bid b WHERE b.auction_id = a.auction_id)
                     FROM auction a ORDER BY seq""");
             ResultSet rs = s.executeQuery()) {
            while (rs.next()) {
                if (rs.getBoolean(3)) {
                    opened.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(rs.getString(2));
                } else {
                    assertThat(rs.getBoolean(4)).as("bids on %s, which never opened", rs.getString(2)).isFalse();
                }
            }
        }
        assertThat(opened.keySet()).as("accounts with an auction").containsExactlyInAnyOrderElementsOf(accounts);
        for (String account : accounts) {
            assertThat(opened.get(account)).as("auctions opened for %s", account).containsExactly(auctionOf.get(account));
        }
    }

    /** Every bid of the auctions, which must all be SETTLED: by bid id, its auction. */
    private static Map<String, String> settledBids(Endpoints services, Map<String, String> auctionOf) {
        Map<String, String> settled = new TreeMap<>();
        for (String auctionId : auctionOf.values()) {
            Auction auction = services.liquidation().getAuction(GetAuctionRequest.newBuilder().setAuctionId(auctionId).build())
                    .getAuction();
            for (Bid bid : auction.getBidsList()) {
                assertThat(bid.getStatus()).as("bid %s", bid.getBidId()).isEqualTo(BidStatus.BID_STATUS_SETTLED);
                settled.put(bid.getBidId(), auctionId);
            }
        }
        return settled;
    }

    /** The upstream service's own record (read-only): exactly one transfer {@code <bid id><suffix>} per settled bid. */
    private static void checkOneTransferEach(PostgresServer db, String database, String sql, String tag, String suffix,
                                             Map<String, String> settledBids) throws SQLException {
        List<String> transfers = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(db.jdbcUrl(database), db.user(), db.password());
             PreparedStatement s = c.prepareStatement(sql)) {
            c.setReadOnly(true);
            s.setString(1, "auc-%");
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    transfers.add(rs.getString(1));
                }
            }
        }
        assertThat(transfers).as("settlement transfers in %s (run %s)", database, tag)
                .containsExactlyInAnyOrderElementsOf(settledBids.keySet().stream().map(bid -> bid + suffix).toList());
    }
}
