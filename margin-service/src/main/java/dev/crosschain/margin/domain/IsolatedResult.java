package dev.crosschain.margin.domain;

import java.math.BigDecimal;
import java.util.List;

/**
 * How an ISOLATED account's collateral is split (USD, scale 8).
 *
 * @param buckets            one per open position, by instrument name
 * @param freePoolIm         collateral value (IM haircuts) + realized PnL - every bucket's allocation: what
 *                           AdjustIsolatedMargin may move into a bucket and RequestWithdrawal may take out
 * @param freePoolMm         the same with MM haircuts
 * @param breachedInstrument the instrument of the worst bucket that is not HEALTHY (the first by name among
 *                           equals), whatever set the account's status; null when every bucket is HEALTHY
 * @param crossStatus        the status of the whole book in CROSS mode (collateral + realized PnL against the sum
 *                           of the positions' margins): the floor of the account's status, and what a withdrawal
 *                           must leave HEALTHY besides the free pool
 */
public record IsolatedResult(List<IsolatedBucket> buckets, BigDecimal freePoolIm, BigDecimal freePoolMm,
                             String breachedInstrument, RiskStatus crossStatus) {

    public IsolatedResult {
        buckets = List.copyOf(buckets);
    }

    /** The bucket of {@code instrument}, or null when the account has no open position in it. */
    public IsolatedBucket bucket(String instrument) {
        return buckets.stream().filter(b -> b.instrument().equals(instrument)).findFirst().orElse(null);
    }
}
