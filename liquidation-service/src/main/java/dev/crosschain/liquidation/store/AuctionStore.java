package dev.crosschain.liquidation.store;

import dev.crosschain.liquidation.domain.AccountSnapshot;
import dev.crosschain.liquidation.domain.Auction;
import dev.crosschain.liquidation.domain.AssetDecimals;
import dev.crosschain.liquidation.domain.AuctionCaps;
import dev.crosschain.liquidation.domain.AuctionRules;
import dev.crosschain.liquidation.domain.AuctionState;
import dev.crosschain.liquidation.domain.AuctionStatus;
import dev.crosschain.liquidation.domain.Bid;
import dev.crosschain.liquidation.domain.BidRequest;
import dev.crosschain.liquidation.domain.BidStatus;
import dev.crosschain.liquidation.domain.BidTerms;
import dev.crosschain.liquidation.domain.BufferTarget;
import dev.crosschain.liquidation.domain.CanonicalAssets;
import dev.crosschain.liquidation.domain.ConflictException;
import dev.crosschain.liquidation.domain.Halt;
import dev.crosschain.liquidation.domain.HaltedException;
import dev.crosschain.liquidation.domain.FundBooks;
import dev.crosschain.liquidation.domain.FundCheck;
import dev.crosschain.liquidation.domain.FundEvent;
import dev.crosschain.liquidation.domain.Money;
import dev.crosschain.liquidation.domain.LotItem;
import dev.crosschain.liquidation.domain.NotFoundException;
import dev.crosschain.liquidation.domain.PriceCurve;
import dev.crosschain.liquidation.domain.Underlyings;
import dev.crosschain.liquidation.domain.UnknownDecimalsException;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Auctions, their lots and bids in PostgreSQL. Blocking JDBC: call from worker threads. */
@ApplicationScoped
public class AuctionStore {

    private static final String UNIQUE_VIOLATION = "23505";
    /**
     * The epoch columns are NULL in rows a replica older than V2 inserted: epoch 0, from the open. The start
     * columns are NULL in an auction that never opened (OPENING, or cancelled); the claim is NULL in rows
     * of releases before V3, which claimed and opened at once.
     */
    private static final String AUCTION_COLUMNS = """
            auction_id, seq, account_id, status, version, started_at_ms, start_value_usd, remaining_fraction,
            curve_kind, curve_buf, curve_floor, curve_duration_seconds, curve_step_seconds, curve_cut, curve_tail_seconds,
            curve_cusp, closed_at_ms, epoch, cancel_reason, COALESCE(claimed_at_ms, started_at_ms) AS claimed_at_ms,
            COALESCE(epoch_started_at_ms, started_at_ms) AS epoch_started_at_ms,
            COALESCE(epoch_start_value_usd, start_value_usd) AS epoch_start_value_usd,
            open_equity_usd, open_maintenance_margin_usd, open_initial_margin_usd, open_realized_pnl_usd,
            open_cash_value_usd, buffer_share, buffer_base_remaining_fraction, buffer_base_proceeds_usd,
            COALESCE(lot_fraction, 1) AS lot_fraction, bucket_instrument""";
    private static final String BID_COLUMNS = """
            b.bid_id, b.auction_id, a.account_id, b.bidder_account_id, b.fraction, b.max_lot_price_usd,
            b.auction_version, b.lot_price_usd, b.paid_usd, b.status, b.placed_at_ms, b.settled_at_ms, b.penalty_usd,
            b.takeover, b.bad_debt_usd, b.fund_account_id, a.bucket_instrument""";

    private final AgroalDataSource dataSource;

