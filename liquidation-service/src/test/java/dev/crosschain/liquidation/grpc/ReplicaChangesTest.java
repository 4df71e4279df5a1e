package dev.crosschain.liquidation.grpc;

import dev.crosschain.liquidation.domain.AuctionRules;
import dev.crosschain.liquidation.domain.BidRequest;
import dev.crosschain.liquidation.domain.LotItem;
import dev.crosschain.liquidation.domain.PriceCurve;
import dev.crosschain.liquidation.store.AuctionChangeFeed;
import dev.crosschain.liquidation.store.AuctionStore;
import dev.crosschain.postgres.PostgresTestResource;
import dev.crosschain.proto.liquidation.v1.Auction;
import dev.crosschain.proto.liquidation.v1.AuctionStatus;
import dev.crosschain.proto.liquidation.v1.BidStatus;
import dev.crosschain.proto.liquidation.v1.LiquidationServiceGrpc;
import dev.crosschain.proto.liquidation.v1.WatchAuctionsRequest;
import dev.crosschain.proto.liquidation.v1.WatchAuctionsResponse;
import io.agroal.api.AgroalDataSource;
import io.grpc.Context;
import io.grpc.stub.StreamObserver;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static dev.crosschain.liquidation.grpc.TestSupport.awaitUntil;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * What another replica commits reaches this replica's WatchAuctions streams: the auctions are written here straight
 * into the database (as another process writes them, without this process's own delivery) and announced, or not, by a
 * NOTIFY from a connection of the test's own.
 */
@QuarkusTest
@QuarkusTestResource(PostgresTestResource.class)
class ReplicaChangesTest {

    private static final String CHANNEL = "auction_changes";
    private static final String OTHER_REPLICA = "another-replica";
    private static final Duration RESEND_AFTER = Duration.ofSeconds(2);

    @Inject
    AuctionStore store;
    @Inject
    AgroalDataSource dataSource;

    private final List<Auction> watched = new CopyOnWriteArrayList<>();
    private Context.CancellableContext watching;

    /** A watcher whose snapshot has been read: it hears from now on only what is announced to this replica. */
    @BeforeEach
    void watch() {
        String marker = "auc-rc-marker-" + System.nanoTime();
        insertOpen(marker);
        watching = Context.current().withCancellation();
        watching.run(() -> LiquidationServiceGrpc.newStub(TestSupport.channel()).watchAuctions(
                WatchAuctionsRequest.getDefaultInstance(), new StreamObserver<>() {
                    @Override
                    public void onNext(WatchAuctionsResponse value) {
                        watched.add(value.getAuction());
                    }

                    @Override
                    public void onError(Throwable t) {
                        System.out.println("ReplicaChangesTest: the watch ended: " + t);
                    }

                    @Override
                    public void onCompleted() {
                    }
                }));
        awaitUntil("the watcher's snapshot", () -> seen(marker, AuctionStatus.AUCTION_STATUS_OPEN));
    }

    @AfterEach
    void stopWatching() {
        watching.cancel(null);
    }

    @Test
    void anAuctionAnotherReplicaOpenedReachesTheWatcherByItsNotification() {
        awaitHeard("auc-rc-live-" + System.nanoTime());
        insertOpen("auc-rc-notified");
        awaitHeard("auc-rc-after-" + System.nanoTime());
        assertThat(seen("auc-rc-notified", AuctionStatus.AUCTION_STATUS_OPEN))
                .as("not watched before its notification: the feed is listening and caught up").isFalse();
        announce("auc-rc-notified");
        awaitUntil("the other replica's auction watched", () -> seen("auc-rc-notified", AuctionStatus.AUCTION_STATUS_OPEN));
    }

    @Test
    void changesWhoseNotificationsWereLostReachTheWatcherOnceTheFeedListensAgain() {
        insertOpen("auc-rc-missed-open");
        insertOpen("auc-rc-missed-close");
        sql("UPDATE auction SET status = 'CLOSED', version = version + 1, closed_at_ms = " + Instant.now().toEpochMilli()
                + " WHERE auction_id = 'auc-rc-missed-close'");
        // closed long before the gap; only its bid's settlement falls in it
        insertOpen("auc-rc-missed-settle");
        sql("UPDATE auction SET status = 'CLOSED', version = version + 1, closed_at_ms = "
                + Instant.now().minus(Duration.ofHours(1)).toEpochMilli() + " WHERE auction_id = 'auc-rc-missed-settle'");
        sql("INSERT INTO bid (bid_id, auction_id, bidder_account_id, fraction, max_lot_price_usd, auction_version,"
                + " lot_price_usd, paid_usd, status, placed_at_ms, settled_at_ms) VALUES ('bid-rc-missed-settle',"
                + " 'auc-rc-missed-settle', 'bidder-rc', 1, 1500, 1, 1500, 1500, 'SETTLED', "
                + Instant.now().minus(Duration.ofHours(1)).toEpochMilli() + ", " + Instant.now().toEpochMilli() + ")");
        assertThat(seen("auc-rc-missed-open", AuctionStatus.AUCTION_STATUS_OPEN)).as("not announced yet").isFalse();
        // no NOTIFY: the feed's connection is cut, and it re-reads what may have changed once it listens again
        awaitUntil("the feed's connection terminated", () -> sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                + " WHERE application_name = '" + AuctionChangeFeed.APPLICATION_NAME + "' AND datname = current_database()"));
        awaitUntil("the open auction watched", () -> seen("auc-rc-missed-open", AuctionStatus.AUCTION_STATUS_OPEN));
        awaitUntil("the closed auction watched closed", () -> seen("auc-rc-missed-close", AuctionStatus.AUCTION_STATUS_CLOSED));
        awaitUntil("the bid settled after its auction closed watched settled", () -> watched.stream().anyMatch(a ->
                a.getAuctionId().equals("auc-rc-missed-settle") && a.getBidsCount() == 1
                        && a.getBids(0).getStatus() == BidStatus.BID_STATUS_SETTLED));
    }

    /**
     * Each store method that changes an auction notifies once, in its transaction: heard by a LISTEN of the test's own
     * (which hears this process's notifications too, unlike the feed). Only notifications of the auction at hand count:
     * the service's background tasks may notify of others meanwhile.
     */
    @Test
    void everyStoreChangeOfAnAuctionSendsOneNotificationOfIt() throws SQLException {
        try (Connection listener = dataSource.getConnection()) {
            run(listener, "LISTEN " + CHANNEL);
            try {
                Instant now = Instant.now();
                assertThat(store.claim("auc-rc-n-open", "acc-rc-n-open", now, AuctionResetTest.NEVER_RESETS)).isTrue();
                assertThat(heardSince(listener, "auc-rc-n-open")).as("claim (OPENING is never watched)").isEmpty();
                assertThat(store.open("auc-rc-n-open", now, new BigDecimal("1500"), AuctionResetTest.LOT, null)).isTrue();
                assertThat(heardSince(listener, "auc-rc-n-open")).as("open").hasSize(1);

                String auctionId = "auc-rc-n-bid";
                insertOpen(auctionId);
                heardSince(listener, auctionId);
                AuctionStore.Accepted accepted = accept("bid-rc-n-settled", auctionId, now);
                assertThat(heardSince(listener, auctionId)).as("bid").hasSize(1);
                store.markSettled(accepted.bid().bidId(), now.plusSeconds(1));
                assertThat(heardSince(listener, auctionId)).as("settlement").hasSize(1);
                assertThat(store.reset(auctionId, store.find(auctionId).orElseThrow().version(), now.plusSeconds(2), BigDecimal.TEN,
                        PriceCurve.ResetReason.TAIL)).isPresent();
                assertThat(heardSince(listener, auctionId)).as("reset").hasSize(1);
                AuctionStore.Accepted undone = accept("bid-rc-n-undone", auctionId, now.plusSeconds(3));
                assertThat(heardSince(listener, auctionId)).as("bid").hasSize(1);
                assertThat(store.undo(undone.bid().bidId())).isTrue();
                assertThat(heardSince(listener, auctionId)).as("undo").hasSize(1);

                String bucketId = "auc-rc-n-bucket";
                insertOpen(bucketId);
                run(listener, "UPDATE auction SET bucket_instrument = 'ETH-PERPETUAL' WHERE auction_id = '" + bucketId + "'");
                heardSince(listener, bucketId);
                assertThat(store.supersede(bucketId, store.find(bucketId).orElseThrow().version(), now)).isTrue();
                assertThat(heardSince(listener, bucketId)).as("supersede").hasSize(1);

                String insolventId = "auc-rc-n-insolvent";
                assertThat(store.insertAuction(insolventId, "acc-" + insolventId, now, new BigDecimal("-600"),
                        InsuranceFundTest.HOLDS, List.of(LotItem.collateral("arbitrum", "ETH", BigDecimal.ONE)))).isTrue();
                heardSince(listener, insolventId);
                assertThat(store.takeOver(insolventId, store.find(insolventId).orElseThrow().version(), insolventId + "/takeover",
                        InsuranceFundTest.FUND, now, Duration.ofMinutes(5), InsuranceFundTest.ETH_18)).isPresent();
                assertThat(heardSince(listener, insolventId)).as("takeover").hasSize(1);
            } finally {
                run(listener, "UNLISTEN *");
            }
        }
    }

    private AuctionStore.Accepted accept(String bidId, String auctionId, Instant at) {
        return store.accept(new BidRequest(bidId, auctionId, "bidder-rc", new BigDecimal("0.25"), new BigDecimal("1000000"), 0),
                at, Duration.ofMinutes(5), AuctionRules.DEFAULT, InsuranceFundTest.ETH_18, TestSupport.NO_PENALTY);
    }

    /**
     * The notifications of {@code auctionId} that {@code listener} received since the last call: those committed before a
     * marker it sends now (PostgreSQL delivers notifications in commit order, a session's own included).
     */
    private static List<String> heardSince(Connection listener, String auctionId) throws SQLException {
        String marker = "rc-marker-" + System.nanoTime();
        run(listener, "SELECT pg_notify('" + CHANNEL + "', 'test " + marker + "')");
        PGConnection pg = listener.unwrap(PGConnection.class);
        List<String> heard = new ArrayList<>();
        long deadline = System.nanoTime() + TestSupport.PATIENCE.toNanos();
        while (System.nanoTime() < deadline) {
            PGNotification[] notifications = pg.getNotifications(1000);
            for (PGNotification n : notifications == null ? new PGNotification[0] : notifications) {
                if (n.getParameter().endsWith(" " + marker)) {
                    return heard;
                }
                if (n.getParameter().endsWith(" " + auctionId)) {
                    heard.add(n.getParameter());
                }
            }
        }
        throw new AssertionError("the marker notification " + marker + " was not heard in " + TestSupport.PATIENCE);
    }

    private static void run(Connection c, String statement) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute(statement);
        }
    }

    /**
     * Waits until the feed hears the notification of a marker auction, closed long ago so that no catch-up re-reads it:
     * the watcher then sees it closed only by the notification, and everything the feed did before, a catch-up
     * included, is done.
     */
    private void awaitHeard(String markerId) {
        insertOpen(markerId);
        sql("UPDATE auction SET status = 'CLOSED', version = version + 1, closed_at_ms = "
                + Instant.now().minus(Duration.ofHours(1)).toEpochMilli() + " WHERE auction_id = '" + markerId + "'");
        // sent again until heard: the feed may still be connecting, or reconnecting after another test cut it; not at
        // every poll, or the watcher works through a backlog of them
        long[] sentAt = {0};
        awaitUntil("the notification of " + markerId + " heard", () -> {
            if (System.nanoTime() - sentAt[0] > RESEND_AFTER.toNanos()) {
                announce(markerId);
                sentAt[0] = System.nanoTime();
            }
            return seen(markerId, AuctionStatus.AUCTION_STATUS_CLOSED);
        });
    }

    /** Sends the notification another replica sends when it changes the auction. */
    private void announce(String auctionId) {
        sql("SELECT pg_notify('" + CHANNEL + "', '" + OTHER_REPLICA + " " + auctionId + "')");
    }

    private boolean seen(String auctionId, AuctionStatus status) {
        return watched.stream().anyMatch(a -> a.getAuctionId().equals(auctionId) && a.getStatus() == status);
    }

    private void insertOpen(String auctionId) {
        assertThat(store.insertAuction(auctionId, "acc-" + auctionId, Instant.now(), new BigDecimal("1500"),
                AuctionResetTest.NEVER_RESETS, AuctionResetTest.LOT)).isTrue();
    }

    /** Runs one statement on a connection of the test's own; true when it returned a row whose first column is true. */
    private boolean sql(String statement) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement(statement)) {
            if (!s.execute()) {
                return false;
            }
            try (ResultSet rs = s.getResultSet()) {
                return rs.next() && Boolean.TRUE.equals(rs.getObject(1));
            }
        } catch (SQLException e) {
            throw new IllegalStateException(statement, e);
        }
    }
}
