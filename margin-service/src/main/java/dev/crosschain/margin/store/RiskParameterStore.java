package dev.crosschain.margin.store;

import dev.crosschain.margin.domain.ConflictException;
import dev.crosschain.margin.domain.RiskParameters;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The append-only history of risk-parameter sets (table risk_parameter_set); the active set is the newest row.
 * Blocking JDBC: call from worker threads.
 */
@ApplicationScoped
public class RiskParameterStore {

    /** The reason of a version recorded before with other contents (ALREADY_EXISTS). */
    public static final String VERSION_EXISTS = "VERSION_EXISTS";

    private static final String COLUMNS = "seq, parameters, changed_by, changed_at_ms, reason";

    private final AgroalDataSource dataSource;

    public RiskParameterStore(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** One recorded set: who recorded it, when (database clock, Unix ms) and why. */
    public record Change(long seq, RiskParameters parameters, String changedBy, long changedAtMs, String reason) {
    }

    /** The row of a {@link #record}: new, or the earlier row of the same version and contents ({@code replayed}). */
    public record Recorded(Change change, boolean replayed) {
    }

    /**
     * Records {@code parameters} as the newest set. The same version with the same contents again records nothing
     * and answers the first row, replayed; the same version with other contents is refused ALREADY_EXISTS
     * VERSION_EXISTS, nothing recorded.
     */
    public Recorded record(RiskParameters parameters, String changedBy, String reason) {
        String json = RiskParametersJson.write(parameters);
        return Transactions.readCommitted(dataSource, "recording risk parameters " + parameters.version(), c -> {
            // ON CONFLICT waits for a racing insert of the version and then yields to it; the SELECT after it
            // (a new statement under READ COMMITTED) sees that row
            try (PreparedStatement s = c.prepareStatement("INSERT INTO risk_parameter_set (version, parameters, changed_by, reason) "
                    + "VALUES (?, ?, ?, ?) ON CONFLICT (version) DO NOTHING RETURNING " + COLUMNS)) {
                s.setString(1, parameters.version());
                s.setString(2, json);
                s.setString(3, changedBy);
                s.setString(4, reason);
                try (ResultSet rs = s.executeQuery()) {
                    if (rs.next()) {
                        return new Recorded(change(rs), false);
                    }
                }
            }
            Change earlier = find(c, parameters.version()).orElseThrow(() -> new SQLException(
                    "risk parameters " + parameters.version() + " conflicted but cannot be read", "40001"));
            if (!earlier.parameters().sameContents(parameters)) {
                throw new ConflictException(VERSION_EXISTS, "risk parameters version " + parameters.version()
                        + " was recorded before (seq " + earlier.seq() + ") with other contents; a version names one set forever");
            }
            return new Recorded(earlier, true);
        });
    }

    /** The newest set, if any was recorded. */
    public Optional<Change> latest() {
        return Transactions.readCommitted(dataSource, "reading the active risk parameters", c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT " + COLUMNS + " FROM risk_parameter_set ORDER BY seq DESC LIMIT 1");
                 ResultSet rs = s.executeQuery()) {
                return rs.next() ? Optional.of(change(rs)) : Optional.empty();
            }
        });
    }

    /** The newest seq (0 when none): one index probe, cheap enough for every re-margin tick. */
    public long latestSeq() {
        return Transactions.readCommitted(dataSource, "reading the newest risk parameters seq", c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT coalesce(max(seq), 0) FROM risk_parameter_set");
                 ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    /** The set recorded under {@code version}, if any. */
    public Optional<Change> find(String version) {
        return Transactions.readCommitted(dataSource, "reading risk parameters " + version, c -> find(c, version));
    }

    /** At most {@code limit} sets with seq below {@code beforeSeq}, newest first. */
    public List<Change> changes(long beforeSeq, int limit) {
        return Transactions.readCommitted(dataSource, "listing risk parameter changes", c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT " + COLUMNS
                    + " FROM risk_parameter_set WHERE seq < ? ORDER BY seq DESC LIMIT ?")) {
                s.setLong(1, beforeSeq);
                s.setInt(2, limit);
                List<Change> out = new ArrayList<>();
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        out.add(change(rs));
                    }
                }
                return out;
            }
        });
    }

    private static Optional<Change> find(Connection c, String version) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT " + COLUMNS + " FROM risk_parameter_set WHERE version = ?")) {
            s.setString(1, version);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? Optional.of(change(rs)) : Optional.empty();
            }
        }
    }

    private static Change change(ResultSet rs) throws SQLException {
        return new Change(rs.getLong(1), RiskParametersJson.read(rs.getString(2)), rs.getString(3), rs.getLong(4), rs.getString(5));
    }
}
