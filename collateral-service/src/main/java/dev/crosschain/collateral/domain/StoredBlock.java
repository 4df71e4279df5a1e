package dev.crosschain.collateral.domain;

/** A header the ledger has stored. */
public record StoredBlock(long height, String hash, String parentHash, boolean canonical) {
}
