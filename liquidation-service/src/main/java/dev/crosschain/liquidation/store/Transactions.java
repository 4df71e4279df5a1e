package dev.crosschain.liquidation.store;

import io.agroal.api.AgroalDataSource;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Set;

/** Runs work in one JDBC transaction, retrying serialization failures and deadlocks a bounded number of times. */
final class Transactions {

    static final int MAX_ATTEMPTS = 5;
    private static final Set<String> RETRYABLE = Set.of("40001", "40P01");
    /*
     * The isolation is set per transaction, as its first statement (the driver sends it with the BEGIN), not with
     * Connection#setTransactionIsolation: PostgreSQL's driver sends a SET SESSION CHARACTERISTICS round trip for every
     * such call (it never skips an unchanged level), the session had to be set back after each transaction (another),
     * and the pool, having seen the isolation changed through its wrapper, set it once more when the connection came
     * back: three round trips per transaction, now one (the SET TRANSACTION, which carries the BEGIN). READ COMMITTED
     * sends none: it is every connection's own level (quarkus.datasource.jdbc.transaction-isolation-level, set when the
     * pool opens a connection), so the BEGIN goes out with the work's first statement.
     */
    private static final String SERIALIZABLE = "SET TRANSACTION ISOLATION LEVEL SERIALIZABLE";
    private static final String REPEATABLE_READ = "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ";
    /** No statement: the connection's own level. */
    private static final String READ_COMMITTED = null;

    @FunctionalInterface
    interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    private Transactions() {
    }

    static <T> T serializable(AgroalDataSource dataSource, String what, Work<T> work) {
        return run(dataSource, what, SERIALIZABLE, Set.of(), work);
    }

    /** As {@link #serializable} and also retried on the given extra SQLSTATEs (e.g. a racing insert's 23505). */
    static <T> T serializable(AgroalDataSource dataSource, String what, Set<String> alsoRetry, Work<T> work) {
        return run(dataSource, what, SERIALIZABLE, alsoRetry, work);
    }

    static <T> T readCommitted(AgroalDataSource dataSource, String what, Work<T> work) {
        return run(dataSource, what, READ_COMMITTED, Set.of(), work);
    }

    /**
     * Reads that must agree with each other (an auction's header, lot and bids): every statement sees the database as
     * of the first one. Read-only work only; a repeatable-read reader never fails on a concurrent writer.
     */
    static <T> T snapshot(AgroalDataSource dataSource, String what, Work<T> work) {
        return run(dataSource, what, REPEATABLE_READ, Set.of(), work);
    }

    private static <T> T run(AgroalDataSource dataSource, String what, String isolation, Set<String> alsoRetry, Work<T> work) {
        SQLException last = null;
        for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
            try (Connection c = dataSource.getConnection()) {
                c.setAutoCommit(false);
                try {
                    if (isolation != null) {
                        try (Statement s = c.createStatement()) {
                            s.execute(isolation);
                        }
                    }
                    T result = work.run(c);
                    c.commit();
                    return result;
                } catch (SQLException | RuntimeException e) {
                    rollbackQuietly(c);
                    throw e;
                } finally {
                    c.setAutoCommit(true);
                }
            } catch (SQLException e) {
                String state = e.getSQLState();
                if (state != null && (RETRYABLE.contains(state) || alsoRetry.contains(state))) {
                    last = e;
                    continue;
                }
                throw new StoreException(what + " failed", e);
            }
        }
        throw new StoreException(what + " failed after " + MAX_ATTEMPTS + " attempts", last);
    }

    private static void rollbackQuietly(Connection c) {
        try {
            c.rollback();
        } catch (SQLException ignored) {
            // the connection is broken; the pool discards it
        }
    }
}
