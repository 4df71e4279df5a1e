package dev.crosschain.margin.domain.history;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class ExpectedShortfallTest {

    static final double TOL = 1e-12;
    /** The random test's seed unless -Des.test.seed=... is given: fixed, so a run is reproducible. */
    static final long DEFAULT_SEED = 20_261_206L;

    @Test
    void integerTailIsThePlainAverageOfTheWorstLosses() {
        // 80 scenarios at 97.5%: k = 2, the two worst losses -100 and -60 (the rest small gains/losses)
        double[] pnl = new double[80];
        for (int i = 0; i < pnl.length; i++) {
            pnl[i] = (i % 7) - 3; // -3..3
        }
        pnl[11] = -60;
        pnl[42] = -100;
        ExpectedShortfall.Result r = ExpectedShortfall.DEFAULT.of(pnl);
        assertThat(r.tailCount()).isEqualTo(2.0);
        assertThat(r.tail()).containsExactly(42, 11);
        assertThatThrownBy(() -> r.tail().set(0, 7)).isInstanceOf(UnsupportedOperationException.class);
        assertThat(r.shortfall()).isCloseTo(80.0, within(TOL));
    }

    @Test
    void fractionalTailWeighsTheBoundaryScenario() {
        // 100 scenarios at 97.5%: k = 2.5 -> (100 + 60 + 0.5 x 40) / 2.5 = 72
        double[] pnl = new double[100];
        pnl[5] = -40;
        pnl[6] = -100;
        pnl[7] = -60;
        pnl[8] = -30;
        pnl[9] = 500;
        ExpectedShortfall.Result r = ExpectedShortfall.DEFAULT.of(pnl);
        assertThat(r.tailCount()).isEqualTo(2.5);
        assertThat(r.tail()).containsExactly(6, 7, 5);
        assertThat(r.shortfall()).isCloseTo(72.0, within(TOL));
    }

    @Test
    void fewerScenariosThanOneTailGiveTheWorstLoss() {
        // 10 scenarios: k = 0.25, the tail lies within the worst scenario
        double[] pnl = {5, -7, 3, -2, 0, 1, 1, 1, 1, -6.5};
        assertThat(ExpectedShortfall.DEFAULT.of(pnl).shortfall()).isCloseTo(7.0, within(TOL));
        assertThat(ExpectedShortfall.DEFAULT.of(pnl).tail()).containsExactly(1);
    }

    @Test
    void otherLevels() {
        // 10 scenarios at 80%: k = 2 -> (7 + 6.5) / 2
        double[] pnl = {5, -7, 3, -2, 0, 1, 1, 1, 1, -6.5};
        assertThat(new ExpectedShortfall(0.8).of(pnl).shortfall()).isCloseTo(6.75, within(TOL));
        // 10 scenarios at 75%: k = 2.5 -> (7 + 6.5 + 0.5 x 2) / 2.5
        assertThat(new ExpectedShortfall(0.75).of(pnl).shortfall()).isCloseTo(5.8, within(TOL));
    }

    @Test
    void aBookThatOnlyGainsNeedsNothing() {
        double[] pnl = {1, 2, 3};
        assertThat(ExpectedShortfall.DEFAULT.of(pnl).shortfall()).isCloseTo(-1.0, within(TOL));
        assertThat(ExpectedShortfall.DEFAULT.requirement(pnl)).isZero();
    }

    @Test
    void esIsAtLeastTheVarAndPositivelyHomogeneousAndMonotone() {
        long seed = seed("ExpectedShortfallTest");
        Random random = new Random(seed);
        for (int run = 0; run < 200; run++) {
            int n = 1 + random.nextInt(600);
            double[] pnl = new double[n];
            for (int i = 0; i < n; i++) {
                pnl[i] = random.nextGaussian() * 100;
            }
            ExpectedShortfall.Result r = ExpectedShortfall.DEFAULT.of(pnl);
            double boundaryLoss = -pnl[r.tail().get(r.tail().size() - 1)];
            assertThat(r.shortfall()).as("seed %d run %d", seed, run).isGreaterThanOrEqualTo(boundaryLoss - 1e-9);
            double[] doubled = java.util.Arrays.stream(pnl).map(x -> 2 * x).toArray();
            assertThat(ExpectedShortfall.DEFAULT.of(doubled).shortfall()).isCloseTo(2 * r.shortfall(), within(1e-9));
            double[] worse = pnl.clone();
            worse[random.nextInt(n)] -= 50;
            assertThat(ExpectedShortfall.DEFAULT.of(worse).shortfall()).as("seed %d run %d", seed, run)
                    .isGreaterThanOrEqualTo(r.shortfall() - 1e-9);
        }
    }

    @Test
    void badInputIsRefused() {
        assertThatThrownBy(() -> ExpectedShortfall.DEFAULT.of(new double[0])).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ExpectedShortfall.DEFAULT.of(new double[]{1, Double.NaN}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("scenario 1");
        assertThatThrownBy(() -> new ExpectedShortfall(1.0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ExpectedShortfall(Double.NaN)).isInstanceOf(IllegalArgumentException.class);
    }

    /** Both tails of one sorted window give exactly requirement(moves) and requirement(-moves), on random windows. */
    @Test
    void unitRequirementsOfASortedWindowAreTheLongAndShortRequirements() {
        long seed = seed("unitRequirements");
        Random random = new Random(seed);
        for (int round = 0; round < 200; round++) {
            int n = 1 + random.nextInt(500);
            double[] moves = new double[n];
            double[] negated = new double[n];
            for (int i = 0; i < n; i++) {
                moves[i] = random.nextGaussian() * 0.05;
                negated[i] = -moves[i];
            }
            ExpectedShortfall es = new ExpectedShortfall(0.5 + 0.49 * random.nextDouble());
            double[] sorted = moves.clone();
            java.util.Arrays.sort(sorted);
            double[] both = es.unitRequirements(sorted, n);
            assertThat(both[0]).as("seed %d round %d", seed, round).isEqualTo(es.requirement(moves));
            assertThat(both[1]).as("seed %d round %d", seed, round).isEqualTo(es.requirement(negated));
        }
    }

    /** The random tests' seed, printed so a failure replays: -Des.test.seed, else the fixed default. */
    private static long seed(String test) {
        long seed = Long.getLong("es.test.seed", DEFAULT_SEED);
        System.out.println(test + " seed " + seed + " (replay or vary: -Des.test.seed=" + seed + ")");
        return seed;
    }
}
