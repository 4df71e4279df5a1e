package dev.crosschain.collateral.domain;

/** A block header as an adapter reported it. */
public record BlockHeaderEvent(long height, String hash, String parentHash, long timestampUnixMs) {
}
