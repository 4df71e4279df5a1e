package dev.crosschain.collateral.store;

import org.jboss.logging.Logger;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.OptionalLong;

/**
 * Raising alerts and freezing withdrawals inside the caller's transaction, so an alert exists exactly when the
 * change that caused it committed. Each alert is logged too (CRITICAL at ERROR level) for log-based paging.
 */
public final class Alerts {

    private static final Logger LOG = Logger.getLogger(Alerts.class);

    public enum Severity { WARNING, CRITICAL }

    private Alerts() {
    }

    /**
     * Records an alert once per {@code dedupKey}; the id of the new alert, or empty when that key was raised
     * before.
     */
    public static OptionalLong raise(Connection c, Severity severity, String kind, String chainId, String accountId,
                                     String message, String dedupKey) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("""
                INSERT INTO alert (severity, kind, chain_id, account_id, message, dedup_key) VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT (dedup_key) DO NOTHING RETURNING id""")) {
            s.setString(1, severity.name());
            s.setString(2, kind);
            s.setString(3, chainId == null ? "" : chainId);
            s.setString(4, accountId == null ? "" : accountId);
            s.setString(5, message);
            s.setString(6, dedupKey);
            try (ResultSet rs = s.executeQuery()) {
                if (!rs.next()) {
                    return OptionalLong.empty();
                }
                long id = rs.getLong(1);
                if (severity == Severity.CRITICAL) {
                    LOG.errorf("CRITICAL alert %d %s on %s, account %s: %s", id, kind, chainId, accountId, message);
                } else {
                    LOG.warnf("alert %d %s on %s, account %s: %s", id, kind, chainId, accountId, message);
                }
                return OptionalLong.of(id);
            }
        }
    }

    /**
     * Freezes the account's withdrawals unless a freeze is open already; true when this call froze it. The account's
     * balance rows are locked first (FOR UPDATE, in key order), as a withdrawal lock locks its balance row before it
     * reads the freeze: a concurrent lock either commits before this freeze or waits for it and sees it.
     */
    public static boolean freeze(Connection c, String accountId, String reason, OptionalLong alertId) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(
                "SELECT 1 FROM balance WHERE account_id = ? ORDER BY chain_id, asset FOR UPDATE")) {
            s.setString(1, accountId);
            s.executeQuery().close();
        }
        try (PreparedStatement s = c.prepareStatement("""
                INSERT INTO account_freeze (account_id, reason, alert_id) VALUES (?, ?, ?)
                ON CONFLICT (account_id) WHERE unfrozen_at IS NULL DO NOTHING""")) {
            s.setString(1, accountId);
            s.setString(2, reason);
            if (alertId.isPresent()) {
                s.setLong(3, alertId.getAsLong());
            } else {
                s.setNull(3, java.sql.Types.BIGINT);
            }
            return s.executeUpdate() == 1;
        }
    }

    /** The reason of the account's open freeze, or null when its withdrawals are not frozen. */
    public static String frozenReason(Connection c, String accountId) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(
                "SELECT reason FROM account_freeze WHERE account_id = ? AND unfrozen_at IS NULL")) {
            s.setString(1, accountId);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }
}
