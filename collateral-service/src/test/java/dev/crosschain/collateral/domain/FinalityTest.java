package dev.crosschain.collateral.domain;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class FinalityTest {

    @Test
    void theBlockItselfIsTheFirstConfirmation() {
        // ethereum: 3 confirmations. A deposit in block 100 is final once the head is 102.
        assertThat(Fixtures.ETHEREUM.isFinal(100, 100)).isFalse();
        assertThat(Fixtures.ETHEREUM.isFinal(100, 101)).isFalse();
        assertThat(Fixtures.ETHEREUM.isFinal(100, 102)).isTrue();
        assertThat(Fixtures.ETHEREUM.isFinal(100, 500)).isTrue();
    }

    @Test
    void oneConfirmationIsFinalInItsOwnBlock() {
        assertThat(Finality.isFinal(7, 1, 7)).isTrue();
        assertThat(Finality.isFinal(7, 1, 6)).isFalse();
    }

    @Test
    void finalThroughIsTheHighestFinalHeight() {
        assertThat(Finality.finalThrough(32, 131)).isEqualTo(100);
        assertThat(Finality.isFinal(100, 32, 131)).isTrue();
        assertThat(Finality.isFinal(101, 32, 131)).isFalse();
        assertThat(Finality.finalThrough(3, -1)).isNegative();
    }
}
