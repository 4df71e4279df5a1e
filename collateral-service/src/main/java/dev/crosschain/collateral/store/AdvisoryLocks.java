package dev.crosschain.collateral.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * Transaction-level advisory locks of PostgreSQL under two int keys, (hashtext(space), hashtext(key)): held until the
 * transaction ends, released by a broken connection too. {@code space} is a constant of this package (written into
 * the statement, so waiters show it in pg_stat_activity), never caller input.
 */
final class AdvisoryLocks {

    private AdvisoryLocks() {
    }

    /** Takes the lock of {@code key} in {@code space}, exclusive or shared, waiting for conflicting holders. */
    static void take(Connection c, String space, String key, boolean exclusive) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT pg_advisory_xact_lock" + (exclusive ? "" : "_shared")
                + "(hashtext('" + space + "'), hashtext(?))")) {
            s.setString(1, key);
            s.executeQuery().close();
        }
    }
}
