package dev.crosschain.margin.store;

import dev.crosschain.margin.domain.InputSnapshot;
import dev.crosschain.margin.domain.RiskStatus;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;

import java.math.BigDecimal;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Optional;
import java.util.UUID;

/** Explain's input snapshots (table explain_snapshot): written once, read by id, purged by age. Blocking JDBC. */
@ApplicationScoped
public class SnapshotStore {

    private final AgroalDataSource dataSource;

    public SnapshotStore(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** A stored snapshot and the figures its computation produced. */
    public record Stored(UUID id, InputSnapshot inputs, InputSnapshot.Figures figures) {
    }

    /** Stores {@code inputs} with the figures computed from them; answers the new snapshot's id. */
    public UUID save(InputSnapshot inputs, InputSnapshot.Figures figures) {
        UUID id = UUID.randomUUID();
        String json = SnapshotJson.write(inputs);
        return Transactions.readCommitted(dataSource, "storing an input snapshot of " + inputs.accountId(), c -> {
            try (PreparedStatement s = c.prepareStatement("INSERT INTO explain_snapshot (snapshot_id, account_id, taken_at_ms, "
                    + "parameters_version, inputs, equity, initial_margin, maintenance_margin, margin_ratio_bits, status) "
                    + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                s.setObject(1, id);
                s.setString(2, inputs.accountId());
                s.setLong(3, inputs.nowMs());
                s.setString(4, inputs.parametersVersion());
                s.setString(5, json);
                s.setString(6, figures.equity().toString());
                s.setString(7, figures.initialMargin().toString());
                s.setString(8, figures.maintenanceMargin().toString());
                s.setLong(9, Double.doubleToRawLongBits(figures.marginRatio()));
                s.setString(10, figures.status().name());
                s.executeUpdate();
            }
            return id;
        });
    }

    /** The snapshot {@code id} if stored and taken at or after {@code notBeforeMs} (older ones are past retention). */
    public Optional<Stored> find(UUID id, long notBeforeMs) {
        return Transactions.readCommitted(dataSource, "reading input snapshot " + id, c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT account_id, taken_at_ms, parameters_version, inputs, equity, "
                    + "initial_margin, maintenance_margin, margin_ratio_bits, status FROM explain_snapshot "
                    + "WHERE snapshot_id = ? AND taken_at_ms >= ?")) {
                s.setObject(1, id);
                s.setLong(2, notBeforeMs);
                try (ResultSet rs = s.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.empty();
                    }
                    InputSnapshot inputs = SnapshotJson.read(rs.getString(4), rs.getString(1), rs.getString(3), rs.getLong(2));
                    InputSnapshot.Figures figures = new InputSnapshot.Figures(new BigDecimal(rs.getString(5)),
                            new BigDecimal(rs.getString(6)), new BigDecimal(rs.getString(7)),
                            Double.longBitsToDouble(rs.getLong(8)), RiskStatus.valueOf(rs.getString(9)));
                    return Optional.of(new Stored(id, inputs, figures));
                }
            }
        });
    }

    /** Deletes the snapshots taken before {@code beforeMs}; answers how many. */
    public int purge(long beforeMs) {
        return Transactions.readCommitted(dataSource, "purging input snapshots", c -> {
            try (PreparedStatement s = c.prepareStatement("DELETE FROM explain_snapshot WHERE taken_at_ms < ?")) {
                s.setLong(1, beforeMs);
                return s.executeUpdate();
            }
        });
    }
}