    public AuctionStore(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** An auction that needs margin-service to freeze or unfreeze its account. */
    public record AuctionRef(String auctionId, String accountId) {
    }

    /** The outcome of a PlaceBid transaction: the bid, and whether it was there before. */
    public record Accepted(Bid bid, boolean replayed) {
    }

    /** After a bid settled: whether its auction can now release the account. */
    public record Settled(Bid bid, boolean auctionDone) {
    }

    /** One reset of an auction: the epoch it started, when, from which mark value, and why. */
    public record Reset(String auctionId, int epoch, Instant at, BigDecimal startValueUsd, PriceCurve.ResetReason reason) {
    }

    // ---- opening ----

    /** What auctions an account has, as far as a new claim is concerned. */
    public enum Activity {
        /** None opening or open, and every unfreeze done: the account can be claimed. */
        NONE,
        /** An OPENING or OPEN auction. */
        ACTIVE,
        /** Only closed auctions, one of whose unfreeze is not done yet: claim once it is. */
        UNFREEZE_PENDING
    }

    /** Whether the account has an opening or open auction, or only a closed one whose unfreeze is not done. */
    public Activity activity(String accountId) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement("""
                     SELECT bool_or(status IN ('OPENING', 'OPEN')) FROM auction
                     WHERE account_id = ? AND (status IN ('OPENING', 'OPEN') OR NOT unfrozen)""")) {
            s.setString(1, accountId);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                boolean active = rs.getBoolean(1);
                if (rs.wasNull()) {
                    return Activity.NONE;
                }
                return active ? Activity.ACTIVE : Activity.UNFREEZE_PENDING;
            }
        } catch (SQLException e) {
            throw new StoreException("reading auctions of " + accountId + " failed", e);
        }
    }

    /**
     * Claims the account: inserts an OPENING auction (no lot, no start, no start value; version 0) with the
     * curve it will open with. False when the account already has an opening or open auction (another
     * replica or process claimed it, or a replica of the release before V3 opened one): the unique partial
     * index decides. The account is not frozen yet: the caller freezes it, then snapshots, then
     * {@link #open}s.
     */
    public boolean claim(String auctionId, String accountId, Instant claimedAt, PriceCurve curve) {
        return claim(auctionId, accountId, claimedAt, curve, false);
    }

    /**
     * {@link #claim(String, String, Instant, PriceCurve)} by a caller that sends the freeze next: the freeze is recorded
     * as sent at {@code claimedAt} in the same statement, as {@link #noteFreezeSent} would record it (one round trip less
     * on the path of every breach).
     */
    public boolean claimToFreeze(String auctionId, String accountId, Instant claimedAt, PriceCurve curve) {
        return claim(auctionId, accountId, claimedAt, curve, true);
    }

    private boolean claim(String auctionId, String accountId, Instant claimedAt, PriceCurve curve, boolean freezeSent) {
        try {
            return Transactions.readCommitted(dataSource, "claiming " + accountId, c -> {
                try (PreparedStatement a = c.prepareStatement("""
                        INSERT INTO auction (auction_id, account_id, status, version, claimed_at_ms, remaining_fraction,
                            curve_kind, curve_buf, curve_floor, curve_duration_seconds, curve_step_seconds, curve_cut,
                            curve_tail_seconds, curve_cusp, epoch, last_freeze_sent_ms)
                        VALUES (?, ?, 'OPENING', 0, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?)""")) {
                    a.setString(1, auctionId);
                    a.setString(2, accountId);
                    a.setLong(3, claimedAt.toEpochMilli());
                    bindCurve(a, 4, curve);
                    if (freezeSent) {
                        a.setLong(12, claimedAt.toEpochMilli());
                    } else {
                        a.setNull(12, java.sql.Types.BIGINT);
                    }
                    a.executeUpdate();
                    return true;
                }
            });
        } catch (StoreException e) {
            if (e.getCause() instanceof SQLException sql && isUniqueViolation(sql)) {
                return false;
            }
            throw e;
        }
    }

    /**
     * Opens a claimed auction, in one transaction: the conditional UPDATE of its OPENING row to OPEN with
     * the start (the curve runs from {@code startedAt}, not from the claim), the start value and the
     * freeze recorded, version 1, plus the lot rows. False, and nothing written, when the row is no longer
     * OPENING (another process opened or cancelled it). No cap is looked at.
     *
     * @param buffer where the auction stops, from the same view as the lot; null: sold until empty
     */
    public boolean open(String auctionId, Instant startedAt, BigDecimal startValueUsd, List<LotItem> lot,
                        BufferTarget buffer) {
        return open(auctionId, startedAt, startValueUsd, lot, buffer, Map.of(), AuctionCaps.NONE, AssetDecimals.UNKNOWN)
                .status() == CappedOpen.Status.OPENED;
    }

    /** How an opening under caps ended, and the part of the portfolio its lot is (1 unless a cap bound). */
    public record CappedOpen(Status status, BigDecimal lotFraction) {
        public enum Status {
            OPENED,
            /** Nothing fits under the caps now: left OPENING, nothing written. */
            HELD,
            /** No longer OPENING (opened or cancelled elsewhere): nothing written. */
            GONE
        }
    }

    /**
     * {@link #open(String, Instant, BigDecimal, List, BufferTarget)} under caps on the value in auction: when any is set,
     * the transaction first locks the one auction_caps_lock row (so openings on every replica are serialized and the
     * value in auction they read cannot be raised by another opening before they commit), reads the value in auction
     * ({@link #usage(Connection)}) and opens the largest fraction of the lot that fits ({@link AuctionCaps#fraction}):
     * the lot's quantities scaled by it (collateral rounded down to the token's decimals, items scaled to nothing
     * dropped), its start value scaled by it, and the buffer kept for that part ({@link BufferTarget#ofPart}: the account,
     * if still in liquidation once this one is done, gets a new auction). HELD, nothing written,
     * when nothing fits.
     *
     * @param lotAssetUsd the market value of the lot's collateral per "chain/asset" ({@link AuctionCaps#key}), USD
     * @param decimals    token decimals, to scale collateral by a fraction below 1
     * @throws dev.crosschain.liquidation.domain.UnknownDecimalsException when a cap binds and a collateral item's
     *                                                                    decimals are unknown (nothing written)
     */
    public CappedOpen open(String auctionId, Instant startedAt, BigDecimal startValueUsd, List<LotItem> lot,
                           BufferTarget buffer, Map<String, BigDecimal> lotAssetUsd, AuctionCaps caps,
                           AssetDecimals decimals) {
        return open(auctionId, startedAt, startValueUsd, lot, buffer, lotAssetUsd, caps, decimals, null);
    }

    /**
     * {@link #open(String, Instant, BigDecimal, List, BufferTarget, Map, AuctionCaps, AssetDecimals)} of the lot of one
     * ISOLATED bucket ({@code bucketInstrument} its position's instrument; null: of the whole account).
     */
    public CappedOpen open(String auctionId, Instant startedAt, BigDecimal startValueUsd, List<LotItem> lot,
                           BufferTarget buffer, Map<String, BigDecimal> lotAssetUsd, AuctionCaps caps,
                           AssetDecimals decimals, String bucketInstrument) {
        return Transactions.readCommitted(dataSource, "opening auction " + auctionId, c -> {
            BigDecimal fraction = BigDecimal.ONE;
            if (caps.any()) {
                try (PreparedStatement l = c.prepareStatement("SELECT id FROM auction_caps_lock WHERE id = 1 FOR UPDATE")) {
                    l.executeQuery().close();
                }
                fraction = caps.fraction(usage(c), startValueUsd, lotAssetUsd);
            }
            boolean whole = fraction.compareTo(BigDecimal.ONE) == 0;
            List<LotItem> items = whole ? lot : scaledLot(lot, fraction, decimals);
            if (fraction.signum() == 0 || items.isEmpty()) {
                return new CappedOpen(stillOpening(c, auctionId) ? CappedOpen.Status.HELD : CappedOpen.Status.GONE,
                        BigDecimal.ZERO);
            }
            // a partial lot keeps the bound: the rest of the portfolio stays with the account (BufferTarget#ofPart)
            BufferTarget bound = buffer == null || whole ? buffer : buffer.ofPart(fraction);
            BigDecimal value = whole ? startValueUsd : startValueUsd.multiply(fraction);
            try (PreparedStatement a = c.prepareStatement("""
                    UPDATE auction SET status = 'OPEN', version = version + 1, started_at_ms = ?, start_value_usd = ?,
                        epoch_started_at_ms = ?, epoch_start_value_usd = ?, frozen = TRUE, open_equity_usd = ?,
                        open_maintenance_margin_usd = ?, open_initial_margin_usd = ?, open_realized_pnl_usd = ?,
                        open_cash_value_usd = ?, buffer_share = ?, lot_fraction = ?, bucket_instrument = ?
                    WHERE auction_id = ? AND status = 'OPENING'""")) {
                a.setLong(1, startedAt.toEpochMilli());
                a.setBigDecimal(2, value);
                a.setLong(3, startedAt.toEpochMilli());
                a.setBigDecimal(4, value);
                a.setBigDecimal(5, bound == null ? null : bound.equityUsd());
                a.setBigDecimal(6, bound == null ? null : bound.maintenanceMarginUsd());
                a.setBigDecimal(7, bound == null ? null : bound.initialMarginUsd());
                a.setBigDecimal(8, bound == null ? null : bound.realizedPnlUsd());
                a.setBigDecimal(9, bound == null ? null : bound.cashValueUsd());
                a.setBigDecimal(10, bound == null ? null : bound.share());
                a.setBigDecimal(11, whole ? null : fraction);
                a.setString(12, bucketInstrument);
                a.setString(13, auctionId);
                if (a.executeUpdate() != 1) {
                    return new CappedOpen(CappedOpen.Status.GONE, BigDecimal.ZERO);
                }
            }
            insertLot(c, auctionId, items, itemValues(lot, items, lotAssetUsd));
            AuctionChangeFeed.notify(c, auctionId);
            return new CappedOpen(CappedOpen.Status.OPENED, fraction);
        });
    }

    private static boolean stillOpening(Connection c, String auctionId) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT 1 FROM auction WHERE auction_id = ? AND status = 'OPENING'")) {
            s.setString(1, auctionId);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next();
            }
        }
    }

    /** The lot scaled by {@code fraction} < 1 (as a bid of it would buy it), items scaled to nothing dropped. */
    private static List<LotItem> scaledLot(List<LotItem> lot, BigDecimal fraction, AssetDecimals decimals) {
        List<LotItem> scaled = new ArrayList<>();
        for (LotItem item : lot) {
            BigDecimal quantity;
            if (item.kind() == LotItem.Kind.COLLATERAL) {
                int scale = decimals.of(item.chainId(), item.asset())
                        .orElseThrow(() -> new UnknownDecimalsException(item.chainId(), item.asset()));
                quantity = AuctionRules.scaleCollateral(item.quantity(), item.quantity(), fraction, BigDecimal.ONE, scale);
            } else if (item.kind() == LotItem.Kind.ALLOCATION) {
                quantity = AuctionRules.scaleCollateral(item.quantity(), item.quantity(), fraction, BigDecimal.ONE,
                        LotItem.ALLOCATION_DECIMALS);
            } else {
                quantity = AuctionRules.scale(item.quantity(), item.quantity(), fraction, BigDecimal.ONE);
            }
            if (quantity.signum() != 0) {
                scaled.add(item.withQuantity(quantity));
            }
        }
        return scaled;
    }

    /**
     * The market value at the open of each of {@code items} (the lot, or it scaled down): a collateral item's share of
     * its line's value in {@code lotAssetUsd} by its quantity against that line's quantity in the whole {@code lot}; null
     * for positions (no cap counts them one by one) and lines without a value.
     */
    private static List<BigDecimal> itemValues(List<LotItem> lot, List<LotItem> items, Map<String, BigDecimal> lotAssetUsd) {
        Map<String, BigDecimal> quantities = new LinkedHashMap<>();
        for (LotItem item : lot) {
            if (item.kind() == LotItem.Kind.COLLATERAL) {
                quantities.merge(AuctionCaps.key(item.chainId(), item.asset()), item.quantity(), BigDecimal::add);
            }
        }
        List<BigDecimal> values = new ArrayList<>();
        for (LotItem item : items) {
            String key = AuctionCaps.key(item.chainId(), item.asset());
            BigDecimal lineValue = lotAssetUsd.get(key);
            BigDecimal lineQuantity = quantities.get(key);
            if (item.kind() != LotItem.Kind.COLLATERAL || lineValue == null || lineQuantity == null) {
                values.add(null);
            } else {
                values.add(item.quantity().compareTo(lineQuantity) == 0 ? lineValue
                        : lineValue.multiply(item.quantity()).divide(lineQuantity, AccountSnapshot.PER_ITEM_SCALE, Money.ROUNDING));
            }
        }
        return values;
    }

    /**
     * The value in auction now ({@link AuctionCaps}): over the OPEN auctions, the remaining fraction x the lot's value at
     * the current epoch's start (0 when negative), and per "chain/asset" the remaining quantity of each collateral item
     * at its market value at the open.
     */
    public AuctionCaps.Usage usage() {
        // one snapshot: the global and per-asset figures describe the same auctions
        return Transactions.snapshot(dataSource, "reading the value in auction", AuctionStore::usage);
    }

    private static AuctionCaps.Usage usage(Connection c) throws SQLException {
        BigDecimal global;
        try (PreparedStatement s = c.prepareStatement("""
                SELECT COALESCE(SUM(remaining_fraction * GREATEST(COALESCE(epoch_start_value_usd, start_value_usd), 0)), 0)
                FROM auction WHERE status = 'OPEN'""");
             ResultSet rs = s.executeQuery()) {
            rs.next();
            global = rs.getBigDecimal(1);
        }
        Map<String, BigDecimal> perAsset = new LinkedHashMap<>();
        // scaled here rather than in SQL, whose numeric division keeps only about 16 digits
        try (PreparedStatement s = c.prepareStatement("""
                SELECT l.chain_id, l.asset, l.value_usd, l.remaining_quantity, l.quantity
                FROM lot_item l JOIN auction a ON a.auction_id = l.auction_id
                WHERE a.status = 'OPEN' AND l.kind = 'COLLATERAL' AND l.value_usd IS NOT NULL""");
             ResultSet rs = s.executeQuery()) {
            while (rs.next()) {
                BigDecimal value = rs.getBigDecimal(3);
                BigDecimal remaining = rs.getBigDecimal(4);
                BigDecimal quantity = rs.getBigDecimal(5);
                // rounded up: the room left under a cap is never over-stated
                BigDecimal left = remaining.compareTo(quantity) == 0 ? value
                        : value.multiply(remaining).divide(quantity, AccountSnapshot.PER_ITEM_SCALE, RoundingMode.CEILING);
                perAsset.merge(AuctionCaps.key(rs.getString(1), rs.getString(2)), left, BigDecimal::add);
            }
        }
        return new AuctionCaps.Usage(global, perAsset);
    }

    /**
     * Closes a claimed auction that never opened (no lot, no bids, no price) with the reason: a conditional
     * UPDATE of its OPENING row. False when it is no longer OPENING (another process opened or cancelled
     * it): the caller must then leave the account's freeze alone. The unfreeze is done (and retried by
     * recovery through {@link #unfreezePending}) like that of any closed auction.
     */
    public boolean cancel(String auctionId, Instant now, String reason) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement("""
                     UPDATE auction SET status = 'CLOSED', version = version + 1, closed_at_ms = ?, cancel_reason = ?
                     WHERE auction_id = ? AND status = 'OPENING'""")) {
            s.setLong(1, now.toEpochMilli());
            s.setString(2, reason);
            s.setString(3, auctionId);
            return s.executeUpdate() == 1;
        } catch (SQLException e) {
            throw new StoreException("cancelling auction " + auctionId + " failed", e);
        }
    }

    /**
     * Closes an open bucket auction for a whole-account auction ({@link Auction#WHOLE_BOOK_IN_LIQUIDATION}): a
     * conditional UPDATE on the version read, with no bid in flight (a bid accepted since moved the version). False
     * when it changed or closed meanwhile. The unfreeze and the look at the account again follow as for any closed
     * bucket auction ({@link #unfreezePending}, {@link #releasedAfterPartialLot}).
     */
    public boolean supersede(String auctionId, long version, Instant now) {
        return Transactions.readCommitted(dataSource, "closing bucket auction " + auctionId, c -> {
            try (PreparedStatement s = c.prepareStatement("""
                    UPDATE auction SET status = 'CLOSED', version = version + 1, closed_at_ms = ?, cancel_reason = ?
                    WHERE auction_id = ? AND version = ? AND status = 'OPEN' AND bucket_instrument IS NOT NULL
                      AND NOT EXISTS (SELECT 1 FROM bid b WHERE b.auction_id = auction.auction_id AND b.status = 'ACCEPTED')""")) {
                s.setLong(1, now.toEpochMilli());
                s.setString(2, Auction.WHOLE_BOOK_IN_LIQUIDATION);
                s.setString(3, auctionId);
                s.setLong(4, version);
                if (s.executeUpdate() != 1) {
                    return false;
                }
            }
            AuctionChangeFeed.notify(c, auctionId);
            return true;
        });
    }

    /**
     * Whether the account's last closed auction opened for part of its portfolio: a cap bound (lot_fraction < 1), or it
     * sold one ISOLATED bucket.
     */
    public boolean lastClosedWasPartial(String accountId) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement("""
                     SELECT lot_fraction IS NOT NULL OR bucket_instrument IS NOT NULL FROM auction WHERE account_id = ? AND status = 'CLOSED'
                     ORDER BY seq DESC LIMIT 1""")) {
            s.setString(1, accountId);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() && rs.getBoolean(1);
            }
        } catch (SQLException e) {
            throw new StoreException("reading the last auction of " + accountId + " failed", e);
        }
    }

    /**
     * Accounts whose newest auction is a closed partial lot (a cap bound, lot_fraction set, or one ISOLATED bucket) whose
     * unfreeze is done: the
     * rest of the portfolio may still breach and nothing else claims it (an auction claimed since is newer). Oldest first.
     * Once looked at again, the account's newest auction is the new one (opened, or cancelled when no longer in
     * liquidation), so each partial lot is looked at again until a claim after it is written.
     */
    public List<String> releasedAfterPartialLot(int limit) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement("""
                     SELECT a.account_id FROM auction a
                     WHERE a.status = 'CLOSED' AND (a.lot_fraction IS NOT NULL OR a.bucket_instrument IS NOT NULL) AND a.unfrozen
                       AND NOT EXISTS (SELECT 1 FROM auction n WHERE n.account_id = a.account_id AND n.seq > a.seq)
                     ORDER BY a.seq LIMIT ?""")) {
            s.setInt(1, limit);
            List<String> accounts = new ArrayList<>();
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    accounts.add(rs.getString(1));
                }
            }
            return accounts;
        } catch (SQLException e) {
            throw new StoreException("reading the accounts released after a partial lot failed", e);
        }
    }

    /** An OPENING auction for recovery, with its seq: where the next page starts. */
    public record Opening(long seq, AuctionRef ref) {
    }

    /**
     * At most {@code limit} OPENING auctions claimed before {@code before} with a seq above {@code afterSeq}, oldest
     * first: left by a failure, a crash or a hold, for recovery to drive on.
     */
    public List<Opening> openingPending(Instant before, long afterSeq, int limit) {
        List<Opening> page = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(
                "SELECT seq, auction_id, account_id FROM auction WHERE status = 'OPENING' AND claimed_at_ms < ? AND seq > ? ORDER BY seq LIMIT ?")) {
            s.setLong(1, before.toEpochMilli());
            s.setLong(2, afterSeq);
            s.setInt(3, limit);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    page.add(new Opening(rs.getLong(1), new AuctionRef(rs.getString(2), rs.getString(3))));
                }
            }
            return page;
        } catch (SQLException e) {
            throw new StoreException("reading opening auctions for recovery failed", e);
        }
    }

    /**
     * Inserts an OPEN auction with its lot in one step, as the release before V3 opened auctions (before
     * the freeze; a replica of it still does during a rolling upgrade). Tests use it to stand up auctions
     * directly. False when the account already has an opening or open auction: the unique partial index
     * decides.
     */
    public boolean insertAuction(String auctionId, String accountId, Instant startedAt, BigDecimal startValueUsd,
                                 PriceCurve curve, List<LotItem> lot) {
        try {
            return Transactions.readCommitted(dataSource, "opening auction for " + accountId, c -> {
                try (PreparedStatement a = c.prepareStatement("""
                        INSERT INTO auction (auction_id, account_id, status, version, started_at_ms, start_value_usd,
                            remaining_fraction, curve_kind, curve_buf, curve_floor, curve_duration_seconds, curve_step_seconds,
                            curve_cut, curve_tail_seconds, curve_cusp, epoch, epoch_started_at_ms, epoch_start_value_usd)
                        VALUES (?, ?, 'OPEN', 1, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?)""")) {
                    a.setString(1, auctionId);
                    a.setString(2, accountId);
                    a.setLong(3, startedAt.toEpochMilli());
                    a.setBigDecimal(4, startValueUsd);
                    bindCurve(a, 5, curve);
                    a.setLong(13, startedAt.toEpochMilli());
                    a.setBigDecimal(14, startValueUsd);
                    a.executeUpdate();
                }
                insertLot(c, auctionId, lot, null);
                return true;
            });
        } catch (StoreException e) {
            if (e.getCause() instanceof SQLException sql && isUniqueViolation(sql)) {
                return false;
            }
            throw e;
        }
    }

    /** Binds the eight curve columns (kind, buf, floor, duration, step, cut, tail, cusp) from {@code first} on. */
    private static void bindCurve(PreparedStatement s, int first, PriceCurve curve) throws SQLException {
        s.setString(first, curve.kind().name());
        s.setBigDecimal(first + 1, curve.buf());
        s.setBigDecimal(first + 2, curve.floor());
        s.setObject(first + 3, curve.duration() == null ? null : curve.duration().toSeconds(), Types.BIGINT);
        s.setObject(first + 4, curve.step() == null ? null : curve.step().toSeconds(), Types.BIGINT);
        s.setBigDecimal(first + 5, curve.cut());
        s.setLong(first + 6, curve.tail().toSeconds());
        s.setBigDecimal(first + 7, curve.cusp());
    }

    /**
     * The lot as snapshotted at the open; every item's remaining quantity starts at its quantity.
     *
     * @param values each item's market value at the open, USD (null: none of them, or one null: not known)
     */
    private static void insertLot(Connection c, String auctionId, List<LotItem> lot, List<BigDecimal> values) throws SQLException {
        try (PreparedStatement i = c.prepareStatement("""
                INSERT INTO lot_item (auction_id, idx, kind, instrument, chain_id, asset, quantity, remaining_quantity, value_usd)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""")) {
            for (int idx = 0; idx < lot.size(); idx++) {
                LotItem item = lot.get(idx);
                i.setString(1, auctionId);
                i.setInt(2, idx);
                i.setString(3, item.kind().name());
                i.setString(4, item.instrument());
                i.setString(5, item.chainId());
                i.setString(6, item.asset());
                i.setBigDecimal(7, item.quantity());
                i.setBigDecimal(8, item.quantity());
                i.setBigDecimal(9, values == null ? null : values.get(idx));
                i.addBatch();
            }
            i.executeBatch();
        }
    }

    private static boolean isUniqueViolation(SQLException e) {
        for (SQLException x = e; x != null; x = x.getNextException()) {
            if (UNIQUE_VIOLATION.equals(x.getSQLState())) {
                return true;
            }
        }
        return false;
    }

    public void markFrozen(String auctionId) {
        update("UPDATE auction SET frozen = TRUE WHERE auction_id = ?", auctionId);
    }

    /**
     * Records that a freeze of the auction's account is about to be sent at {@code at}, if the auction is
     * still in {@code whileIn} (OPENING for a driver, OPEN for the freeze a release before V3 left undone).
     * False, and nothing recorded, when it is not: the caller must not send the freeze (the auction was
     * opened, or closed and maybe already unfrozen, elsewhere). A later {@link #markUnfrozen} looks at it.
     */
    public boolean noteFreezeSent(String auctionId, AuctionStatus whileIn, Instant at) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement("""
                     UPDATE auction SET last_freeze_sent_ms = GREATEST(COALESCE(last_freeze_sent_ms, 0), ?)
                     WHERE auction_id = ? AND status = ?""")) {
            s.setLong(1, at.toEpochMilli());
            s.setString(2, auctionId);
            s.setString(3, whileIn.name());
            return s.executeUpdate() == 1;
        } catch (SQLException e) {
            throw new StoreException("recording the freeze of auction " + auctionId + " failed", e);
        }
    }

    /**
     * Records the unfreeze sent at {@code unfreezeSent} as done, unless a freeze of the same auction was sent
     * less than {@code maxInFlight} before it: that freeze may still land at margin-service after this
     * unfreeze (a driver whose call timed out but ran), so the auction stays unfreeze-pending and
     * {@link #unfreezePending} lists it again once the freeze can no longer be in flight. True when recorded.
     */
    public boolean markUnfrozen(String auctionId, Instant unfreezeSent, Duration maxInFlight) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement("""
                     UPDATE auction SET unfrozen = TRUE
                     WHERE auction_id = ? AND (last_freeze_sent_ms IS NULL OR last_freeze_sent_ms + ? < ?)""")) {
            s.setString(1, auctionId);
            s.setLong(2, maxInFlight.toMillis());
            s.setLong(3, unfreezeSent.toEpochMilli());
            return s.executeUpdate() == 1;
        } catch (SQLException e) {
            throw new StoreException("recording the unfreeze of auction " + auctionId + " failed", e);
        }
    }

    /**
     * Marks the unfreeze of the account's other CLOSED auctions undone, so recovery sends them again: what a
     * freeze refused ACCOUNT_FROZEN (another auction id holds the account) needs when that holder's unfreeze
     * was recorded but did not hold (margin-service lifts only a freeze held by that exact id: safe). The
     * number of auctions marked.
     */
    public int unfreezeOthersAgain(String accountId, String auctionId) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement("""
                     UPDATE auction SET unfrozen = FALSE
                     WHERE account_id = ? AND auction_id <> ? AND status = 'CLOSED' AND unfrozen""")) {
            s.setString(1, accountId);
            s.setString(2, auctionId);
            return s.executeUpdate();
        } catch (SQLException e) {
            throw new StoreException("marking the unfreezes of " + accountId + " undone failed", e);
        }
    }

    /** Open auctions opened before {@code before} whose freeze was not confirmed. */
    public List<AuctionRef> freezePending(Instant before) {
        return refs("SELECT auction_id, account_id FROM auction WHERE status = 'OPEN' AND NOT frozen AND started_at_ms < ?",
                before.toEpochMilli());
    }

    /**
     * Closed auctions with every bid settled (the last one before {@code before}) whose unfreeze was not
     * confirmed, leaving out those whose last freeze was sent less than {@code maxInFlight} before
     * {@code now} ({@link #markUnfrozen} would not record their unfreeze yet).
     */
    public List<AuctionRef> unfreezePending(Instant before, Instant now, Duration maxInFlight) {
        return refs("""
                SELECT a.auction_id, a.account_id FROM auction a
                WHERE a.status = 'CLOSED' AND NOT a.unfrozen
                  AND NOT EXISTS (SELECT 1 FROM bid b WHERE b.auction_id = a.auction_id AND b.status = 'ACCEPTED')
                  AND COALESCE((SELECT MAX(b.settled_at_ms) FROM bid b WHERE b.auction_id = a.auction_id), a.closed_at_ms) < ?
                  AND (a.last_freeze_sent_ms IS NULL OR a.last_freeze_sent_ms + ? < ?)""",
                before.toEpochMilli(), maxInFlight.toMillis(), now.toEpochMilli());
    }

    // ---- reading ----

    public Optional<Auction> find(String auctionId) {
        List<Auction> found = query("SELECT " + AUCTION_COLUMNS + " FROM auction WHERE auction_id = ?",
                List.of(auctionId));
        return found.stream().findFirst();
    }

    /** Auctions newest first, with seq below {@code beforeSeq}; status and account optional (null = any). */
    public List<Auction> list(AuctionStatus status, String accountId, long beforeSeq, int limit) {
        StringBuilder sql = new StringBuilder("SELECT " + AUCTION_COLUMNS + " FROM auction WHERE seq < ?");
        List<Object> args = new ArrayList<>();
        args.add(beforeSeq);
        if (status != null) {
            sql.append(" AND status = ?");
            args.add(status.name());
        }
        if (accountId != null) {
            sql.append(" AND account_id = ?");
            args.add(accountId);
        }
        sql.append(" ORDER BY seq DESC LIMIT ?");
        args.add(limit);
        return query(sql.toString(), args);
    }

    /**
     * Every open auction without its lot and bids, oldest first, read a page of {@code batch} at a time: the passes
     * over open auctions (resets, takeovers) visit them with {@code visit}.
     */
    public void forEachOpenHeader(int batch, java.util.function.Consumer<Auction> visit) {
        long afterSeq = 0;
        List<Auction> page;
        do {
            page = openHeaders(afterSeq, batch);
            for (Auction auction : page) {
                afterSeq = auction.seq();
                visit.accept(auction);
            }
        } while (page.size() == batch);
    }

    /**
     * Open auctions without their lots and bids (empty lists), oldest first, from seq {@code afterSeq} on:
     * what the resetter needs to decide which ones need a new epoch.
     */
    private List<Auction> openHeaders(long afterSeq, int limit) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement("SELECT " + AUCTION_COLUMNS
                     + " FROM auction WHERE status = 'OPEN' AND seq > ? ORDER BY seq LIMIT ?")) {
            s.setLong(1, afterSeq);
            s.setInt(2, limit);
            List<Auction> headers = new ArrayList<>();
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    headers.add(auctionHeader(rs, List.of(), List.of()));
                }
            }
            return headers;
        } catch (SQLException e) {
            throw new StoreException("listing open auctions failed", e);
        }
    }

    // ---- resets ----

    /** {@link #reset(String, long, Instant, BigDecimal, PriceCurve.ResetReason, BufferTarget)} keeping the buffer's base. */
    public Optional<Reset> reset(String auctionId, long seenVersion, Instant now, BigDecimal startValueUsd,
                                 PriceCurve.ResetReason reason) {
        return reset(auctionId, seenVersion, now, startValueUsd, reason, null);
    }

    /**
     * Starts the next epoch of an open auction that is still at {@code seenVersion} (a conditional
     * UPDATE: of two replicas resetting the same epoch, exactly one wins) and records it in
     * auction_resets. The version is bumped, so a bid naming the old one is refused; the remaining
     * fraction, the lot and the bids are untouched.
     *
     * <p>A bid whose settlement is in flight (ACCEPTED) or ended meanwhile does not hold the reset: the start
     * value is the lot as opened valued per unit at the current marks ({@code AccountSnapshot.valueOf}),
     * which what the settlement moves between the account and the bidder does not change; so no clock of
     * another replica is compared, and an auction with a stuck ACCEPTED bid still resets.
     *
     * @param now     the new epoch's start
     * @param rebased the buffer target re-based on the view the start value comes from, written in the same update
     *                (only onto an auction that has a buffer target); null keeps the one the auction had
     * @return the reset, or empty when the auction changed (a bid, another reset) or closed
     */
    public Optional<Reset> reset(String auctionId, long seenVersion, Instant now, BigDecimal startValueUsd,
                                 PriceCurve.ResetReason reason, BufferTarget rebased) {
        return Transactions.readCommitted(dataSource, "resetting auction " + auctionId, c -> {
            int epoch;
            String rebase = rebased == null ? "" : """
                    , open_equity_usd = ?, open_maintenance_margin_usd = ?, open_initial_margin_usd = ?,
                    open_realized_pnl_usd = ?, open_cash_value_usd = ?, buffer_base_remaining_fraction = ?,
                    buffer_base_proceeds_usd = ?""";
            // a re-base only onto an auction that has a target (one opened unbounded stays sold until empty)
            String bounded = rebased == null ? "" : " AND buffer_share IS NOT NULL";
            try (PreparedStatement u = c.prepareStatement("UPDATE auction SET epoch = epoch + 1, epoch_started_at_ms = ?,"
                    + " epoch_start_value_usd = ?, version = version + 1" + rebase
                    + " WHERE auction_id = ? AND version = ? AND status = 'OPEN'" + bounded + " RETURNING epoch")) {
                int i = 1;
                u.setLong(i++, now.toEpochMilli());
                u.setBigDecimal(i++, startValueUsd);
                if (rebased != null) {
                    u.setBigDecimal(i++, rebased.equityUsd());
                    u.setBigDecimal(i++, rebased.maintenanceMarginUsd());
                    u.setBigDecimal(i++, rebased.initialMarginUsd());
                    u.setBigDecimal(i++, rebased.realizedPnlUsd());
                    u.setBigDecimal(i++, rebased.cashValueUsd());
                    u.setBigDecimal(i++, rebased.baseRemaining());
                    u.setBigDecimal(i++, rebased.baseProceedsUsd());
                }
                u.setString(i++, auctionId);
                u.setLong(i, seenVersion);
                try (ResultSet rs = u.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.<Reset>empty();
                    }
                    epoch = rs.getInt(1);
                }
            }
            try (PreparedStatement i = c.prepareStatement("""
                    INSERT INTO auction_resets (auction_id, epoch, at_ms, start_value_usd, reason, buffer_rebased)
                    VALUES (?, ?, ?, ?, ?, ?)""")) {
                i.setString(1, auctionId);
                i.setInt(2, epoch);
                i.setLong(3, now.toEpochMilli());
                i.setBigDecimal(4, startValueUsd);
                i.setString(5, reason.name());
                i.setBoolean(6, rebased != null);
                i.executeUpdate();
            }
            AuctionChangeFeed.notify(c, auctionId);
            return Optional.of(new Reset(auctionId, epoch, now, startValueUsd, reason));
        });
    }

    /** What remains of an auction's lot: its items with their remaining quantities, in lot order. */
    public List<LotItem> remainingLot(String auctionId) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement("""
                     SELECT kind, instrument, chain_id, asset, remaining_quantity AS quantity FROM lot_item
                     WHERE auction_id = ? ORDER BY idx""")) {
            s.setString(1, auctionId);
            List<LotItem> items = new ArrayList<>();
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    items.add(lotItem(rs));
                }
            }
            return items;
        } catch (SQLException e) {
            throw new StoreException("reading the lot of " + auctionId + " failed", e);
        }
    }

    /** The resets of an auction, by epoch. */
    public List<Reset> resets(String auctionId) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement(
                     "SELECT epoch, at_ms, start_value_usd, reason FROM auction_resets WHERE auction_id = ? ORDER BY epoch")) {
            s.setString(1, auctionId);
            List<Reset> resets = new ArrayList<>();
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    resets.add(new Reset(auctionId, rs.getInt("epoch"), Instant.ofEpochMilli(rs.getLong("at_ms")),
                            rs.getBigDecimal("start_value_usd"), PriceCurve.ResetReason.valueOf(rs.getString("reason"))));
                }
            }
            return resets;
        } catch (SQLException e) {
            throw new StoreException("reading resets of " + auctionId + " failed", e);
        }
    }

    public List<String> openAuctionIds() {
        List<String> ids = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement("SELECT auction_id FROM auction WHERE status = 'OPEN' ORDER BY seq");
             ResultSet rs = s.executeQuery()) {
            while (rs.next()) {
                ids.add(rs.getString(1));
            }
            return ids;
        } catch (SQLException e) {
            throw new StoreException("listing open auctions failed", e);
        }
    }

    /**
     * The auctions a watcher may have missed a change of since {@code since}: every OPEN one (its bids and resets leave no
     * time stamp on it), those closed at or after {@code since}, and those with a bid still ACCEPTED or settled at or after
     * {@code since} (a bid is often settled long after its auction closed).
     */
    public List<String> changedSince(Instant since) {
        List<String> ids = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement("""
                     SELECT auction_id FROM auction a
                     WHERE a.status = 'OPEN' OR a.closed_at_ms >= ?
                        OR EXISTS (SELECT 1 FROM bid b WHERE b.auction_id = a.auction_id
                                     AND (b.status = 'ACCEPTED' OR b.settled_at_ms >= ?))
                     ORDER BY a.seq""")) {
            s.setLong(1, since.toEpochMilli());
            s.setLong(2, since.toEpochMilli());
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getString(1));
                }
            }
            return ids;
        } catch (SQLException e) {
            throw new StoreException("listing auctions changed since " + since + " failed", e);
        }
    }

    public Optional<Bid> findBid(String bidId) {
        return Transactions.snapshot(dataSource, "reading bid " + bidId, c -> readBid(c, bidId));
    }

    // ---- bidding ----

    /**
     * The PlaceBid transaction (SERIALIZABLE, auction row locked): a replay of a known bid id returns the
     * stored bid; otherwise the rules are checked and the bid inserted ACCEPTED with a settlement lease and its
     * penalty, the lot's remaining quantities and the auction's remaining fraction reduced, the version bumped and
     * the auction closed when nothing remains. A bid at a negative price is checked against the insurance fund's
     * balance less the payouts that balance may not show. A NO_BIDS halt covering the lot (collateral under its
     * {@code canonical} asset) refuses a new bid in the same transaction.
     *
     * @throws HaltedException when a NO_BIDS halt covers the auction (a replay is still answered)
     * @throws FundCheck.FundBalanceNeededException when the fund pays and its balance was not read (nothing written)
     * @throws dev.crosschain.liquidation.domain.PreconditionException FUND_BIDDER, INSOLVENT_ACCOUNT (fund off),
     *                                                                 INSURANCE_FUND_SHORT, or the rules' (nothing written)
     */
    public Accepted accept(BidRequest request, Instant now, Duration lease, AuctionRules rules, AssetDecimals decimals,
                           FundCheck fund) {
        return accept(request, now, lease, rules, decimals, fund, CanonicalAssets.NONE);
    }

    /** {@link #accept(BidRequest, Instant, Duration, AuctionRules, AssetDecimals, FundCheck)} with the registry's canonical assets. */
    public Accepted accept(BidRequest request, Instant now, Duration lease, AuctionRules rules, AssetDecimals decimals,
                           FundCheck fund, CanonicalAssets canonical) {
        return Transactions.serializable(dataSource, "placing bid " + request.bidId(), Set.of(UNIQUE_VIOLATION), c -> {
            AuctionState auction = lockAuction(c, request.auctionId());
            Optional<Bid> existing = readBid(c, request.bidId());
            if (existing.isPresent()) {
                if (!request.samePayloadAs(existing.get())) {
                    throw new ConflictException("IDEMPOTENCY_CONFLICT",
                            "bid id " + request.bidId() + " was used before with a different payload");
                }
                return new Accepted(existing.get(), true);
            }
            refuseIfHalted(c, auction, canonical);
            fund.requireNotFund(request.bidderAccountId());
            BidTerms terms = rules.accept(auction, request.bidderAccountId(), request.fraction(),
                    request.maxLotPriceUsd(), request.auctionVersion(), now, decimals, fund.effectivePenaltyRate());
            fund.requirePriceAllowed(auction.auctionId(), terms.lotPriceUsd());
            if (terms.paidUsd().signum() < 0) {
                fund.requirePayout(terms.paidUsd().negate(), pendingPayouts(c, fund.settledSince()));
            }
            insertBid(c, request, terms, now, lease, false, BigDecimal.ZERO, fund.fundAccountId());
            return new Accepted(readBid(c, request.bidId()).orElseThrow(), false);
        });
    }

    /**
     * The insurance fund's takeover of what remains of an OPEN auction (SERIALIZABLE, auction row locked): a bid
     * {@code bidId} by the fund at price 0 for the remaining fraction ({@link AuctionRules#takeOver}), recording as bad
     * debt minus the mark value of that part at the epoch start. A replay of the same bid id returns the stored bid.
     * Empty, and nothing written, unless the auction is still as the caller decided on it: OPEN at {@code seenVersion}
     * (no bid or reset since), its curve needing no reset at {@code now}, and insolvent (a negative epoch start value
     * and lot price).
     */
    public Optional<Accepted> takeOver(String auctionId, long seenVersion, String bidId, String fundAccountId, Instant now,
                                       Duration lease, AssetDecimals decimals) {
        return Transactions.serializable(dataSource, "taking over auction " + auctionId, Set.of(UNIQUE_VIOLATION), c -> {
            AuctionState auction = lockAuction(c, auctionId);
            Optional<Bid> existing = readBid(c, bidId);
            if (existing.isPresent()) {
                return Optional.of(new Accepted(existing.get(), true));
            }
            if (!stillInsolvent(auction, seenVersion, now)) {
                return Optional.<Accepted>empty();
            }
            BidTerms terms = AuctionRules.DEFAULT.takeOver(auction, decimals);
            BigDecimal badDebt = auction.remainingFraction().multiply(auction.epochStartValueUsd()).negate()
                    .setScale(Money.USDC_SCALE, Money.ROUNDING).max(BigDecimal.ZERO);
            BidRequest request = new BidRequest(bidId, auctionId, fundAccountId, auction.remainingFraction(), BigDecimal.ZERO, 0);
            insertBid(c, request, terms, now, lease, true, badDebt, fundAccountId);
            return Optional.of(new Accepted(readBid(c, bidId).orElseThrow(), false));
        });
    }

    private static boolean stillInsolvent(AuctionState auction, long seenVersion, Instant now) {
        return auction.status() == AuctionStatus.OPEN && auction.version() == seenVersion
                && auction.curve().resetReason(auction.epochStartedAt(), now).isEmpty()
                && auction.epochStartValueUsd().signum() < 0 && auction.lotPriceAt(now).signum() < 0;
    }

    /**
     * Payouts (negative paid) the fund's balance read may not show, USDC: of ACCEPTED bids (taken from the fund once
     * their transfer commits) and of bids settled at or after {@code settledSince} (their transfer may have committed
     * after the read; counting one twice only makes the fund look poorer). Null: ACCEPTED only.
     */
    private static BigDecimal pendingPayouts(Connection c, Instant settledSince) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("""
                SELECT COALESCE(-SUM(paid_usd), 0) FROM bid
                WHERE paid_usd < 0 AND (status = 'ACCEPTED' OR settled_at_ms >= ?)""")) {
            s.setLong(1, settledSince == null ? Long.MAX_VALUE : settledSince.toEpochMilli());
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getBigDecimal(1);
            }
        }
    }

    /**
     * Inserts an ACCEPTED bid with its items and takes them from the lot; bumps the version, closes the auction when
     * empty or when the bid restores the account (the rest of the lot stays with it).
     */
    private static void insertBid(Connection c, BidRequest request, BidTerms terms, Instant now, Duration lease,
                                  boolean takeover, BigDecimal badDebt, String fundAccountId)
            throws SQLException {
        {
            try (PreparedStatement b = c.prepareStatement("""
                    INSERT INTO bid (bid_id, auction_id, bidder_account_id, fraction, max_lot_price_usd, auction_version,
                        lot_price_usd, paid_usd, status, placed_at_ms, lease_until_ms, penalty_usd, takeover, bad_debt_usd,
                        fund_account_id)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'ACCEPTED', ?, ?, ?, ?, ?, ?)""");
                 PreparedStatement item = c.prepareStatement("""
                    INSERT INTO bid_item (bid_id, idx, lot_idx, kind, instrument, chain_id, asset, quantity)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)""");
                 PreparedStatement lot = c.prepareStatement("""
                    UPDATE lot_item SET remaining_quantity = remaining_quantity - ? WHERE auction_id = ? AND idx = ?""");
                 PreparedStatement a = c.prepareStatement("""
                    UPDATE auction SET remaining_fraction = ?, version = version + 1, status = ?, closed_at_ms = ?
                    WHERE auction_id = ?""")) {
                b.setString(1, request.bidId());
                b.setString(2, request.auctionId());
                b.setString(3, request.bidderAccountId());
                b.setBigDecimal(4, request.fraction());
                b.setBigDecimal(5, request.maxLotPriceUsd());
                b.setLong(6, request.auctionVersion());
                b.setBigDecimal(7, terms.lotPriceUsd());
                b.setBigDecimal(8, terms.paidUsd());
                b.setLong(9, now.toEpochMilli());
                b.setLong(10, now.plus(lease).toEpochMilli());
                b.setBigDecimal(11, terms.penaltyUsd());
                b.setBoolean(12, takeover);
                b.setBigDecimal(13, badDebt);
                b.setString(14, fundAccountId);
                b.executeUpdate();
                int idx = 0;
                for (BidTerms.BoughtItem bought : terms.items()) {
                    LotItem i = bought.item();
                    item.setString(1, request.bidId());
                    item.setInt(2, idx++);
                    item.setInt(3, bought.lotIndex());
                    item.setString(4, i.kind().name());
                    item.setString(5, i.instrument());
                    item.setString(6, i.chainId());
                    item.setString(7, i.asset());
                    item.setBigDecimal(8, i.quantity());
                    item.addBatch();
                    lot.setBigDecimal(1, i.quantity());
                    lot.setString(2, request.auctionId());
                    lot.setInt(3, bought.lotIndex());
                    lot.addBatch();
                }
                item.executeBatch();
                lot.executeBatch();
                a.setBigDecimal(1, terms.remainingFraction());
                a.setString(2, terms.closesAuction() ? "CLOSED" : "OPEN");
                if (terms.closesAuction()) {
                    a.setLong(3, now.toEpochMilli());
                } else {
                    a.setNull(3, Types.BIGINT);
                }
                a.setString(4, request.auctionId());
                a.executeUpdate();
            }
            AuctionChangeFeed.notify(c, request.auctionId());
        }
    }

    /**
     * Takes the right to settle an ACCEPTED bid whose lease expired (or was released). False when the bid
     * is settled, gone, or someone else holds it.
     */
    public boolean claim(String bidId, Instant now, Duration lease) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement("""
                     UPDATE bid SET lease_until_ms = ? WHERE bid_id = ? AND status = 'ACCEPTED' AND lease_until_ms <= ?""")) {
            s.setLong(1, now.plus(lease).toEpochMilli());
            s.setString(2, bidId);
            s.setLong(3, now.toEpochMilli());
            return s.executeUpdate() == 1;
        } catch (SQLException e) {
            throw new StoreException("claiming bid " + bidId + " failed", e);
        }
    }

    /** Claims up to {@code limit} ACCEPTED bids whose lease expired, oldest first. */
    public List<String> claimExpired(Instant now, Duration lease, int limit) {
        List<String> ids = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement("""
                     UPDATE bid SET lease_until_ms = ? WHERE bid_id IN (
                         SELECT bid_id FROM bid WHERE status = 'ACCEPTED' AND lease_until_ms <= ?
                         ORDER BY seq LIMIT ? FOR UPDATE SKIP LOCKED)
                     RETURNING bid_id""")) {
            s.setLong(1, now.plus(lease).toEpochMilli());
            s.setLong(2, now.toEpochMilli());
            s.setInt(3, limit);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getString(1));
                }
            }
            return ids;
        } catch (SQLException e) {
            throw new StoreException("claiming unsettled bids failed", e);
        }
    }

    /** Gives the settlement of a bid back to recovery at once. */
    public void release(String bidId) {
        update("UPDATE bid SET lease_until_ms = 0 WHERE bid_id = ? AND status = 'ACCEPTED'", bidId);
    }

    /**
     * Marks a bid SETTLED (no-op if it already is) and tells whether its auction is closed with every bid settled. The
     * transaction that marks it also books what the bid did to the insurance fund ({@link #book}), so each bid is booked
     * once whatever the replays.
     */
    public Settled markSettled(String bidId, Instant now) {
        return Transactions.readCommitted(dataSource, "settling bid " + bidId, c -> {
            boolean marked;
            try (PreparedStatement s = c.prepareStatement(
                    "UPDATE bid SET status = 'SETTLED', settled_at_ms = ?, lease_until_ms = 0 WHERE bid_id = ? AND status = 'ACCEPTED'")) {
                s.setLong(1, now.toEpochMilli());
                s.setString(2, bidId);
                marked = s.executeUpdate() == 1;
            }
            Bid bid = readBid(c, bidId).orElseThrow(() -> new NotFoundException("UNKNOWN_BID", bidId));
            if (marked) {
                book(c, bid, now);
                AuctionChangeFeed.notify(c, bid.auctionId());
            }
            boolean done;
            try (PreparedStatement s = c.prepareStatement("""
                    SELECT a.status = 'CLOSED' AND NOT EXISTS (
                        SELECT 1 FROM bid b WHERE b.auction_id = a.auction_id AND b.status = 'ACCEPTED')
                    FROM auction a WHERE a.auction_id = ?""")) {
                s.setString(1, bid.auctionId());
                try (ResultSet rs = s.executeQuery()) {
                    done = rs.next() && rs.getBoolean(1);
                }
            }
            return new Settled(bid, done);
        });
    }

    /**
     * Takes back an ACCEPTED bid whose collateral transfer was refused: deletes it, gives its items and
     * fraction back to the lot, reopens the auction if the bid had closed it, bumps the version.
     * False when the bid was not ACCEPTED any more (nothing changed). Takes no caps lock: the value in auction it gives
     * back was counted when the auction opened, so it may take a cap over again only after openings used the room
     * meanwhile (documented with the caps; a cap bounds what new auctions add).
     */
    public boolean undo(String bidId) {
        return Transactions.serializable(dataSource, "undoing bid " + bidId, c -> {
            Optional<Bid> found = readBid(c, bidId);
            if (found.isEmpty() || found.get().status() != BidStatus.ACCEPTED) {
                return false;
            }
            Bid bid = found.get();
            lockAuction(c, bid.auctionId());
            try (PreparedStatement lot = c.prepareStatement("""
                    UPDATE lot_item l SET remaining_quantity = l.remaining_quantity + i.quantity
                    FROM bid_item i WHERE i.bid_id = ? AND l.auction_id = ? AND l.idx = i.lot_idx""");
                 PreparedStatement del = c.prepareStatement("DELETE FROM bid WHERE bid_id = ? AND status = 'ACCEPTED'");
                 PreparedStatement a = c.prepareStatement("""
                    UPDATE auction SET remaining_fraction = remaining_fraction + ?, version = version + 1,
                        status = 'OPEN', closed_at_ms = NULL WHERE auction_id = ?""")) {
                lot.setString(1, bidId);
                lot.setString(2, bid.auctionId());
                lot.executeUpdate();
                del.setString(1, bidId);
                if (del.executeUpdate() != 1) {
                    throw new SQLException("bid changed while undoing", "40001");
                }
                a.setBigDecimal(1, bid.fraction());
                a.setString(2, bid.auctionId());
                a.executeUpdate();
            }
            AuctionChangeFeed.notify(c, bid.auctionId());
            return true;
        });
    }

    // ---- insurance fund ----

    /**
     * Books a bid that just settled: its PENALTY (of which the part up to the outstanding bad debt is a REPAYMENT), its
     * PAYOUT, or, for a takeover, TAKEOVER and BAD_DEBT. The fund row is locked for the update, so concurrent bids see
     * each other's bad debt and repayments.
     */
    private static void book(Connection c, Bid bid, Instant now) throws SQLException {
        FundBooks books = readBooks(c, true);
        BigDecimal penalty = bid.penaltyUsd();
        BigDecimal repaid = books.repaymentFrom(penalty);
        BigDecimal payout = bid.payoutUsd();
        BigDecimal badDebt = bid.takeover() ? bid.badDebtUsd() : BigDecimal.ZERO;
        if (penalty.signum() == 0 && payout.signum() == 0 && !bid.takeover()) {
            return;
        }
        try (PreparedStatement u = c.prepareStatement("""
                UPDATE insurance_fund SET penalties_usd = penalties_usd + ?, payouts_usd = payouts_usd + ?,
                    bad_debt_usd = bad_debt_usd + ?, repaid_usd = repaid_usd + ? WHERE id = 1""")) {
            u.setBigDecimal(1, penalty);
            u.setBigDecimal(2, payout);
            u.setBigDecimal(3, badDebt);
            u.setBigDecimal(4, repaid);
            u.executeUpdate();
        }
        try (PreparedStatement i = c.prepareStatement("""
                INSERT INTO insurance_fund_event (kind, auction_id, bid_id, account_id, amount_usd, at_ms)
                VALUES (?, ?, ?, ?, ?, ?)""")) {
            if (penalty.signum() > 0) {
                addEvent(i, FundEvent.Kind.PENALTY, bid, penalty, now);
            }
            if (repaid.signum() > 0) {
                addEvent(i, FundEvent.Kind.REPAYMENT, bid, repaid, now);
            }
            if (payout.signum() > 0) {
                addEvent(i, FundEvent.Kind.PAYOUT, bid, payout, now);
            }
            if (bid.takeover()) {
                addEvent(i, FundEvent.Kind.TAKEOVER, bid, badDebt.negate(), now);
                addEvent(i, FundEvent.Kind.BAD_DEBT, bid, badDebt, now);
            }
            i.executeBatch();
        }
    }

    private static void addEvent(PreparedStatement i, FundEvent.Kind kind, Bid bid, BigDecimal amount, Instant now)
            throws SQLException {
        i.setString(1, kind.name());
        i.setString(2, bid.auctionId());
        i.setString(3, bid.bidId());
        i.setString(4, bid.accountId());
        i.setBigDecimal(5, amount);
        i.setLong(6, now.toEpochMilli());
        i.addBatch();
    }

    /** The fund's one row; locked until the transaction ends when {@code lock}. */
    private static FundBooks readBooks(Connection c, boolean lock) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT penalties_usd, payouts_usd, bad_debt_usd, repaid_usd"
                + " FROM insurance_fund WHERE id = 1" + (lock ? " FOR UPDATE" : ""));
             ResultSet rs = s.executeQuery()) {
            rs.next();
            return new FundBooks(rs.getBigDecimal(1), rs.getBigDecimal(2), rs.getBigDecimal(3), rs.getBigDecimal(4));
        }
    }

    /** The insurance fund's totals as booked. */
    public FundBooks fundBooks() {
        try (Connection c = dataSource.getConnection()) {
            return readBooks(c, false);
        } catch (SQLException e) {
            throw new StoreException("reading the insurance fund failed", e);
        }
    }

    /** Fund events newest first, with seq below {@code beforeSeq}. */
    public List<FundEvent> fundEvents(long beforeSeq, int limit) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement("""
                     SELECT seq, kind, auction_id, bid_id, account_id, amount_usd, at_ms FROM insurance_fund_event
                     WHERE seq < ? ORDER BY seq DESC LIMIT ?""")) {
            s.setLong(1, beforeSeq);
            s.setInt(2, limit);
            List<FundEvent> events = new ArrayList<>();
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    events.add(new FundEvent(rs.getLong("seq"), FundEvent.Kind.valueOf(rs.getString("kind")),
                            rs.getString("auction_id"), rs.getString("bid_id"), rs.getString("account_id"),
                            rs.getBigDecimal("amount_usd"), Instant.ofEpochMilli(rs.getLong("at_ms"))));
                }
            }
            return events;
        } catch (SQLException e) {
            throw new StoreException("reading insurance fund events failed", e);
        }
    }

    /** Payouts of ACCEPTED bids not settled yet, USDC. */
    public BigDecimal pendingPayouts() {
        return pendingPayouts(null);
    }

    /** Payouts of ACCEPTED bids and of bids settled at or after {@code settledSince} (null: none), USDC. */
    public BigDecimal pendingPayouts(Instant settledSince) {
        try (Connection c = dataSource.getConnection()) {
            return pendingPayouts(c, settledSince);
        } catch (SQLException e) {
            throw new StoreException("reading pending payouts failed", e);
        }
    }

    /**
     * Records that the fund cannot pay for what remains of an OPEN auction, if not recorded yet, and returns since when
     * it could not (empty if the auction is no longer OPEN).
     */
    public Optional<Instant> noteFundShort(String auctionId, Instant now) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement("""
                     UPDATE auction SET fund_short_since_ms = COALESCE(fund_short_since_ms, ?)
                     WHERE auction_id = ? AND status = 'OPEN' RETURNING fund_short_since_ms""")) {
            s.setLong(1, now.toEpochMilli());
            s.setString(2, auctionId);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? Optional.of(Instant.ofEpochMilli(rs.getLong(1))) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new StoreException("recording the fund shortfall of " + auctionId + " failed", e);
        }
    }

    /**
     * Forgets a fund shortfall of the auction, recorded at or before {@code judgedAt}: the fund can pay again, or the
     * price is not negative, as seen then.
     */
    public void clearFundShort(String auctionId, Instant judgedAt) {
        clearFundShort(List.of(auctionId), judgedAt);
    }

    /**
     * {@link #clearFundShort(String, Instant)} of many auctions in one statement: a takeover pass finds nearly every open auction
     * not short, every pass, and one round trip each grew with the auctions open. Only shortfalls recorded at or before
     * {@code judgedFrom}, when the pass began reading: a later one was recorded on a newer view than the pass's.
     */
    public void clearFundShort(Collection<String> auctionIds, Instant judgedFrom) {
        if (auctionIds.isEmpty()) {
            return;
        }
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(
                "UPDATE auction SET fund_short_since_ms = NULL WHERE auction_id = ANY(?) AND fund_short_since_ms <= ?")) {
            s.setArray(1, c.createArrayOf("text", auctionIds.toArray()));
            s.setLong(2, judgedFrom.toEpochMilli());
            s.executeUpdate();
        } catch (SQLException e) {
            throw new StoreException("clearing the fund shortfall of " + auctionIds.size() + " auctions failed", e);
        }
    }

    // ---- helpers ----

    /** A NO_BIDS halt covering the auction's lot refuses the bid (HALTED), ordered against SetHalt by the halt rows' locks. */
    private static void refuseIfHalted(Connection c, AuctionState auction, CanonicalAssets canonical) throws SQLException {
        Set<String> underlyings = Underlyings.of(auction.items().stream().map(AuctionState.ItemState::item).toList(), canonical);
        Optional<Halt> halt = HaltStore.inForce(c, underlyings).covering(underlyings).filter(h -> h.level().stopsBids());
        if (halt.isPresent()) {
            throw new HaltedException(auction.auctionId(), halt.get());
        }
    }

    private AuctionState lockAuction(Connection c, String auctionId) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT " + AUCTION_COLUMNS + " FROM auction WHERE auction_id = ? FOR UPDATE")) {
            s.setString(1, auctionId);
            try (ResultSet rs = s.executeQuery()) {
                if (!rs.next()) {
                    throw new NotFoundException("UNKNOWN_AUCTION", "no auction " + auctionId);
                }
                Auction header = auctionHeader(rs, List.of(), List.of());
                List<AuctionState.ItemState> items = new ArrayList<>();
                try (PreparedStatement l = c.prepareStatement("""
                        SELECT idx, kind, instrument, chain_id, asset, quantity, remaining_quantity
                        FROM lot_item WHERE auction_id = ? ORDER BY idx""")) {
                    l.setString(1, auctionId);
                    try (ResultSet lr = l.executeQuery()) {
                        while (lr.next()) {
                            items.add(new AuctionState.ItemState(lr.getInt("idx"), lotItem(lr),
                                    lr.getBigDecimal("remaining_quantity")));
                        }
                    }
                }
                return new AuctionState(header.auctionId(), header.accountId(), header.status(), header.version(),
                        header.epochStartedAt(), header.epochStartValueUsd(), header.remainingFraction(), header.curve(), items,
                        header.buffer(), header.buffer() == null ? BigDecimal.ZERO : Bid.totalProceedsUsd(readBids(c, "b.auction_id = ?", auctionId)));
            }
        }
    }

    private Optional<Bid> readBid(Connection c, String bidId) throws SQLException {
        List<Bid> bids = readBids(c, "b.bid_id = ?", bidId);
        return bids.stream().findFirst();
    }

    private List<Bid> readBids(Connection c, String where, String arg) throws SQLException {
        Map<String, List<LotItem>> items = new LinkedHashMap<>();
        List<Object[]> rows = new ArrayList<>();
        try (PreparedStatement s = c.prepareStatement("SELECT " + BID_COLUMNS
                + " FROM bid b JOIN auction a ON a.auction_id = b.auction_id WHERE " + where + " ORDER BY b.seq")) {
            s.setString(1, arg);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    long settled = rs.getLong("settled_at_ms");
                    boolean settledNull = rs.wasNull();
                    rows.add(new Object[]{rs.getString("bid_id"), rs.getString("auction_id"), rs.getString("account_id"),
                            rs.getString("bidder_account_id"), rs.getBigDecimal("fraction"), rs.getBigDecimal("max_lot_price_usd"),
                            rs.getLong("auction_version"), rs.getBigDecimal("lot_price_usd"), rs.getBigDecimal("paid_usd"),
                            BidStatus.valueOf(rs.getString("status")), Instant.ofEpochMilli(rs.getLong("placed_at_ms")),
                            settledNull ? null : Instant.ofEpochMilli(settled), rs.getBigDecimal("penalty_usd"),
                            rs.getBoolean("takeover"), rs.getBigDecimal("bad_debt_usd"), rs.getString("fund_account_id"),
                            rs.getString("bucket_instrument")});
                    items.put(rs.getString("bid_id"), new ArrayList<>());
                }
            }
        }
        if (rows.isEmpty()) {
            return List.of();
        }
        try (PreparedStatement s = c.prepareStatement("""
                SELECT bi.bid_id, bi.kind, bi.instrument, bi.chain_id, bi.asset, bi.quantity
                FROM bid_item bi JOIN bid b ON b.bid_id = bi.bid_id WHERE """ + " " + where + " ORDER BY bi.bid_id, bi.idx")) {
            s.setString(1, arg);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    items.get(rs.getString("bid_id")).add(lotItem(rs));
                }
            }
        }
        List<Bid> bids = new ArrayList<>();
        for (Object[] r : rows) {
            bids.add(new Bid((String) r[0], (String) r[1], (String) r[2], (String) r[3], (BigDecimal) r[4],
                    (BigDecimal) r[5], (Long) r[6], (BigDecimal) r[7], (BigDecimal) r[8], (BidStatus) r[9],
                    (Instant) r[10], (Instant) r[11], items.get((String) r[0]), (BigDecimal) r[12], (Boolean) r[13],
                    (BigDecimal) r[14], (String) r[15], (String) r[16]));
        }
        return bids;
    }

    /** The auctions with their lots and bids, all read from one snapshot (a bid committing meanwhile is in none of it). */
    private List<Auction> query(String sql, List<Object> args) {
        return Transactions.snapshot(dataSource, "reading auctions", c -> {
            List<Auction> headers = new ArrayList<>();
            try (PreparedStatement s = c.prepareStatement(sql)) {
                for (int i = 0; i < args.size(); i++) {
                    s.setObject(i + 1, args.get(i));
                }
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        headers.add(auctionHeader(rs, List.of(), List.of()));
                    }
                }
            }
            List<Auction> result = new ArrayList<>();
            for (Auction h : headers) {
                List<LotItem> lot = new ArrayList<>();
                try (PreparedStatement l = c.prepareStatement("""
                        SELECT kind, instrument, chain_id, asset, quantity FROM lot_item WHERE auction_id = ? ORDER BY idx""")) {
                    l.setString(1, h.auctionId());
                    try (ResultSet lr = l.executeQuery()) {
                        while (lr.next()) {
                            lot.add(lotItem(lr));
                        }
                    }
                }
                List<Bid> bids = readBids(c, "b.auction_id = ?", h.auctionId());
                result.add(new Auction(h.auctionId(), h.seq(), h.accountId(), h.status(), h.version(), h.startedAt(),
                        h.startValueUsd(), h.remainingFraction(), h.curve(), lot, bids, h.closedAt(), h.epoch(),
                        h.epochStartedAt(), h.epochStartValueUsd(), h.cancelReason(), h.claimedAt(), h.buffer(), h.lotFraction(),
                        h.bucketInstrument()));
            }
            return result;
        });
    }

    private static Auction auctionHeader(ResultSet rs, List<LotItem> lot, List<Bid> bids) throws SQLException {
        return new Auction(rs.getString("auction_id"), rs.getLong("seq"), rs.getString("account_id"),
                AuctionStatus.valueOf(rs.getString("status")), rs.getLong("version"),
                instant(rs, "started_at_ms"), rs.getBigDecimal("start_value_usd"),
                rs.getBigDecimal("remaining_fraction"), curve(rs), lot, bids, instant(rs, "closed_at_ms"),
                rs.getInt("epoch"), instant(rs, "epoch_started_at_ms"),
                rs.getBigDecimal("epoch_start_value_usd"), rs.getString("cancel_reason"), instant(rs, "claimed_at_ms"),
                buffer(rs), rs.getBigDecimal("lot_fraction"), rs.getString("bucket_instrument"));
    }

    /** The buffer target of an auction opened since V6 from a view with the figures (re-based since V7); null otherwise. */
    private static BufferTarget buffer(ResultSet rs) throws SQLException {
        BigDecimal share = rs.getBigDecimal("buffer_share");
        if (share == null) {
            return null;
        }
        BigDecimal baseRemaining = rs.getBigDecimal("buffer_base_remaining_fraction");
        BigDecimal baseProceeds = rs.getBigDecimal("buffer_base_proceeds_usd");
        // NULL base: based at the open (V7's columns are set only by a re-basing reset)
        return new BufferTarget(rs.getBigDecimal("open_equity_usd"), rs.getBigDecimal("open_maintenance_margin_usd"),
                rs.getBigDecimal("open_initial_margin_usd"), rs.getBigDecimal("open_realized_pnl_usd"),
                rs.getBigDecimal("open_cash_value_usd"), share, baseRemaining == null ? BigDecimal.ONE : baseRemaining,
                baseProceeds == null ? BigDecimal.ZERO : baseProceeds, rs.getBigDecimal("lot_fraction"));
    }

    /** A Unix-millisecond column; null when NULL (an auction that never opened has no start). */
    private static Instant instant(ResultSet rs, String column) throws SQLException {
        long value = rs.getLong(column);
        return rs.wasNull() ? null : Instant.ofEpochMilli(value);
    }

    private static PriceCurve curve(ResultSet rs) throws SQLException {
        return new PriceCurve(PriceCurve.Kind.valueOf(rs.getString("curve_kind")), rs.getBigDecimal("curve_buf"),
                rs.getBigDecimal("curve_floor"), seconds(rs, "curve_duration_seconds"), seconds(rs, "curve_step_seconds"),
                rs.getBigDecimal("curve_cut"), Duration.ofSeconds(rs.getLong("curve_tail_seconds")),
                rs.getBigDecimal("curve_cusp"));
    }

    private static Duration seconds(ResultSet rs, String column) throws SQLException {
        long value = rs.getLong(column);
        return rs.wasNull() ? null : Duration.ofSeconds(value);
    }

    private static LotItem lotItem(ResultSet rs) throws SQLException {
        return new LotItem(LotItem.Kind.valueOf(rs.getString("kind")), rs.getString("instrument"), rs.getString("chain_id"),
                rs.getString("asset"), rs.getBigDecimal("quantity"));
    }

    private List<AuctionRef> refs(String sql, long... params) {
        List<AuctionRef> refs = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                s.setLong(i + 1, params[i]);
            }
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    refs.add(new AuctionRef(rs.getString(1), rs.getString(2)));
                }
            }
            return refs;
        } catch (SQLException e) {
            throw new StoreException("reading auctions for recovery failed", e);
        }
    }

    /** Runs a one-parameter UPDATE; the number of rows it changed. */
    private int update(String sql, String id) {
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, id);
            return s.executeUpdate();
        } catch (SQLException e) {
            throw new StoreException("update failed: " + sql, e);
        }
    }
}
