package dev.crosschain.collateral.store;

import dev.crosschain.collateral.domain.ConflictException;
import dev.crosschain.collateral.domain.PreconditionException;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Operators' reads and changes outside the registry: alerts, freezes and lifting them. Blocking JDBC. */
@ApplicationScoped
public class OperatorStore {

    private final AgroalDataSource dataSource;

    public OperatorStore(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    public record StoredAlert(long id, String severity, String kind, String chainId, String accountId, String message,
                              Instant raisedAt) {
    }

    /**
     * The answer of an unfreeze (at the first call): whether the account was frozen, whether other freezes of it
     * stayed open, and whether this is a replay.
     */
    public record Unfrozen(boolean wasFrozen, boolean replayed, boolean stillFrozen) {
    }

    /** One freeze of an account (one cause); {@code liftedAt} null while it is open. */
    public record StoredFreeze(long id, String accountId, String reason, long alertId, Instant frozenAt, Instant liftedAt,
                               String liftedBy, String liftReason) {

        public boolean open() {
            return liftedAt == null;
        }
    }

    /** Most lifted freezes ListFreezes returns (the open ones are all returned). */
    public static final int MAX_LIFTED = 1000;

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
     * The account's freezes: every open one, then (if asked) the newest {@link #MAX_LIFTED} lifted ones; each group
     * newest first.
     */
    public List<StoredFreeze> freezes(String accountId, boolean includeLifted) {
        return Transactions.readCommitted(dataSource, "listing freezes of " + accountId, c -> {
            try (PreparedStatement s = c.prepareStatement("""
                    SELECT id, account_id, reason, alert_id, frozen_at, unfrozen_at, unfrozen_by, unfreeze_reason
                    FROM account_freeze WHERE account_id = ? AND (unfrozen_at IS NULL OR ?)
                    ORDER BY unfrozen_at IS NOT NULL, id DESC""")) {
                s.setString(1, accountId);
                s.setBoolean(2, includeLifted);
                List<StoredFreeze> result = new ArrayList<>();
                int lifted = 0;
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        Timestamp liftedAt = rs.getTimestamp("unfrozen_at");
                        if (liftedAt != null && ++lifted > MAX_LIFTED) {
                            break;
                        }
                        result.add(new StoredFreeze(rs.getLong("id"), rs.getString("account_id"), rs.getString("reason"),
                                rs.getLong("alert_id"), rs.getTimestamp("frozen_at").toInstant(),
                                liftedAt == null ? null : liftedAt.toInstant(), rs.getString("unfrozen_by"),
                                rs.getString("unfreeze_reason")));
                    }
                }
                return result;
            }
        });
    }

    /**
     * Lifts one freeze of the account, recording who and why, idempotent by {@code changeId}: a replay answers the
     * first result, another payload under the same id is IDEMPOTENCY_CONFLICT. A freeze that is not the account's is
     * FAILED_PRECONDITION UNKNOWN_FREEZE, one lifted before FREEZE_LIFTED; nothing changes then. The account stays
     * frozen while another of its freezes is open ({@link Unfrozen#stillFrozen()}).
     */
    public Unfrozen unfreeze(String changeId, String requestHash, String accountId, long freezeId, String reason, String operator) {
        // SERIALIZABLE: two lifts of the account's last two freezes cannot both answer still frozen (write skew).
        // 23505: a concurrent first call with the same change id; the retry then reads it.
        return Transactions.serializable(dataSource, "unfreezing " + accountId, Set.of("23505"), c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "SELECT request_hash, was_frozen, still_frozen FROM operator_change WHERE change_id = ?")) {
                s.setString(1, changeId);
                try (ResultSet rs = s.executeQuery()) {
                    if (rs.next()) {
                        if (!requestHash.equals(rs.getString(1))) {
                            throw new ConflictException("IDEMPOTENCY_CONFLICT", "change " + changeId
                                    + " was made before with another kind, account, freeze or reason");
                        }
                        return new Unfrozen(rs.getBoolean(2), true, rs.getBoolean(3));
                    }
                }
            }
            try (PreparedStatement s = c.prepareStatement(
                    "SELECT account_id, unfrozen_at, unfrozen_by FROM account_freeze WHERE id = ? FOR UPDATE")) {
                s.setLong(1, freezeId);
                try (ResultSet rs = s.executeQuery()) {
                    if (!rs.next() || !accountId.equals(rs.getString(1))) {
                        throw new PreconditionException("UNKNOWN_FREEZE", "freeze_id",
                                "account " + accountId + " has no freeze " + freezeId + " (ListFreezes names its freezes)");
                    }
                    if (rs.getTimestamp(2) != null) {
                        throw new PreconditionException("FREEZE_LIFTED", "freeze_id", "freeze " + freezeId + " of account "
                                + accountId + " was lifted before by " + rs.getString(3));
                    }
                }
            }
            try (PreparedStatement s = c.prepareStatement("""
                    UPDATE account_freeze SET unfrozen_at = now(), unfrozen_by = ?, unfreeze_reason = ? WHERE id = ?""")) {
                s.setString(1, operator);
                s.setString(2, reason);
                s.setLong(3, freezeId);
                s.executeUpdate();
            }
            boolean stillFrozen;
            try (PreparedStatement s = c.prepareStatement(
                    "SELECT 1 FROM account_freeze WHERE account_id = ? AND unfrozen_at IS NULL LIMIT 1")) {
                s.setString(1, accountId);
                try (ResultSet rs = s.executeQuery()) {
                    stillFrozen = rs.next();
                }
            }
            try (PreparedStatement s = c.prepareStatement("""
                    INSERT INTO operator_change (change_id, kind, request_hash, operator, was_frozen, freeze_id, still_frozen)
                    VALUES (?, 'UNFREEZE_ACCOUNT', ?, ?, true, ?, ?)""")) {
                s.setString(1, changeId);
                s.setString(2, requestHash);
                s.setString(3, operator);
                s.setLong(4, freezeId);
                s.setBoolean(5, stillFrozen);
                s.executeUpdate();
            }
            return new Unfrozen(true, false, stillFrozen);
        });
    }
}
