package dev.crosschain.margin.domain;

import java.math.BigDecimal;

/**
 * One asset on one chain as collateral-service valued it.
 *
 * @param available   final and free, token units
 * @param price       USD per token unit
 * @param marketValue USD, no haircut
 * @param valueIm     USD after the IM haircut
 * @param valueMm     USD after the MM haircut
 */
public record CollateralLine(String chainId, String asset, BigDecimal available, BigDecimal price,
                             BigDecimal marketValue, BigDecimal valueIm, BigDecimal valueMm, boolean priceStale) {
}
