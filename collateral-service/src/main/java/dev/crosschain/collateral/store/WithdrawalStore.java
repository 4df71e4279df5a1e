package dev.crosschain.collateral.store;

import dev.crosschain.collateral.domain.AlertedRejection;
import dev.crosschain.collateral.domain.ConflictException;
import dev.crosschain.collateral.domain.EventOutcome;
import dev.crosschain.collateral.domain.InvalidInputException;
import dev.crosschain.collateral.domain.PreconditionException;
import dev.crosschain.collateral.domain.Withdrawal;
import dev.crosschain.collateral.domain.WithdrawalOrder;
import dev.crosschain.collateral.domain.WithdrawalResultEvent;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Withdrawals: the lock (available -> locked) and the adapter's result (locked debited, or unlocked), each with its
 * ledger entry ({@code withdrawal:<id>:lock|executed|failed}). The result is applied by a method taking the caller's
 * connection so the adapter stream commits it together with the event's cursor. Blocking JDBC.
 */
@ApplicationScoped
public class WithdrawalStore {

    private static final String COLUMNS = "id, account_id, chain_id, asset, amount, destination, status, tx_hash, "
            + "failure_reason, locked_at, resolved_at";

    private final AgroalDataSource dataSource;

    public WithdrawalStore(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** The withdrawal as locked now, and whether this call answered a replay. */
    public record Locked(Withdrawal withdrawal, boolean replayed) {
    }

    /**
     * Locks the order's amount. Checked in this order: the fields (validated before, {@link WithdrawalOrder#validate});
     * then, once the balance row is locked, a known id answers the withdrawal as it is now when the payload is the
     * same (even if the account was frozen or the chain halted since, or the order's not-after instant has passed) and
     * is IDEMPOTENCY_CONFLICT otherwise; then ACCOUNT_FROZEN, CHAIN_HALTED ({@code haltedReason} non-null),
     * INSUFFICIENT_BALANCE; last LOCK_EXPIRED (FAILED_PRECONDITION).
     *
     * <p>The not-after instant is judged on the database's clock ({@code clock_timestamp()}: one clock for every
     * replica), read after every wait of the transaction (the balance row, the id's lock, the freeze lock), and that
     * reading is the lock's {@code locked_at}. The transaction holds the id's advisory lock ({@link #lockId})
     * exclusively from before that reading to its commit, and {@link #get} takes it shared before it reads: so a
     * lookup either waits for a lock that judged itself in time to commit or roll back, or goes first, and then any
     * lock of the id reads the clock after the lookup began. A lookup that answers "not found" at an instant of the
     * database's clock past not-after therefore means no lock of this order will ever land.
     */
    public Locked lock(WithdrawalOrder order, String haltedReason) {
        String hash = order.requestHash();
        // READ COMMITTED with the balance row locked FOR UPDATE: concurrent locks of one balance queue on the row and
        // each sees the amount the one before left (SERIALIZABLE would fail all but one of them with 40001).
        // 23505: a concurrent first lock of the same id; the retry then reads it.
        return Transactions.readCommitted(dataSource, "lock withdrawal " + order.withdrawalId(), Set.of("23505"), c -> {
            // The balance row first, then the account's freeze lock shared: a freeze (which takes it exclusively before
            // it writes) either waits for this lock to commit, or committed before and is seen by the read below.
            BigDecimal available = LedgerWrites.availableForUpdate(c, order.accountId(), order.chainId(), order.asset());
            // The id's lock, held to the commit: a lookup of the id (get) waits for this transaction to end, and one
            // that went first is over before the clock below is read.
            lockId(c, order.withdrawalId(), true);
            // The id is asked once the row is ours: a first lock of this id may have held the row and committed while
            // this call waited for it. Judged on the balance it left, the retry would be refused although its withdrawal
            // is locked, and the caller would take the refusal for "nothing locked".
            Optional<Locked> replay = replayOf(c, order.withdrawalId(), hash);
            if (replay.isPresent()) {
                return replay.get();
            }
            Alerts.lockFreezes(c, order.accountId(), false);
            String frozen = Alerts.frozenReason(c, order.accountId());
            if (frozen != null) {
                throw new PreconditionException("ACCOUNT_FROZEN", "account_id",
                        "withdrawals of account " + order.accountId() + " are frozen: " + frozen);
            }
            if (haltedReason != null) {
                throw new PreconditionException("CHAIN_HALTED", "chain_id",
                        "chain " + order.chainId() + " is halted: " + haltedReason);
            }
            if (available.compareTo(order.amount()) < 0) {
                throw new PreconditionException("INSUFFICIENT_BALANCE", "amount", "account " + order.accountId() + " has "
                        + available.stripTrailingZeros().toPlainString() + " " + order.asset() + " available on "
                        + order.chainId() + ", the withdrawal needs " + order.amount().toPlainString());
            }
            // The database's clock, after the waits (a lock queued behind the balance row, the id or a freeze is judged
            // when its turn comes) and under the id's lock: the caller's fence against a lock landing after it gave up.
            Instant now = databaseNow(c);
            order.requireNotExpiredAt(now);
            try (PreparedStatement s = c.prepareStatement("""
                    INSERT INTO withdrawal (id, account_id, chain_id, asset, amount, destination, status, request_hash, locked_at,
                                            not_after_ms)
                    VALUES (?, ?, ?, ?, ?, ?, 'LOCKED', ?, ?, ?)""")) {
                s.setString(1, order.withdrawalId());
                s.setString(2, order.accountId());
                s.setString(3, order.chainId());
                s.setString(4, order.asset());
                s.setBigDecimal(5, order.amount());
                s.setString(6, order.destination());
                s.setString(7, hash);
                s.setTimestamp(8, Timestamp.from(now));
                // Always written (no default, V8): the insert of a release that ignores not_after fails instead.
                s.setLong(9, order.notAfterUnixMs());
                s.executeUpdate();
            }
            LedgerWrites.change(c, "withdrawal:" + order.withdrawalId() + ":lock", "WITHDRAWAL_LOCKED", order.accountId(),
                    order.chainId(), order.asset(), BigDecimal.ZERO, order.amount().negate(), order.amount(), order.withdrawalId());
            return new Locked(new Withdrawal(order.withdrawalId(), order.accountId(), order.chainId(), order.asset(),
                    order.amount(), order.destination(), Withdrawal.Status.LOCKED, "", "", now, null), false);
        });
    }

    /** The replay's answer when the id is known with this payload; IDEMPOTENCY_CONFLICT when with another. */
    private static Optional<Locked> replayOf(Connection c, String withdrawalId, String hash) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT request_hash FROM withdrawal WHERE id = ?")) {
            s.setString(1, withdrawalId);
            try (ResultSet rs = s.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                if (!hash.equals(rs.getString(1))) {
                    throw new ConflictException("IDEMPOTENCY_CONFLICT", "withdrawal " + withdrawalId
                            + " was locked before with another account, chain, asset, amount or destination");
                }
            }
        }
        return Optional.of(new Locked(find(c, withdrawalId).orElseThrow(), true));
    }

    /** Why the account's withdrawals are frozen ({@link Alerts#frozenReason}), or null when they are not. */
    public String frozenReason(String accountId) {
        return Transactions.readCommitted(dataSource, "reading freezes of " + accountId, c -> Alerts.frozenReason(c, accountId));
    }

    /**
     * The withdrawal of this id, read once the id's advisory lock is taken shared: a lock transaction of the id that
     * holds it (it judged its not-after and has not committed yet) is waited for, so "not found" is never answered
     * for a lock that is about to commit (see {@link #lock}). That wait is bounded by {@code lockWait} (lock_timeout
     * of this transaction, whole milliseconds): past it, {@link LockWaitTimeout} (a lock transaction that stalls must
     * not stall its caller's GetWithdrawal beyond the caller's deadline); nothing was read or changed.
     */
    public Optional<Withdrawal> get(String id, java.time.Duration lockWait) {
        return Transactions.readCommitted(dataSource, "reading withdrawal " + id, c -> {
            try (Statement s = c.createStatement()) {
                s.execute("SET LOCAL lock_timeout = '" + Math.max(1, lockWait.toMillis()) + "ms'");
            }
            try {
                lockId(c, id, false);
            } catch (SQLException e) {
                if (LOCK_NOT_AVAILABLE.equals(e.getSQLState())) {
                    throw new LockWaitTimeout("withdrawal " + id + ": a lock of this id did not commit or roll back within "
                            + lockWait.toMillis() + " ms; its outcome is not known yet, retry", e);
                }
                throw e;
            }
            return find(c, id);
        });
    }

    /** SQLSTATE of a lock_timeout that expired. */
    private static final String LOCK_NOT_AVAILABLE = "55P03";

    /** A wait for a lock outlived its bound: the database answered, but not yet; UNAVAILABLE, retryable. */
    public static final class LockWaitTimeout extends StoreException {
        public static final String REASON = "WITHDRAWAL_LOCK_BUSY";

        LockWaitTimeout(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * The withdrawal id's transaction-level advisory lock: exclusive in {@link #lock} from before it reads the clock
     * to its commit, shared in {@link #get} before it reads the row.
     */
    static void lockId(Connection c, String withdrawalId, boolean exclusive) throws SQLException {
        AdvisoryLocks.take(c, "withdrawal", withdrawalId, exclusive);
    }

    /**
     * The database's clock now (not the transaction's start), to its microsecond: truncated to the millisecond, a
     * lock judged up to 1 ms after not_after would pass while margin may already have settled at not_after + skew.
     */
    private static Instant databaseNow(Connection c) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT clock_timestamp()");
             ResultSet rs = s.executeQuery()) {
            rs.next();
            return rs.getTimestamp(1).toInstant();
        }
    }

    /**
     * The chain's withdrawals without a result whose account has no open freeze, oldest first: the instructions
     * its adapter may be sent now. A frozen account's withdrawals stay LOCKED (their amount stays locked) and
     * come back here once the account is unfrozen.
     */
    public List<Withdrawal> deliverableOn(String chainId) {
        return Transactions.readCommitted(dataSource, "reading deliverable withdrawals of " + chainId, c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT " + COLUMNS + """
                     FROM withdrawal w WHERE chain_id = ? AND status = 'LOCKED' AND NOT EXISTS (
                        SELECT 1 FROM account_freeze f WHERE f.account_id = w.account_id AND f.unfrozen_at IS NULL)
                    ORDER BY locked_at, id""")) {
                s.setString(1, chainId);
                List<Withdrawal> result = new ArrayList<>();
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        result.add(row(rs));
                    }
                }
                return result;
            }
        });
    }

    /**
     * Applies an adapter's result inside the caller's transaction (the one that records the event's cursor).
     * EXECUTED debits the locked amount, FAILED unlocks it; the same outcome again is a duplicate. EXECUTED for a
     * withdrawal of a frozen account is applied all the same (the chain is the truth: the money left) with a
     * CRITICAL alert WITHDRAWAL_EXECUTED_WHILE_FROZEN. Refused by throwing (nothing written): an id this chain never
     * locked is UNKNOWN_WITHDRAWAL; the other outcome, or another tx hash, for a resolved withdrawal is
     * WITHDRAWAL_RESOLVED, an {@link AlertedRejection} whose CRITICAL alert the stream records with the rejection's
     * cursor; when that report is EXECUTED the alert also freezes the account's withdrawals.
     */
    public static EventOutcome applyResult(Connection c, String chainId, WithdrawalResultEvent.Valid result) throws SQLException {
        Withdrawal w = null;
        try (PreparedStatement s = c.prepareStatement("SELECT " + COLUMNS + " FROM withdrawal WHERE id = ? FOR UPDATE")) {
            s.setString(1, result.withdrawalId());
            try (ResultSet rs = s.executeQuery()) {
                if (rs.next()) {
                    w = row(rs);
                }
            }
        }
        // Another chain's withdrawal is answered as unknown: this adapter has no business with it.
        if (w == null || !w.chainId().equals(chainId)) {
            throw new InvalidInputException("UNKNOWN_WITHDRAWAL", "withdrawal_result.withdrawal_id",
                    "no withdrawal " + result.withdrawalId() + " was locked on " + chainId);
        }
        Withdrawal.Status reported = result.executed() ? Withdrawal.Status.EXECUTED : Withdrawal.Status.FAILED;
        if (w.status() != Withdrawal.Status.LOCKED) {
            boolean same = w.status() == reported && (!result.executed() || w.txHash().equals(result.txHash()));
            if (same) {
                return EventOutcome.duplicateEvent();
            }
            String what = "withdrawal " + w.id() + " was resolved " + w.status()
                    + (w.txHash().isEmpty() ? "" : " (tx " + w.txHash() + ")") + ", the adapter now reports " + reported
                    + (result.txHash().isEmpty() ? "" : " (tx " + result.txHash() + ")");
            // An execution the ledger does not hold (after FAILED the amount went back to available; after another
            // tx it was debited once): money may have left that the ledger still counts, so the account's
            // withdrawals freeze with the alert until an operator has looked.
            boolean moneyMayHaveLeft = result.executed();
            throw new AlertedRejection("WITHDRAWAL_RESOLVED", "withdrawal_result.outcome", what, new AlertedRejection.Alert(
                    true, "WITHDRAWAL_RESOLVED", chainId, w.accountId(), what,
                    "withdrawal-resolved:" + w.id() + ":" + reported + ":" + result.txHash(), moneyMayHaveLeft));
        }
        if (result.executed()) {
            String frozen = Alerts.frozenReason(c, w.accountId());
            if (frozen != null) {
                // The instruction reached the adapter before the freeze (instructions are held while frozen) and the
                // chain says the money left: the ledger follows the chain, and operators hear of it.
                Alerts.raise(c, Alerts.Severity.CRITICAL, "WITHDRAWAL_EXECUTED_WHILE_FROZEN", chainId, w.accountId(),
                        "withdrawal " + w.id() + " of " + w.amount().toPlainString() + " " + w.asset() + " was executed (tx "
                                + result.txHash() + ") while withdrawals of account " + w.accountId() + " are frozen: " + frozen,
                        "withdrawal-executed-while-frozen:" + w.id());
            }
        }
        try (PreparedStatement s = c.prepareStatement("""
                UPDATE withdrawal SET status = ?, tx_hash = ?, failure_reason = ?, resolved_at = now() WHERE id = ?""")) {
            s.setString(1, reported.name());
            s.setString(2, result.txHash());
            s.setString(3, result.failureReason());
            s.setString(4, w.id());
            s.executeUpdate();
        }
        String key = "withdrawal:" + w.id();
        if (result.executed()) {
            LedgerWrites.change(c, key + ":executed", "WITHDRAWAL_EXECUTED", w.accountId(), w.chainId(), w.asset(),
                    BigDecimal.ZERO, BigDecimal.ZERO, w.amount().negate(), w.id());
        } else {
            LedgerWrites.change(c, key + ":failed", "WITHDRAWAL_FAILED", w.accountId(), w.chainId(), w.asset(),
                    BigDecimal.ZERO, w.amount(), w.amount().negate(), w.id());
        }
        return EventOutcome.applied(Set.of(w.accountId()));
    }

    private static Optional<Withdrawal> find(Connection c, String id) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT " + COLUMNS + " FROM withdrawal WHERE id = ?")) {
            s.setString(1, id);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? Optional.of(row(rs)) : Optional.empty();
            }
        }
    }

    private static Withdrawal row(ResultSet rs) throws SQLException {
        Timestamp resolved = rs.getTimestamp("resolved_at");
        return new Withdrawal(rs.getString("id"), rs.getString("account_id"), rs.getString("chain_id"), rs.getString("asset"),
                rs.getBigDecimal("amount"), rs.getString("destination"), Withdrawal.Status.valueOf(rs.getString("status")),
                rs.getString("tx_hash"), rs.getString("failure_reason"), rs.getTimestamp("locked_at").toInstant(),
                resolved == null ? null : resolved.toInstant());
    }
}
