package dev.crosschain.margin.store;

import dev.crosschain.margin.domain.history.MalformedHistoryException;
import dev.crosschain.margin.domain.history.PriceHistory;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.ResultSet;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The daily close history per underlying in PostgreSQL ({@code history_close}). Blocking JDBC: call from
 * worker threads or at start.
 */
@ApplicationScoped
public class ReturnHistoryStore {

    private final AgroalDataSource dataSource;

    public ReturnHistoryStore(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * Stores {@code history} when its underlying has no row yet; returns the rows this call inserted (0
     * when the underlying was already there). Safe when several replicas start at once: the check and the
     * insert run under a transaction-scoped advisory lock per underlying, so a second seed waits for the
     * first to commit, then sees its rows and inserts nothing (ON CONFLICT DO NOTHING stays as a second line
     * of defence for rows a feed may have added without the lock).
     */
    public int seedIfEmpty(PriceHistory history, String source) {
        return Transactions.readCommitted(dataSource, "seeding the " + history.underlying() + " history",
                c -> seedIfEmpty(c, history, source));
    }

    /** Key of the advisory lock that serializes seeds of one underlying: (table, underlying). */
    static final String SEED_LOCK = "SELECT pg_advisory_xact_lock(hashtext('history_close'), hashtext(?))";

    /** {@link #seedIfEmpty(PriceHistory, String)} within the caller's transaction on {@code c}, which must not auto-commit. */
    int seedIfEmpty(Connection c, PriceHistory history, String source) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(SEED_LOCK)) {
            s.setString(1, history.underlying());
            s.execute();
        }
        try (PreparedStatement s = c.prepareStatement("SELECT EXISTS (SELECT 1 FROM history_close WHERE underlying = ?)")) {
            s.setString(1, history.underlying());
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                if (rs.getBoolean(1)) {
                    return 0;
                }
            }
        }
        int n = history.size();
        String[] days = new String[n];
        String[] closes = new String[n];
        for (int i = 0; i < n; i++) {
            days[i] = history.firstDate().plusDays(i).toString();
            closes[i] = history.closes().get(i).toPlainString();
        }
        // one round trip for the whole history
        try (PreparedStatement s = c.prepareStatement("""
                INSERT INTO history_close (underlying, day, close, source)
                SELECT ?, d::date, v::numeric, ? FROM unnest(?::text[], ?::text[]) AS t(d, v)
                ON CONFLICT (underlying, day) DO NOTHING""")) {
            s.setString(1, history.underlying());
            s.setString(2, source);
            s.setArray(3, c.createArrayOf("text", days));
            s.setArray(4, c.createArrayOf("text", closes));
            return s.executeUpdate();
        }
    }

    /**
     * The stored history of {@code underlying}, or empty when there is none. A stored history with a gap
     * or a duplicate day is refused (MalformedHistoryException naming the row), never silently used.
     */
    public Optional<PriceHistory> load(String underlying) {
        return Transactions.readCommitted(dataSource, "loading the " + underlying + " history", c -> {
            LocalDate first = null;
            List<BigDecimal> closes = new ArrayList<>();
            try (PreparedStatement s = c.prepareStatement(
                    "SELECT day, close FROM history_close WHERE underlying = ? ORDER BY day")) {
                s.setString(1, underlying);
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        LocalDate day = rs.getObject(1, LocalDate.class);
                        if (first == null) {
                            first = day;
                        } else if (!day.equals(first.plusDays(closes.size()))) {
                            throw new MalformedHistoryException("history_close " + underlying, closes.size() + 1,
                                    "gap: " + day + " follows " + first.plusDays(closes.size() - 1L));
                        }
                        closes.add(rs.getBigDecimal(2));
                    }
                }
            }
            return first == null ? Optional.<PriceHistory>empty() : Optional.of(new PriceHistory(underlying, first, closes));
        });
    }

    /** Days stored for {@code underlying}. */
    public int count(String underlying) {
        return Transactions.readCommitted(dataSource, "counting the " + underlying + " history", c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT count(*) FROM history_close WHERE underlying = ?")) {
                s.setString(1, underlying);
                try (ResultSet rs = s.executeQuery()) {
                    rs.next();
                    return rs.getInt(1);
                }
            }
        });
    }

    /** The underlyings that have a history, in name order. */
    public List<String> underlyings() {
        return Transactions.readCommitted(dataSource, "listing histories", c -> {
            List<String> result = new ArrayList<>();
            try (PreparedStatement s = c.prepareStatement("SELECT DISTINCT underlying FROM history_close ORDER BY underlying");
                 ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    result.add(rs.getString(1));
                }
            }
            return result;
        });
    }
}
