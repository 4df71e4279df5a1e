package dev.crosschain.collateral.domain;

/** A block header as an adapter reported it. */
public record BlockHeaderEvent(long height, String hash, String parentHash, long timestampUnixMs) {

    /**
     * The header's texts are fit to store and to compare: hash required and parent hash optional (the chain's
     * first header needs none; {@link ForkChoice} says when it is required), each 1 to {@link WireText#MAX_HASH}
     * printable ASCII characters, else INVALID_BLOCK_HASH (MISSING_FIELD for no hash). Returns this header.
     */
    public BlockHeaderEvent validate() {
        WireText.requireHash(hash, "header.hash", "INVALID_BLOCK_HASH", "the block hash");
        if (parentHash != null && !parentHash.isEmpty() && !WireText.printableAscii(parentHash, WireText.MAX_HASH)) {
            throw new InvalidInputException("INVALID_BLOCK_HASH", "header.parent_hash", WireText.hashRule(parentHash));
        }
        return this;
    }
}
