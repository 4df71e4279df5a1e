package dev.crosschain.pricing.domain;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class NelderMeadTest {

    private static final NelderMead.Objective ROSENBROCK =
            x -> 100 * (x[1] - x[0] * x[0]) * (x[1] - x[0] * x[0]) + (1 - x[0]) * (1 - x[0]);

    @Test
    void findsTheRosenbrockValley() {
        NelderMead.Minimum min = NelderMead.minimize(ROSENBROCK, new double[]{-1.2, 1}, new double[]{0.5, 0.5}, 1e-10, 5000);

        assertThat(min.x()[0]).isCloseTo(1, within(1e-6));
        assertThat(min.x()[1]).isCloseTo(1, within(1e-6));
        assertThat(min.evaluations()).isLessThan(5000);
    }

    @Test
    void refusedPointsCountAsInfinitelyBad() {
        // minimum of (x - 2)^2 on x <= 1, refusing x > 1 with NaN: lands on the boundary
        NelderMead.Objective bounded = x -> x[0] > 1 ? Double.NaN : (x[0] - 2) * (x[0] - 2);

        NelderMead.Minimum min = NelderMead.minimize(bounded, new double[]{-3}, new double[]{1}, 1e-10, 2000);

        assertThat(min.x()[0]).isCloseTo(1, within(1e-8));
    }

    @Test
    void stopsAtTheEvaluationBudget() {
        NelderMead.Minimum min = NelderMead.minimize(ROSENBROCK, new double[]{-1.2, 1}, new double[]{0.5, 0.5}, 0, 50);

        assertThat(min.evaluations()).isBetween(50, 52);
    }
}
