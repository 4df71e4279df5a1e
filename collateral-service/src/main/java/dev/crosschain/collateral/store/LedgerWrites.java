package dev.crosschain.collateral.store;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/** Balance changes, each with its append-only ledger entry, inside the caller's transaction. */
final class LedgerWrites {

    private LedgerWrites() {
    }

    /**
     * Adds the deltas to the (account, chain, asset) balance, creating it at zero if new, and appends the
     * ledger entry {@code entryKey}. A balance that would go negative fails the CHECK (SQLSTATE 23514).
     */
    static void change(Connection c, String entryKey, String kind, String account, String chain, String asset,
                       BigDecimal deltaPending, BigDecimal deltaAvailable, BigDecimal deltaLocked, String reference)
            throws SQLException {
        try (PreparedStatement create = c.prepareStatement("""
                INSERT INTO balance (account_id, chain_id, asset) VALUES (?, ?, ?) ON CONFLICT DO NOTHING""");
             PreparedStatement update = c.prepareStatement("""
                UPDATE balance SET pending = pending + ?, available = available + ?, locked = locked + ?, updated_at = now()
                WHERE account_id = ? AND chain_id = ? AND asset = ?""");
             PreparedStatement entry = c.prepareStatement("""
                INSERT INTO ledger_entry (entry_key, account_id, chain_id, asset, kind, delta_pending, delta_available,
                    delta_locked, reference) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""")) {
            create.setString(1, account);
            create.setString(2, chain);
            create.setString(3, asset);
            create.executeUpdate();
            update.setBigDecimal(1, deltaPending);
            update.setBigDecimal(2, deltaAvailable);
            update.setBigDecimal(3, deltaLocked);
            update.setString(4, account);
            update.setString(5, chain);
            update.setString(6, asset);
            update.executeUpdate();
            entry.setString(1, entryKey);
            entry.setString(2, account);
            entry.setString(3, chain);
            entry.setString(4, asset);
            entry.setString(5, kind);
            entry.setBigDecimal(6, deltaPending);
            entry.setBigDecimal(7, deltaAvailable);
            entry.setBigDecimal(8, deltaLocked);
            entry.setString(9, reference);
            entry.executeUpdate();
        }
    }

    /** The available balance, zero when the balance does not exist; locks the row when it does. */
    static BigDecimal availableForUpdate(Connection c, String account, String chain, String asset) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("""
                SELECT available FROM balance WHERE account_id = ? AND chain_id = ? AND asset = ? FOR UPDATE""")) {
            s.setString(1, account);
            s.setString(2, chain);
            s.setString(3, asset);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? rs.getBigDecimal(1) : BigDecimal.ZERO;
            }
        }
    }
}
