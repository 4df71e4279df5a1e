package dev.crosschain.pricing.domain;

/**
 * One arbitrage found in a fitted surface.
 *
 * @param type        BUTTERFLY (negative density within an expiry) or CALENDAR (total variance falls with time)
 * @param expiry      Deribit expiry code of the slice concerned, e.g. "27DEC26"
 * @param description where and by how much, e.g. the log-moneyness and the offending value
 */
public record ArbitrageViolation(String type, String expiry, String description) {
}
