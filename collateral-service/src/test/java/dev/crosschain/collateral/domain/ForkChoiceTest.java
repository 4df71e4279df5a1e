package dev.crosschain.collateral.domain;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ForkChoiceTest {

    static final StoredBlock B10 = new StoredBlock(10, "h10", "h9", true);
    static final StoredBlock B11 = new StoredBlock(11, "h11", "h10", true);
    static final StoredBlock B12 = new StoredBlock(12, "h12", "h11", true);

    @Test
    void theFirstHeaderNeedsNoParent() {
        ForkChoice.Decision d = ForkChoice.decide(new BlockHeaderEvent(10, "h10", "", 0), -1, Optional.empty(), List.of(), Optional.empty());
        assertThat(d.reorg()).isFalse();
        assertThat(d.duplicate()).isFalse();
        assertThat(d.orphans()).isEmpty();
    }

    @Test
    void aChildOfTheTipExtendsTheChain() {
        ForkChoice.Decision d = ForkChoice.decide(new BlockHeaderEvent(11, "h11", "h10", 0), 10, Optional.of(B10), List.of(), Optional.empty());
        assertThat(d.reorg()).isFalse();
        assertThat(d.orphans()).isEmpty();
    }

    @Test
    void theSameCanonicalHeaderAgainIsADuplicate() {
        ForkChoice.Decision d = ForkChoice.decide(new BlockHeaderEvent(11, "h11", "h10", 0), 12, Optional.of(B10), List.of(B11, B12), Optional.of(B11));
        assertThat(d.duplicate()).isTrue();
        assertThat(d.orphans()).isEmpty();
    }

    @Test
    void aHeaderWhoseParentIsNotTheCanonicalBlockBelowIsRefused() {
        // stored 10, 11, 12; the adapter sends 12' whose parent 11' was never sent: 11 must not stay canonical under 12'
        BlockHeaderEvent forked = new BlockHeaderEvent(12, "h12b", "h11b", 0);
        assertThatThrownBy(() -> ForkChoice.decide(forked, 12, Optional.of(B11), List.of(B12), Optional.empty()))
                .isInstanceOfSatisfying(InvalidInputException.class, e -> {
                    assertThat(e.reason()).isEqualTo("UNKNOWN_BLOCK");
                    assertThat(e.violations()).singleElement().satisfies(v -> {
                        assertThat(v.field()).isEqualTo("header.parent_hash");
                        assertThat(v.description()).contains("h11b", "h11", "fork point");
                    });
                });
    }

    @Test
    void aHeaderAboveTheTipWhoseParentIsNotTheTipIsRefused() {
        // stored 10, 11 (tip); 12' with parent 11': nothing above to orphan, still refused
        assertThatThrownBy(() -> ForkChoice.decide(new BlockHeaderEvent(12, "h12b", "h11b", 0), 11, Optional.of(B11), List.of(), Optional.empty()))
                .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.reason()).isEqualTo("UNKNOWN_BLOCK"));
    }

    @Test
    void anOrphanedBlockThatNoLongerConnectsIsRefused() {
        // 12 was orphaned when 11 was replaced by 11b; 12 names 11 as parent, the canonical 11 is now 11b
        StoredBlock orphaned12 = new StoredBlock(12, "h12", "h11", false);
        StoredBlock b11b = new StoredBlock(11, "h11b", "h10", true);
        assertThatThrownBy(() -> ForkChoice.decide(new BlockHeaderEvent(12, "h12", "h11", 0), 11, Optional.of(b11b), List.of(), Optional.of(orphaned12)))
                .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.reason()).isEqualTo("UNKNOWN_BLOCK"));
    }

    @Test
    void aForkSentFromItsForkPointIsAReorgOrphaningTheHeightAndAbove() {
        // stored 10, 11, 12; the fork 11', 12', ... starts at 11' whose parent is the canonical 10
        ForkChoice.Decision d = ForkChoice.decide(new BlockHeaderEvent(11, "h11b", "h10", 0), 12, Optional.of(B10), List.of(B11, B12), Optional.empty());
        assertThat(d.duplicate()).isFalse();
        assertThat(d.reorg()).isTrue();
        assertThat(d.orphans()).containsExactly(B11, B12);
        // then 12' connects to the new canonical 11'
        StoredBlock b11b = new StoredBlock(11, "h11b", "h10", true);
        ForkChoice.Decision next = ForkChoice.decide(new BlockHeaderEvent(12, "h12b", "h11b", 0), 11, Optional.of(b11b), List.of(), Optional.empty());
        assertThat(next.reorg()).isFalse();
        assertThat(next.orphans()).isEmpty();
    }

    @Test
    void aHeaderAboveTipPlusOneIsAGapAndRefused() {
        // stored 10, 11 (tip); 13 names 12, never sent: its ancestry is unknown
        assertThatThrownBy(() -> ForkChoice.decide(new BlockHeaderEvent(13, "h13", "h12", 0), 11, Optional.empty(), List.of(), Optional.empty()))
                .isInstanceOfSatisfying(InvalidInputException.class, e -> {
                    assertThat(e.reason()).isEqualTo("UNKNOWN_BLOCK");
                    assertThat(e.violations()).singleElement().satisfies(v -> assertThat(v.description()).contains("gap", "12"));
                });
    }

    @Test
    void aHeaderBelowTheFirstStoredBlockCannotBeCheckedAndIsRefused() {
        // the chain's first stored block is 10 (tip 11); 10' names 9, never stored
        assertThatThrownBy(() -> ForkChoice.decide(new BlockHeaderEvent(10, "h10b", "h9", 0), 11, Optional.empty(), List.of(B10, B11), Optional.empty()))
                .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.reason()).isEqualTo("UNKNOWN_BLOCK"));
        // but the first block itself, re-sent as it was (without a parent), is a duplicate
        ForkChoice.Decision again = ForkChoice.decide(new BlockHeaderEvent(10, "h10", "", 0), 11, Optional.empty(), List.of(B10, B11), Optional.of(B10));
        assertThat(again.duplicate()).isTrue();
    }

    @Test
    void onlyAnEmptyChainTakesAHeaderWithoutAParentAtAnyHeight() {
        ForkChoice.Decision d = ForkChoice.decide(new BlockHeaderEvent(14, "h14", "h13", 0), -1, Optional.empty(), List.of(), Optional.empty());
        assertThat(d.reorg()).isFalse();
        assertThat(d.orphans()).isEmpty();
        assertThatThrownBy(() -> ForkChoice.decide(new BlockHeaderEvent(12, "h12", "", 0), 11, Optional.of(B11), List.of(), Optional.empty()))
                .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.reason()).isEqualTo("MISSING_FIELD"));
    }

    @Test
    void aReplacementAtAStoredHeightIsAReorgEvenWithTheRightParent() {
        ForkChoice.Decision d = ForkChoice.decide(new BlockHeaderEvent(11, "h11b", "h10", 0), 12, Optional.of(B10), List.of(B11, B12), Optional.empty());
        assertThat(d.reorg()).isTrue();
        assertThat(d.orphans()).containsExactly(B11, B12);
    }

    @Test
    void anOrphanedBlockCanBecomeCanonicalAgain() {
        StoredBlock orphaned = new StoredBlock(11, "h11", "h10", false);
        StoredBlock other = new StoredBlock(11, "h11b", "h10", true);
        ForkChoice.Decision d = ForkChoice.decide(new BlockHeaderEvent(11, "h11", "h10", 0), 11, Optional.of(B10), List.of(other), Optional.of(orphaned));
        assertThat(d.duplicate()).isFalse();
        assertThat(d.reorg()).isTrue();
        assertThat(d.orphans()).containsExactly(other);
    }

    @Test
    void refusesAMissingHashAMissingParentOrAHashAtAnotherHeight() {
        assertThatThrownBy(() -> ForkChoice.decide(new BlockHeaderEvent(11, "", "h10", 0), 10, Optional.of(B10), List.of(), Optional.empty()))
                .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.violations().get(0).field()).isEqualTo("header.hash"));
        assertThatThrownBy(() -> ForkChoice.decide(new BlockHeaderEvent(11, "h11", "", 0), 10, Optional.of(B10), List.of(), Optional.empty()))
                .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.violations().get(0).field()).isEqualTo("header.parent_hash"));
        assertThatThrownBy(() -> ForkChoice.decide(new BlockHeaderEvent(13, "h11", "h12", 0), 12, Optional.of(B12), List.of(), Optional.of(B11)))
                .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.reason()).isEqualTo("PROTOCOL_VIOLATION"));
    }

    // ---- a checkpoint chain: nothing at or below the finalized checkpoint is reorganised ----

    static final Optional<StoredBlock> CHECKPOINT_AT_11 = Optional.of(new StoredBlock(11, "h11", "", true));

    @Test
    void onACheckpointChainAReplacementAtOrBelowTheCheckpointIsAFinalityViolation() {
        // stored 10, 11, 12, checkpoint at 11: 11' (right parent 10) and 10' would replace final blocks
        assertFinalityViolation(() -> ForkChoice.decide(new BlockHeaderEvent(11, "h11b", "h10", 0), 12, Optional.of(B10),
                List.of(B11, B12), Optional.empty(), "cp", CHECKPOINT_AT_11), "header.hash");
        assertFinalityViolation(() -> ForkChoice.decide(new BlockHeaderEvent(10, "h10b", "h9", 0), 12, Optional.empty(),
                List.of(B10, B11, B12), Optional.empty(), "cp", CHECKPOINT_AT_11), "header.hash");
        // an orphaned block at a final height cannot come back either
        StoredBlock orphaned11 = new StoredBlock(11, "h11x", "h10", false);
        assertFinalityViolation(() -> ForkChoice.decide(new BlockHeaderEvent(11, "h11x", "h10", 0), 12, Optional.of(B10),
                List.of(B11, B12), Optional.of(orphaned11), "cp", CHECKPOINT_AT_11), "header.hash");
    }

    @Test
    void onACheckpointChainAHeaderRightAboveTheCheckpointMustHangUnderIt() {
        // 12' names 11' as parent: the final 11 would be left under a block that is not its child
        assertFinalityViolation(() -> ForkChoice.decide(new BlockHeaderEvent(12, "h12b", "h11b", 0), 12, Optional.of(B11),
                List.of(B12), Optional.empty(), "cp", CHECKPOINT_AT_11), "header.parent_hash");
    }

    @Test
    void onACheckpointChainBlocksAboveTheCheckpointStillReorganiseAndFinalBlocksAreDuplicates() {
        ForkChoice.Decision above = ForkChoice.decide(new BlockHeaderEvent(12, "h12b", "h11", 0), 12, Optional.of(B11),
                List.of(B12), Optional.empty(), "cp", CHECKPOINT_AT_11);
        assertThat(above.reorg()).isTrue();
        assertThat(above.orphans()).containsExactly(B12);
        ForkChoice.Decision again = ForkChoice.decide(new BlockHeaderEvent(11, "h11", "h10", 0), 12, Optional.of(B10),
                List.of(B11, B12), Optional.of(B11), "cp", CHECKPOINT_AT_11);
        assertThat(again.duplicate()).isTrue();
        // the same replacement without a checkpoint (or on a confirmations chain) is an ordinary reorg
        ForkChoice.Decision reorg = ForkChoice.decide(new BlockHeaderEvent(11, "h11b", "h10", 0), 12, Optional.of(B10),
                List.of(B11, B12), Optional.empty(), "cp", Optional.empty());
        assertThat(reorg.orphans()).containsExactly(B11, B12);
        // below the first stored block nothing final is replaced: the connection rule answers
        assertThatThrownBy(() -> ForkChoice.decide(new BlockHeaderEvent(9, "h9", "h8", 0), 12, Optional.empty(),
                List.of(B10, B11, B12), Optional.empty(), "cp", CHECKPOINT_AT_11))
                .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.reason()).isEqualTo("UNKNOWN_BLOCK"));
    }

    static void assertFinalityViolation(org.assertj.core.api.ThrowableAssert.ThrowingCallable call, String field) {
        assertThatThrownBy(call).isInstanceOfSatisfying(AlertedRejection.class, e -> {
            assertThat(e.reason()).isEqualTo("FINALITY_VIOLATION");
            assertThat(e.violations()).singleElement().satisfies(v -> assertThat(v.field()).isEqualTo(field));
            assertThat(e.alert().critical()).isTrue();
            assertThat(e.alert().kind()).isEqualTo("FINALITY_VIOLATION");
            assertThat(e.alert().chainId()).isEqualTo("cp");
        });
    }
}
