package dev.crosschain.margin.domain;

import java.math.BigDecimal;

/**
 * The mark of one instrument as pricing-service gave it.
 *
 * @param mark    USD per unit
 * @param index   index of the underlying, USD per unit
 * @param delta   delta per unit (1 for perpetuals and futures)
 * @param stale   the underlying's index is stale
 * @param asOfMs  Unix ms of the index the mark came from
 */
public record MarketMark(String instrument, String underlying, BigDecimal mark, BigDecimal index, double delta,
                         boolean stale, long asOfMs) {
}
