package dev.crosschain.margin.domain;

import java.math.BigDecimal;

/**
 * One position's collateral bucket in ISOLATED mode (USD, scale 8).
 *
 * @param allocation        USD moved from the free pool into the bucket (cents)
 * @param recorded          false while the allocation is the opening one the engine has not stored yet (a position
 *                          opened since the last re-evaluation, or one of a what-if)
 * @param equity            allocation + the position's unrealized PnL + its option value, as CROSS counts them
 * @param initialMargin     the standard rule of this position alone
 * @param maintenanceMargin the standard rule of this position alone
 * @param status            {@link RiskStatus#of} of this bucket alone (its USD allocation has no haircut)
 */
public record IsolatedBucket(String instrument, BigDecimal allocation, boolean recorded, BigDecimal equity,
                             BigDecimal initialMargin, BigDecimal maintenanceMargin, RiskStatus status) {
}
