package dev.crosschain.collateral.store;

import dev.crosschain.postgres.PostgresTestResource;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two chains' adapter batches that each wrote the account's balance on their own chain and then freeze it (a final
 * deposit orphaned on both) must both commit. Freezing used to lock every balance row of the account, the other
 * chain's included, so each batch waited for the row the other held: a deadlock, retried into the same deadlock
 * until the streams failed "database unavailable" (ServiceRestartProofIT, seed 5629645386354).
 */
@QuarkusTest
@QuarkusTestResource(PostgresTestResource.class)
class FreezeLockTest {

    private static final long PATIENCE_MS = 15_000;

    @Inject
    AgroalDataSource dataSource;

    @Test
    void twoChainsFreezingOneAccountBothCommit() throws Exception {
        String account = "freeze-lock-" + UUID.randomUUID().toString().substring(0, 8);
        ExecutorService batches = Executors.newFixedThreadPool(2);
        try (Connection ethereum = dataSource.getConnection(); Connection arbitrum = dataSource.getConnection()) {
            ethereum.setAutoCommit(false);
            arbitrum.setAutoCommit(false);
            // Rows committed before (a fresh row is invisible to another transaction's FOR UPDATE), then both written
            // before either freeze: with the old row locks each freeze waited for the row the other had written.
            credit(ethereum, account, "ethereum", "setup");
            credit(ethereum, account, "arbitrum", "setup");
            ethereum.commit();
            credit(ethereum, account, "ethereum", "batch");
            credit(arbitrum, account, "arbitrum", "batch");
            Future<?> first = batches.submit(() -> freezeAndCommit(ethereum, account, "ethereum"));
            Future<?> second = batches.submit(() -> freezeAndCommit(arbitrum, account, "arbitrum"));
            first.get(PATIENCE_MS, TimeUnit.MILLISECONDS);
            second.get(PATIENCE_MS, TimeUnit.MILLISECONDS);
        } finally {
            batches.shutdownNow();
        }
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(
                "SELECT count(*) FROM account_freeze WHERE account_id = ? AND unfrozen_at IS NULL")) {
            s.setString(1, account);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                assertThat(rs.getInt(1)).isEqualTo(2);
            }
        }
    }

    /** As a batch's deposit does: the account's balance row on the chain, written and so locked until commit. */
    private static void credit(Connection c, String account, String chain, String step) throws SQLException {
        LedgerWrites.change(c, "freeze-lock:" + account + ":" + chain + ":" + step, "DEPOSIT_PENDING", account, chain, "USDC",
                BigDecimal.ONE, BigDecimal.ZERO, BigDecimal.ZERO, "freeze-lock-test");
    }

    private static Void freezeAndCommit(Connection c, String account, String chain) throws SQLException {
        OptionalLong alert = Alerts.raise(c, Alerts.Severity.CRITICAL, "TEST_FREEZE", chain, account,
                "orphaned on " + chain, "freeze-lock:" + account + ":" + chain);
        assertThat(Alerts.freeze(c, account, "orphaned on " + chain, alert)).isTrue();
        c.commit();
        return null;
    }
}
