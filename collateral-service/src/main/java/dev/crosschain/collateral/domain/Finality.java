package dev.crosschain.collateral.domain;

/** The confirmation rule: a block counts as its own first confirmation. */
public final class Finality {

    private Finality() {
    }

    /** True when {@code blockHeight + confirmations - 1 <= headHeight}. */
    public static boolean isFinal(long blockHeight, int confirmations, long headHeight) {
        return blockHeight + confirmations - 1 <= headHeight;
    }

    /** The greatest block height that is final with the head at {@code headHeight} (may be negative: none). */
    public static long finalThrough(int confirmations, long headHeight) {
        return headHeight - confirmations + 1;
    }
}
