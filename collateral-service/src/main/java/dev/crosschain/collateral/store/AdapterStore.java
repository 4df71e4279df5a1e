package dev.crosschain.collateral.store;

import dev.crosschain.collateral.domain.AlertedRejection;
import dev.crosschain.collateral.domain.BlockHeaderEvent;
import dev.crosschain.collateral.domain.ChainLease;
import dev.crosschain.collateral.domain.ChainSpec;
import dev.crosschain.collateral.domain.DepositEvent;
import dev.crosschain.collateral.domain.EventOutcome;
import dev.crosschain.collateral.domain.FinalityRule;
import dev.crosschain.collateral.domain.ForkChoice;
import dev.crosschain.collateral.domain.InvalidInputException;
import dev.crosschain.collateral.domain.StoredBlock;
import dev.crosschain.collateral.domain.WithdrawalResultEvent;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The chain side of the ledger: headers, deposits, heartbeats and the adapter cursor. Every event is one
 * transaction that first locks the chain's row (events of one chain are serialised) and records the event's
 * cursor with its effect. Blocking JDBC: call from worker threads.
 */
@ApplicationScoped
public class AdapterStore {

    private static final Logger LOG = Logger.getLogger(AdapterStore.class);

    private final AgroalDataSource dataSource;

    public AdapterStore(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Last acknowledged cursor of the chain; empty if none. */
    public String cursor(String chainId) {
        return Transactions.readCommitted(dataSource, "reading cursor of " + chainId, c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT cursor FROM chain_state WHERE chain_id = ?")) {
                s.setString(1, chainId);
                try (ResultSet rs = s.executeQuery()) {
                    return rs.next() ? rs.getString(1) : "";
                }
            }
        });
    }

    /** One event's work on the batch's connection; a rejection is thrown as {@link InvalidInputException}. */
    @FunctionalInterface
    public interface EventWork {
        EventOutcome apply(Batch batch) throws SQLException;
    }

    /**
     * A deposit's work: consecutive deposits of a batch are written together (a few statements for the run
     * instead of a few statements each); the deposit is validated when the batch applies it.
     */
    public record DepositWork(ChainSpec chain, Supplier<DepositEvent.ValidDeposit> deposit) implements EventWork {

        @Override
        public EventOutcome apply(Batch batch) throws SQLException {
            return batch.deposit(chain, deposit.get());
        }
    }

    /** An event of a stream with its cursor, waiting to be applied. */
    public record Queued(String cursor, EventWork work) {
    }

    /** The result of one event of a batch: applied (outcome) or rejected (rejection, the outcome then null). */
    public record Result(EventOutcome outcome, InvalidInputException rejection) {
    }

    /**
     * Applies consecutive events of one chain in ONE transaction (a group commit): the chain's row is locked
     * once, each event runs in order on the same connection, the cursor of the last one is saved once. A rejected
     * event changes nothing but the cursor (and records the alert it raises, if any): the batch first runs
     * optimistically; when an event is rejected it is rolled back and run again with a savepoint around each
     * event, so the rejected ones are rolled back alone. A database error fails the whole batch (nothing of it
     * commits). Results are in the order of {@code events}.
     */
    public List<Result> applyBatch(String chainId, List<Queued> events) {
        if (events.isEmpty()) {
            return List.of();
        }
        return Transactions.readCommitted(dataSource, "applying " + events.size() + " event(s) of " + chainId, c -> {
            List<Result> optimistic = run(c, chainId, events, false);
            if (optimistic != null) {
                return optimistic;
            }
            c.rollback();
            return run(c, chainId, events, true);
        });
    }

    /** The batch's results; null when not isolating and an event was rejected (the caller rolls back). */
    private List<Result> run(Connection c, String chainId, List<Queued> events, boolean isolate) throws SQLException {
        ChainRow chainRow = lockChain(c, chainId, events.get(events.size() - 1).cursor());
        // The deposits' registry entry still holds (review finding 6).
        RegistryStore.requireChainAssets(chainId, chainRow.registryAssets(), events);
        Batch batch = new Batch(c, chainRow);
        List<Result> results = new ArrayList<>(events.size());
        int next = 0;
        while (next < events.size()) {
            int run = isolate ? next + 1 : depositRunEnd(events, next);
            if (run - next > 1) {
                try {
                    List<DepositWork> deposits = new ArrayList<>(run - next);
                    for (Queued event : events.subList(next, run)) {
                        deposits.add((DepositWork) event.work());
                    }
                    batch.deposits(deposits).forEach(outcome -> results.add(new Result(outcome, null)));
                } catch (InvalidInputException | SQLException e) {
                    requireInputFault(e, true);
                    return null;
                }
                next = run;
                continue;
            }
            Queued event = events.get(next++);
            Savepoint savepoint = isolate ? c.setSavepoint() : null;
            try {
                results.add(new Result(event.work().apply(batch), null));
                if (savepoint != null) {
                    c.releaseSavepoint(savepoint);
                }
            } catch (InvalidInputException | SQLException e) {
                requireInputFault(e, event.work() instanceof DepositWork);
                if (!isolate) {
                    return null;
                }
                InvalidInputException rejection = rejectionOf(e, chainId, event.cursor());
                c.rollback(savepoint);
                batch = new Batch(c, null); // what it read may have been rolled back with the event
                raiseAlertOf(c, rejection);
                results.add(new Result(null, rejection));
            }
        }
        return results;
    }

    /**
     * An event's refusal: its own, or the database's refusal of one of a deposit's values (SQLSTATE class 22, which
     * the domain's bounds should have caught), so that one such deposit is refused alone instead of failing its
     * whole batch again on every resend. The chain's money is then missing from the ledger: a CRITICAL alert says
     * so, naming the event by its cursor (its fields may be what the database refused).
     */
    private static InvalidInputException rejectionOf(Exception e, String chainId, String cursor) {
        if (e instanceof InvalidInputException rejection) {
            return rejection;
        }
        InvalidInputException refused = Transactions.invalidValue("applying a deposit of " + chainId, (SQLException) e);
        String what = "the deposit at cursor " + cursor + " on " + chainId + " was refused by the database ("
                + ((SQLException) e).getSQLState() + ") and not recorded: the adapter must report it again corrected";
        return new AlertedRejection(refused.reason(), "deposit", what, new AlertedRejection.Alert(true,
                "DEPOSIT_REFUSED_BY_DATABASE", chainId, "", what, "invalid-value:" + chainId + ":" + cursor));
    }

    /**
     * Rethrows a database error that is not a deposit's fault (it fails the whole batch): a header, checkpoint or
     * withdrawal result also works on stored rows, whose failure must not be blamed on the event.
     */
    private static void requireInputFault(Exception e, boolean deposit) throws SQLException {
        if (e instanceof SQLException error && !(deposit && Transactions.isDataException(error))) {
            throw error;
        }
    }

    /** The end (exclusive) of the run of consecutive deposits starting at {@code from}. */
    private static int depositRunEnd(List<Queued> events, int from) {
        int end = from;
        while (end < events.size() && events.get(end).work() instanceof DepositWork) {
            end++;
        }
        return end;
    }

    private static void raiseAlertOf(Connection c, InvalidInputException rejection) throws SQLException {
        if (rejection instanceof AlertedRejection alerted) {
            AlertedRejection.Alert a = alerted.alert();
            OptionalLong id = Alerts.raise(c, a.critical() ? Alerts.Severity.CRITICAL : Alerts.Severity.WARNING, a.kind(),
                    a.chainId(), a.accountId(), a.message(), a.dedupKey());
            if (a.freezeAccount()) {
                Alerts.freeze(c, a.accountId(), a.kind() + ": " + a.message(), id);
            }
        }
    }

    /**
     * The events' effects inside a batch's transaction, with the chain's row locked. Keeps what it read of the
     * chain (head height, checkpoint, blocks by hash) while no header or checkpoint changes it: nothing else
     * writes a chain's blocks without its lock.
     */
    public final class Batch {

        private final Connection c;
        private Long head;
        private Optional<StoredBlock> checkpoint;
        private final Map<String, Optional<StoredBlock>> blocks = new HashMap<>();

        /** {@code start}: the chain as read when it was locked; null: read it when needed. */
        private Batch(Connection c, ChainRow start) {
            this.c = c;
            if (start != null) {
                head = start.head();
                checkpoint = start.checkpoint();
            }
        }

        private long head(String chainId) throws SQLException {
            if (head == null) {
                head = headHeight(c, chainId);
            }
            return head;
        }

        private Optional<StoredBlock> checkpointOf(String chainId) throws SQLException {
            if (checkpoint == null) {
                checkpoint = AdapterStore.checkpoint(c, chainId);
            }
            return checkpoint;
        }

        private Optional<StoredBlock> block(String chainId, String hash) throws SQLException {
            Optional<StoredBlock> known = blocks.get(hash);
            if (known == null) {
                known = byHash(c, chainId, hash);
                blocks.put(hash, known);
            }
            return known;
        }

        /** The chain's blocks or checkpoint changed: read them again. */
        private void forget() {
            head = null;
            checkpoint = null;
            blocks.clear();
        }

        /**
         * Stores a header, orphans what it replaces (reverting pending deposits), then credits what became final.
         * A header that does not connect to the canonical block below is refused by {@link ForkChoice} before
         * anything is written.
         */
        public EventOutcome header(ChainSpec chain, BlockHeaderEvent header) throws SQLException {
            Optional<StoredBlock> parent = header.height() == 0 ? Optional.empty()
                    : canonicalAt(c, chain.id(), header.height() - 1);
            List<StoredBlock> above = canonicalAtOrAbove(c, chain.id(), header.height());
            Optional<StoredBlock> same = byHash(c, chain.id(), header.hash());
            long headBefore = head(chain.id());
            ForkChoice.Decision decision = ForkChoice.decide(header, headBefore, parent, above, same, chain.id(),
                    chain.finalityRule() == FinalityRule.CHECKPOINT ? checkpointOf(chain.id()) : Optional.empty());
            if (decision.duplicate()) {
                return EventOutcome.duplicateEvent();
            }
            forget();
            Set<String> changed = new HashSet<>();
            if (decision.reorg()) {
                LOG.warnf("reorg on %s at height %d (new block %s): orphaning %d block(s)",
                        chain.id(), header.height(), header.hash(), decision.orphans().size());
            }
            for (StoredBlock orphan : decision.orphans()) {
                orphan(c, chain.id(), orphan, changed);
            }
            if (same.isPresent()) {
                try (PreparedStatement s = c.prepareStatement(
                        "UPDATE block_header SET canonical = TRUE WHERE chain_id = ? AND hash = ?")) {
                    s.setString(1, chain.id());
                    s.setString(2, header.hash());
                    s.executeUpdate();
                }
            } else {
                try (PreparedStatement s = c.prepareStatement("""
                        INSERT INTO block_header (chain_id, hash, height, parent_hash, canonical, block_time_ms)
                        VALUES (?, ?, ?, ?, TRUE, ?)""")) {
                    s.setString(1, chain.id());
                    s.setString(2, header.hash());
                    s.setLong(3, header.height());
                    s.setString(4, header.parentHash() == null ? "" : header.parentHash());
                    s.setLong(5, header.timestampUnixMs());
                    s.executeUpdate();
                }
            }
            if (header.height() > headBefore) {
                try (PreparedStatement s = c.prepareStatement(
                        "UPDATE chain_state SET head_advanced_at = now() WHERE chain_id = ?")) {
                    s.setString(1, chain.id());
                    s.executeUpdate();
                }
            }
            creditFinal(chain, changed);
            return EventOutcome.applied(changed);
        }

        /**
         * Records a deposit whose fields were validated against the registry: PENDING, and CREDITED at once if
         * its block is final already. The same key with the same payload is a duplicate (or revives a REVERTED
         * deposit in a canonical block); with another payload it is refused.
         */
        public EventOutcome deposit(ChainSpec chain, DepositEvent.ValidDeposit deposit) throws SQLException {
            long height = canonicalBlockOf(chain, deposit).height();
            boolean isFinal = chain.isFinal(height, head(chain.id()),
                    checkpointOf(chain.id()).map(StoredBlock::height).orElse(-1L));
            String key = depositKey(chain.id(), deposit.txHash(), deposit.logIndex());
            // The usual case, a new deposit, is one statement; a known key is read (locked) only on conflict.
            try (PreparedStatement s = c.prepareStatement(INSERT_DEPOSIT)) {
                setInsert(s, chain, deposit, height);
                if (s.executeUpdate() == 1) {
                    pend(c, chain.id(), deposit, key, 0);
                    if (isFinal) {
                        credit(c, chain.id(), deposit.txHash(), deposit.logIndex(), deposit.accountId(),
                                deposit.asset().symbol(), deposit.amount(), 0);
                    }
                    return EventOutcome.applied(Set.of(deposit.accountId()));
                }
            }
            try (PreparedStatement s = c.prepareStatement("""
                    SELECT account_id, asset, amount, status, revision FROM deposit
                    WHERE chain_id = ? AND tx_hash = ? AND log_index = ? FOR UPDATE""")) {
                s.setString(1, chain.id());
                s.setString(2, deposit.txHash());
                s.setLong(3, deposit.logIndex());
                try (ResultSet rs = s.executeQuery()) {
                    if (!rs.next()) {
                        throw new SQLException("deposit " + key + " conflicted on insert but is not stored", "40001");
                    }
                    if (!deposit.samePayload(rs.getString("account_id"), rs.getString("asset"), rs.getBigDecimal("amount"))) {
                        String described = "deposit " + key + " was reported before with account "
                                + rs.getString("account_id") + ", asset " + rs.getString("asset") + ", amount "
                                + rs.getBigDecimal("amount").toPlainString() + "; now with account "
                                + deposit.accountId() + ", asset " + deposit.asset().symbol() + ", amount "
                                + deposit.amount().toPlainString();
                        throw new AlertedRejection("CONFLICTING_DEPOSIT", "deposit", described,
                                new AlertedRejection.Alert(false, "CONFLICTING_DEPOSIT", chain.id(),
                                        rs.getString("account_id"), described,
                                        key + ":conflict:" + deposit.payloadHash()));
                    }
                    if (!"REVERTED".equals(rs.getString("status"))) {
                        return EventOutcome.duplicateEvent();
                    }
                    int revision = rs.getInt("revision") + 1;
                    revive(c, chain.id(), deposit, height, revision);
                    pend(c, chain.id(), deposit, key, revision);
                    if (isFinal) {
                        credit(c, chain.id(), deposit.txHash(), deposit.logIndex(), deposit.accountId(),
                                deposit.asset().symbol(), deposit.amount(), revision);
                    }
                    return EventOutcome.applied(Set.of(deposit.accountId()));
                }
            }
        }

        /**
         * Consecutive deposits as {@link #deposit} would apply them one after the other, in three statements
         * for the usual case (new deposits: their rows, balances, ledger entries; arrays unnested). A deposit whose key is known
         * already (duplicate, revival, conflict) takes the one-by-one path after the run's new deposits are
         * written: the effects are the same, only the order of ledger entries within the run differs.
         */
        List<EventOutcome> deposits(List<DepositWork> works) throws SQLException {
            int n = works.size();
            List<ChainSpec> chains = new ArrayList<>(n);
            List<DepositEvent.ValidDeposit> deposits = new ArrayList<>(n);
            Long[] heights = new Long[n];
            boolean[] finals = new boolean[n];
            for (int k = 0; k < n; k++) {
                ChainSpec chain = works.get(k).chain();
                DepositEvent.ValidDeposit deposit = works.get(k).deposit().get();
                StoredBlock block = canonicalBlockOf(chain, deposit);
                chains.add(chain);
                deposits.add(deposit);
                heights[k] = block.height();
                finals[k] = chain.isFinal(block.height(), head(chain.id()),
                        checkpointOf(chain.id()).map(StoredBlock::height).orElse(-1L));
            }
            boolean[] inserted = insertNew(chains.get(0).id(), deposits, heights);
            List<LedgerWrites.Change> pending = new ArrayList<>();
            for (int k = 0; k < n; k++) {
                if (inserted[k]) {
                    DepositEvent.ValidDeposit d = deposits.get(k);
                    String key = depositKey(chains.get(k).id(), d.txHash(), d.logIndex());
                    pending.add(new LedgerWrites.Change(key + ":r0:pending", "DEPOSIT_PENDING", d.accountId(),
                            chains.get(k).id(), d.asset().symbol(), d.amount(), BigDecimal.ZERO, BigDecimal.ZERO, key));
                }
            }
            LedgerWrites.changeAll(c, pending);
            List<EventOutcome> outcomes = new ArrayList<>(n);
            for (int k = 0; k < n; k++) {
                DepositEvent.ValidDeposit d = deposits.get(k);
                if (!inserted[k]) {
                    outcomes.add(deposit(chains.get(k), d));
                    continue;
                }
                if (finals[k]) {
                    credit(c, chains.get(k).id(), d.txHash(), d.logIndex(), d.accountId(), d.asset().symbol(), d.amount(), 0);
                }
                outcomes.add(EventOutcome.applied(Set.of(d.accountId())));
            }
            return outcomes;
        }

        /**
         * Inserts the deposits whose key is new, in one statement; which were inserted. Of deposits sharing a key
         * within the run only the first is sent: the others are not inserted and take the one-by-one path.
         */
        private boolean[] insertNew(String chainId, List<DepositEvent.ValidDeposit> deposits, Long[] heights)
                throws SQLException {
            Map<String, Integer> firstByKey = new LinkedHashMap<>();
            for (int k = 0; k < deposits.size(); k++) {
                firstByKey.putIfAbsent(deposits.get(k).txHash() + ":" + deposits.get(k).logIndex(), k);
            }
            List<Integer> firsts = List.copyOf(firstByKey.values()); // a key's later events take the one-by-one path
            List<DepositEvent.ValidDeposit> rows = firsts.stream().map(deposits::get).toList();
            boolean[] inserted = new boolean[deposits.size()];
            try (PreparedStatement s = c.prepareStatement(INSERT_DEPOSITS)) {
                s.setString(1, chainId);
                s.setArray(2, c.createArrayOf("text", rows.stream().map(DepositEvent.ValidDeposit::txHash).toArray()));
                s.setArray(3, c.createArrayOf("bigint", rows.stream().map(DepositEvent.ValidDeposit::logIndex).toArray()));
                s.setArray(4, c.createArrayOf("text", rows.stream().map(DepositEvent.ValidDeposit::blockHash).toArray()));
                s.setArray(5, c.createArrayOf("bigint", firsts.stream().map(k -> heights[k]).toArray()));
                s.setArray(6, c.createArrayOf("text", rows.stream().map(DepositEvent.ValidDeposit::accountId).toArray()));
                s.setArray(7, c.createArrayOf("text", rows.stream().map(d -> d.asset().symbol()).toArray()));
                s.setArray(8, c.createArrayOf("numeric", rows.stream().map(DepositEvent.ValidDeposit::amount).toArray()));
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        inserted[firstByKey.get(rs.getString(1) + ":" + rs.getLong(2))] = true;
                    }
                }
            }
            return inserted;
        }

        /** The deposit's block, stored and canonical; else UNKNOWN_BLOCK. */
        private StoredBlock canonicalBlockOf(ChainSpec chain, DepositEvent.ValidDeposit deposit) throws SQLException {
            Optional<StoredBlock> block = block(chain.id(), deposit.blockHash());
            if (block.isEmpty()) {
                throw new InvalidInputException("UNKNOWN_BLOCK", "deposit.block_hash",
                        "no header with hash " + deposit.blockHash() + " was sent on " + chain.id());
            }
            if (!block.get().canonical()) {
                throw new InvalidInputException("UNKNOWN_BLOCK", "deposit.block_hash",
                        "block " + deposit.blockHash() + " is orphaned on " + chain.id());
            }
            return block.get();
        }

        /**
         * Moves the chain's finalized checkpoint up to a stored canonical block and credits the pending deposits
         * at or below it. Never moves down: the same or an older point of the canonical chain is a duplicate;
         * another block at or below the checkpoint's height contradicts finality and is refused with a CRITICAL
         * alert; a block not stored canonical at that height is UNKNOWN_BLOCK.
         */
        public EventOutcome checkpoint(ChainSpec chain, long height, String hash) throws SQLException {
            Optional<StoredBlock> current = checkpointOf(chain.id());
            Optional<StoredBlock> named = block(chain.id(), hash);
            boolean canonicalThere = named.isPresent() && named.get().canonical() && named.get().height() == height;
            if (!canonicalThere) {
                if (current.isPresent() && height <= current.get().height()) {
                    String what = "checkpoint " + hash + " at height " + height + " on " + chain.id()
                            + " contradicts the finalized checkpoint " + current.get().hash() + " at height "
                            + current.get().height() + ": that height is final on another block";
                    throw new AlertedRejection("CONFLICTING_CHECKPOINT", "checkpoint.hash", what,
                            new AlertedRejection.Alert(true, "CONFLICTING_CHECKPOINT", chain.id(), "", what,
                                    "checkpoint:" + chain.id() + ":" + height + ":" + hash));
                }
                throw new InvalidInputException("UNKNOWN_BLOCK", "checkpoint.hash", "no canonical block " + hash
                        + " at height " + height + " was sent on " + chain.id());
            }
            if (current.isPresent() && height <= current.get().height()) {
                return EventOutcome.duplicateEvent();
            }
            forget();
            try (PreparedStatement s = c.prepareStatement(
                    "UPDATE chain_state SET checkpoint_height = ?, checkpoint_hash = ? WHERE chain_id = ?")) {
                s.setLong(1, height);
                s.setString(2, hash);
                s.setString(3, chain.id());
                s.executeUpdate();
            }
            Set<String> changed = new HashSet<>();
            creditFinal(chain, changed);
            return EventOutcome.applied(changed);
        }

        /** Records the head the adapter has seen. */
        public EventOutcome heartbeat(String chainId, long headHeight) throws SQLException {
            try (PreparedStatement s = c.prepareStatement(
                    "UPDATE chain_state SET heartbeat_height = ?, heartbeat_at = ? WHERE chain_id = ?")) {
                s.setLong(1, headHeight);
                s.setTimestamp(2, Timestamp.from(Instant.now()));
                s.setString(3, chainId);
                s.executeUpdate();
            }
            return EventOutcome.applied(Set.of());
        }

        /** Applies a withdrawal result (see {@link WithdrawalStore#applyResult}). */
        public EventOutcome withdrawalResult(String chainId, WithdrawalResultEvent.Valid result) throws SQLException {
            return WithdrawalStore.applyResult(c, chainId, result);
        }

        /**
         * Every pending deposit of the chain that is final with the current head becomes CREDITED: one statement
         * flips them, their ledger entries and balance changes follow in a few statements (see
         * {@link LedgerWrites#changeAll}). The canonical check looks up each pending deposit's block by key rather
         * than joining the chain's headers, whose number only grows.
         */
        private void creditFinal(ChainSpec chain, Set<String> changed) throws SQLException {
            long finalThrough = chain.finalThrough(head(chain.id()),
                    checkpointOf(chain.id()).map(StoredBlock::height).orElse(-1L));
            record Credit(long height, LedgerWrites.Change change) {
            }
            List<Credit> credits = new ArrayList<>();
            try (PreparedStatement s = c.prepareStatement("""
                    UPDATE deposit d SET status = 'CREDITED', updated_at = now()
                    WHERE d.chain_id = ? AND d.status = 'PENDING' AND d.block_height <= ?
                      AND (SELECT b.canonical FROM block_header b WHERE b.chain_id = d.chain_id AND b.hash = d.block_hash)
                    RETURNING d.tx_hash, d.log_index, d.account_id, d.asset, d.amount, d.revision, d.block_height""")) {
                s.setString(1, chain.id());
                s.setLong(2, finalThrough);
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        String key = depositKey(chain.id(), rs.getString("tx_hash"), rs.getLong("log_index"));
                        BigDecimal amount = rs.getBigDecimal("amount");
                        credits.add(new Credit(rs.getLong("block_height"), new LedgerWrites.Change(
                                key + ":r" + rs.getInt("revision") + ":credited", "DEPOSIT_CREDITED",
                                rs.getString("account_id"), chain.id(), rs.getString("asset"), amount.negate(), amount,
                                BigDecimal.ZERO, key)));
                        changed.add(rs.getString("account_id"));
                    }
                }
            }
            // Ledger entries by block, then key. (Balance rows are written in LedgerWrites' order.)
            credits.sort(Comparator.comparingLong(Credit::height).thenComparing(cr -> cr.change().entryKey()));
            LedgerWrites.changeAll(c, credits.stream().map(Credit::change).toList());
        }
    }

    /** The stored canonical tip (greatest canonical block) of the chain; empty when it has no block. */
    public Optional<StoredBlock> tip(String chainId) {
        return Transactions.readCommitted(dataSource, "reading tip of " + chainId, c -> {
            long head = headHeight(c, chainId);
            return head < 0 ? Optional.<StoredBlock>empty() : canonicalAt(c, chainId, head);
        });
    }

    /** Head height (greatest canonical block) of the chain; -1 when no header is stored. */
    public long headHeight(String chainId) {
        return Transactions.readCommitted(dataSource, "reading head of " + chainId, c -> headHeight(c, chainId));
    }

    // ---- inside a transaction ----

    /**
     * The chain as a batch finds it when it locks it: its lease, checkpoint, head height (-1: no block) and the
     * assets its last registry change recorded (null: none since V7; see {@link RegistryStore#requireChainAssets}).
     */
    private record ChainRow(ChainLease lease, Optional<StoredBlock> checkpoint, long head, String registryAssets) {
    }

    /**
     * Locks the chain's row (the events of one chain are serialised), fences the stream bound to this thread
     * ({@link ChainLeases#requireHeld}: the stream must still hold the chain; its lease is extended), saves the
     * batch's cursor and reads what the batch starts from, in two statements when the row exists. Saving the cursor
     * first is safe: the transaction commits all of it or nothing.
     */
    private static ChainRow lockChain(Connection c, String chainId, String cursor) throws SQLException {
        // The row lock first, in a statement of its own: a statement that waits for a row lock reads other rows
        // (the chain's blocks, for the head) as of its start, so the update below starts only once the lock is held.
        lockChainRow(c, chainId);
        Optional<ChainLeases.Held> held = ChainLeases.boundTo(chainId);
        ChainRow locked = updateChainRow(c, chainId, cursor, held)
                .orElseThrow(() -> new SQLException("chain_state row of " + chainId + " missing after its lock"));
        if (held.isPresent()) {
            ChainLeases.requireHeld(held.get(), locked.lease());
        }
        return locked;
    }

    /**
     * Locks the chain's {@code chain_state} row (FOR UPDATE), creating it first if missing: the lock every writer of a
     * chain takes (adapter batches, registry changes of its assets; lease claims lock it too), so they serialise per chain.
     */
    static void lockChainRow(Connection c, String chainId) throws SQLException {
        if (!lockRow(c, chainId)) {
            try (PreparedStatement s = c.prepareStatement("INSERT INTO chain_state (chain_id) VALUES (?) ON CONFLICT DO NOTHING")) {
                s.setString(1, chainId);
                s.executeUpdate();
            }
            lockRow(c, chainId);
        }
    }

    private static boolean lockRow(Connection c, String chainId) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT 1 FROM chain_state WHERE chain_id = ? FOR UPDATE")) {
            s.setString(1, chainId);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next();
            }
        }
    }

    private static Optional<ChainRow> updateChainRow(Connection c, String chainId, String cursor,
                                                     Optional<ChainLeases.Held> held) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("""
                UPDATE chain_state SET cursor = ?, updated_at = now(), last_event_at = now(),
                    lease_until = CASE WHEN ? THEN now() + ? * interval '1 millisecond' ELSE lease_until END
                WHERE chain_id = ?
                RETURNING owner_epoch, owner_session, lease_until, checkpoint_height, checkpoint_hash,
                    (SELECT coalesce(max(height), -1) FROM block_header WHERE chain_id = ? AND canonical), registry_assets""")) {
            s.setString(1, cursor);
            s.setBoolean(2, held.isPresent());
            s.setLong(3, held.map(h -> h.lease().toMillis()).orElse(0L));
            s.setString(4, chainId);
            s.setString(5, chainId);
            try (ResultSet rs = s.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                Timestamp until = rs.getTimestamp(3);
                ChainLease lease = new ChainLease(chainId, rs.getLong(1), Optional.ofNullable(rs.getString(2)),
                        Optional.ofNullable(until).map(Timestamp::toInstant));
                String checkpointHash = rs.getString(5);
                Optional<StoredBlock> checkpoint = checkpointHash == null ? Optional.empty()
                        : Optional.of(new StoredBlock(rs.getLong(4), checkpointHash, "", true));
                return Optional.of(new ChainRow(lease, checkpoint, rs.getLong(6), rs.getString(7)));
            }
        }
    }

    /** The chain's finalized checkpoint (height and hash); empty when none was applied. */
    private static Optional<StoredBlock> checkpoint(Connection c, String chainId) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(
                "SELECT checkpoint_height, checkpoint_hash FROM chain_state WHERE chain_id = ? AND checkpoint_hash IS NOT NULL")) {
            s.setString(1, chainId);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? Optional.of(new StoredBlock(rs.getLong(1), rs.getString(2), "", true)) : Optional.empty();
            }
        }
    }

    static long headHeight(Connection c, String chainId) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(
                "SELECT coalesce(max(height), -1) FROM block_header WHERE chain_id = ? AND canonical")) {
            s.setString(1, chainId);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static Optional<StoredBlock> canonicalAt(Connection c, String chainId, long height) throws SQLException {
        List<StoredBlock> blocks = blocks(c, "SELECT height, hash, parent_hash, canonical FROM block_header "
                + "WHERE chain_id = ? AND height = ? AND canonical", chainId, height);
        return blocks.stream().findFirst();
    }

    private static List<StoredBlock> canonicalAtOrAbove(Connection c, String chainId, long height) throws SQLException {
        return blocks(c, "SELECT height, hash, parent_hash, canonical FROM block_header "
                + "WHERE chain_id = ? AND height >= ? AND canonical ORDER BY height", chainId, height);
    }

    private static Optional<StoredBlock> byHash(Connection c, String chainId, String hash) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(
                "SELECT height, hash, parent_hash, canonical FROM block_header WHERE chain_id = ? AND hash = ?")) {
            s.setString(1, chainId);
            s.setString(2, hash);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? Optional.of(block(rs)) : Optional.empty();
            }
        }
    }

    private static List<StoredBlock> blocks(Connection c, String sql, String chainId, long height) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, chainId);
            s.setLong(2, height);
            try (ResultSet rs = s.executeQuery()) {
                List<StoredBlock> result = new ArrayList<>();
                while (rs.next()) {
                    result.add(block(rs));
                }
                return result;
            }
        }
    }

    private static StoredBlock block(ResultSet rs) throws SQLException {
        return new StoredBlock(rs.getLong("height"), rs.getString("hash"), rs.getString("parent_hash"), rs.getBoolean("canonical"));
    }

    /** The block stops being canonical: its pending deposits are reverted; a credited one is a critical alert. */
    private static void orphan(Connection c, String chainId, StoredBlock block, Set<String> changed) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(
                "UPDATE block_header SET canonical = FALSE WHERE chain_id = ? AND hash = ?")) {
            s.setString(1, chainId);
            s.setString(2, block.hash());
            s.executeUpdate();
        }
        try (PreparedStatement s = c.prepareStatement("""
                SELECT tx_hash, log_index, account_id, asset, amount, status, revision FROM deposit
                WHERE chain_id = ? AND block_hash = ? AND status IN ('PENDING', 'CREDITED') ORDER BY tx_hash, log_index FOR UPDATE""")) {
            s.setString(1, chainId);
            s.setString(2, block.hash());
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    String tx = rs.getString("tx_hash");
                    long log = rs.getLong("log_index");
                    String key = depositKey(chainId, tx, log);
                    if ("CREDITED".equals(rs.getString("status"))) {
                        // Final money may have moved on (transfers, withdrawals): it stays credited, operators decide;
                        // the account's withdrawals stop until they do.
                        String account = rs.getString("account_id");
                        String message = "credited deposit " + key + " (account " + account + ", "
                                + rs.getBigDecimal("amount").toPlainString() + " " + rs.getString("asset")
                                + ") is in block " + block.hash() + " at height " + block.height()
                                + ", orphaned by a reorg; left credited, withdrawals of the account frozen";
                        OptionalLong alert = Alerts.raise(c, Alerts.Severity.CRITICAL, "FINAL_DEPOSIT_ORPHANED", chainId,
                                account, message, key + ":orphaned:" + block.hash());
                        Alerts.freeze(c, account, "FINAL_DEPOSIT_ORPHANED: " + message, alert);
                        changed.add(account);
                        continue;
                    }
                    BigDecimal amount = rs.getBigDecimal("amount");
                    String account = rs.getString("account_id");
                    int revision = rs.getInt("revision");
                    setStatus(c, chainId, tx, log, "REVERTED");
                    LedgerWrites.change(c, key + ":r" + revision + ":reverted", "DEPOSIT_REVERTED", account, chainId,
                            rs.getString("asset"), amount.negate(), BigDecimal.ZERO, BigDecimal.ZERO, key);
                    changed.add(account);
                }
            }
        }
    }

    private static void pend(Connection c, String chainId, DepositEvent.ValidDeposit d, String key, int revision) throws SQLException {
        LedgerWrites.change(c, key + ":r" + revision + ":pending", "DEPOSIT_PENDING", d.accountId(), chainId,
                d.asset().symbol(), d.amount(), BigDecimal.ZERO, BigDecimal.ZERO, key);
    }

    private static void credit(Connection c, String chainId, String tx, long log, String account, String asset,
                               BigDecimal amount, int revision) throws SQLException {
        String key = depositKey(chainId, tx, log);
        setStatus(c, chainId, tx, log, "CREDITED");
        LedgerWrites.change(c, key + ":r" + revision + ":credited", "DEPOSIT_CREDITED", account, chainId, asset,
                amount.negate(), amount, BigDecimal.ZERO, key);
    }

    private static void revive(Connection c, String chainId, DepositEvent.ValidDeposit d, long height, int revision) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("""
                UPDATE deposit SET status = 'PENDING', block_hash = ?, block_height = ?, revision = ?, updated_at = now()
                WHERE chain_id = ? AND tx_hash = ? AND log_index = ?""")) {
            s.setString(1, d.blockHash());
            s.setLong(2, height);
            s.setInt(3, revision);
            s.setString(4, chainId);
            s.setString(5, d.txHash());
            s.setLong(6, d.logIndex());
            s.executeUpdate();
        }
    }

    private static void setStatus(Connection c, String chainId, String tx, long log, String status) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(
                "UPDATE deposit SET status = ?, updated_at = now() WHERE chain_id = ? AND tx_hash = ? AND log_index = ?")) {
            s.setString(1, status);
            s.setString(2, chainId);
            s.setString(3, tx);
            s.setLong(4, log);
            s.executeUpdate();
        }
    }

    private static final String INSERT_DEPOSITS = """
            INSERT INTO deposit (chain_id, tx_hash, log_index, block_hash, block_height, account_id, asset, amount, status)
            SELECT ?, u.*, 'PENDING' FROM unnest(?::text[], ?::bigint[], ?::text[], ?::bigint[], ?::text[], ?::text[],
                ?::numeric[]) AS u
            ON CONFLICT (chain_id, tx_hash, log_index) DO NOTHING RETURNING tx_hash, log_index""";

    private static final String INSERT_DEPOSIT = """
            INSERT INTO deposit (chain_id, tx_hash, log_index, block_hash, block_height, account_id, asset, amount, status)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'PENDING') ON CONFLICT (chain_id, tx_hash, log_index) DO NOTHING""";

    private static void setInsert(PreparedStatement s, ChainSpec chain, DepositEvent.ValidDeposit deposit, long height)
            throws SQLException {
        s.setString(1, chain.id());
        s.setString(2, deposit.txHash());
        s.setLong(3, deposit.logIndex());
        s.setString(4, deposit.blockHash());
        s.setLong(5, height);
        s.setString(6, deposit.accountId());
        s.setString(7, deposit.asset().symbol());
        s.setBigDecimal(8, deposit.amount());
    }

    private static String depositKey(String chainId, String tx, long log) {
        return "deposit:" + chainId + ":" + tx + ":" + log;
    }
}
