package dev.crosschain.pricing.domain;

/** A holding to revalue: signed quantity in units of underlying. */
public record BookPosition(Instrument instrument, double quantity) {
}
