package dev.crosschain.liquidation.domain;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What margin-service reports of an account (GetAccountView): collateral lines (available amounts and
 * their market value), positions (quantity and mark value), and the account-level PnL figures, USD.
 * Read when an auction opens (the lot and its start value) and when it resets (the lot's value now).
 * {@code conservative}: margin-service found an input stale and made its figures conservative, so the
 * values are not today's marks. {@code inLiquidation}: margin-service's health status of the account is
 * LIQUIDATION (an auction opens only from a view that says so). {@code equityUsd}, {@code initialMarginUsd},
 * {@code maintenanceMarginUsd}: the account's figures, USD; null when the view left one out. {@code realizedPnlUsd}:
 * realized PnL not yet settled into collateral (part of the equity, not of the lot), USD; 0 when left out.
 * {@code buckets}: an ISOLATED account's buckets, by instrument (empty in the other modes): a breached one alone is
 * auctioned ({@link #breachedBucket}). {@code freePoolUsd}: an ISOLATED account's free pool, USD (collateral + realized
 * PnL - allocations); null in the other modes.
 */
public record AccountSnapshot(String accountId, List<Collateral> collateral, List<Position> positions,
                              BigDecimal unrealizedPnlUsd, BigDecimal optionValueUsd, boolean conservative,
                              boolean inLiquidation, BigDecimal equityUsd, BigDecimal initialMarginUsd,
                              BigDecimal maintenanceMarginUsd, BigDecimal realizedPnlUsd, List<Bucket> buckets,
                              BigDecimal freePoolUsd) {

    /**
     * One ISOLATED bucket as the view shows it (USD): margin-service's bucket of the position in {@code instrument}.
     *
     * @param inLiquidation the bucket's own status is LIQUIDATION
     */
    public record Bucket(String instrument, BigDecimal allocationUsd, BigDecimal equityUsd, BigDecimal initialMarginUsd,
                         BigDecimal maintenanceMarginUsd, boolean inLiquidation) {
    }

    /** A view without ISOLATED buckets (the account is CROSS or PORTFOLIO, or holds no position). */
    public AccountSnapshot(String accountId, List<Collateral> collateral, List<Position> positions,
                           BigDecimal unrealizedPnlUsd, BigDecimal optionValueUsd, boolean conservative,
                           boolean inLiquidation, BigDecimal equityUsd, BigDecimal initialMarginUsd,
                           BigDecimal maintenanceMarginUsd, BigDecimal realizedPnlUsd) {
        this(accountId, collateral, positions, unrealizedPnlUsd, optionValueUsd, conservative, inLiquidation, equityUsd,
                initialMarginUsd, maintenanceMarginUsd, realizedPnlUsd, List.of(), null);
    }

    /**
     * @param priceUsd   USD per token unit
     * @param valueMmUsd the line's value after margin-service's MM haircut, USD (what its equity counts)
     */
    public record Collateral(String chainId, String asset, BigDecimal amount, BigDecimal marketValueUsd,
                             BigDecimal priceUsd, BigDecimal valueMmUsd) {
    }

    /**
     * @param valueUsd the position's mark value, USD: its unrealized PnL plus its option value (what it
     *                 adds to {@link #markValueUsd()})
     */
    public record Position(String instrument, BigDecimal quantity, BigDecimal valueUsd) {
    }

    /** The value of a lot at the account's current marks, or why it has none. */
    public sealed interface LotValue {
        /** Every item valued: the sum, USD (exact up to {@value #PER_ITEM_SCALE} decimals per item). */
        record Valued(BigDecimal usd) implements LotValue {
        }

        /** An item the account's view cannot value now. */
        record Unvalued(String why) implements LotValue {
        }
    }

    /** Decimals kept of each item's value in {@link #valueOf} when its quantity changed since the open. */
    public static final int PER_ITEM_SCALE = 18;

    public AccountSnapshot {
        collateral = List.copyOf(collateral);
        positions = List.copyOf(positions);
        buckets = List.copyOf(buckets);
    }

    /**
     * The bucket to auction alone: the first by instrument in LIQUIDATION, unless the whole book is in liquidation in
     * CROSS terms (equity <= MM > 0, or the view left either out) or the free pool is below zero (margin-service's
     * MARGIN_CALL term for the pool; with a bucket breached as well, the pool cannot back the rest of the book, or
     * the view left it out): then the whole account is auctioned, as before.
     */
    public Optional<Bucket> breachedBucket() {
        boolean wholeBook = equityUsd == null || maintenanceMarginUsd == null
                || maintenanceMarginUsd.signum() > 0 && equityUsd.compareTo(maintenanceMarginUsd) <= 0
                || freePoolUsd == null || freePoolUsd.signum() < 0;
        if (wholeBook) {
            return Optional.empty();
        }
        return buckets.stream().filter(Bucket::inLiquidation).min(Comparator.comparing(Bucket::instrument));
    }

    /**
     * Why a breached bucket is auctioned with the whole account rather than alone, or empty when it can be auctioned
     * alone. A bucket bid pays the allocation it takes, net of its price, out of the account's USDC on the settlement
     * line ({@code chainId}/{@code asset}; penalty included, the account never pays more than the allocation over the
     * auction): a line holding less than the allocation could not settle every bid, nor the fund's takeover. A bucket
     * whose equity is <= 0 sells only at a price <= 0, which needs the insurance fund ({@code fundEnabled}); without
     * it every bid would be refused and the account stay frozen.
     */
    public Optional<String> wholeAccountInstead(Bucket bucket, String chainId, String asset, boolean fundEnabled) {
        if (!fundEnabled && bucket.equityUsd().signum() <= 0) {
            return Optional.of("its equity (" + bucket.equityUsd().toPlainString()
                    + " USD) is not positive and the insurance fund is off: no bid could buy it alone");
        }
        BigDecimal settlementLine = collateral.stream().filter(c -> c.chainId().equals(chainId) && c.asset().equals(asset))
                .map(Collateral::amount).reduce(BigDecimal.ZERO, BigDecimal::add);
        if (settlementLine.compareTo(bucket.allocationUsd()) < 0) {
            return Optional.of("its " + chainId + "/" + asset + " line (" + settlementLine.toPlainString()
                    + ") cannot pay out the bucket's allocation (" + bucket.allocationUsd().toPlainString() + " USD)");
        }
        return Optional.empty();
    }

    /** The lot of a bucket auction: the bucket's position and, when it holds any, its allocation. */
    public List<LotItem> bucketLot(Bucket bucket) {
        List<LotItem> items = new ArrayList<>();
        BigDecimal quantity = positionHolding(bucket.instrument()).quantity();
        if (quantity.signum() != 0) {
            items.add(LotItem.position(bucket.instrument(), quantity));
        }
        if (bucket.allocationUsd().signum() > 0) {
            items.add(LotItem.allocation(bucket.instrument(), bucket.allocationUsd()));
        }
        return items;
    }

    /** The mark value of a bucket's lot, USD: its allocation + its position's unrealized PnL and option value. */
    public BigDecimal bucketValueUsd(Bucket bucket) {
        return bucket.allocationUsd().add(positionHolding(bucket.instrument()).valueUsd());
    }

    /**
     * Where a bucket auction stops: the bucket's equity (its lot's value), its position's MM and IM, nothing outside
     * the lot (R = 0), and the proceeds counted whole (h = 1: margin-service adds them to the allocation, USD).
     */
    public BufferTarget bucketTarget(Bucket bucket, BigDecimal share) {
        return new BufferTarget(bucketValueUsd(bucket), bucket.maintenanceMarginUsd(), bucket.initialMarginUsd(),
                BigDecimal.ZERO, BigDecimal.ONE, share);
    }

    private Holding positionHolding(String instrument) {
        return holding(LotItem.position(instrument, BigDecimal.ONE), false);
    }

    /** The lot: every non-zero position, then every collateral line with a positive amount. */
    public List<LotItem> lot() {
        List<LotItem> items = new ArrayList<>();
        for (Position p : positions) {
            if (p.quantity().signum() != 0) {
                items.add(LotItem.position(p.instrument(), p.quantity()));
            }
        }
        for (Collateral c : collateral) {
            if (c.amount().signum() > 0) {
                items.add(LotItem.collateral(c.chainId(), c.asset(), c.amount()));
            }
        }
        return items;
    }

    /**
     * The value of {@code lot} (the lot as snapshotted at the open, its original quantities) at this
     * view's marks: per item, the account's current value of the instrument or collateral line per unit
     * (its value / its quantity now) times the item's original quantity. Per unit, so neither the part of
     * the lot bids took nor the cash bidders paid into the account moves it; a transfer moves positions
     * at the entry price, so what stays keeps its PnL per unit. Unvalued when an item's instrument or
     * line is missing from the view or its quantity is now zero (or, for a position, of the other sign):
     * nothing to take a per-unit value from.
     */
    public LotValue valueOf(List<LotItem> lot) {
        BigDecimal total = BigDecimal.ZERO;
        for (LotItem item : lot) {
            if (item.kind() == LotItem.Kind.ALLOCATION) {
                // USD: worth its amount, whatever the marks
                total = total.add(item.quantity());
                continue;
            }
            Holding now = holding(item, false);
            if (!now.values(item)) {
                return new LotValue.Unvalued(describe(item) + ": the account holds " + now.quantity().toPlainString()
                        + " now, the lot " + item.quantity().toPlainString());
            }
            total = total.add(now.valueOf(item));
        }
        return new LotValue.Valued(total);
    }

    /** What the account holds now of a lot item's instrument or collateral line: quantity and value, USD. */
    private record Holding(BigDecimal quantity, BigDecimal valueUsd) {
        /** Whether it gives {@code item} a per-unit value: held now, with the item's sign. */
        boolean values(LotItem item) {
            return quantity.signum() != 0 && quantity.signum() == item.quantity().signum();
        }

        /** The value of the item's quantity at this holding's value per unit. */
        BigDecimal valueOf(LotItem item) {
            return quantity.compareTo(item.quantity()) == 0 ? valueUsd
                    : valueUsd.multiply(item.quantity()).divide(quantity, PER_ITEM_SCALE, Money.ROUNDING);
        }
    }

    /**
     * The account's holding of the item's instrument or line; a line valued at market ({@code marginValue} false) or
     * after margin-service's MM haircut (true; a position's value is the same either way).
     */
    private Holding holding(LotItem item, boolean marginValue) {
        BigDecimal quantity = BigDecimal.ZERO;
        BigDecimal value = BigDecimal.ZERO;
        if (item.kind() == LotItem.Kind.POSITION) {
            for (Position p : positions) {
                if (p.instrument().equals(item.instrument())) {
                    quantity = quantity.add(p.quantity());
                    value = value.add(p.valueUsd());
                }
            }
        } else {
            for (Collateral c : collateral) {
                if (c.chainId().equals(item.chainId()) && c.asset().equals(item.asset())) {
                    quantity = quantity.add(c.amount());
                    value = value.add(marginValue ? c.valueMmUsd() : c.marketValueUsd());
                }
            }
        }
        return new Holding(quantity, value);
    }

    private static String describe(LotItem item) {
        return item.kind() == LotItem.Kind.POSITION ? "position " + item.instrument()
                : "collateral " + item.chainId() + "/" + item.asset();
    }

    /**
     * Where an auction of this account's lot stops, with {@code share} of the IM - MM gap, its proceeds paid into the
     * collateral line {@code chainId}/{@code asset} (counted at that line's MM haircut; not counted when the account
     * holds no such line); null when the view left out equity, IM or MM (the auction is then sold until empty).
     */
    public BufferTarget bufferTarget(BigDecimal share, String chainId, String asset) {
        if (equityUsd == null || initialMarginUsd == null || maintenanceMarginUsd == null) {
            return null;
        }
        BigDecimal cashValue = collateral.stream().filter(c -> c.chainId().equals(chainId) && c.asset().equals(asset))
                .findFirst().map(c -> BufferTarget.cashValue(c.priceUsd(), c.marketValueUsd(), c.valueMmUsd()))
                .orElse(BigDecimal.ZERO);
        return new BufferTarget(equityUsd, maintenanceMarginUsd, initialMarginUsd, realizedPnlUsd, cashValue, share);
    }

    /**
     * The target a reset re-bases an auction on ({@link BufferTarget}): this view's equity, MM and IM, R the part of the
     * equity selling what remains of the lot does not change (equity less the MM value of {@code remainingLot} in this
     * view, per unit as {@link #valueOf}: so R holds the realized PnL, the proceeds already received and anything else
     * outside the lot), h from this view's settlement line, and the base {@code baseRemaining} / {@code baseProceedsUsd}.
     * Null when the view left out equity, IM or MM, or cannot value an item of what remains (the caller keeps the
     * figures it had).
     *
     * @param remainingLot  what remains of the lot, its remaining quantities (items with none left are skipped)
     * @param baseRemaining the auction's remaining fraction of the whole lot now
     * @param baseProceedsUsd what the auction's bids paid the account so far, less their penalties, USDC
     * @param lotFraction   the part of the portfolio the auction's lot was at the open (1: the whole)
     */
    public BufferTarget rebasedTarget(BigDecimal share, String chainId, String asset, List<LotItem> remainingLot,
                                      BigDecimal baseRemaining, BigDecimal baseProceedsUsd, BigDecimal lotFraction) {
        BufferTarget fresh = bufferTarget(share, chainId, asset);
        if (fresh == null) {
            return null;
        }
        BigDecimal lotEquity = BigDecimal.ZERO;
        for (LotItem item : remainingLot) {
            if (item.quantity().signum() == 0) {
                continue;
            }
            Holding now = holding(item, true);
            if (!now.values(item)) {
                return null;
            }
            lotEquity = lotEquity.add(now.valueOf(item));
        }
        return new BufferTarget(equityUsd, maintenanceMarginUsd, initialMarginUsd, equityUsd.subtract(lotEquity),
                fresh.cashValueUsd(), share, baseRemaining, baseProceedsUsd, lotFraction);
    }

    /** The market value of the lot's collateral ({@link #lot()}) per "chain/asset" ({@link AuctionCaps#key}), USD. */
    public Map<String, BigDecimal> collateralValueByAsset() {
        Map<String, BigDecimal> values = new TreeMap<>();
        for (Collateral c : collateral) {
            if (c.amount().signum() > 0) {
                values.merge(AuctionCaps.key(c.chainId(), c.asset()), c.marketValueUsd(), BigDecimal::add);
            }
        }
        return values;
    }

    /**
     * Mark value V of the whole lot, USD: collateral market value + unrealized PnL + option value.
     * Kept exact; rounded to USD scale when shown.
     */
    public BigDecimal markValueUsd() {
        BigDecimal value = unrealizedPnlUsd.add(optionValueUsd);
        for (Collateral c : collateral) {
            value = value.add(c.marketValueUsd());
        }
        return value;
    }
}
