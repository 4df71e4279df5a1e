package dev.crosschain.margin.app;

import dev.crosschain.margin.domain.AccountRisk;
import dev.crosschain.margin.domain.Decimals;
import dev.crosschain.margin.domain.PreconditionException;
import dev.crosschain.margin.domain.RiskStatus;

import java.math.BigDecimal;
import java.util.Map;

/** The rule a change that lowers an account's margin must pass (a withdrawal, a mode switch): healthy after it. */
final class HealthCheck {

    private HealthCheck() {
    }

    /**
     * FAILED_PRECONDITION INSUFFICIENT_MARGIN unless {@code after} is HEALTHY (equity with IM haircuts
     * >= IM, and not at or below MM). The ErrorInfo metadata carries initial_margin_after_usd,
     * equity_im_after_usd and shortfall_usd = max(IM - equity, 0), USD at scale 8.
     *
     * @param change what would be done, for the message, e.g. "the withdrawal"
     */
    static void requireHealthy(AccountRisk after, String change) {
        if (after.isolated() != null) {
            requirePoolAndBook(after, change);
            return;
        }
        if (after.status() == RiskStatus.HEALTHY) {
            return;
        }
        throw belowIm(after, change);
    }

    /**
     * An ISOLATED account: only the free pool limits the change (a bucket's own margin call or liquidation is its
     * own, not a reason to refuse), as long as the whole book stays HEALTHY in CROSS terms (the buckets are only as
     * good as the collateral behind them). INSUFFICIENT_MARGIN with {@link #poolShort}'s figures, else with the
     * book's (whose equity and IM the account's figures are), plus breached_instrument when a bucket is unhealthy.
     */
    private static void requirePoolAndBook(AccountRisk after, String change) {
        if (after.isolated().freePoolIm().signum() < 0) {
            throw poolShort(after.accountId(), change, after.isolated().freePoolIm());
        }
        if (after.isolated().crossStatus() != RiskStatus.HEALTHY) {
            throw belowIm(after, change + " (the whole book, every bucket and the free pool together)");
        }
    }

    private static PreconditionException belowIm(AccountRisk after, String change) {
        BigDecimal shortfall = after.initialMargin().subtract(after.equityIm()).max(BigDecimal.ZERO);
        Map<String, String> figures = new java.util.LinkedHashMap<>(Map.of("initial_margin_after_usd", usd(after.initialMargin()),
                "equity_im_after_usd", usd(after.equityIm()),
                "shortfall_usd", usd(shortfall)));
        if (after.isolated() != null && after.isolated().breachedInstrument() != null) {
            figures.put("breached_instrument", after.isolated().breachedInstrument());
        }
        return new PreconditionException("INSUFFICIENT_MARGIN", "accounts/" + after.accountId(),
                "after " + change + " equity (IM haircuts) " + usd(after.equityIm()) + " USD would be below IM "
                        + usd(after.initialMargin()) + " USD: short by " + usd(shortfall) + " USD", figures);
    }

    /**
     * FAILED_PRECONDITION INSUFFICIENT_MARGIN for an ISOLATED account whose free pool (IM haircuts) would be
     * {@code poolAfter} &lt; 0: only the free pool may leave it or go into a bucket. The ErrorInfo metadata carries
     * free_pool_after_usd and shortfall_usd = -free_pool_after_usd.
     */
    static PreconditionException poolShort(String accountId, String change, BigDecimal poolAfter) {
        BigDecimal shortfall = poolAfter.negate().max(BigDecimal.ZERO);
        return new PreconditionException("INSUFFICIENT_MARGIN", "accounts/" + accountId,
                "after " + change + " the free pool (IM haircuts) would be " + usd(poolAfter) + " USD: short by "
                        + usd(shortfall) + " USD",
                Map.of("free_pool_after_usd", usd(poolAfter), "shortfall_usd", usd(shortfall)));
    }

    /** A USD figure as the wire shows it (scale 8). */
    static String usd(BigDecimal value) {
        return Decimals.usd(value).toPlainString();
    }
}
