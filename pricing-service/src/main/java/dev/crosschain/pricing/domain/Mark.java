package dev.crosschain.pricing.domain;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * The mark of one instrument.
 *
 * @param markPrice USD per unit (per unit of underlying for options); exact index for spot and perpetuals,
 *                  the expiry's forward for futures
 * @param forward   USD: the forward of the expiry options and futures are valued at, the index for the rest
 * @param stale     the underlying's index had no fresh source
 * @param greeks    options only, else null
 * @param vol       options only, else null
 * @param asOf      when the index used last changed
 */
public record Mark(Instrument instrument, BigDecimal markPrice, BigDecimal indexPrice, double forward, boolean stale,
                   OptionGreeks greeks, VolUsed vol, Instant asOf) {
}
