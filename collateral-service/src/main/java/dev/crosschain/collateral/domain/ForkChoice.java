package dev.crosschain.collateral.domain;

import java.util.List;
import java.util.Optional;

/**
 * What a new header does to the stored chain. The newest header reported is the tip: every canonical block at
 * its height or above with another hash is orphaned (a replacement at a stored height is a reorg), and a
 * parent hash that differs from the stored canonical block below is a reorg as well. Blocks below the header
 * are not touched; an adapter re-sends a fork from its fork point, each replaced height orphaning the rest.
 */
public final class ForkChoice {

    private ForkChoice() {
    }

    /**
     * @param header            the reported header
     * @param parent            the stored canonical block at {@code height - 1}, if any
     * @param canonicalAtOrAbove the stored canonical blocks at {@code height} and above
     * @param sameHash          the stored block with the header's hash, canonical or not, if any
     */
    public static Decision decide(BlockHeaderEvent header, Optional<StoredBlock> parent,
                                  List<StoredBlock> canonicalAtOrAbove, Optional<StoredBlock> sameHash) {
        if (header.hash() == null || header.hash().isBlank()) {
            throw new InvalidInputException("MISSING_FIELD", "header.hash", "the block hash is required");
        }
        if (header.height() < 0) {
            throw new InvalidInputException("PROTOCOL_VIOLATION", "header.height", "height out of range: " + header.height());
        }
        if (sameHash.isPresent() && sameHash.get().height() != header.height()) {
            throw new InvalidInputException("PROTOCOL_VIOLATION", "header.hash", "hash " + header.hash()
                    + " was reported at height " + sameHash.get().height() + ", now at " + header.height());
        }
        if (parent.isPresent() && (header.parentHash() == null || header.parentHash().isBlank())) {
            throw new InvalidInputException("MISSING_FIELD", "header.parent_hash",
                    "the parent hash is required once the block below is known");
        }
        if (sameHash.isPresent() && sameHash.get().canonical()) {
            return new Decision(true, false, false, List.of());
        }
        boolean parentMismatch = parent.isPresent() && !parent.get().hash().equals(header.parentHash());
        List<StoredBlock> orphans = canonicalAtOrAbove.stream().filter(b -> !b.hash().equals(header.hash())).toList();
        return new Decision(false, parentMismatch || !orphans.isEmpty(), parentMismatch, orphans);
    }

    /**
     * @param duplicate      the header is stored and canonical already: nothing to do
     * @param reorg          the header forks the stored chain
     * @param parentMismatch the parent hash differs from the stored block below
     * @param orphans        stored canonical blocks that stop being canonical
     */
    public record Decision(boolean duplicate, boolean reorg, boolean parentMismatch, List<StoredBlock> orphans) {
    }
}
