package dev.crosschain.margin.domain;

import java.math.BigDecimal;

/**
 * The index levels of one underlying at which the account would reach liquidation if that underlying alone
 * moved (see {@link LiquidationPrices}).
 *
 * @param underlying  canonical underlying, e.g. "ETH"
 * @param index       its current index, USD per unit
 * @param below       the nearest liquidation index below {@code index}, USD per unit; null when none within the
 *                    ladder (or the account is liquidatable already)
 * @param above       the nearest above; null likewise
 * @param approximate not exact under the rules (a requirement held fixed, or interpolated over a curved interval)
 * @param method      how the figures were made, in words
 */
public record LiquidationPrice(String underlying, BigDecimal index, BigDecimal below, BigDecimal above,
                               boolean approximate, String method) {
}
