/**
 * The expected-shortfall model and its anti-procyclicality tools, pure and deterministic.
 *
 * <ul>
 *   <li>{@link dev.crosschain.margin.domain.history.PriceHistory}: daily closes, consecutive days; moves are
 *       simple relative returns (what a scenario's spot shock is).</li>
 *   <li>{@link dev.crosschain.margin.domain.history.HistoricalScenarios}: joint h-day moves of every
 *       underlying over a look-back, one overlapping window per day; the stressed look-back is all shared
 *       history up to ten years.</li>
 *   <li>{@link dev.crosschain.margin.domain.history.ExpectedShortfall}: the tail average at 97.5% with a
 *       fractional boundary scenario.</li>
 *   <li>{@link dev.crosschain.margin.domain.history.HistoricalSimulation}: ES x look-back x holding period,
 *       the model's parameters in one record.</li>
 *   <li>{@link dev.crosschain.margin.domain.history.Procyclicality}: floor, buffer, rise cap over a
 *       requirement series.</li>
 * </ul>
 * Risk math in double; money is rounded where a figure leaves the domain, not here.
 */
package dev.crosschain.margin.domain.history;
