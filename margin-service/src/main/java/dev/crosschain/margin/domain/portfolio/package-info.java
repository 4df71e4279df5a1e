/**
 * Portfolio margin (DESIGN.md "Margin", portfolio mode): pure math, no I/O.
 *
 * <p>How a caller computes an account's figures:
 * <ol>
 *   <li>Describe the book: a {@link dev.crosschain.margin.domain.portfolio.PositionExposure} per open position
 *       and a {@link dev.crosschain.margin.domain.portfolio.CollateralExposure} per collateral line
 *       ({@code CollateralExposure.of} classifies collateral-service's lines by canonical asset; a HALTED
 *       chain's lines take haircuts of 1).</li>
 *   <li>{@link dev.crosschain.margin.domain.portfolio.ScenarioGrid#forBook}, given the underlyings whose index
 *       is stale or of low confidence, gives the scenarios; each maps
 *       one to one onto a pricing-service RevalueBook {@code Scenario} (scenario_id, one spot shock per
 *       underlying of its group, vol_shift with its reference days, tenor power and max scale, skew_shift).</li>
 *   <li>Call RevalueBook with the positions and {@code per_position = true}; its {@code position_pnl_usd}
 *       per scenario, in request order, is the {@code pnl[position][scenario]} matrix.</li>
 *   <li>{@link dev.crosschain.margin.domain.portfolio.PortfolioMargin#evaluate} with the underlyings whose
 *       index is stale or of low confidence; the result's MM is compared with equity at MM haircuts, its
 *       IM with equity at IM haircuts, as in cross mode.</li>
 * </ol>
 * {@link dev.crosschain.margin.domain.portfolio.PortfolioAccount} does these steps for an account (positions, marks,
 * collateral-service's lines) with the RevalueBook call passed in, and gives its AccountRisk in PORTFOLIO mode.
 * The same inputs give the same result bit for bit, so a stored input snapshot replays an Explain exactly.
 */
package dev.crosschain.margin.domain.portfolio;
