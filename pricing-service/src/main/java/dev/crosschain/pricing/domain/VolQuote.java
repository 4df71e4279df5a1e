package dev.crosschain.pricing.domain;

/** A quoted option as implied vols; a missing side is NaN (at least one side is present). */
public record VolQuote(Instrument.Option option, double bidVol, double askVol) {
}
