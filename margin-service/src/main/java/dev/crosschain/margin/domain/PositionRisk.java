package dev.crosschain.margin.domain;

import java.math.BigDecimal;

/**
 * One position valued and margined (USD, scale 8).
 *
 * @param markUsed      the mark the figures use: the quoted mark, or the stale-shocked one
 * @param unrealizedPnl qty x (mark - entry) for perpetuals and futures, 0 for options
 * @param optionValue   qty x mark for options (negative when short), 0 otherwise
 * @param delta         delta of the whole position, units of underlying
 */
public record PositionRisk(Position position, BigDecimal markUsed, BigDecimal unrealizedPnl, BigDecimal optionValue,
                           BigDecimal initialMargin, BigDecimal maintenanceMargin, double delta, boolean shocked) {
}
