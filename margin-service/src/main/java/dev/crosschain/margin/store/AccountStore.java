package dev.crosschain.margin.store;

import dev.crosschain.margin.domain.AccountRisk;
import dev.crosschain.margin.domain.Book;
import dev.crosschain.margin.domain.ConflictException;
import dev.crosschain.margin.domain.Decimals;
import dev.crosschain.margin.domain.Instrument;
import dev.crosschain.margin.domain.MarginMode;
import dev.crosschain.margin.domain.NotFoundException;
import dev.crosschain.margin.domain.Position;
import dev.crosschain.margin.domain.PreconditionException;
import dev.crosschain.margin.domain.RiskStatus;
import dev.crosschain.margin.domain.Side;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The account book in PostgreSQL: accounts, positions, fills and position transfers. Blocking JDBC:
 * call from worker threads.
 *
 * <p>Every writer of an account's book runs READ COMMITTED and first locks the account row {@code FOR UPDATE} (a
 * transfer both rows, in account id order); everything it reads after the lock (the row itself, positions, buckets,
 * its idempotency key) is the newest committed state, and stays so until it commits, because every other writer of
 * those rows waits for the same lock. So the row lock, not the isolation level, serializes writers of one account,
 * also across replicas (the in-process {@link #locked} stripes only queue one replica's writers before they take a
 * pooled connection). SERIALIZABLE served no purpose on top, and its predicate locks (the idempotency probe, index
 * pages) failed writers of unrelated accounts until they ran out of retries (issues 5 and 6). The writers:
 * <ul>
 *   <li>{@link #applyFill}: the account row; positions, realized PnL, the fill (its bucket deleted on a close).</li>
 *   <li>{@link #transfer}: both rows; positions of both, the destination's realized PnL, the source's buckets.</li>
 *   <li>{@link #setFreeze}: the row; frozen, auction id, a released auction (keyed by auction id, written only under
 *       the row lock of that auction's account).</li>
 *   <li>{@link #setMode}: the row; mode, PORTFOLIO figures, every bucket.</li>
 *   <li>{@link #adjust}, {@link #recordOpeningAllocations}: the row; buckets.</li>
 *   <li>{@link #recordStatus}: the row; the stored status and figures.</li>
 *   <li>{@link #recordFigures} (the re-margin pass): no lock first; one compare-and-set UPDATE per page, which takes
 *       each row's lock as it writes it. Its comparison of the book is not fully behind that lock: the row's own
 *       columns are re-checked after a concurrent writer of the row commits, but the positions are a subquery read
 *       in the statement's snapshot, and PostgreSQL re-checks a row only when the other transaction wrote that row.
 *       A book writer that only locks the row misses that re-check: a fill of zero realized PnL, a transfer's source
 *       (and a destination of zero realized PnL); an {@link #adjust} writes only buckets, which the comparison does
 *       not read at all. The pass then stores a status of the older book, which the writer's re-evaluation corrects
 *       (see there). A {@code book_version} column on the row, bumped by every book writer, would close this gap: a
 *       next step, not done here.</li>
 * </ul>
 * An idempotency key (fill, transfer, mode change, adjustment id) is probed after the row lock, so a second request
 * of the same id on the same account sees the first one committed. The same id sent for another account takes
 * another lock: both may probe before either commits, and the later insert fails on the key's unique index (23505),
 * retried, whose probe then answers the replay or IDEMPOTENCY_CONFLICT. Withdrawals write no table here: their
 * per-account lock is {@link WithdrawalStore}'s advisory lock.
 */
@ApplicationScoped
public class AccountStore {

    /** A unique violation of a racing insert of the same key: retried, then answered as a replay. */
    private static final Set<String> UNIQUE_RACE = Set.of("23505");

    private final AgroalDataSource dataSource;
    /**
     * Writers of one account queue here first within this replica, so they wait for each other without holding
     * pooled connections that writers of other accounts need; the row lock alone serializes them across replicas.
     */
    private final java.util.concurrent.locks.ReentrantLock[] stripes = new java.util.concurrent.locks.ReentrantLock[64];

    public AccountStore(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
        for (int i = 0; i < stripes.length; i++) {
            stripes[i] = new java.util.concurrent.locks.ReentrantLock();
        }
    }

    private <T> T locked(java.util.function.Supplier<T> work, String... accounts) {
        java.util.SortedSet<Integer> indexes = new java.util.TreeSet<>();
        for (String account : accounts) {
            indexes.add(Math.floorMod(account.hashCode(), stripes.length));
        }
        List<java.util.concurrent.locks.ReentrantLock> held = new ArrayList<>();
        try {
            for (int i : indexes) {
                stripes[i].lock();
                held.add(stripes[i]);
            }
            return work.get();
        } finally {
            for (int i = held.size() - 1; i >= 0; i--) {
                held.get(i).unlock();
            }
        }
    }

    /**
     * What margin-service holds of an account.
     *
     * @param portfolioIm the last IM recorded in PORTFOLIO mode from a revaluation (not a fallback); null when none
     *                    since the last mode switch
     * @param portfolioMm the same MM
     * @param allocations in ISOLATED mode, the recorded bucket allocation (USD) of each open position that has one
     */
    public record AccountState(String accountId, BigDecimal realizedPnl, boolean frozen, String auctionId,
                               RiskStatus lastStatus, List<Position> positions, MarginMode mode,
                               BigDecimal portfolioIm, BigDecimal portfolioMm, java.util.Map<String, BigDecimal> allocations) {

        public AccountState {
            allocations = java.util.Map.copyOf(allocations);
        }
    }

    /**
     * A validated, checked mode switch to record; figures (USD) as the what-if found them in the new mode.
     *
     * @param allocations to ISOLATED: each open position's opening bucket allocation (USD); empty otherwise
     */
    public record ModeCommand(String requestId, String requestHash, String accountId, MarginMode from, MarginMode to,
                              BigDecimal equityIm, BigDecimal initialMargin, java.util.Map<String, BigDecimal> allocations) {
    }

    /**
     * A validated, checked AdjustIsolatedMargin to record: the bucket was found holding {@code before} (null: not
     * recorded yet), with the position at {@code quantity} and the account's realized PnL at {@code realizedPnl}
     * (a fill since would have moved its IM or the free pool the check judged).
     */
    public record AdjustCommand(String requestId, String requestHash, String accountId, String instrument, BigDecimal delta,
                                BigDecimal before, BigDecimal after, BigDecimal freePoolAfter, BigDecimal quantity,
                                BigDecimal realizedPnl) {
    }

    /** The answer to an AdjustIsolatedMargin: the bucket's allocation and the free pool after it (USD). */
    public record AdjustResult(String requestId, boolean replayed, String instrument, BigDecimal allocation, BigDecimal freePool) {
    }

    /** The answer to a mode switch: the mode after it, the figures checked, and whether it is a replay. */
    public record ModeResult(String requestId, boolean replayed, MarginMode mode, BigDecimal equityIm, BigDecimal initialMargin) {
    }

    /** A validated fill to record. */
    public record FillCommand(String fillId, String requestHash, String accountId, Instrument instrument, Side side,
                              BigDecimal quantity, BigDecimal price) {
    }

    /** The answer to a fill: the position after it, and whether it is a replay. */
    public record FillResult(String fillId, boolean replayed, Position position) {
    }

    /**
     * One validated leg of a position transfer: a signed quantity of the source's position.
     *
     * @param bucketDelta the change of the source's ISOLATED bucket of this position, USD whole cents; null: none
     */
    public record TransferLeg(Instrument instrument, BigDecimal quantity, BigDecimal bucketDelta) {

        public TransferLeg(Instrument instrument, BigDecimal quantity) {
            this(instrument, quantity, null);
        }
    }

    /**
     * The status the re-margin loop stored, with its figures.
     *
     * @param breachedInstrument an ISOLATED account's bucket that set the status (not HEALTHY); null otherwise
     */
    public record StoredStatus(String accountId, RiskStatus status, BigDecimal equity, BigDecimal initialMargin,
                               BigDecimal maintenanceMargin, double marginRatio, long atMs, String breachedInstrument) {
    }

    /** A change of stored status. */
    public record StatusChange(RiskStatus previous, StoredStatus now) {
    }

    /**
     * Records an executed trade: idempotent by fill id (same hash: the first answer, replayed; other
     * hash: IDEMPOTENCY_CONFLICT); ACCOUNT_FROZEN when the account is frozen.
     */
    public FillResult applyFill(FillCommand f) {
        return locked(() -> applyFillTx(f), f.accountId());
    }

    private FillResult applyFillTx(FillCommand f) {
        return Transactions.readCommitted(dataSource, "applying fill " + f.fillId(), UNIQUE_RACE, c -> {
            ensureAccount(c, f.accountId());
            boolean frozen;
            BigDecimal realized;
            String auction;
            try (PreparedStatement s = c.prepareStatement(
                    "SELECT frozen, realized_pnl, auction_id FROM account WHERE account_id = ? FOR UPDATE")) {
                s.setString(1, f.accountId());
                try (ResultSet rs = s.executeQuery()) {
                    rs.next();
                    frozen = rs.getBoolean(1);
                    realized = rs.getBigDecimal(2);
                    auction = rs.getString(3);
                }
            }
            Optional<FillResult> replay = firstAnswer(c,
                    "SELECT request_hash, instrument, after_quantity, after_avg_entry FROM fill WHERE fill_id = ?", f.fillId(),
                    f.requestHash(), "fill", rs -> new FillResult(f.fillId(), true,
                            new Position(rs.getString(2), rs.getBigDecimal(3), rs.getBigDecimal(4))));
            if (replay.isPresent()) {
                return replay.get();
            }
            if (frozen) {
                throw new PreconditionException("ACCOUNT_FROZEN", "accounts/" + f.accountId(),
                        "account " + f.accountId() + " is frozen by liquidation auction " + auction);
            }
            String name = f.instrument().name();
            Position current = position(c, f.accountId(), name);
            Position.Change change = Book.fill(f.instrument(), current, f.side().signed(f.quantity()), f.price());
            savePosition(c, f.accountId(), change.after());
            addRealized(c, f.accountId(), realized, change.realizedPnl());
            try (PreparedStatement s = c.prepareStatement("""
                    INSERT INTO fill (fill_id, request_hash, account_id, instrument, side, quantity, price, realized_pnl,
                                      after_quantity, after_avg_entry) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""")) {
                s.setString(1, f.fillId());
                s.setString(2, f.requestHash());
                s.setString(3, f.accountId());
                s.setString(4, name);
                s.setString(5, f.side().name());
                s.setBigDecimal(6, f.quantity());
                s.setBigDecimal(7, f.price());
                s.setBigDecimal(8, change.realizedPnl());
                s.setBigDecimal(9, change.after().quantity());
                s.setBigDecimal(10, change.after().averageEntryPrice());
                s.executeUpdate();
            }
            return new FillResult(f.fillId(), false, change.after());
        });
    }

    /**
     * Moves signed quantities of the source's positions to the destination at the source's average
     * entry price, all or nothing; idempotent by transfer id. True when it was a replay.
     */
    public boolean transfer(String transferId, String requestHash, String from, String to, List<TransferLeg> legs) {
        return locked(() -> transferTx(transferId, requestHash, from, to, legs), from, to);
    }

    private boolean transferTx(String transferId, String requestHash, String from, String to, List<TransferLeg> legs) {
        return Transactions.readCommitted(dataSource, "transferring positions " + transferId, UNIQUE_RACE, c -> {
            // lock both accounts in a fixed order
            List<String> order = from.compareTo(to) < 0 ? List.of(from, to) : List.of(to, from);
            for (String account : order) {
                ensureAccount(c, account);
                lockAccount(c, account);
            }
            if (firstAnswer(c, "SELECT request_hash FROM position_transfer WHERE transfer_id = ?", transferId, requestHash,
                    "transfer", rs -> true).isPresent()) {
                return true;
            }
            BigDecimal toRealized = realized(c, to);
            BigDecimal realizedDelta = BigDecimal.ZERO;
            StringBuilder description = new StringBuilder();
            for (int i = 0; i < legs.size(); i++) {
                TransferLeg leg = legs.get(i);
                String name = leg.instrument().name();
                Position source = position(c, from, name);
                if (source.quantity().signum() != leg.quantity().signum()
                        || source.quantity().abs().compareTo(leg.quantity().abs()) < 0) {
                    throw new PreconditionException("INSUFFICIENT_POSITION", "positions[" + i + "]",
                            "account " + from + " holds " + Decimals.plain(source.quantity()) + " " + name
                                    + ", cannot move " + Decimals.plain(leg.quantity()));
                }
                BigDecimal entry = source.averageEntryPrice();
                Position left = new Position(name, source.quantity().subtract(leg.quantity()), entry);
                if (leg.bucketDelta() != null) {
                    changeBucket(c, from, i, left, leg.bucketDelta());
                }
                savePosition(c, from, left);
                Position.Change change = Book.receive(leg.instrument(), position(c, to, name), leg.quantity(), entry);
                savePosition(c, to, change.after());
                realizedDelta = realizedDelta.add(change.realizedPnl());
                description.append(name).append(' ').append(Decimals.plain(leg.quantity())).append(" @ ")
                        .append(Decimals.plain(entry)).append(';');
            }
            addRealized(c, to, toRealized, realizedDelta);
            try (PreparedStatement s = c.prepareStatement("""
                    INSERT INTO position_transfer (transfer_id, request_hash, from_account_id, to_account_id, legs)
                    VALUES (?, ?, ?, ?, ?)""")) {
                s.setString(1, transferId);
                s.setString(2, requestHash);
                s.setString(3, from);
                s.setString(4, to);
                s.setString(5, description.toString());
                s.executeUpdate();
            }
            return false;
        });
    }

    /**
     * Applies a transfer leg's change of the source's bucket of the position it moves: the allocation becomes its
     * recorded one (none recorded: 0) plus {@code delta}, unless the position moves whole (its bucket returns to the
     * free pool as every close does). NOT_ISOLATED unless the source is ISOLATED; BUCKET_BELOW_ZERO when the allocation
     * would go below zero. The caller holds the source's row lock.
     */
    private static void changeBucket(Connection c, String from, int leg, Position left, BigDecimal delta) throws SQLException {
        String subject = "positions[" + leg + "].bucket_delta_usd";
        try (PreparedStatement s = c.prepareStatement("SELECT margin_mode FROM account WHERE account_id = ?")) {
            s.setString(1, from);
            try (ResultSet rs = s.executeQuery()) {
                if (!rs.next() || !rs.getString(1).equals(MarginMode.ISOLATED.name())) {
                    throw new PreconditionException("NOT_ISOLATED", subject,
                            "account " + from + " is not ISOLATED: it has no bucket to change");
                }
            }
        }
        if (left.isFlat()) {
            return;
        }
        BigDecimal held = BigDecimal.ZERO;
        try (PreparedStatement s = c.prepareStatement(
                "SELECT amount FROM isolated_allocation WHERE account_id = ? AND instrument = ?")) {
            s.setString(1, from);
            s.setString(2, left.instrument());
            try (ResultSet rs = s.executeQuery()) {
                if (rs.next()) {
                    held = rs.getBigDecimal(1);
                }
            }
        }
        // A positive delta is not checked against the free pool: liquidation-service sends it as a bid's proceeds less
        // the allocation the bid takes (rounded down to the cent), never more than the net cash that bid's collateral
        // transfer paid into the account before this leg, so the pool does not shrink. A caller sending more would
        // grow the bucket out of the pool unchecked.
        BigDecimal after = held.add(delta);
        if (after.signum() < 0) {
            throw new PreconditionException("BUCKET_BELOW_ZERO", subject,
                    "the bucket of " + left.instrument() + " holds " + Decimals.plain(held) + " USD, cannot change it by "
                            + Decimals.plain(delta) + " USD",
                    java.util.Map.of("allocation_usd", Decimals.plain(held), "delta_usd", Decimals.plain(delta)));
        }
        deleteAllocations(c, from, left.instrument());
        insertAllocation(c, from, left.instrument(), after);
    }

    /**
     * Freezes (for {@code auctionId}) or unfreezes an account. Idempotent. NOT_FOUND for an unknown
     * account; ACCOUNT_FROZEN when frozen by another auction (freeze or unfreeze alike); FREEZE_RELEASED for
     * a freeze by an auction that already unfroze (an unfreeze records its auction id as released, even when
     * the account was not frozen, so a freeze of that auction still in flight cannot land after it).
     */
    public boolean setFreeze(String accountId, boolean frozen, String auctionId) {
        return locked(() -> setFreezeTx(accountId, frozen, auctionId), accountId);
    }

    private boolean setFreezeTx(String accountId, boolean frozen, String auctionId) {
        return Transactions.readCommitted(dataSource, "freezing " + accountId, c -> {
            boolean isFrozen;
            String holder;
            try (PreparedStatement s = c.prepareStatement("SELECT frozen, auction_id FROM account WHERE account_id = ? FOR UPDATE")) {
                s.setString(1, accountId);
                try (ResultSet rs = s.executeQuery()) {
                    if (!rs.next()) {
                        throw new NotFoundException("UNKNOWN_ACCOUNT", "margin-service knows no account " + accountId);
                    }
                    isFrozen = rs.getBoolean(1);
                    holder = rs.getString(2);
                }
            }
            if (isFrozen && !auctionId.equals(holder)) {
                throw new PreconditionException("ACCOUNT_FROZEN", "accounts/" + accountId,
                        "account " + accountId + " is frozen by auction " + holder + ", not " + auctionId);
            }
            if (frozen && released(c, auctionId)) {
                throw new PreconditionException("FREEZE_RELEASED", "auctions/" + auctionId,
                        "auction " + auctionId + " already released its freeze of " + accountId + "; a released auction never freezes again");
            }
            if (!frozen) {
                release(c, auctionId, accountId); // also when not frozen: a freeze of this id still in flight must not land after it
            }
            if (isFrozen == frozen) {
                return frozen; // idempotent
            }
            try (PreparedStatement s = c.prepareStatement("UPDATE account SET frozen = ?, auction_id = ? WHERE account_id = ?")) {
                s.setBoolean(1, frozen);
                if (frozen) {
                    s.setString(2, auctionId);
                } else {
                    s.setNull(2, Types.VARCHAR);
                }
                s.setString(3, accountId);
                s.executeUpdate();
            }
            return frozen;
        });
    }

    private static boolean released(Connection c, String auctionId) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT 1 FROM released_freeze WHERE auction_id = ?")) {
            s.setString(1, auctionId);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next();
            }
        }
    }

    private static void release(Connection c, String auctionId, String accountId) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(
                "INSERT INTO released_freeze (auction_id, account_id) VALUES (?, ?) ON CONFLICT (auction_id) DO NOTHING")) {
            s.setString(1, auctionId);
            s.setString(2, accountId);
            s.executeUpdate();
        }
    }

    /** A recorded mode switch with this request id: the first answer, or IDEMPOTENCY_CONFLICT for another payload. */
    public Optional<ModeResult> modeChange(String requestId, String requestHash) {
        return Transactions.readCommitted(dataSource, "reading mode change " + requestId, c -> modeChange(c, requestId, requestHash));
    }

    private static Optional<ModeResult> modeChange(Connection c, String requestId, String requestHash) throws SQLException {
        return firstAnswer(c, "SELECT request_hash, to_mode, equity_im, im FROM mode_change WHERE request_id = ?", requestId,
                requestHash, "mode change", rs -> new ModeResult(requestId, true, MarginMode.valueOf(rs.getString(2)),
                        rs.getBigDecimal(3), rs.getBigDecimal(4)));
    }

    /** Reads the rest of a recorded request's row (after its request_hash, column 1). */
    @FunctionalInterface
    private interface Answer<T> {
        T of(ResultSet rs) throws SQLException;
    }

    /**
     * The first answer of the request recorded under {@code requestId} by {@code sql} (one parameter, the id; column 1
     * the request_hash); empty when none; IDEMPOTENCY_CONFLICT when it was recorded with another payload.
     */
    private static <T> Optional<T> firstAnswer(Connection c, String sql, String requestId, String requestHash, String what,
                                               Answer<T> answer) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, requestId);
            try (ResultSet rs = s.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                if (!rs.getString(1).equals(requestHash)) {
                    throw new ConflictException("IDEMPOTENCY_CONFLICT",
                            what + " " + requestId + " was recorded before with a different payload");
                }
                return Optional.of(answer.of(rs));
            }
        }
    }

    /**
     * Records a checked mode switch: the account's mode becomes {@code to}, idempotent by request id.
     * FAILED_PRECONDITION MODE_CHANGED when the account's mode is no longer {@code from} (another
     * switch came between the what-if and this write: nothing changes, ask again); ACCOUNT_FROZEN
     * when the account was frozen meanwhile.
     */
    public ModeResult setMode(ModeCommand m) {
        return locked(() -> Transactions.readCommitted(dataSource, "switching mode of " + m.accountId(), UNIQUE_RACE, c -> {
            ensureAccount(c, m.accountId());
            String mode;
            boolean frozen;
            try (PreparedStatement s = c.prepareStatement("SELECT margin_mode, frozen FROM account WHERE account_id = ? FOR UPDATE")) {
                s.setString(1, m.accountId());
                try (ResultSet rs = s.executeQuery()) {
                    rs.next();
                    mode = rs.getString(1);
                    frozen = rs.getBoolean(2);
                }
            }
            Optional<ModeResult> replay = modeChange(c, m.requestId(), m.requestHash());
            if (replay.isPresent()) {
                return replay.get();
            }
            if (frozen) {
                throw new PreconditionException("ACCOUNT_FROZEN", "accounts/" + m.accountId(),
                        "account " + m.accountId() + " is frozen by a liquidation auction: its mode cannot change");
            }
            if (!mode.equals(m.from().name())) {
                throw new PreconditionException("MODE_CHANGED", "accounts/" + m.accountId(),
                        "the mode of " + m.accountId() + " changed to " + mode + " meanwhile; ask again");
            }
            try (PreparedStatement s = c.prepareStatement("UPDATE account SET margin_mode = ?, portfolio_im = NULL, portfolio_mm = NULL WHERE account_id = ?")) {
                s.setString(1, m.to().name());
                s.setString(2, m.accountId());
                s.executeUpdate();
            }
            // leaving ISOLATED returns every bucket to the one pool; entering it opens the buckets the what-if found
            if (m.from() != m.to()) {
                deleteAllocations(c, m.accountId(), null);
                for (java.util.Map.Entry<String, BigDecimal> a : m.allocations().entrySet()) {
                    insertOpenAllocation(c, m.accountId(), a.getKey(), a.getValue());
                }
            }
            try (PreparedStatement s = c.prepareStatement(
                    "INSERT INTO mode_change (request_id, request_hash, account_id, from_mode, to_mode, equity_im, im) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
                s.setString(1, m.requestId());
                s.setString(2, m.requestHash());
                s.setString(3, m.accountId());
                s.setString(4, m.from().name());
                s.setString(5, m.to().name());
                s.setBigDecimal(6, m.equityIm());
                s.setBigDecimal(7, m.initialMargin());
                s.executeUpdate();
            }
            return new ModeResult(m.requestId(), false, m.to(), m.equityIm(), m.initialMargin());
        }), m.accountId());
    }

    /** The account with its non-flat positions, if margin-service knows it. */
    public Optional<AccountState> load(String accountId) {
        // one snapshot for the account row, its positions and its buckets: a fill committing between two READ COMMITTED
        // statements showed the realized PnL from before it beside the positions from after it
        return Transactions.snapshot(dataSource, "loading account " + accountId, c -> load(c, accountId));
    }

    private Optional<AccountState> load(Connection c, String accountId) throws SQLException {
        BigDecimal realized;
        boolean frozen;
        String auction;
        String status;
        MarginMode mode;
        BigDecimal portfolioIm;
        BigDecimal portfolioMm;
        try (PreparedStatement s = c.prepareStatement(
                "SELECT realized_pnl, frozen, auction_id, last_status, margin_mode, portfolio_im, portfolio_mm FROM account WHERE account_id = ?")) {
            s.setString(1, accountId);
            try (ResultSet rs = s.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                realized = rs.getBigDecimal(1);
                frozen = rs.getBoolean(2);
                auction = rs.getString(3);
                status = rs.getString(4);
                mode = MarginMode.valueOf(rs.getString(5));
                portfolioIm = rs.getBigDecimal(6);
                portfolioMm = rs.getBigDecimal(7);
            }
        }
        List<Position> positions = new ArrayList<>();
        try (PreparedStatement s = c.prepareStatement(
                "SELECT instrument, quantity, avg_entry_price FROM position WHERE account_id = ? AND quantity <> 0 ORDER BY instrument")) {
            s.setString(1, accountId);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    positions.add(new Position(rs.getString(1), rs.getBigDecimal(2), rs.getBigDecimal(3)));
                }
            }
        }
        java.util.Map<String, BigDecimal> allocations = new java.util.HashMap<>();
        if (mode == MarginMode.ISOLATED) {
            try (PreparedStatement s = c.prepareStatement("SELECT instrument, amount FROM isolated_allocation WHERE account_id = ?")) {
                s.setString(1, accountId);
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        allocations.put(rs.getString(1), rs.getBigDecimal(2));
                    }
                }
            }
        }
        return Optional.of(new AccountState(accountId, realized, frozen, auction,
                status == null ? null : RiskStatus.valueOf(status), positions, mode, portfolioIm, portfolioMm, allocations));
    }

    /**
     * An account the re-margin pass values: what {@link #load} reads, the status and figures stored last (null: none
     * yet) and the stored last_at exactly as read (null: never written), which {@link #recordFigures} compares.
     */
    public record Remarginable(AccountState state, StoredStatus stored, Instant lastAt) {
    }

    /**
     * The next page of the accounts the re-margin pass evaluates (any non-flat position, or a stored status that is
     * not HEALTHY) after {@code afterId} (keyset, "" for the first), at most
     * {@code limit} accounts in account id order, each with its non-flat positions and stored figures: one statement,
     * so every account's state and positions are consistent with each other as {@link #load}'s are. Written so that
     * PostgreSQL probes the position index per account of the page (a LIMIT'ed scalar subquery, a fenced LATERAL):
     * an EXISTS under OR and a plain join were planned as scans of the whole position table, every page (355 ms a page
     * of 500 at 10,000 accounts x 20 positions against 38 ms; the pass cost grew with the square of the accounts).
     */
    public List<Remarginable> remarginPage(String afterId, int limit) {
        return Transactions.readCommitted(dataSource, "reading a re-margin page after " + afterId, c -> {
            List<Remarginable> page = new ArrayList<>();
            try (PreparedStatement s = c.prepareStatement("""
                    WITH page AS (
                        SELECT a.account_id, a.realized_pnl, a.frozen, a.auction_id, a.last_status, a.margin_mode,
                               a.portfolio_im, a.portfolio_mm, a.last_equity, a.last_im, a.last_mm, a.last_ratio, a.last_at
                        FROM account a
                        WHERE a.account_id > ?
                          AND (a.last_status IN ('MARGIN_CALL', 'LIQUIDATION')
                               OR (SELECT true FROM position p WHERE p.account_id = a.account_id AND p.quantity <> 0 LIMIT 1))
                        ORDER BY a.account_id LIMIT ?)
                    SELECT page.*, p.instrument, p.quantity, p.avg_entry_price FROM page
                    LEFT JOIN LATERAL (SELECT p.instrument, p.quantity, p.avg_entry_price FROM position p
                                       WHERE p.account_id = page.account_id AND p.quantity <> 0 ORDER BY p.instrument OFFSET 0) p ON true
                    ORDER BY page.account_id, p.instrument""")) {
                s.setString(1, afterId);
                s.setInt(2, limit);
                try (ResultSet rs = s.executeQuery()) {
                    String current = null;
                    List<Position> positions = null;
                    ResultRow row = null;
                    while (rs.next()) {
                        String id = rs.getString("account_id");
                        if (!id.equals(current)) {
                            if (row != null) {
                                page.add(row.remarginable(positions));
                            }
                            current = id;
                            positions = new ArrayList<>();
                            row = ResultRow.of(rs);
                        }
                        String instrument = rs.getString("instrument");
                        if (instrument != null) {
                            positions.add(new Position(instrument, rs.getBigDecimal("quantity"), rs.getBigDecimal("avg_entry_price")));
                        }
                    }
                    if (row != null) {
                        page.add(row.remarginable(positions));
                    }
                }
            }
            return page;
        });
    }

    /** One account's columns of a {@link #remarginPage} row. */
    private record ResultRow(String accountId, BigDecimal realized, boolean frozen, String auction, RiskStatus status,
                             MarginMode mode, BigDecimal portfolioIm, BigDecimal portfolioMm, BigDecimal equity,
                             BigDecimal im, BigDecimal mm, double ratio, Timestamp at) {

        static ResultRow of(ResultSet rs) throws SQLException {
            String status = rs.getString("last_status");
            return new ResultRow(rs.getString("account_id"), rs.getBigDecimal("realized_pnl"), rs.getBoolean("frozen"),
                    rs.getString("auction_id"), status == null ? null : RiskStatus.valueOf(status),
                    MarginMode.valueOf(rs.getString("margin_mode")), rs.getBigDecimal("portfolio_im"),
                    rs.getBigDecimal("portfolio_mm"), rs.getBigDecimal("last_equity"), rs.getBigDecimal("last_im"),
                    rs.getBigDecimal("last_mm"), rs.getDouble("last_ratio"), rs.getTimestamp("last_at"));
        }

        Remarginable remarginable(List<Position> positions) {
            // no allocations: the pass values ISOLATED accounts one by one (MarginEngine), with load()'s
            AccountState state = new AccountState(accountId, realized, frozen, auction, status, positions, mode, portfolioIm,
                    portfolioMm, java.util.Map.of());
            StoredStatus stored = status == null || at == null ? null
                    : new StoredStatus(accountId, status, equity, im, mm, ratio, at.toInstant().toEpochMilli(), null);
            return new Remarginable(state, stored, at == null ? null : at.toInstant());
        }
    }

    /**
     * Stores a page's statuses and figures (status changes, first statuses, moved figures: what the pass found to
     * store) in one statement, and returns the ids of the rows written. Each row is written only while its stored
     * status and last_at are still those the page read (anything recorded meanwhile by {@link #recordStatus}, a fill's
     * re-evaluation or newer figures of the same status, is never overwritten by figures valued from older inputs);
     * a status change ({@link #isChange}) also only while the account's book is as read (realized PnL, frozen flag,
     * mode and non-flat positions): a fill committed before this statement began, whose re-evaluation has not recorded
     * yet, is not preceded by a status of the book before it. Not so for a fill that commits while the statement runs
     * and writes no column of the account row (zero realized PnL: it only locks the row): the positions are probed in
     * the statement's snapshot, and PostgreSQL re-checks a row after a concurrent transaction only when that one wrote
     * it, so the older book's status is stored and published, then corrected by the fill's re-evaluation (two events
     * where one was due). Figures of an unchanged status skip the book comparison (a probe of the positions per row,
     * the page's costliest part when thousands of unhealthy accounts move every pass): the fill's re-evaluation
     * overwrites them. Publishes nothing; the caller publishes the status changes among the rows written.
     *
     * @param read per account of {@code risks}, the page row the figures were valued and judged from
     */
    public Set<String> recordFigures(List<AccountRisk> risks, java.util.Map<String, Remarginable> read) {
        if (risks.isEmpty()) {
            return Set.of();
        }
        int n = risks.size();
        String[] ids = new String[n];
        String[] was = new String[n];
        Timestamp[] wasAt = new Timestamp[n];
        BigDecimal[] wasRealized = new BigDecimal[n];
        Boolean[] wasFrozen = new Boolean[n];
        String[] wasMode = new String[n];
        String[] wasBook = new String[n];
        Boolean[] change = new Boolean[n];
        String[] status = new String[n];
        BigDecimal[] equity = new BigDecimal[n];
        BigDecimal[] im = new BigDecimal[n];
        BigDecimal[] mm = new BigDecimal[n];
        Double[] ratio = new Double[n];
        Timestamp[] at = new Timestamp[n];
        BigDecimal[] portfolioIm = new BigDecimal[n];
        BigDecimal[] portfolioMm = new BigDecimal[n];
        for (int i = 0; i < n; i++) {
            AccountRisk risk = risks.get(i);
            Remarginable before = read.get(risk.accountId());
            ids[i] = risk.accountId();
            was[i] = before.state().lastStatus() == null ? null : before.state().lastStatus().name();
            wasAt[i] = before.lastAt() == null ? null : Timestamp.from(before.lastAt());
            wasRealized[i] = before.state().realizedPnl();
            wasFrozen[i] = before.state().frozen();
            wasMode[i] = before.state().mode().name();
            wasBook[i] = bookText(before.state().positions());
            change[i] = isChange(before.state().lastStatus(), risk.status());
            status[i] = risk.status().name();
            equity[i] = risk.equity();
            im[i] = risk.initialMargin();
            mm[i] = risk.maintenanceMargin();
            ratio[i] = risk.marginRatio();
            at[i] = Timestamp.from(Instant.ofEpochMilli(risk.asOfMs()));
            portfolioIm[i] = revalued(risk) ? risk.initialMargin() : null;
            portfolioMm[i] = revalued(risk) ? risk.maintenanceMargin() : null;
        }
        return Transactions.readCommitted(dataSource, "recording figures of " + n + " accounts", c -> {
            // the book compared as text in the page read's order (instrument), numerics as PostgreSQL prints them: the
            // scale they were read with, which BigDecimal.toPlainString prints back
            try (PreparedStatement s = c.prepareStatement("""
                    UPDATE account a SET last_status = u.status, last_equity = u.equity, last_im = u.im, last_mm = u.mm,
                        last_ratio = u.ratio, last_at = u.at, last_breached_instrument = NULL,
                        portfolio_im = CASE WHEN a.margin_mode = 'PORTFOLIO' THEN COALESCE(u.pim, a.portfolio_im) END,
                        portfolio_mm = CASE WHEN a.margin_mode = 'PORTFOLIO' THEN COALESCE(u.pmm, a.portfolio_mm) END
                    FROM unnest(?::text[], ?::text[], ?::timestamptz[], ?::numeric[], ?::boolean[], ?::text[], ?::text[],
                                ?::boolean[], ?::text[], ?::numeric[], ?::numeric[], ?::numeric[], ?::float8[],
                                ?::timestamptz[], ?::numeric[], ?::numeric[])
                         AS u(account_id, was, was_at, was_realized, was_frozen, was_mode, was_book, change,
                              status, equity, im, mm, ratio, at, pim, pmm)
                    WHERE a.account_id = u.account_id AND a.last_status IS NOT DISTINCT FROM u.was
                      AND a.last_at IS NOT DISTINCT FROM u.was_at
                      AND (NOT u.change OR (a.realized_pnl = u.was_realized AND a.frozen = u.was_frozen
                          AND a.margin_mode = u.was_mode
                          AND u.was_book = COALESCE((SELECT string_agg(p.instrument || ' ' || p.quantity::text || ' '
                                                                       || p.avg_entry_price::text, ';' ORDER BY p.instrument)
                                                     FROM position p WHERE p.account_id = a.account_id AND p.quantity <> 0), '')))
                    RETURNING a.account_id""")) {
                s.setArray(1, c.createArrayOf("text", ids));
                s.setArray(2, c.createArrayOf("text", was));
                s.setArray(3, c.createArrayOf("timestamptz", wasAt));
                s.setArray(4, c.createArrayOf("numeric", wasRealized));
                s.setArray(5, c.createArrayOf("boolean", wasFrozen));
                s.setArray(6, c.createArrayOf("text", wasMode));
                s.setArray(7, c.createArrayOf("text", wasBook));
                s.setArray(8, c.createArrayOf("boolean", change));
                s.setArray(9, c.createArrayOf("text", status));
                s.setArray(10, c.createArrayOf("numeric", equity));
                s.setArray(11, c.createArrayOf("numeric", im));
                s.setArray(12, c.createArrayOf("numeric", mm));
                s.setArray(13, c.createArrayOf("float8", ratio));
                s.setArray(14, c.createArrayOf("timestamptz", at));
                s.setArray(15, c.createArrayOf("numeric", portfolioIm));
                s.setArray(16, c.createArrayOf("numeric", portfolioMm));
                Set<String> written = new java.util.HashSet<>();
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        written.add(rs.getString(1));
                    }
                }
                return written;
            }
        });
    }

    /** The book as {@link #recordFigures} compares it: its non-flat positions in the order read, one text. */
    private static String bookText(List<Position> positions) {
        StringBuilder text = new StringBuilder();
        for (Position p : positions) {
            if (text.length() > 0) {
                text.append(';');
            }
            text.append(p.instrument()).append(' ').append(p.quantity().toPlainString()).append(' ')
                    .append(p.averageEntryPrice().toPlainString());
        }
        return text.toString();
    }

    /**
     * Whether storing {@code now} over {@code previous} is a status change (a RiskEvent): a first HEALTHY is stored
     * without being one.
     */
    public static boolean isChange(RiskStatus previous, RiskStatus now) {
        return previous != now && !(previous == null && now == RiskStatus.HEALTHY);
    }

    /**
     * Whether the re-margin pass must store {@code now}'s figures over {@code r}'s although its status did not change
     * ({@link #isChange} false). Readers of the stored figures: the status itself (WatchRisk's changes, the
     * re-margin selection), the figures of accounts not HEALTHY ({@link #unhealthy}: WatchRisk's snapshot), and the
     * last PORTFOLIO revaluation's IM and MM (the floor of a later fallback). So: a first status, an unhealthy
     * account whose figures moved, a PORTFOLIO revaluation whose IM or MM moved; a HEALTHY account's last_* figures
     * are read by nobody and stay those of its last write.
     */
    public static boolean mustStore(Remarginable r, AccountRisk now) {
        StoredStatus stored = r.stored();
        if (stored == null) {
            return true;
        }
        if (now.status() != RiskStatus.HEALTHY && (differ(stored.equity(), now.equity())
                || differ(stored.initialMargin(), now.initialMargin()) || differ(stored.maintenanceMargin(), now.maintenanceMargin())
                || Double.compare(stored.marginRatio(), now.marginRatio()) != 0)) {
            return true;
        }
        return revalued(now) && (differ(r.state().portfolioIm(), now.initialMargin())
                || differ(r.state().portfolioMm(), now.maintenanceMargin()));
    }

    private static boolean differ(BigDecimal stored, BigDecimal now) {
        return stored == null || stored.compareTo(now) != 0;
    }

    /** Figures from a revaluation in PORTFOLIO mode: the floor of a later fallback (V7). */
    private static boolean revalued(AccountRisk risk) {
        return risk.mode() == MarginMode.PORTFOLIO && risk.portfolio() != null && !risk.portfolio().fallback();
    }

    /**
     * Stores the account's newest status and figures; the change when the status differs from the
     * stored one (a first HEALTHY is stored without being a change).
     */
    public Optional<StatusChange> recordStatus(AccountRisk risk) {
        return locked(() -> recordStatusTx(risk), risk.accountId());
    }

    private Optional<StatusChange> recordStatusTx(AccountRisk risk) {
        return Transactions.readCommitted(dataSource, "recording status of " + risk.accountId(), c -> {
            RiskStatus previous;
            try (PreparedStatement s = c.prepareStatement("SELECT last_status FROM account WHERE account_id = ? FOR UPDATE")) {
                s.setString(1, risk.accountId());
                try (ResultSet rs = s.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.<StatusChange>empty();
                    }
                    String text = rs.getString(1);
                    previous = text == null ? null : RiskStatus.valueOf(text);
                }
            }
            String breached = risk.isolated() == null ? null : risk.isolated().breachedInstrument();
            try (PreparedStatement s = c.prepareStatement("""
                    UPDATE account SET last_status = ?, last_equity = ?, last_im = ?, last_mm = ?, last_ratio = ?, last_at = ?,
                        portfolio_im = CASE WHEN margin_mode = 'PORTFOLIO' THEN COALESCE(?, portfolio_im) END,
                        portfolio_mm = CASE WHEN margin_mode = 'PORTFOLIO' THEN COALESCE(?, portfolio_mm) END,
                        last_breached_instrument = ?
                    WHERE account_id = ?""")) {
                boolean revalued = revalued(risk);
                s.setString(1, risk.status().name());
                s.setBigDecimal(2, risk.equity());
                s.setBigDecimal(3, risk.initialMargin());
                s.setBigDecimal(4, risk.maintenanceMargin());
                s.setDouble(5, risk.marginRatio());
                s.setTimestamp(6, Timestamp.from(Instant.ofEpochMilli(risk.asOfMs())));
                s.setBigDecimal(7, revalued ? risk.initialMargin() : null);
                s.setBigDecimal(8, revalued ? risk.maintenanceMargin() : null);
                s.setString(9, breached);
                s.setString(10, risk.accountId());
                s.executeUpdate();
            }
            StoredStatus now = new StoredStatus(risk.accountId(), risk.status(), risk.equity(), risk.initialMargin(),
                    risk.maintenanceMargin(), risk.marginRatio(), risk.asOfMs(), breached);
            if (!isChange(previous, risk.status())) {
                return Optional.<StatusChange>empty();
            }
            return Optional.of(new StatusChange(previous, now));
        });
    }

    // ---- ISOLATED buckets ----

    /**
     * Records the opening allocations of buckets that have none yet (a position opened since the account's last
     * re-evaluation), only while the account is ISOLATED and the position open; a recorded allocation is never
     * overwritten. Returns how many were recorded.
     */
    public int recordOpeningAllocations(String accountId, java.util.Map<String, BigDecimal> openings) {
        if (openings.isEmpty()) {
            return 0;
        }
        return locked(() -> Transactions.readCommitted(dataSource, "opening isolated buckets of " + accountId, UNIQUE_RACE, c -> {
            // the row lock first: a fill closing the position meanwhile would otherwise commit after this statement's
            // snapshot saw it open, leaving a bucket beside a closed position
            lockAccount(c, accountId);
            int n = 0;
            for (java.util.Map.Entry<String, BigDecimal> a : openings.entrySet()) {
                n += insertOpenAllocation(c, accountId, a.getKey(), a.getValue());
            }
            return n;
        }), accountId);
    }

    /**
     * Records {@code amount} as the bucket of {@code instrument} only while the account is ISOLATED and the position
     * open (a position closed since the check gets no bucket) and none is recorded; 1 when recorded, else 0.
     */
    private static int insertOpenAllocation(Connection c, String accountId, String instrument, BigDecimal amount) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("""
                INSERT INTO isolated_allocation (account_id, instrument, amount)
                SELECT a.account_id, p.instrument, ? FROM account a
                JOIN position p ON p.account_id = a.account_id AND p.instrument = ? AND p.quantity <> 0
                WHERE a.account_id = ? AND a.margin_mode = 'ISOLATED'
                ON CONFLICT (account_id, instrument) DO NOTHING""")) {
            s.setBigDecimal(1, amount.setScale(2, java.math.RoundingMode.UNNECESSARY)); // whole cents, or a bug
            s.setString(2, instrument);
            s.setString(3, accountId);
            return s.executeUpdate();
        }
    }

    /** A recorded AdjustIsolatedMargin with this request id: the first answer, or IDEMPOTENCY_CONFLICT for another payload. */
    public Optional<AdjustResult> adjustment(String requestId, String requestHash) {
        return Transactions.readCommitted(dataSource, "reading isolated adjustment " + requestId, c -> adjustment(c, requestId, requestHash));
    }

    private static Optional<AdjustResult> adjustment(Connection c, String requestId, String requestHash) throws SQLException {
        return firstAnswer(c, "SELECT request_hash, instrument, allocation_after, free_pool_after FROM isolated_adjustment WHERE request_id = ?",
                requestId, requestHash, "isolated margin adjustment",
                rs -> new AdjustResult(requestId, true, rs.getString(2), rs.getBigDecimal(3), rs.getBigDecimal(4)));
    }

    /**
     * Records a checked AdjustIsolatedMargin, idempotent by request id: the bucket's allocation becomes {@code after}.
     * FAILED_PRECONDITION ALLOCATION_CHANGED when the account, its mode, the position or the bucket changed since
     * the check (nothing changes: ask again); ACCOUNT_FROZEN when it was frozen meanwhile.
     */
    public AdjustResult adjust(AdjustCommand a) {
        return locked(() -> Transactions.readCommitted(dataSource, "adjusting isolated margin of " + a.accountId(), UNIQUE_RACE, c -> {
            String subject = "accounts/" + a.accountId() + "/buckets/" + a.instrument();
            String mode;
            boolean frozen;
            BigDecimal realized;
            try (PreparedStatement s = c.prepareStatement(
                    "SELECT margin_mode, frozen, realized_pnl FROM account WHERE account_id = ? FOR UPDATE")) {
                s.setString(1, a.accountId());
                try (ResultSet rs = s.executeQuery()) {
                    boolean known = rs.next();
                    mode = known ? rs.getString(1) : null;
                    frozen = known && rs.getBoolean(2);
                    realized = known ? rs.getBigDecimal(3) : null;
                }
            }
            Optional<AdjustResult> replay = adjustment(c, a.requestId(), a.requestHash());
            if (replay.isPresent()) {
                return replay.get();
            }
            if (!MarginMode.ISOLATED.name().equals(mode)) {
                throw changed(subject, "the account's margin mode changed meanwhile");
            }
            if (frozen) {
                throw new PreconditionException("ACCOUNT_FROZEN", "accounts/" + a.accountId(),
                        "account " + a.accountId() + " is frozen by a liquidation auction: its buckets cannot change");
            }
            if (realized.compareTo(a.realizedPnl()) != 0) {
                throw changed(subject, "a fill realized PnL meanwhile (the free pool changed)");
            }
            Position position = position(c, a.accountId(), a.instrument());
            if (position.isFlat()) {
                throw changed(subject, "the position closed meanwhile");
            }
            if (position.quantity().compareTo(a.quantity()) != 0) {
                throw changed(subject, "a fill changed the position meanwhile (its IM changed)");
            }
            BigDecimal held = null;
            try (PreparedStatement s = c.prepareStatement(
                    "SELECT amount FROM isolated_allocation WHERE account_id = ? AND instrument = ?")) {
                s.setString(1, a.accountId());
                s.setString(2, a.instrument());
                try (ResultSet rs = s.executeQuery()) {
                    if (rs.next()) {
                        held = rs.getBigDecimal(1);
                    }
                }
            }
            if (held == null ? a.before() != null : a.before() == null || held.compareTo(a.before()) != 0) {
                throw changed(subject, "the bucket's allocation changed meanwhile");
            }
            deleteAllocations(c, a.accountId(), a.instrument());
            insertAllocation(c, a.accountId(), a.instrument(), a.after());
            try (PreparedStatement s = c.prepareStatement("""
                    INSERT INTO isolated_adjustment (request_id, request_hash, account_id, instrument, delta, allocation_after,
                                                     free_pool_after) VALUES (?, ?, ?, ?, ?, ?, ?)""")) {
                s.setString(1, a.requestId());
                s.setString(2, a.requestHash());
                s.setString(3, a.accountId());
                s.setString(4, a.instrument());
                s.setBigDecimal(5, a.delta());
                s.setBigDecimal(6, a.after());
                s.setBigDecimal(7, a.freePoolAfter());
                s.executeUpdate();
            }
            return new AdjustResult(a.requestId(), false, a.instrument(), a.after(), a.freePoolAfter());
        }), a.accountId());
    }

    private static PreconditionException changed(String subject, String why) {
        return new PreconditionException("ALLOCATION_CHANGED", subject, why + "; nothing changed, ask again");
    }

    /** Deletes the account's allocation of {@code instrument}, or every one when it is null. */
    private static void deleteAllocations(Connection c, String accountId, String instrument) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(instrument == null
                ? "DELETE FROM isolated_allocation WHERE account_id = ?"
                : "DELETE FROM isolated_allocation WHERE account_id = ? AND instrument = ?")) {
            s.setString(1, accountId);
            if (instrument != null) {
                s.setString(2, instrument);
            }
            s.executeUpdate();
        }
    }

    private static void insertAllocation(Connection c, String accountId, String instrument, BigDecimal amount) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(
                "INSERT INTO isolated_allocation (account_id, instrument, amount) VALUES (?, ?, ?)")) {
            s.setString(1, accountId);
            s.setString(2, instrument);
            s.setBigDecimal(3, amount.setScale(2, java.math.RoundingMode.UNNECESSARY)); // whole cents, or a bug
            s.executeUpdate();
        }
    }

    /** Every account whose stored status is MARGIN_CALL or LIQUIDATION. */
    public List<StoredStatus> unhealthy() {
        return Transactions.readCommitted(dataSource, "listing unhealthy accounts", c -> {
            List<StoredStatus> result = new ArrayList<>();
            try (PreparedStatement s = c.prepareStatement("""
                    SELECT account_id, last_status, last_equity, last_im, last_mm, last_ratio, last_at,
                           CASE WHEN margin_mode = 'ISOLATED' THEN last_breached_instrument END FROM account
                    WHERE last_status IN ('MARGIN_CALL', 'LIQUIDATION') ORDER BY account_id""");
                 ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    result.add(new StoredStatus(rs.getString(1), RiskStatus.valueOf(rs.getString(2)), rs.getBigDecimal(3),
                            rs.getBigDecimal(4), rs.getBigDecimal(5), rs.getDouble(6), rs.getTimestamp(7).toInstant().toEpochMilli(),
                            rs.getString(8)));
                }
            }
            return result;
        });
    }

    private static void ensureAccount(Connection c, String accountId) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("INSERT INTO account (account_id) VALUES (?) ON CONFLICT DO NOTHING")) {
            s.setString(1, accountId);
            s.executeUpdate();
        }
    }

    private static void lockAccount(Connection c, String accountId) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT 1 FROM account WHERE account_id = ? FOR UPDATE")) {
            s.setString(1, accountId);
            s.executeQuery().close();
        }
    }

    private static BigDecimal realized(Connection c, String accountId) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT realized_pnl FROM account WHERE account_id = ?")) {
            s.setString(1, accountId);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getBigDecimal(1);
            }
        }
    }

    private static void addRealized(Connection c, String accountId, BigDecimal before, BigDecimal delta) throws SQLException {
        if (delta.signum() == 0) {
            return;
        }
        try (PreparedStatement s = c.prepareStatement("UPDATE account SET realized_pnl = ? WHERE account_id = ?")) {
            s.setBigDecimal(1, Decimals.usd(before.add(delta)));
            s.setString(2, accountId);
            s.executeUpdate();
        }
    }

    private static Position position(Connection c, String accountId, String instrument) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(
                "SELECT quantity, avg_entry_price FROM position WHERE account_id = ? AND instrument = ?")) {
            s.setString(1, accountId);
            s.setString(2, instrument);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? new Position(instrument, rs.getBigDecimal(1), rs.getBigDecimal(2)) : Position.flat(instrument);
            }
        }
    }

    private static void savePosition(Connection c, String accountId, Position p) throws SQLException {
        if (p.isFlat()) {
            try (PreparedStatement s = c.prepareStatement("DELETE FROM position WHERE account_id = ? AND instrument = ?")) {
                s.setString(1, accountId);
                s.setString(2, p.instrument());
                s.executeUpdate();
            }
            deleteAllocations(c, accountId, p.instrument()); // closed: its bucket returns to the free pool
            return;
        }
        try (PreparedStatement s = c.prepareStatement("""
                INSERT INTO position (account_id, instrument, quantity, avg_entry_price, updated_at) VALUES (?, ?, ?, ?, now())
                ON CONFLICT (account_id, instrument) DO UPDATE SET quantity = EXCLUDED.quantity,
                    avg_entry_price = EXCLUDED.avg_entry_price, updated_at = now()""")) {
            s.setString(1, accountId);
            s.setString(2, p.instrument());
            s.setBigDecimal(3, p.quantity());
            s.setBigDecimal(4, p.averageEntryPrice());
            s.executeUpdate();
        }
    }
}
