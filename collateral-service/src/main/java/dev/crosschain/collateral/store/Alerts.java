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
     * Opens a withdrawal freeze of the account for one cause, unless that cause's freeze is open already; true when
     * this call opened one. The cause is the alert ({@code alertId}); without one (the alert was raised before and
     * deduplicated, or there is none) it is the reason: no freeze opens when one with the same reason is open. An
     * account is frozen while any of its freezes is open; each is lifted on its own ({@link OperatorStore#unfreeze}).
     * The account's freeze lock is taken first, exclusively ({@link #lockFreezes}): a withdrawal lock takes it shared
     * before it reads the freezes, so a concurrent lock either commits before this freeze or waits for it and sees it.
     */
    public static boolean freeze(Connection c, String accountId, String reason, OptionalLong alertId) throws SQLException {
        lockFreezes(c, accountId, true);
        try (PreparedStatement s = c.prepareStatement("""
                INSERT INTO account_freeze (account_id, reason, alert_id, cause)
                SELECT ?, ?, ?, CASE WHEN ?::bigint IS NULL THEN 'reason:' || md5(?) ELSE 'alert:' || ? END
                WHERE ?::bigint IS NOT NULL OR NOT EXISTS (
                    SELECT 1 FROM account_freeze WHERE account_id = ? AND unfrozen_at IS NULL AND reason = ?)
                ON CONFLICT (account_id, cause) WHERE unfrozen_at IS NULL DO NOTHING""")) {
            int i = 1;
            s.setString(i++, accountId);
            s.setString(i++, reason);
            for (int k = 0; k < 2; k++) {
                setAlert(s, i++, alertId);
            }
            s.setString(i++, reason);
            setAlert(s, i++, alertId);
            setAlert(s, i++, alertId);
            s.setString(i++, accountId);
            s.setString(i, reason);
            return s.executeUpdate() == 1;
        }
    }

    /**
     * The account's freeze lock for the rest of the transaction: exclusive to open a freeze, shared to rely on the
     * freezes read after it. A transaction-level advisory lock rather than the account's balance rows: an adapter
     * batch freezing an account holds the balance rows it wrote on its own chain, and locking the account's rows on
     * the other chains too made two chains' batches deadlock on an account frozen by both (ServiceRestartProofIT,
     * seed 5629645386354). A withdrawal lock takes this after its balance row and holds no other, so no cycle forms.
     * Accounts whose hashes collide only wait for each other.
     */
    static void lockFreezes(Connection c, String accountId, boolean exclusive) throws SQLException {
        AdvisoryLocks.take(c, "account_freeze", accountId, exclusive);
    }

    private static void setAlert(PreparedStatement s, int index, OptionalLong alertId) throws SQLException {
        if (alertId.isPresent()) {
            s.setLong(index, alertId.getAsLong());
        } else {
            s.setNull(index, java.sql.Types.BIGINT);
        }
    }

    /**
     * Why the account's withdrawals are frozen, or null when no freeze of it is open: the reason of its oldest open
     * freeze, with the number of the others.
     */
    public static String frozenReason(Connection c, String accountId) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("""
                SELECT id, reason, count(*) OVER () FROM account_freeze WHERE account_id = ? AND unfrozen_at IS NULL
                ORDER BY id LIMIT 1""")) {
            s.setString(1, accountId);
            try (ResultSet rs = s.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                long others = rs.getLong(3) - 1;
                String first = rs.getString(2);
                return others == 0 ? first : first + " (and " + others + " other open freeze" + (others == 1 ? "" : "s") + ")";
            }
        }
    }
}
