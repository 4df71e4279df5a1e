package dev.crosschain.margin.domain;

import dev.crosschain.margin.domain.portfolio.PortfolioResult;

import java.math.BigDecimal;
import java.util.List;

/**
 * An account valued and margined in its margin mode. USD figures at scale 8. Equity, unrealized PnL and
 * option value do not depend on the mode; the requirements (IM, MM), the status and the margin ratio do.
 *
 * @param positions   per position: in CROSS its standard-rule IM and MM; in PORTFOLIO those are 0 (the scenario
 *                    engine margins the whole book, not positions) and each position's share of the driving
 *                    scenario's loss is in {@code portfolio}'s groups
 * @param equity   collateral value (MM haircuts) + unrealized + realized + option value: the reported equity
 * @param equityIm the same with IM haircuts: compared with IM
 * @param marginRatio MM / equity; 0 when MM = 0; +Infinity when equity <= 0 and MM > 0
 * @param conservative some price was stale: stale positions were valued shocked against themselves
 * @param mode        the margin mode the requirements were computed in
 * @param portfolio   in PORTFOLIO mode, how the scenario engine made IM and MM; null in CROSS
 * @param parametersVersion the version of the {@link RiskParameters} set the figures were computed with; "" until
 *                    the engine that chose the set stamps it ({@link #withParametersVersion})
 * @param liquidationPrices per exposed underlying, where its index alone would liquidate the account; empty unless
 *                    the answer asked for them ({@link #withLiquidationPrices}: views shown to a client, not the
 *                    re-margin loop's)
 * @param isolated    in ISOLATED mode, the free pool and every position's bucket ({@link IsolatedMargin}); null in
 *                    the other modes
 */
public record AccountRisk(String accountId, boolean frozen, Collateral collateral, List<PositionRisk> positions,
                          BigDecimal realizedPnl, BigDecimal unrealizedPnl, BigDecimal optionValue,
                          BigDecimal equity, BigDecimal equityIm, BigDecimal initialMargin, BigDecimal maintenanceMargin,
                          double marginRatio, RiskStatus status, boolean conservative, List<InputAge> inputAges, long asOfMs,
                          MarginMode mode, PortfolioResult portfolio, String parametersVersion,
                          List<LiquidationPrice> liquidationPrices, IsolatedResult isolated) {

    public AccountRisk {
        liquidationPrices = List.copyOf(liquidationPrices);
    }

    /** Figures of a mode without buckets. */
    public AccountRisk(String accountId, boolean frozen, Collateral collateral, List<PositionRisk> positions,
                       BigDecimal realizedPnl, BigDecimal unrealizedPnl, BigDecimal optionValue,
                       BigDecimal equity, BigDecimal equityIm, BigDecimal initialMargin, BigDecimal maintenanceMargin,
                       double marginRatio, RiskStatus status, boolean conservative, List<InputAge> inputAges, long asOfMs,
                       MarginMode mode, PortfolioResult portfolio, String parametersVersion,
                       List<LiquidationPrice> liquidationPrices) {
        this(accountId, frozen, collateral, positions, realizedPnl, unrealizedPnl, optionValue, equity, equityIm,
                initialMargin, maintenanceMargin, marginRatio, status, conservative, inputAges, asOfMs, mode, portfolio,
                parametersVersion, liquidationPrices, null);
    }

    /** The figures of the calculators, not yet stamped with the set's version, without liquidation prices (they are added per answer). */
    public AccountRisk(String accountId, boolean frozen, Collateral collateral, List<PositionRisk> positions,
                       BigDecimal realizedPnl, BigDecimal unrealizedPnl, BigDecimal optionValue,
                       BigDecimal equity, BigDecimal equityIm, BigDecimal initialMargin, BigDecimal maintenanceMargin,
                       double marginRatio, RiskStatus status, boolean conservative, List<InputAge> inputAges, long asOfMs,
                       MarginMode mode, PortfolioResult portfolio) {
        this(accountId, frozen, collateral, positions, realizedPnl, unrealizedPnl, optionValue, equity, equityIm,
                initialMargin, maintenanceMargin, marginRatio, status, conservative, inputAges, asOfMs, mode, portfolio, "",
                List.of());
    }

    /** The same figures, stamped with the version of the set that produced them. */
    public AccountRisk withParametersVersion(String version) {
        return new AccountRisk(accountId, frozen, collateral, positions, realizedPnl, unrealizedPnl, optionValue, equity,
                equityIm, initialMargin, maintenanceMargin, marginRatio, status, conservative, inputAges, asOfMs, mode,
                portfolio, version, liquidationPrices, isolated);
    }

    /** The same figures, with the account's freeze flag {@code frozen} (figures do not depend on it). */
    public AccountRisk withFrozen(boolean frozen) {
        return new AccountRisk(accountId, frozen, collateral, positions, realizedPnl, unrealizedPnl, optionValue, equity,
                equityIm, initialMargin, maintenanceMargin, marginRatio, status, conservative, inputAges, asOfMs, mode,
                portfolio, parametersVersion, liquidationPrices, isolated);
    }

    /** The same figures with {@code prices}. */
    public AccountRisk withLiquidationPrices(List<LiquidationPrice> prices) {
        return new AccountRisk(accountId, frozen, collateral, positions, realizedPnl, unrealizedPnl, optionValue, equity,
                equityIm, initialMargin, maintenanceMargin, marginRatio, status, conservative, inputAges, asOfMs, mode,
                portfolio, parametersVersion, prices, isolated);
    }
}
