package dev.crosschain.margin.domain.portfolio;

import java.math.BigDecimal;

/**
 * What portfolio margin needs of a position besides its scenario P&L: the contingencies are
 * computed from these.
 *
 * @param instrument name, e.g. {@code ETH-27DEC26-3000-C}
 * @param underlying canonical underlying symbol, e.g. "ETH"
 * @param quantity   signed quantity, units of underlying (positive long)
 * @param option     true for an option, false for a perpetual or future
 * @param index      the underlying's index, USD per unit
 */
public record PositionExposure(String instrument, String underlying, BigDecimal quantity, boolean option,
                               BigDecimal index) {
}
