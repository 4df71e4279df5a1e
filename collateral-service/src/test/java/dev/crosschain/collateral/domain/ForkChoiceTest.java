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
        ForkChoice.Decision d = ForkChoice.decide(new BlockHeaderEvent(10, "h10", "", 0), Optional.empty(), List.of(), Optional.empty());
        assertThat(d.reorg()).isFalse();
        assertThat(d.duplicate()).isFalse();
        assertThat(d.orphans()).isEmpty();
    }

    @Test
    void aChildOfTheTipExtendsTheChain() {
        ForkChoice.Decision d = ForkChoice.decide(new BlockHeaderEvent(11, "h11", "h10", 0), Optional.of(B10), List.of(), Optional.empty());
        assertThat(d.reorg()).isFalse();
        assertThat(d.orphans()).isEmpty();
    }

    @Test
    void theSameCanonicalHeaderAgainIsADuplicate() {
        ForkChoice.Decision d = ForkChoice.decide(new BlockHeaderEvent(11, "h11", "h10", 0), Optional.of(B10), List.of(B11, B12), Optional.of(B11));
        assertThat(d.duplicate()).isTrue();
        assertThat(d.orphans()).isEmpty();
    }

    @Test
    void aParentMismatchIsAReorgOrphaningTheHeightAndAbove() {
        ForkChoice.Decision d = ForkChoice.decide(new BlockHeaderEvent(11, "h11b", "h10b", 0), Optional.of(B10), List.of(B11, B12), Optional.empty());
        assertThat(d.reorg()).isTrue();
        assertThat(d.parentMismatch()).isTrue();
        assertThat(d.orphans()).containsExactly(B11, B12);
    }

    @Test
    void aReplacementAtAStoredHeightIsAReorgEvenWithTheRightParent() {
        ForkChoice.Decision d = ForkChoice.decide(new BlockHeaderEvent(11, "h11b", "h10", 0), Optional.of(B10), List.of(B11, B12), Optional.empty());
        assertThat(d.reorg()).isTrue();
        assertThat(d.parentMismatch()).isFalse();
        assertThat(d.orphans()).containsExactly(B11, B12);
    }

    @Test
    void anOrphanedBlockCanBecomeCanonicalAgain() {
        StoredBlock orphaned = new StoredBlock(11, "h11", "h10", false);
        StoredBlock other = new StoredBlock(11, "h11b", "h10", true);
        ForkChoice.Decision d = ForkChoice.decide(new BlockHeaderEvent(11, "h11", "h10", 0), Optional.of(B10), List.of(other), Optional.of(orphaned));
        assertThat(d.duplicate()).isFalse();
        assertThat(d.reorg()).isTrue();
        assertThat(d.orphans()).containsExactly(other);
    }

    @Test
    void refusesAMissingHashAMissingParentOrAHashAtAnotherHeight() {
        assertThatThrownBy(() -> ForkChoice.decide(new BlockHeaderEvent(11, "", "h10", 0), Optional.of(B10), List.of(), Optional.empty()))
                .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.violations().get(0).field()).isEqualTo("header.hash"));
        assertThatThrownBy(() -> ForkChoice.decide(new BlockHeaderEvent(11, "h11", "", 0), Optional.of(B10), List.of(), Optional.empty()))
                .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.violations().get(0).field()).isEqualTo("header.parent_hash"));
        assertThatThrownBy(() -> ForkChoice.decide(new BlockHeaderEvent(13, "h11", "h12", 0), Optional.of(B12), List.of(), Optional.of(B11)))
                .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.reason()).isEqualTo("PROTOCOL_VIOLATION"));
    }
}
