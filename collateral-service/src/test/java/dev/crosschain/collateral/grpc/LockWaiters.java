package dev.crosschain.collateral.grpc;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Tests: waiting for statements that wait for a database lock, polled, not guessed with a sleep. */
final class LockWaiters {

    private LockWaiters() {
    }

    /**
     * Waits until {@code count} backends of this database running a statement {@code LIKE query} wait for a lock;
     * fails after {@link AdapterConnection#PATIENCE_MS}. Asked on a connection of its own outside any transaction:
     * within one, pg_stat_activity answers the same snapshot every time.
     */
    static void await(DataSource dataSource, int count, String query) throws SQLException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(AdapterConnection.PATIENCE_MS);
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                     + " AND pid <> pg_backend_pid() AND wait_event_type = 'Lock' AND query LIKE ?")) {
            s.setString(1, query);
            while (true) {
                try (ResultSet rs = s.executeQuery()) {
                    rs.next();
                    if (rs.getInt(1) >= count) {
                        return;
                    }
                }
                assertThat(System.nanoTime()).as(count + " lock waiters on " + query).isLessThan(deadline);
                TimeUnit.MILLISECONDS.sleep(5);
            }
        }
    }
}
