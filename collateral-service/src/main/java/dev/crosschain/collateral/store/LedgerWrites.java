package dev.crosschain.collateral.store;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** Balance changes, each with its append-only ledger entry, inside the caller's transaction. */
final class LedgerWrites {

    /** One balance change and its ledger entry {@code entryKey}. */
    record Change(String entryKey, String kind, String account, String chain, String asset, BigDecimal deltaPending,
                  BigDecimal deltaAvailable, BigDecimal deltaLocked, String reference) {
    }

    /**
     * Only non-negative deltas: PostgreSQL checks the CHECK constraints on the row an INSERT ... ON CONFLICT
     * proposes before it finds the conflict, so a negative delta must not be proposed as a new row's value. One
     * statement for many balances (arrays unnested): each key at most once, or ON CONFLICT DO UPDATE fails.
     */
    private static final String UPSERT = """
            INSERT INTO balance (account_id, chain_id, asset, pending, available, locked)
            SELECT * FROM unnest(?::text[], ?::text[], ?::text[], ?::numeric[], ?::numeric[], ?::numeric[])
            ON CONFLICT (account_id, chain_id, asset) DO UPDATE SET pending = balance.pending + EXCLUDED.pending,
                available = balance.available + EXCLUDED.available, locked = balance.locked + EXCLUDED.locked,
                updated_at = now()""";
    private static final String UPDATE = """
            UPDATE balance b SET pending = b.pending + u.pending, available = b.available + u.available,
                locked = b.locked + u.locked, updated_at = now()
            FROM unnest(?::text[], ?::text[], ?::text[], ?::numeric[], ?::numeric[], ?::numeric[])
                AS u (account_id, chain_id, asset, pending, available, locked)
            WHERE b.account_id = u.account_id AND b.chain_id = u.chain_id AND b.asset = u.asset
            RETURNING b.account_id, b.chain_id, b.asset""";
    private static final String CREATE = """
            INSERT INTO balance (account_id, chain_id, asset) SELECT * FROM unnest(?::text[], ?::text[], ?::text[])
            ON CONFLICT DO NOTHING""";
    private static final String ENTRIES = """
            INSERT INTO ledger_entry (entry_key, account_id, chain_id, asset, kind, delta_pending, delta_available,
                delta_locked, reference)
            SELECT * FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::numeric[], ?::numeric[],
                ?::numeric[], ?::text[])""";

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
     * {@link #change} for each, in order, in a few statements whatever their number: the ledger entries as one
     * INSERT, the balances as one upsert (no delta negative) and one update (else; a balance that does not exist
     * is created at zero and updated again, so it fails the CHECK as alone). The changes of one balance are added
     * up first when each of its columns moves one way only: the sum then goes below zero exactly when one of the
     * steps would. Otherwise the changes are applied one by one, in order.
     */
    static void changeAll(Connection c, List<Change> changes) throws SQLException {
        if (changes.isEmpty()) {
            return;
        }
        Map<BalanceKey, Deltas> net = netOneWay(changes);
        if (net != null) {
            changeBalances(c, net);
        } else {
            for (Change ch : changes) {
                changeBalances(c, netOneWay(List.of(ch)));
            }
        }
        appendEntries(c, changes);
    }

    private record BalanceKey(String account, String chain, String asset) implements Comparable<BalanceKey> {

        @Override
        public int compareTo(BalanceKey o) {
            int byAccount = account.compareTo(o.account);
            if (byAccount != 0) {
                return byAccount;
            }
            int byChain = chain.compareTo(o.chain);
            return byChain != 0 ? byChain : asset.compareTo(o.asset);
        }
    }

    private record Deltas(BigDecimal pending, BigDecimal available, BigDecimal locked) {

        /** The sum, or null when a column would move both ways. */
        Deltas plus(Deltas o) {
            if (pending.signum() * o.pending.signum() < 0 || available.signum() * o.available.signum() < 0
                    || locked.signum() * o.locked.signum() < 0) {
                return null;
            }
            return new Deltas(pending.add(o.pending), available.add(o.available), locked.add(o.locked));
        }

        boolean noneNegative() {
            return pending.signum() >= 0 && available.signum() >= 0 && locked.signum() >= 0;
        }
    }

    /**
     * The changes added up per balance, sorted by key; null when not one-way. The upsert locks rows in that order, the
     * update in its plan's order: a deadlock with another transaction is retried (40P01, see {@link Transactions}).
     */
    private static Map<BalanceKey, Deltas> netOneWay(List<Change> changes) {
        Map<BalanceKey, Deltas> net = new TreeMap<>();
        for (Change ch : changes) {
            Deltas d = new Deltas(ch.deltaPending(), ch.deltaAvailable(), ch.deltaLocked());
            Deltas sum = net.merge(new BalanceKey(ch.account(), ch.chain(), ch.asset()), d, Deltas::plus);
            if (sum == null) {
                return null;
            }
        }
        return net;
    }

    private static void changeBalances(Connection c, Map<BalanceKey, Deltas> net) throws SQLException {
        Map<BalanceKey, Deltas> up = new TreeMap<>();
        Map<BalanceKey, Deltas> down = new TreeMap<>();
        net.forEach((key, d) -> (d.noneNegative() ? up : down).put(key, d));
        if (!up.isEmpty()) {
            try (PreparedStatement s = c.prepareStatement(UPSERT)) {
                setBalances(c, s, up);
                s.executeUpdate();
            }
        }
        if (down.isEmpty()) {
            return;
        }
        Set<BalanceKey> missing = new HashSet<>(down.keySet());
        missing.removeAll(update(c, down));
        if (!missing.isEmpty()) {
            Map<BalanceKey, Deltas> created = new TreeMap<>();
            missing.forEach(key -> created.put(key, down.get(key)));
            try (PreparedStatement s = c.prepareStatement(CREATE)) {
                setKeys(c, s, created.keySet());
                s.executeUpdate();
            }
            update(c, created);
        }
    }

    /** Updates the existing balances; returns the keys it found. */
    private static Set<BalanceKey> update(Connection c, Map<BalanceKey, Deltas> down) throws SQLException {
        Set<BalanceKey> found = new HashSet<>();
        try (PreparedStatement s = c.prepareStatement(UPDATE)) {
            setBalances(c, s, down);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    found.add(new BalanceKey(rs.getString(1), rs.getString(2), rs.getString(3)));
                }
            }
        }
        return found;
    }

    private static void setBalances(Connection c, PreparedStatement s, Map<BalanceKey, Deltas> balances)
            throws SQLException {
        setKeys(c, s, balances.keySet());
        s.setArray(4, c.createArrayOf("numeric", balances.values().stream().map(Deltas::pending).toArray()));
        s.setArray(5, c.createArrayOf("numeric", balances.values().stream().map(Deltas::available).toArray()));
        s.setArray(6, c.createArrayOf("numeric", balances.values().stream().map(Deltas::locked).toArray()));
    }

    /** The balances' keys as the statement's first three array parameters (account, chain, asset ids). */
    private static void setKeys(Connection c, PreparedStatement s, Set<BalanceKey> keys) throws SQLException {
        s.setArray(1, c.createArrayOf("text", keys.stream().map(BalanceKey::account).toArray()));
        s.setArray(2, c.createArrayOf("text", keys.stream().map(BalanceKey::chain).toArray()));
        s.setArray(3, c.createArrayOf("text", keys.stream().map(BalanceKey::asset).toArray()));
    }

    private static void appendEntries(Connection c, List<Change> changes) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(ENTRIES)) {
            s.setArray(1, c.createArrayOf("text", changes.stream().map(Change::entryKey).toArray()));
            s.setArray(2, c.createArrayOf("text", changes.stream().map(Change::account).toArray()));
            s.setArray(3, c.createArrayOf("text", changes.stream().map(Change::chain).toArray()));
            s.setArray(4, c.createArrayOf("text", changes.stream().map(Change::asset).toArray()));
            s.setArray(5, c.createArrayOf("text", changes.stream().map(Change::kind).toArray()));
            s.setArray(6, c.createArrayOf("numeric", changes.stream().map(Change::deltaPending).toArray()));
            s.setArray(7, c.createArrayOf("numeric", changes.stream().map(Change::deltaAvailable).toArray()));
            s.setArray(8, c.createArrayOf("numeric", changes.stream().map(Change::deltaLocked).toArray()));
            s.setArray(9, c.createArrayOf("text", changes.stream().map(Change::reference).toArray()));
            s.executeUpdate();
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
