package dev.crosschain.benchmarks;

import dev.crosschain.pricing.domain.OptionType;

/**
 * A fixed set of options, generated exactly as benchmarks/c/black76_ref.c generates it: Knuth's MMIX
 * linear congruential generator from the same seed, and only +, -, * on its outputs, so both languages
 * price bit-identical inputs.
 */
final class OptionSet {

    static final int SIZE = 1024;
    static final long SEED = 20240603L;

    final boolean[] call = new boolean[SIZE];
    final double[] forward = new double[SIZE];
    final double[] strike = new double[SIZE];
    final double[] years = new double[SIZE];
    final double[] vol = new double[SIZE];

    OptionSet() {
        long state = SEED;
        for (int i = 0; i < SIZE; i++) {
            state = next(state);
            call[i] = uniform(state) < 0.5;
            state = next(state);
            forward[i] = 1000.0 + 3000.0 * uniform(state);
            state = next(state);
            // strikes from 70% to 140% of the forward, a week to two years, 20% to 150% vol: every price has
            // a time value, so every one has an implied vol
            strike[i] = forward[i] * (0.7 + 0.7 * uniform(state));
            state = next(state);
            years[i] = 7.0 / 365.0 + 2.0 * uniform(state);
            state = next(state);
            vol[i] = 0.2 + 1.3 * uniform(state);
        }
    }

    OptionType type(int i) {
        return call[i] ? OptionType.CALL : OptionType.PUT;
    }

    private static long next(long state) {
        return state * 6364136223846793005L + 1442695040888963407L;
    }

    /** The top 53 bits as a double in [0, 1). */
    private static double uniform(long state) {
        return (state >>> 11) * 0x1p-53;
    }
}
