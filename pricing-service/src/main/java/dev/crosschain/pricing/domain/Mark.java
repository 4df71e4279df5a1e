package dev.crosschain.pricing.domain;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * The mark of one instrument.
 *
 * @param markPrice USD per unit (per unit of underlying for options); exact index for spot and perpetuals
 * @param greeks    options only, else null
 * @param vol       volatility used, options only, else 0
 */
public record Mark(Instrument instrument, BigDecimal markPrice, BigDecimal indexPrice, boolean stale,
                   OptionGreeks greeks, double vol, Instant asOf) {
}
