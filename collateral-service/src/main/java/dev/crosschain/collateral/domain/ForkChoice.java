package dev.crosschain.collateral.domain;

import java.util.List;
import java.util.Optional;

/**
 * What a new header does to the stored chain. The newest header reported is the tip: every canonical block at
 * its height or above with another hash is orphaned (a replacement at a stored height is a reorg). A header
 * must connect to the stored canonical block below it: a parent hash that differs from that block is refused
 * (UNKNOWN_BLOCK) and changes nothing, because accepting it would leave the mismatched block below canonical
 * and let deposits on a dead fork become final. An adapter re-sends a fork from its fork point (the first block
 * whose parent is canonical), each replaced height orphaning the rest. With no canonical block stored below
 * Only an empty chain takes a header as it comes (its first header needs no parent). Once the chain has
 * canonical blocks every header must connect: a header above {@code tip + 1} is a gap and a header whose height
 * has no stored canonical block below (under the chain's first stored block) cannot be checked; both are refused
 * UNKNOWN_BLOCK, because a block whose ancestry is unknown could be on a dead fork.
 */
public final class ForkChoice {

    public static final String FINALITY_VIOLATION = "FINALITY_VIOLATION";

    private ForkChoice() {
    }

    /**
     * @param header            the reported header
     * @param tipHeight         the stored canonical tip's height, -1 when the chain has no block
     * @param parent            the stored canonical block at {@code height - 1}, if any
     * @param canonicalAtOrAbove the stored canonical blocks at {@code height} and above
     * @param sameHash          the stored block with the header's hash, canonical or not, if any
     * @throws InvalidInputException UNKNOWN_BLOCK when the chain has blocks and the header does not connect to
     *                               the stored canonical block below it
     */
    public static Decision decide(BlockHeaderEvent header, long tipHeight, Optional<StoredBlock> parent,
                                  List<StoredBlock> canonicalAtOrAbove, Optional<StoredBlock> sameHash) {
        return decide(header, tipHeight, parent, canonicalAtOrAbove, sameHash, "", Optional.empty());
    }

    /**
     * As {@link #decide(BlockHeaderEvent, long, Optional, List, Optional)} on a chain final by checkpoint, whose
     * finalized {@code checkpoint} (if any) no header may contradict: a header at or below the checkpoint's height
     * that is not the canonical block there, or a header right above it whose parent is not the checkpoint's
     * block, would reorganise final blocks (and the new fork would be final at once: finality is
     * min(checkpoint, head)). It is refused FINALITY_VIOLATION with a CRITICAL alert and changes nothing.
     *
     * @param chainId    the chain, for the alert
     * @param checkpoint the chain's finalized checkpoint block; empty when none or the chain is final by
     *                   confirmations
     */
    public static Decision decide(BlockHeaderEvent header, long tipHeight, Optional<StoredBlock> parent,
                                  List<StoredBlock> canonicalAtOrAbove, Optional<StoredBlock> sameHash,
                                  String chainId, Optional<StoredBlock> checkpoint) {
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
        boolean chainHasBlocks = tipHeight >= 0;
        if (chainHasBlocks && (header.parentHash() == null || header.parentHash().isBlank())
                && !(sameHash.isPresent() && sameHash.get().canonical())) {
            throw new InvalidInputException("MISSING_FIELD", "header.parent_hash",
                    "the parent hash is required once the block below is known");
        }
        if (sameHash.isPresent() && sameHash.get().canonical()) {
            return new Decision(true, false, List.of());
        }
        if (checkpoint.isPresent()) {
            refuseBelowFinality(header, chainId, checkpoint.get(), parent, canonicalAtOrAbove);
        }
        if (chainHasBlocks && header.height() > tipHeight + 1) {
            throw new InvalidInputException("UNKNOWN_BLOCK", "header.parent_hash", "header " + header.hash()
                    + " at height " + header.height() + " leaves a gap above the stored tip at height " + tipHeight
                    + ": send the headers from height " + (tipHeight + 1) + " on");
        }
        if (chainHasBlocks && parent.isEmpty()) {
            throw new InvalidInputException("UNKNOWN_BLOCK", "header.parent_hash", "header " + header.hash()
                    + " at height " + header.height() + " is below the first stored block of the chain:"
                    + " its parent " + header.parentHash() + " cannot be checked");
        }
        if (parent.isPresent() && !parent.get().hash().equals(header.parentHash())) {
            throw new InvalidInputException("UNKNOWN_BLOCK", "header.parent_hash", "header " + header.hash()
                    + " at height " + header.height() + " names parent " + header.parentHash()
                    + ", but the canonical block at height " + (header.height() - 1) + " is " + parent.get().hash()
                    + ": the header does not connect; send the fork from its fork point"
                    + " (the first block whose parent is canonical)");
        }
        List<StoredBlock> orphans = canonicalAtOrAbove.stream().filter(b -> !b.hash().equals(header.hash())).toList();
        return new Decision(false, !orphans.isEmpty(), orphans);
    }

    /**
     * A header that is not canonical already (the caller checked) must not replace the canonical block at a final
     * height, nor hang under a final block that is not its parent. A height with no stored canonical block (below
     * the chain's first stored block) is left to the connection rules (UNKNOWN_BLOCK): nothing final is replaced.
     */
    private static void refuseBelowFinality(BlockHeaderEvent header, String chainId, StoredBlock checkpoint,
                                            Optional<StoredBlock> parent, List<StoredBlock> canonicalAtOrAbove) {
        long finalHeight = checkpoint.height();
        Optional<StoredBlock> there = canonicalAtOrAbove.stream().filter(b -> b.height() == header.height()).findFirst();
        if (header.height() <= finalHeight && there.isPresent()) {
            throw finalityViolation(chainId, header, "header.hash", "header " + header.hash() + " at height "
                    + header.height() + " on " + chainId + " would replace block " + there.get().hash()
                    + ", final under the checkpoint " + checkpoint.hash() + " at height " + finalHeight);
        }
        if (header.height() == finalHeight + 1 && parent.isPresent() && !parent.get().hash().equals(header.parentHash())) {
            throw finalityViolation(chainId, header, "header.parent_hash", "header " + header.hash() + " at height "
                    + header.height() + " on " + chainId + " names parent " + header.parentHash()
                    + ", but the final block at height " + finalHeight + " is " + parent.get().hash());
        }
    }

    private static AlertedRejection finalityViolation(String chainId, BlockHeaderEvent header, String field, String what) {
        String message = what + ": a reorganisation below the finalized checkpoint; refused, nothing changed";
        return new AlertedRejection(FINALITY_VIOLATION, field, message, new AlertedRejection.Alert(true,
                FINALITY_VIOLATION, chainId, "", message,
                "finality:" + chainId + ":" + header.height() + ":" + header.hash() + ":" + header.parentHash()));
    }

    /**
     * @param duplicate      the header is stored and canonical already: nothing to do
     * @param reorg          the header replaces stored canonical blocks at its height or above
     * @param orphans        stored canonical blocks that stop being canonical
     */
    public record Decision(boolean duplicate, boolean reorg, List<StoredBlock> orphans) {
    }
}
