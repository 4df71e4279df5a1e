package dev.crosschain.margin.store;

import dev.crosschain.postgres.PostgresTestResource;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The account lock's transaction against a database whose sessions end after 1 s idle in a
 * transaction (a server setting some operators use): the lock outlives it, and a lost lock
 * connection never hides the work's own failure.
 */
@QuarkusTest
@QuarkusTestResource(PostgresTestResource.class)
@TestProfile(WithdrawalLockTest.IdleTimeout.class)
class WithdrawalLockTest {

    public static class IdleTimeout implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.datasource.jdbc.additional-jdbc-properties.options", "-c idle_in_transaction_session_timeout=1000");
        }
    }

    @Inject
    WithdrawalStore store;

    @Inject
    AgroalDataSource dataSource;

    @Test
    void theLockIsHeldThroughWorkLongerThanTheServersIdleTimeout() {
        String result = store.underAccountLock("lock-idle", () -> {
            try {
                Thread.sleep(1_500); // the work's remote calls, longer than the server's idle timeout
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            assertThat(lockHolders("lock-idle")).isEqualTo(1); // still held after it
            return "done";
        });
        assertThat(result).isEqualTo("done");
        assertThat(lockHolders("lock-idle")).isZero();
    }

    @Test
    void aLostLockConnectionDoesNotReplaceTheWorksFailure() {
        IllegalStateException workFailure = new IllegalStateException("the work's own failure");
        assertThatThrownBy(() -> store.underAccountLock("lock-lost", () -> {
            terminateLockHolder("lock-lost");
            throw workFailure;
        })).isSameAs(workFailure);
        assertThat(workFailure.getSuppressed()).isNotEmpty();
    }

    private static final String HOLDERS = """
            FROM pg_locks l WHERE l.locktype = 'advisory' AND l.granted AND l.classid = 22340
              AND l.objid = hashtext(?)::oid""";

    private long lockHolders(String account) {
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement("SELECT count(*) " + HOLDERS)) {
            s.setString(1, account);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (java.sql.SQLException e) {
            throw new AssertionError(e);
        }
    }

    private void terminateLockHolder(String account) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement("SELECT pg_terminate_backend(l.pid) " + HOLDERS)) {
            s.setString(1, account);
            try (ResultSet rs = s.executeQuery()) {
                assertThat(rs.next()).isTrue();
            }
        } catch (java.sql.SQLException e) {
            throw new AssertionError(e);
        }
    }
}
