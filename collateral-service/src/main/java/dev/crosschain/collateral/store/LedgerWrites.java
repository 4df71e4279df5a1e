package dev.crosschain.collateral.store;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;

/** Balance changes, each with its append-only ledger entry, inside the caller's transaction. */
final class LedgerWrites {

    /** One balance change and its ledger entry {@code entryKey}. */
    record Change(String entryKey, String kind, String account, String chain, String asset, BigDecimal deltaPending,
                  BigDecimal deltaAvailable, BigDecimal deltaLocked, String reference) {

        boolean noneNegative() {
            return deltaPending.signum() >= 0 && deltaAvailable.signum() >= 0 && deltaLocked.signum() >= 0;
        }
    }

    /**
     * Only non-negative deltas: PostgreSQL checks the CHECK constraints on the row an INSERT ... ON CONFLICT
     * proposes before it finds the conflict, so a negative delta must not be proposed as a new row's value.
     */
    private static final String UPSERT = """
            INSERT INTO balance (account_id, chain_id, asset, pending, available, locked) VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT (account_id, chain_id, asset) DO UPDATE SET pending = balance.pending + EXCLUDED.pending,
                available = balance.available + EXCLUDED.available, locked = balance.locked + EXCLUDED.locked,
                updated_at = now()""";
    private static final String UPDATE = """
            UPDATE balance SET pending = pending + ?, available = available + ?, locked = locked + ?, updated_at = now()
            WHERE account_id = ? AND chain_id = ? AND asset = ?""";
    private static final String CREATE = "INSERT INTO balance (account_id, chain_id, asset) VALUES (?, ?, ?) ON CONFLICT DO NOTHING";
    private static final String ENTRY = """
            INSERT INTO ledger_entry (entry_key, account_id, chain_id, asset, kind, delta_pending, delta_available,
                delta_locked, reference) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""";

    private LedgerWrites() {
    }

    /**
     * Adds the deltas to the (account, chain, asset) balance, creating it at zero if new, and appends the
     * ledger entry {@code entryKey}. A balance that would go negative fails the CHECK (SQLSTATE 23514).
     */
    static void change(Connection c, String entryKey, String kind, String account, String chain, String asset,
                       BigDecimal deltaPending, BigDecimal deltaAvailable, BigDecimal deltaLocked, String reference)
            throws SQLException {
        changeAll(c, List.of(new Change(entryKey, kind, account, chain, asset, deltaPending, deltaAvailable,
                deltaLocked, reference)));
    }

    /**
     * {@link #change} for each, in order, in few round trips: the balance changes as one JDBC batch (an upsert
     * when no delta is negative, else an update of the existing row), the ledger entries as another. A change
     * with a negative delta to a balance that does not exist creates it at zero and fails the CHECK, as alone.
     */
    static void changeAll(Connection c, List<Change> changes) throws SQLException {
        if (changes.isEmpty()) {
            return;
        }
        try (PreparedStatement upsert = c.prepareStatement(UPSERT);
             PreparedStatement update = c.prepareStatement(UPDATE);
             PreparedStatement entry = c.prepareStatement(ENTRY)) {
            // Upserts and updates are two statements: keep their order by flushing one before the other starts.
            PreparedStatement pending = null;
            int[] updateIndex = new int[changes.size()];
            int updates = 0;
            for (int i = 0; i < changes.size(); i++) {
                Change ch = changes.get(i);
                PreparedStatement next = ch.noneNegative() ? upsert : update;
                if (pending != null && pending != next) {
                    flush(c, pending, pending == update ? changes : null, updateIndex, updates);
                    updates = 0;
                }
                pending = next;
                if (next == upsert) {
                    upsert.setString(1, ch.account());
                    upsert.setString(2, ch.chain());
                    upsert.setString(3, ch.asset());
                    upsert.setBigDecimal(4, ch.deltaPending());
                    upsert.setBigDecimal(5, ch.deltaAvailable());
                    upsert.setBigDecimal(6, ch.deltaLocked());
                    upsert.addBatch();
                } else {
                    setUpdate(update, ch);
                    update.addBatch();
                    updateIndex[updates++] = i;
                }
            }
            flush(c, pending, pending == update ? changes : null, updateIndex, updates);
            for (Change ch : changes) {
                entry.setString(1, ch.entryKey());
                entry.setString(2, ch.account());
                entry.setString(3, ch.chain());
                entry.setString(4, ch.asset());
                entry.setString(5, ch.kind());
                entry.setBigDecimal(6, ch.deltaPending());
                entry.setBigDecimal(7, ch.deltaAvailable());
                entry.setBigDecimal(8, ch.deltaLocked());
                entry.setString(9, ch.reference());
                entry.addBatch();
            }
            executeBatch(entry);
        }
    }

    /** Runs the batch; for updates, a balance that did not exist is created at zero and updated again. */
    private static void flush(Connection c, PreparedStatement batch, List<Change> updated, int[] updateIndex, int count)
            throws SQLException {
        int[] counts = executeBatch(batch);
        if (updated == null) {
            return;
        }
        for (int k = 0; k < count; k++) {
            if (counts[k] == 0) {
                Change ch = updated.get(updateIndex[k]);
                try (PreparedStatement create = c.prepareStatement(CREATE);
                     PreparedStatement update = c.prepareStatement(UPDATE)) {
                    create.setString(1, ch.account());
                    create.setString(2, ch.chain());
                    create.setString(3, ch.asset());
                    create.executeUpdate();
                    setUpdate(update, ch);
                    update.executeUpdate();
                }
            }
        }
    }

    private static void setUpdate(PreparedStatement update, Change ch) throws SQLException {
        update.setBigDecimal(1, ch.deltaPending());
        update.setBigDecimal(2, ch.deltaAvailable());
        update.setBigDecimal(3, ch.deltaLocked());
        update.setString(4, ch.account());
        update.setString(5, ch.chain());
        update.setString(6, ch.asset());
    }

    /** A JDBC batch's failure surfaces as its first cause, so callers see the statement's SQLSTATE (e.g. 23514). */
    static int[] executeBatch(PreparedStatement batch) throws SQLException {
        try {
            return batch.executeBatch();
        } catch (java.sql.BatchUpdateException e) {
            SQLException cause = e.getNextException();
            throw cause != null ? cause : e;
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
