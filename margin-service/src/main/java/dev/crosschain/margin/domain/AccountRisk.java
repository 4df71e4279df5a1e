package dev.crosschain.margin.domain;

import java.math.BigDecimal;
import java.util.List;

/**
 * An account valued under the cross-margin standard rules. USD figures at scale 8.
 *
 * @param equity   collateral value (MM haircuts) + unrealized + realized + option value: the reported equity
 * @param equityIm the same with IM haircuts: compared with IM
 * @param marginRatio MM / equity; 0 when MM = 0; +Infinity when equity <= 0 and MM > 0
 * @param conservative some price was stale: stale positions were valued shocked against themselves
 * @param mode        the margin mode the requirements were computed in
 */
public record AccountRisk(String accountId, boolean frozen, Collateral collateral, List<PositionRisk> positions,
                          BigDecimal realizedPnl, BigDecimal unrealizedPnl, BigDecimal optionValue,
                          BigDecimal equity, BigDecimal equityIm, BigDecimal initialMargin, BigDecimal maintenanceMargin,
                          double marginRatio, RiskStatus status, boolean conservative, List<InputAge> inputAges, long asOfMs,
                          MarginMode mode) {
}
