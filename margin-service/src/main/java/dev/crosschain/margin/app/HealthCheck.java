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
        if (after.status() == RiskStatus.HEALTHY) {
            return;
        }
        if (after.isolated() != null && after.isolated().freePoolIm().signum() < 0) {
            throw poolShort(after.accountId(), change, after.isolated().freePoolIm());
        }
        BigDecimal shortfall = after.initialMargin().subtract(after.equityIm()).max(BigDecimal.ZERO);
        throw new PreconditionException("INSUFFICIENT_MARGIN", "accounts/" + after.accountId(),
                "after " + change + " equity (IM haircuts) " + usd(after.equityIm()) + " USD would be below IM "
                        + usd(after.initialMargin()) + " USD: short by " + usd(shortfall) + " USD",
                Map.of("initial_margin_after_usd", usd(after.initialMargin()),
                        "equity_im_after_usd", usd(after.equityIm()),
                        "shortfall_usd", usd(shortfall)));
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
