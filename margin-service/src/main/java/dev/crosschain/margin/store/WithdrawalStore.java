package dev.crosschain.margin.store;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Withdrawals asked through margin-service, by withdrawal id (V3__withdrawal.sql), and the
 * per-account lock that makes "what-if, then lock at collateral-service" one step per account
 * across replicas (liquidation freezes take it too). Blocking JDBC: call from worker threads.
 */
@ApplicationScoped
public class WithdrawalStore {

    /**
     * First key of the two-key advisory locks taken here ("WD" in ASCII), so they never collide with
     * advisory locks taken elsewhere in this database under another first key.
     */
    private static final int LOCK_SPACE = 0x5744;

    /**
     * Longest wait for another holder of an account's lock: a holder makes a few upstream calls, each
     * with its deadline and bounded retries (margin.client), well within this.
     */
    static final String LOCK_WAIT = "30s";

    /**
     * Longest a holder may keep the lock's transaction idle: far above what its work takes (a what-if,
     * a lock with retries, an outcome in doubt asked for a few seconds), yet a replica that hangs
     * frees the account in bounded time.
     */
    static final String IDLE_WHILE_HELD = "5min";

    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(WithdrawalStore.class);

    /**
     * CHECKED: the what-if passed and the lock was asked; LOCKED: collateral-service locked the amount;
     * CONFLICT: collateral-service holds the id with another payload (terminal, V9__withdrawal_conflict.sql).
     */
    public enum State { CHECKED, LOCKED, CONFLICT }

    /**
     * One withdrawal as margin-service recorded it; figures in USD as the what-if found them.
     * {@code lockNotAfterMs}: the not_after (Unix ms, margin's clock) its last lock request carried; 0 when
     * not known (a row from before V6).
     */
    public record WithdrawalRecord(String withdrawalId, String requestHash, String accountId, String chainId, String asset,
                                   BigDecimal amount, String destination, State state, BigDecimal equityImAfter,
                                   BigDecimal imAfter, BigDecimal mmAfter, long lockedAtMs, long lockNotAfterMs) {

        public WithdrawalRecord locked(long atMs) {
            return new WithdrawalRecord(withdrawalId, requestHash, accountId, chainId, asset, amount, destination,
                    State.LOCKED, equityImAfter, imAfter, mmAfter, atMs, lockNotAfterMs);
        }
    }

    private final AgroalDataSource dataSource;
    /**
     * Lock holders at once in this replica: each keeps a pooled connection idle while its work needs
     * another, so they must never take the whole pool (16, application.properties) and starve their
     * own work.
     */
    private final Semaphore holders = new Semaphore(6);
    /** Per-account queues of this JVM (accounts share a stripe by hash: a wait, never a deadlock). */
    private final java.util.concurrent.locks.ReentrantLock[] stripes = new java.util.concurrent.locks.ReentrantLock[256];

    {
        for (int i = 0; i < stripes.length; i++) {
            stripes[i] = new java.util.concurrent.locks.ReentrantLock(true);
        }
    }

