package dev.crosschain.collateral.store;

import dev.crosschain.collateral.domain.ConflictException;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Operators' reads and changes outside the registry: alerts and lifting freezes. Blocking JDBC. */
@ApplicationScoped
public class OperatorStore {

    private final AgroalDataSource dataSource;

    public OperatorStore(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    public record StoredAlert(long id, String severity, String kind, String chainId, String accountId, String message,
                              Instant raisedAt) {
    }

    /** The answer of an unfreeze: whether the account was frozen (at the first call), and whether this is a replay. */
    public record Unfrozen(boolean wasFrozen, boolean replayed) {
    }

    /** Up to {@code limit} alerts with an id below {@code beforeId}, newest first; only CRITICAL ones if asked. */
    public List<StoredAlert> alerts(int limit, long beforeId, boolean criticalOnly) {
        return Transactions.readCommitted(dataSource, "listing alerts", c -> {
            try (PreparedStatement s = c.prepareStatement("""
                    SELECT id, severity, kind, chain_id, account_id, message, raised_at FROM alert
                    WHERE id < ? AND (severity = 'CRITICAL' OR NOT ?) ORDER BY id DESC LIMIT ?""")) {
                s.setLong(1, beforeId);
                s.setBoolean(2, criticalOnly);
                s.setInt(3, limit);
                List<StoredAlert> result = new ArrayList<>();
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        result.add(new StoredAlert(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4),
                                rs.getString(5), rs.getString(6), rs.getTimestamp(7).toInstant()));
                    }
                }
                return result;
            }
        });
    }

    /**
     * Closes the account's open freeze, recording who and why, idempotent by {@code changeId}: a replay answers the
     * first result, another payload under the same id is IDEMPOTENCY_CONFLICT.
     */
    public Unfrozen unfreeze(String changeId, String requestHash, String accountId, String reason, String operator) {
        // 23505: a concurrent first call with the same change id; the retry then reads it.
        return Transactions.serializable(dataSource, "unfreezing " + accountId, Set.of("23505"), c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "SELECT request_hash, was_frozen FROM operator_change WHERE change_id = ?")) {
                s.setString(1, changeId);
                try (ResultSet rs = s.executeQuery()) {
                    if (rs.next()) {
                        if (!requestHash.equals(rs.getString(1))) {
                            throw new ConflictException("IDEMPOTENCY_CONFLICT", "change " + changeId
                                    + " was made before with another kind, account or reason");
                        }
                        return new Unfrozen(rs.getBoolean(2), true);
                    }
                }
            }
            boolean wasFrozen;
            try (PreparedStatement s = c.prepareStatement("""
                    UPDATE account_freeze SET unfrozen_at = now(), unfrozen_by = ?, unfreeze_reason = ?
                    WHERE account_id = ? AND unfrozen_at IS NULL""")) {
                s.setString(1, operator);
                s.setString(2, reason);
                s.setString(3, accountId);
                wasFrozen = s.executeUpdate() > 0;
            }
            try (PreparedStatement s = c.prepareStatement("""
                    INSERT INTO operator_change (change_id, kind, request_hash, operator, was_frozen)
                    VALUES (?, 'UNFREEZE_ACCOUNT', ?, ?, ?)""")) {
                s.setString(1, changeId);
                s.setString(2, requestHash);
                s.setString(3, operator);
                s.setBoolean(4, wasFrozen);
                s.executeUpdate();
            }
            return new Unfrozen(wasFrozen, false);
        });
    }
}
