package dev.crosschain.margin.domain;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * ISOLATED mode: each open position has its own USD bucket taken from the account's free pool, judged alone by the
 * standard rules; the account is as healthy as its worst bucket. Stateless.
 *
 * <ul>
 *   <li>Bucket equity = allocation + the position's unrealized PnL + its option value (CROSS's figures of that
 *       position); IM and MM = the standard rule of that position alone; status by {@link RiskStatus#of}.</li>
 *   <li>Free pool = collateral value + realized PnL - all allocations: realized PnL of fills is the pool's (a
 *       closed position's allocation returns to it with its realized PnL).</li>
 *   <li>A position without a recorded allocation opens its bucket at {@link #openingAllocation} taken from what is
 *       left of the free pool (IM haircuts), in instrument order ({@link String#compareTo}, not the database's
 *       collation): what a fill's what-if shows and what the engine records at the next re-evaluation.</li>
 *   <li>Account figures: equity, IM and MM are the sums (equal to CROSS's). Status is the worst of: every bucket's,
 *       the CROSS status of the whole book (a bucket's allocation is only as good as the collateral behind it:
 *       when collateral crashes or a closed position's realized loss eats the pool, the account is liquidated as
 *       CROSS would), and MARGIN_CALL while the free pool (IM haircuts) is negative (collateral fell below what
 *       the buckets were given: no withdrawal, no move into a bucket).</li>
 * </ul>
 */
public final class IsolatedMargin {

    private IsolatedMargin() {
    }

    /**
     * The account of {@code cross} (its CROSS figures: per-position risks, collateral, realized PnL) in ISOLATED
     * mode with the recorded {@code allocations} (USD by instrument; entries of instruments without an open
     * position are ignored: they return to the pool).
     */
    public static AccountRisk evaluate(AccountRisk cross, Map<String, BigDecimal> allocations) {
        BigDecimal poolBase = cross.collateral().valueIm().add(cross.realizedPnl());
        BigDecimal poolBaseMm = cross.collateral().valueMm().add(cross.realizedPnl());
        BigDecimal allocated = BigDecimal.ZERO;
        for (PositionRisk p : cross.positions()) {
            BigDecimal a = allocations.get(p.position().instrument());
            if (a != null) {
                allocated = allocated.add(a);
            }
        }
        List<PositionRisk> byName = cross.positions().stream()
                .sorted(Comparator.comparing((PositionRisk p) -> p.position().instrument())).toList();
        List<IsolatedBucket> buckets = new ArrayList<>();
        for (PositionRisk p : byName) {
            String instrument = p.position().instrument();
            BigDecimal recorded = allocations.get(instrument);
            BigDecimal allocation;
            if (recorded != null) {
                allocation = recorded;
            } else {
                BigDecimal left = poolBase.subtract(allocated).max(BigDecimal.ZERO).setScale(2, RoundingMode.FLOOR);
                allocation = openingAllocation(p).min(left);
                allocated = allocated.add(allocation);
            }
            buckets.add(bucket(p, allocation, recorded != null));
        }
        BigDecimal poolIm = Decimals.usd(poolBase.subtract(allocated));
        BigDecimal poolMm = Decimals.usd(poolBaseMm.subtract(allocated));
        IsolatedBucket worst = null;
        for (IsolatedBucket b : buckets) {
            if (b.status() != RiskStatus.HEALTHY && (worst == null || b.status().compareTo(worst.status()) > 0)) {
                worst = b;
            }
        }
        RiskStatus status = worstOf(cross.status(), poolIm.signum() < 0 ? RiskStatus.MARGIN_CALL : RiskStatus.HEALTHY);
        if (worst != null) {
            status = worstOf(status, worst.status());
        }
        IsolatedResult result = new IsolatedResult(buckets, poolIm, poolMm, worst == null ? null : worst.instrument(),
                cross.status());
        return new AccountRisk(cross.accountId(), cross.frozen(), cross.collateral(), cross.positions(), cross.realizedPnl(),
                cross.unrealizedPnl(), cross.optionValue(), cross.equity(), cross.equityIm(), cross.initialMargin(),
                cross.maintenanceMargin(), cross.marginRatio(), status, cross.conservative(), cross.inputAges(), cross.asOfMs(),
                MarginMode.ISOLATED, null, cross.parametersVersion(), cross.liquidationPrices(), result);
    }

    private static RiskStatus worstOf(RiskStatus a, RiskStatus b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    /**
     * The allocation that brings a new bucket's equity to its IM: IM - (unrealized PnL + option value), rounded up
     * to the cent, at least 0. For a perpetual or future just opened this is its IM; a short option's bucket also
     * carries its mark value (the premium received went to the pool as realized PnL).
     */
    public static BigDecimal openingAllocation(PositionRisk p) {
        BigDecimal need = p.initialMargin().subtract(p.unrealizedPnl()).subtract(p.optionValue());
        return need.max(BigDecimal.ZERO).setScale(2, RoundingMode.CEILING);
    }

    /** The bucket of {@code p} holding {@code allocation}. */
    public static IsolatedBucket bucket(PositionRisk p, BigDecimal allocation, boolean recorded) {
        BigDecimal equity = Decimals.usd(allocation.add(p.unrealizedPnl()).add(p.optionValue()));
        return new IsolatedBucket(p.position().instrument(), Decimals.usd(allocation), recorded,
                equity, p.initialMargin(), p.maintenanceMargin(),
                RiskStatus.of(equity, equity, p.initialMargin(), p.maintenanceMargin()));
    }

    /** Every bucket's allocation as it would be recorded (opening ones included), by instrument. */
    public static Map<String, BigDecimal> allocations(IsolatedResult result) {
        Map<String, BigDecimal> out = new LinkedHashMap<>();
        result.buckets().forEach(b -> out.put(b.instrument(), b.allocation()));
        return out;
    }

    /** A USD amount is whole cents. */
    public static boolean inCents(BigDecimal usd) {
        return usd.stripTrailingZeros().scale() <= 2;
    }
}
