package dev.crosschain.collateral.store;

import dev.crosschain.collateral.domain.ChainLease;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The chain leases in chain_state (V6): one adapter stream per chain across all replicas. Times are the
 * database's ({@code now()}), the one clock every replica shares. Blocking JDBC: call from worker threads.
 *
 * <p>Fencing: while a stream's events are applied, its lease is bound to the worker thread
 * ({@link #fencedBy}); the event transaction, right after it locks the chain's row, checks that the stream still
 * holds the chain's epoch and extends the lease ({@link #requireHeld}). A thread binding rather than a parameter keeps
 * the hook one line in each chain-locking path of {@link AdapterStore} (its batch and single-event paths alike).
 */
@ApplicationScoped
public class ChainLeases {

    /** A lease a stream obtained by its hello: the epoch it fences with and how long each event extends it. */
    public record Held(String chainId, long epoch, String session, Duration lease) {
    }

    private static final ThreadLocal<Held> BOUND = new ThreadLocal<>();

    private final AgroalDataSource dataSource;

    public ChainLeases(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * Claims the chain for the stream {@code session}: granted when nobody holds it or the holder's lease expired
     * (the epoch rises, so the previous holder's next event fails); otherwise FAILED_PRECONDITION CHAIN_OWNED
     * naming when the lease expires, and nothing changes.
     */
    public Held claim(String chainId, String session, Duration lease) {
        return Transactions.readCommitted(dataSource, "claiming the lease of " + chainId, c -> {
            ChainLease current = lockLease(c, chainId);
            if (!current.claimable(databaseNow(c))) {
                throw current.owned(chainId);
            }
            try (PreparedStatement s = c.prepareStatement("""
                    UPDATE chain_state SET owner_epoch = owner_epoch + 1, owner_session = ?,
                        lease_until = now() + ? * interval '1 millisecond'
                    WHERE chain_id = ? RETURNING owner_epoch""")) {
                s.setString(1, session);
                s.setLong(2, lease.toMillis());
                s.setString(3, chainId);
                try (ResultSet rs = s.executeQuery()) {
                    rs.next();
                    return new Held(chainId, rs.getLong(1), session, lease);
                }
            }
        });
    }

    /** Gives the lease up if the stream still holds it, so that the next hello is granted at once. */
    public void release(Held held) {
        Transactions.readCommitted(dataSource, "releasing the lease of " + held.chainId(), c -> {
            try (PreparedStatement s = c.prepareStatement("""
                    UPDATE chain_state SET owner_session = NULL, lease_until = NULL
                    WHERE chain_id = ? AND owner_epoch = ? AND owner_session = ?""")) {
                s.setString(1, held.chainId());
                s.setLong(2, held.epoch());
                s.setString(3, held.session());
                s.executeUpdate();
            }
            return null;
        });
    }

    /** Whether the stream still holds its chain (checked before withdrawal instructions go out on it). */
    public boolean holds(Held held) {
        return Transactions.readCommitted(dataSource, "reading the lease of " + held.chainId(),
                c -> read(c, held.chainId(), "").heldBy(held.session(), held.epoch()));
    }

    /** Runs a stream's work with its lease bound for {@link #requireHeld}; {@code held} null (before the hello): unbound. */
    public static <T> T fencedBy(Held held, Supplier<T> work) {
        Held before = BOUND.get();
        BOUND.set(held);
        try {
            return work.get();
        } finally {
            if (before == null) {
                BOUND.remove();
            } else {
                BOUND.set(before);
            }
        }
    }

    /** The lease of the stream bound to this thread (see {@link #fencedBy}) if it is for this chain; empty: unbound. */
    static Optional<Held> boundTo(String chainId) {
        Held held = BOUND.get();
        return held != null && held.chainId().equals(chainId) ? Optional.of(held) : Optional.empty();
    }

    /**
     * Fencing, inside an event transaction that has just locked the chain's row (read as {@code row}) and extended
     * the lease: the stream must still hold the chain, else CHAIN_OWNED (the transaction rolls back, the event
     * changes nothing). Work with no stream bound (in-module use of the store) is not fenced.
     */
    static void requireHeld(Held held, ChainLease row) {
        if (!row.heldBy(held.session(), held.epoch())) {
            throw ChainLease.takenOver(held.chainId(), held.epoch());
        }
    }

    private static ChainLease lockLease(Connection c, String chainId) throws SQLException {
        try (PreparedStatement create = c.prepareStatement("INSERT INTO chain_state (chain_id) VALUES (?) ON CONFLICT DO NOTHING")) {
            create.setString(1, chainId);
            create.executeUpdate();
        }
        return read(c, chainId, " FOR UPDATE");
    }

    private static ChainLease read(Connection c, String chainId, String lock) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(
                "SELECT owner_epoch, owner_session, lease_until FROM chain_state WHERE chain_id = ?" + lock)) {
            s.setString(1, chainId);
            try (ResultSet rs = s.executeQuery()) {
                if (!rs.next()) {
                    return new ChainLease(chainId, 0, Optional.empty(), Optional.empty());
                }
                Timestamp until = rs.getTimestamp(3);
                return new ChainLease(chainId, rs.getLong(1), Optional.ofNullable(rs.getString(2)),
                        Optional.ofNullable(until).map(Timestamp::toInstant));
            }
        }
    }

    private static Instant databaseNow(Connection c) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT now()"); ResultSet rs = s.executeQuery()) {
            rs.next();
            return rs.getTimestamp(1).toInstant();
        }
    }
}
