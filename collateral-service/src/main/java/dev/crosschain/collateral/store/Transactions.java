package dev.crosschain.collateral.store;

import dev.crosschain.collateral.domain.InvalidInputException;
import dev.crosschain.collateral.domain.Violation;
import io.agroal.api.AgroalDataSource;
import org.jboss.logging.Logger;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
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
        return run(dataSource, what, Connection.TRANSACTION_SERIALIZABLE, false, Set.of(), work);
    }

    /** As {@link #serializable} and also retried on the given extra SQLSTATEs (e.g. a racing insert's 23505). */
    static <T> T serializable(AgroalDataSource dataSource, String what, Set<String> alsoRetry, Work<T> work) {
        return run(dataSource, what, Connection.TRANSACTION_SERIALIZABLE, false, alsoRetry, work);
    }

    static <T> T readCommitted(AgroalDataSource dataSource, String what, Work<T> work) {
        return run(dataSource, what, Connection.TRANSACTION_READ_COMMITTED, false, Set.of(), work);
    }

    /**
     * A read-only REPEATABLE READ transaction: one snapshot for every statement, and no SIRead (predicate) locks, so
     * a large read does not fail the SERIALIZABLE writers it overlaps with 40001 as a SERIALIZABLE read would.
     */
    static <T> T snapshotRead(AgroalDataSource dataSource, String what, Work<T> work) {
        return run(dataSource, what, Connection.TRANSACTION_REPEATABLE_READ, true, Set.of(), work);
    }

    /** As {@link #readCommitted} and also retried on the given extra SQLSTATEs (e.g. a racing insert's 23505). */
    static <T> T readCommitted(AgroalDataSource dataSource, String what, Set<String> alsoRetry, Work<T> work) {
        return run(dataSource, what, Connection.TRANSACTION_READ_COMMITTED, false, alsoRetry, work);
    }

    private static <T> T run(AgroalDataSource dataSource, String what, int isolation, boolean readOnly, Set<String> alsoRetry,
                             Work<T> work) {
        SQLException last = null;
        for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
            try (Connection c = dataSource.getConnection()) {
                c.setAutoCommit(false);
                // Pooled connections are at READ COMMITTED between uses (the server's default, restored below):
                // setting it costs a round trip per transaction, so only another level is set.
                boolean otherLevel = isolation != Connection.TRANSACTION_READ_COMMITTED;
                if (otherLevel) {
                    c.setTransactionIsolation(isolation);
                }
                if (readOnly) {
                    c.setReadOnly(true);
                }
                try {
                    T result = work.run(c);
                    c.commit();
                    return result;
                } catch (SQLException | RuntimeException e) {
                    rollbackQuietly(c);
                    throw e;
                } finally {
                    if (otherLevel) {
                        c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
                    }
                    if (readOnly) {
                        c.setReadOnly(false);
                    }
                    c.setAutoCommit(true);
                }
            } catch (SQLException e) {
                String state = e.getSQLState();
                if (state != null && (RETRYABLE.contains(state) || alsoRetry.contains(state))) {
                    last = e;
                    continue;
                }
                if (isDataException(e)) {
                    throw invalidValue(what, e);
                }
                throw new StoreException(what + " failed", e);
            }
        }
        throw new StoreException(what + " failed after " + MAX_ATTEMPTS + " attempts", last);
    }

    /** SQLSTATE class 22: the database refused a value; the same input fails again on a retry. */
    static boolean isDataException(SQLException e) {
        return e.getSQLState() != null && e.getSQLState().startsWith(DATA_EXCEPTION_CLASS);
    }

    /** The refusal of a data exception as the input's fault: INVALID_VALUE, the database's message logged cut. */
    static InvalidInputException invalidValue(String what, SQLException e) {
        // The database's message may quote the value: logged cut, not returned.
        String detail = String.valueOf(e.getMessage());
        LOG.warnf("%s: the database refused a value (SQLSTATE %s): %s", what, e.getSQLState(),
                detail.length() <= 300 ? detail : detail.substring(0, 300) + "...");
        return new InvalidInputException(INVALID_VALUE, List.of(new Violation(
                "request", "the database refused a value of the request (SQLSTATE " + e.getSQLState() + ")")));
    }

    private static void rollbackQuietly(Connection c) {
        try {
            c.rollback();
        } catch (SQLException ignored) {
            // the connection is broken; the pool discards it
        }
    }
}
