package dev.crosschain.collateral.store;

import dev.crosschain.collateral.domain.InvalidInputException;
import io.agroal.api.AgroalDataSource;
import org.jboss.logging.Logger;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Set;

/**
 * Runs work in one JDBC transaction, retrying serialization failures and deadlocks a bounded number of times. A data
 * exception (SQLSTATE class 22: a NUL byte in text, a numeric overflow, ...) is the input's fault and never goes
 * away on a retry: it is {@link InvalidInputException} INVALID_VALUE (INVALID_ARGUMENT, or a REJECTED ack on the
 * adapter stream), not a database outage. The domain's bounds should catch such input first; this is the last line.
 */
final class Transactions {

    static final String INVALID_VALUE = "INVALID_VALUE";
    private static final String DATA_EXCEPTION_CLASS = "22";
    private static final Logger LOG = Logger.getLogger(Transactions.class);

    static final int MAX_ATTEMPTS = 5;
    private static final Set<String> RETRYABLE = Set.of("40001", "40P01");

    @FunctionalInterface
    interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    private Transactions() {
    }

    static <T> T serializable(AgroalDataSource dataSource, String what, Work<T> work) {
        return run(dataSource, what, Connection.TRANSACTION_SERIALIZABLE, Set.of(), work);
    }

    /** As {@link #serializable} and also retried on the given extra SQLSTATEs (e.g. a racing insert's 23505). */
    static <T> T serializable(AgroalDataSource dataSource, String what, Set<String> alsoRetry, Work<T> work) {
        return run(dataSource, what, Connection.TRANSACTION_SERIALIZABLE, alsoRetry, work);
    }

    static <T> T readCommitted(AgroalDataSource dataSource, String what, Work<T> work) {
        return run(dataSource, what, Connection.TRANSACTION_READ_COMMITTED, Set.of(), work);
    }

    /** As {@link #readCommitted} and also retried on the given extra SQLSTATEs (e.g. a racing insert's 23505). */
    static <T> T readCommitted(AgroalDataSource dataSource, String what, Set<String> alsoRetry, Work<T> work) {
        return run(dataSource, what, Connection.TRANSACTION_READ_COMMITTED, alsoRetry, work);
    }

    private static <T> T run(AgroalDataSource dataSource, String what, int isolation, Set<String> alsoRetry, Work<T> work) {
        SQLException last = null;
        for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
            try (Connection c = dataSource.getConnection()) {
                c.setAutoCommit(false);
                c.setTransactionIsolation(isolation);
                try {
                    T result = work.run(c);
                    c.commit();
                    return result;
                } catch (SQLException | RuntimeException e) {
                    rollbackQuietly(c);
                    throw e;
                } finally {
                    c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
                    c.setAutoCommit(true);
                }
            } catch (SQLException e) {
                String state = e.getSQLState();
                if (state != null && (RETRYABLE.contains(state) || alsoRetry.contains(state))) {
                    last = e;
                    continue;
                }
                if (state != null && state.startsWith(DATA_EXCEPTION_CLASS)) {
                    // The database's message may quote the value: logged cut, not returned.
                    String detail = String.valueOf(e.getMessage());
                    LOG.warnf("%s: the database refused a value (SQLSTATE %s): %s", what, state,
                            detail.length() <= 300 ? detail : detail.substring(0, 300) + "...");
                    throw new InvalidInputException(INVALID_VALUE, java.util.List.of(new dev.crosschain.collateral.domain.Violation(
                            "request", "the database refused a value of the request (SQLSTATE " + state + ")")));
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