    public WithdrawalStore(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * Runs {@code work} holding the account's withdrawal lock: a transaction-level advisory lock of
     * PostgreSQL on a connection of its own, so replicas queue too. The lock's transaction stays open
     * and idle meanwhile (the work uses connections of its own) and is rolled back at the end, which
     * releases the lock; a connection that breaks releases it too, and a pooled connection can never
     * keep it (unlike a session lock whose unlock failed). A holder is never waited for longer than
     * {@link #LOCK_WAIT}: then the database is reported unavailable and the caller may retry.
     */
    public <T> T underAccountLock(String accountId, Supplier<T> work) {
        // first in this JVM, per account: at most one connection per account and replica waits in
        // PostgreSQL, so queued withdrawals of one account never take every permit and connection
        java.util.concurrent.locks.ReentrantLock stripe = stripes[Math.floorMod(accountId.hashCode(), stripes.length)];
        acquire(stripe::tryLock, "another withdrawal of " + accountId + " held the account too long");
        try {
            acquire(holders::tryAcquire, "too many withdrawals in flight in this replica");
            try {
                return underAdvisoryLock(accountId, work);
            } finally {
                holders.release();
            }
        } finally {
            stripe.unlock();
        }
    }

    /**
     * The account lock for a liquidation freeze: neither the JVM queue nor a permit, only the
     * database lock, so withdrawals queued on the account (or on others) never starve a freeze; it
     * waits for the one holder in PostgreSQL per replica.
     */
    public <T> T underAccountLockForFreeze(String accountId, Supplier<T> work) {
        return underAdvisoryLock(accountId, work);
    }

    private interface TimedAcquire {
        boolean tryAcquire(long time, TimeUnit unit) throws InterruptedException;
    }

    private static void acquire(TimedAcquire acquire, String busy) {
        try {
            if (!acquire.tryAcquire(30, TimeUnit.SECONDS)) {
                throw new StoreBusyException(busy);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException("interrupted while waiting for the withdrawal lock", e);
        }
    }

    private <T> T underAdvisoryLock(String accountId, Supplier<T> work) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            RuntimeException failure = null;
            try {
                try (Statement s = c.createStatement()) {
                    s.execute("SET LOCAL lock_timeout = '" + LOCK_WAIT + "'");
                    // idle while the work calls collateral-service: a server-wide idle-in-transaction
                    // timeout must not end the session (and free the lock) while the work goes on
                    s.execute("SET LOCAL idle_in_transaction_session_timeout = '" + IDLE_WHILE_HELD + "'");
                }
                try (PreparedStatement s = c.prepareStatement("SELECT pg_advisory_xact_lock(?, hashtext(?))")) {
                    s.setInt(1, LOCK_SPACE);
                    s.setString(2, accountId);
                    s.executeQuery().close();
                }
                return work.get();
            } catch (RuntimeException e) {
                failure = e;
                throw e;
            } finally {
                try {
                    c.rollback();
                    c.setAutoCommit(true);
                } catch (SQLException e) {
                    if (failure == null) {
                        // the work's outcome stands (a lock at collateral-service is not undone by this)
                        LOG.warnf(e, "withdrawal lock of %s: releasing failed; the broken connection released it", accountId);
                    } else {
                        failure.addSuppressed(e); // the work's own failure is the answer, not the release's
                    }
                }
            }
        } catch (SQLException e) {
            throw new StoreException("withdrawal lock of " + accountId + " failed", e);
        }
    }

    public Optional<WithdrawalRecord> find(String withdrawalId) {
        return Transactions.readCommitted(dataSource, "reading withdrawal " + withdrawalId, c -> {
            try (PreparedStatement s = c.prepareStatement("""
                    SELECT request_hash, account_id, chain_id, asset, amount, destination_address, state,
                           equity_im_after, im_after, mm_after, locked_at_ms, COALESCE(lock_not_after_ms, 0)
                    FROM withdrawal WHERE withdrawal_id = ?""")) {
                s.setString(1, withdrawalId);
                try (ResultSet rs = s.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.<WithdrawalRecord>empty();
                    }
                    return Optional.of(new WithdrawalRecord(withdrawalId, rs.getString(1), rs.getString(2), rs.getString(3),
                            rs.getString(4), rs.getBigDecimal(5), rs.getString(6), State.valueOf(rs.getString(7)),
                            rs.getBigDecimal(8), rs.getBigDecimal(9), rs.getBigDecimal(10), rs.getLong(11), rs.getLong(12)));
                }
            }
        });
    }

    /**
     * Records (or re-records, with new figures and the new request's not_after) a CHECKED withdrawal
     * before its lock is asked. Never overwrites a LOCKED row or another payload's row: false then.
     */
    public boolean saveChecked(WithdrawalRecord w) {
        return Transactions.readCommitted(dataSource, "recording withdrawal " + w.withdrawalId(), c -> {
            try (PreparedStatement s = c.prepareStatement("""
                    INSERT INTO withdrawal (withdrawal_id, request_hash, account_id, chain_id, asset, amount, destination_address,
                                            state, equity_im_after, im_after, mm_after, lock_not_after_ms)
                    VALUES (?, ?, ?, ?, ?, ?, ?, 'CHECKED', ?, ?, ?, ?)
                    ON CONFLICT (withdrawal_id) DO UPDATE SET equity_im_after = EXCLUDED.equity_im_after,
                        im_after = EXCLUDED.im_after, mm_after = EXCLUDED.mm_after, lock_asked_at = now(),
                        lock_not_after_ms = EXCLUDED.lock_not_after_ms
                    WHERE withdrawal.state = 'CHECKED' AND withdrawal.request_hash = EXCLUDED.request_hash""")) {
                s.setString(1, w.withdrawalId());
                s.setString(2, w.requestHash());
                s.setString(3, w.accountId());
                s.setString(4, w.chainId());
                s.setString(5, w.asset());
                s.setBigDecimal(6, w.amount());
                s.setString(7, w.destination());
                s.setBigDecimal(8, w.equityImAfter());
                s.setBigDecimal(9, w.imAfter());
                s.setBigDecimal(10, w.mmAfter());
                s.setLong(11, w.lockNotAfterMs());
                return s.executeUpdate() == 1;
            }
        });
    }

