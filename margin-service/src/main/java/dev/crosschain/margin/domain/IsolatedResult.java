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
 * @param breachedInstrument the instrument of the first bucket (by name) with the account's status when that is
 *                           not HEALTHY; null otherwise, or when only the free pool is short
 */
public record IsolatedResult(List<IsolatedBucket> buckets, BigDecimal freePoolIm, BigDecimal freePoolMm,
                             String breachedInstrument) {

    public IsolatedResult {
        buckets = List.copyOf(buckets);
    }

    /** The bucket of {@code instrument}, or null when the account has no open position in it. */
    public IsolatedBucket bucket(String instrument) {
        return buckets.stream().filter(b -> b.instrument().equals(instrument)).findFirst().orElse(null);
    }
}
