package dev.crosschain.liquidation.store;

import dev.crosschain.liquidation.domain.Halt;
import dev.crosschain.liquidation.domain.HaltChange;
import dev.crosschain.liquidation.domain.HaltLevel;
import dev.crosschain.liquidation.domain.Halts;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;

/** Operator halts (one row per scope) and their history in PostgreSQL. Blocking JDBC. */
@ApplicationScoped
public class HaltStore {

    private static final String UNIQUE_VIOLATION = "23505";

    private final AgroalDataSource dataSource;

    public HaltStore(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Sets the scope's level and records the change with the level it replaced, in one transaction. */
    public HaltChange set(Halt halt) {
        // serializable (and a racing first insert retried): two operators' changes of one scope record each other's level
        return Transactions.serializable(dataSource, "set halt", Set.of(UNIQUE_VIOLATION), c -> {
            HaltLevel previous = HaltLevel.NONE;
            try (PreparedStatement ps = c.prepareStatement("SELECT level FROM halt WHERE underlying = ?")) {
                ps.setString(1, halt.underlying());
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        previous = HaltLevel.valueOf(rs.getString(1));
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO halt (underlying, level, changed_by, reason, changed_at_ms) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT (underlying) DO UPDATE SET level = EXCLUDED.level, changed_by = EXCLUDED.changed_by,
                        reason = EXCLUDED.reason, changed_at_ms = EXCLUDED.changed_at_ms""")) {
                ps.setString(1, halt.underlying());
                ps.setString(2, halt.level().name());
                ps.setString(3, halt.changedBy());
                ps.setString(4, halt.reason());
                ps.setLong(5, halt.changedAt().toEpochMilli());
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO halt_change (underlying, level, previous_level, changed_by, reason, changed_at_ms)
                    VALUES (?, ?, ?, ?, ?, ?) RETURNING seq""")) {
                ps.setString(1, halt.underlying());
                ps.setString(2, halt.level().name());
                ps.setString(3, previous.name());
                ps.setString(4, halt.changedBy());
                ps.setString(5, halt.reason());
                ps.setLong(6, halt.changedAt().toEpochMilli());
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return new HaltChange(rs.getLong(1), halt.underlying(), halt.level(), previous, halt.changedBy(),
                            halt.reason(), halt.changedAt());
                }
            }
        });
    }

    /**
     * The halts in force of the global scope and these underlyings, read FOR SHARE inside the caller's transaction: a
     * SetHalt of one of them (its upsert locks the row) waits for that transaction, or it waits for the SetHalt and
     * reads the new level. A scope never set has no row to lock; its first SetHalt is not ordered this way.
     */
    static Halts inForce(Connection c, Collection<String> underlyings) throws SQLException {
        List<Halt> halts = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT underlying, level, changed_by, reason, changed_at_ms FROM halt
                WHERE underlying = '' OR underlying = ANY (?) FOR SHARE""")) {
            ps.setArray(1, c.createArrayOf("text", underlyings.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    halts.add(halt(rs));
                }
            }
        }
        return Halts.of(halts);
    }

    private static Halt halt(ResultSet rs) throws SQLException {
        return new Halt(rs.getString(1), HaltLevel.valueOf(rs.getString(2)), rs.getString(3), rs.getString(4),
                Instant.ofEpochMilli(rs.getLong(5)));
    }

    /** Every scope's halt, lifted ones (NONE) included. */
    public List<Halt> all() {
        return Transactions.readCommitted(dataSource, "read halts", c -> {
            List<Halt> halts = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT underlying, level, changed_by, reason, changed_at_ms FROM halt ORDER BY underlying");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    halts.add(halt(rs));
                }
            }
            return halts;
        });
    }

    /** Changes with a seq below {@code beforeSeq}, newest first. */
    public List<HaltChange> changes(long beforeSeq, int limit) {
        return Transactions.readCommitted(dataSource, "list halt changes", c -> {
            List<HaltChange> changes = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("""
                    SELECT seq, underlying, level, previous_level, changed_by, reason, changed_at_ms FROM halt_change
                    WHERE seq < ? ORDER BY seq DESC LIMIT ?""")) {
                ps.setLong(1, beforeSeq);
                ps.setInt(2, limit);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        changes.add(new HaltChange(rs.getLong(1), rs.getString(2), HaltLevel.valueOf(rs.getString(3)),
                                HaltLevel.valueOf(rs.getString(4)), rs.getString(5), rs.getString(6),
                                Instant.ofEpochMilli(rs.getLong(7))));
                    }
                }
            }
            return changes;
        });
    }
}