    /** A CHECKED withdrawal and how long ago its lock was last asked. */
    public record Pending(WithdrawalRecord withdrawal, long askedAgoMs) {
    }

    /** The account's CHECKED withdrawals other than {@code exceptId}: locks asked whose outcome margin-service does not know. */
    public java.util.List<Pending> checkedOf(String accountId, String exceptId) {
        return Transactions.readCommitted(dataSource, "reading pending withdrawals of " + accountId, c -> {
            try (PreparedStatement s = c.prepareStatement("""
                    SELECT withdrawal_id, request_hash, chain_id, asset, amount, destination_address,
                           equity_im_after, im_after, mm_after,
                           (EXTRACT(EPOCH FROM (now() - lock_asked_at)) * 1000)::BIGINT, COALESCE(lock_not_after_ms, 0)
                    FROM withdrawal WHERE account_id = ? AND state = 'CHECKED' AND withdrawal_id <> ? ORDER BY created_at""")) {
                s.setString(1, accountId);
                s.setString(2, exceptId == null ? "" : exceptId);
                java.util.List<Pending> pending = new java.util.ArrayList<>();
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        pending.add(new Pending(new WithdrawalRecord(rs.getString(1), rs.getString(2), accountId, rs.getString(3),
                                rs.getString(4), rs.getBigDecimal(5), rs.getString(6), State.CHECKED, rs.getBigDecimal(7),
                                rs.getBigDecimal(8), rs.getBigDecimal(9), 0L, rs.getLong(11)), rs.getLong(10)));
                    }
                }
                return pending;
            }
        });
    }

    /** Marks the withdrawal LOCKED at collateral-service's lock time. */
    public void markLocked(String withdrawalId, long lockedAtMs) {
        Transactions.readCommitted(dataSource, "marking withdrawal " + withdrawalId + " locked", c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "UPDATE withdrawal SET state = 'LOCKED', locked_at_ms = ? WHERE withdrawal_id = ? AND state <> 'CONFLICT'")) {
                s.setLong(1, lockedAtMs);
                s.setString(2, withdrawalId);
                s.executeUpdate();
            }
            return null;
        });
    }

    /**
     * Records a CHECKED withdrawal of the fence {@code lockNotAfterMs} as CONFLICT, with what collateral-service
     * holds under its id ({@code collateralHolds}); false when the row is no longer that CHECKED one (resolved
     * meanwhile, or re-recorded by a newer request).
     */
    public boolean markConflict(String withdrawalId, long lockNotAfterMs, String collateralHolds) {
        return Transactions.readCommitted(dataSource, "marking withdrawal " + withdrawalId + " in conflict", c -> {
            try (PreparedStatement s = c.prepareStatement("UPDATE withdrawal SET state = 'CONFLICT', conflict_collateral = ?,"
                    + " conflict_at = now() WHERE withdrawal_id = ? AND state = 'CHECKED' AND COALESCE(lock_not_after_ms, 0) = ?")) {
                s.setString(1, collateralHolds);
                s.setString(2, withdrawalId);
                s.setLong(3, lockNotAfterMs);
                return s.executeUpdate() == 1;
            }
        });
    }

    /**
     * Forgets a CHECKED withdrawal whose lock, fenced by {@code lockNotAfterMs} (0: none recorded), was
     * refused or has settled unlocked. Only the row of that fence: a newer request of the id (its own
     * fence, its lock perhaps in flight) is not the caller's to forget. A LOCKED one is never deleted.
     */
    public void forgetChecked(String withdrawalId, long lockNotAfterMs) {
        Transactions.readCommitted(dataSource, "forgetting withdrawal " + withdrawalId, c -> {
            try (PreparedStatement s = c.prepareStatement("DELETE FROM withdrawal WHERE withdrawal_id = ? AND state = 'CHECKED'"
                    + " AND COALESCE(lock_not_after_ms, 0) = ?")) {
                s.setString(1, withdrawalId);
                s.setLong(2, lockNotAfterMs);
                s.executeUpdate();
            }
            return null;
        });
    }
}
