package dev.crosschain.liquidation.grpc;

import dev.crosschain.liquidation.store.AuctionChangeFeed;
import dev.crosschain.liquidation.store.AuctionStore;
import dev.crosschain.postgres.PostgresTestResource;
import dev.crosschain.proto.liquidation.v1.Auction;
import dev.crosschain.proto.liquidation.v1.AuctionStatus;
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

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
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
        insertOpen("auc-rc-notified");
        // sent again until heard: the feed may still be connecting when the test starts
        awaitUntil("the other replica's auction watched", () -> {
            sql("SELECT pg_notify('" + CHANNEL + "', '" + OTHER_REPLICA + " auc-rc-notified')");
            return seen("auc-rc-notified", AuctionStatus.AUCTION_STATUS_OPEN);
        });
    }

    @Test
    void changesWhoseNotificationsWereLostReachTheWatcherOnceTheFeedListensAgain() {
        insertOpen("auc-rc-missed-open");
        insertOpen("auc-rc-missed-close");
        sql("UPDATE auction SET status = 'CLOSED', version = version + 1, closed_at_ms = " + Instant.now().toEpochMilli()
                + " WHERE auction_id = 'auc-rc-missed-close'");
        assertThat(seen("auc-rc-missed-open", AuctionStatus.AUCTION_STATUS_OPEN)).as("not announced yet").isFalse();
        // no NOTIFY: the feed's connection is cut, and it re-reads what may have changed once it listens again
        awaitUntil("the feed's connection terminated", () -> sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                + " WHERE application_name = '" + AuctionChangeFeed.APPLICATION_NAME + "' AND datname = current_database()"));
        awaitUntil("the open auction watched", () -> seen("auc-rc-missed-open", AuctionStatus.AUCTION_STATUS_OPEN));
        awaitUntil("the closed auction watched closed", () -> seen("auc-rc-missed-close", AuctionStatus.AUCTION_STATUS_CLOSED));
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
