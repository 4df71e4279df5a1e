package dev.crosschain.margin.domain;

/** Age of one input of the figures, e.g. "index:ETH" or "collateral". */
public record InputAge(String input, long ageMs, boolean stale) {
}
