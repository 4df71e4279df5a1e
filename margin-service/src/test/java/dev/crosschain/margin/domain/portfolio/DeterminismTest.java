package dev.crosschain.margin.domain.portfolio;

import dev.crosschain.margin.domain.InvalidInputException;
import dev.crosschain.margin.domain.Violation;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Rounding direction, summation order and a hand-built grid (review Low 9, 10, 11). */
class DeterminismTest {

    static final ScenarioGrid SMALL = ScenarioGrid.of(PortfolioMarginTest.SMALL, Set.of("ETH"));

    /** A P&L vector that is 0 except {@code value} in scenario {@code s} of the SMALL grid. */
    static double[] only(int s, double value) {
        double[] row = new double[SMALL.scenarios().size()];
        row[s] = value;
        return row;
    }

    /**
     * Short 1 option at index 3,000.0001 losing 100.011 in ETH:-10%/vol0 (scenario 1), 0 elsewhere:
     * <pre>
     *   group loss 100.011 -> 100.02 (up; HALF_EVEN would give 100.01)
     *   net short option 0.01 x 3,000.0001 = 30.000001 -> 30.01 (up)
     *   MM = 130.03; IM = 1.5 x 130.03 = 195.045 -> 195.05 (up; HALF_EVEN 195.04)
     *   contribution of the option: 100.011 -> 100.01 (nearest)
     * </pre>
     */
    @Test
    void requirementsRoundUpContributionsToNearest() {
        List<PositionExposure> positions = List.of(new PositionExposure("ETH-27DEC26-3300-C", "ETH", BigDecimal.ONE.negate(), true,
                new BigDecimal("3000.0001")));
        PortfolioResult r = PortfolioMargin.DEFAULT.evaluate(SMALL, positions, new double[][]{only(1, -100.011)}, List.of(), Set.of());
        assertThat(r.groups().get(0).worstLoss()).isEqualByComparingTo("100.02");
        assertThat(r.contingencies().get(0).amount()).isEqualByComparingTo("30.01");
        assertThat(r.maintenanceMargin()).isEqualByComparingTo("130.03");
        assertThat(r.initialMargin()).isEqualByComparingTo("195.05");
        assertThat(r.groups().get(0).positions().get(0).loss()).isEqualByComparingTo("100.01");
    }

    /**
     * Three options whose P&L in ETH:-10%/vol0 is +1e15, -1e15 and -0.011. In double,
     * (1e15 - 1e15) - 0.011 = -0.011 but (-0.011 + 1e15) - 1e15 = 0 (1e15's ulp is 0.125): summed in
     * input order the group loss would be 0.02 or 0 depending on the order given. Summed by instrument
     * (A, B, C) it is 0.02 both ways.
     */
    @Test
    void figuresDoNotDependOnInputOrder() {
        PositionExposure a = new PositionExposure("ETH-A", "ETH", BigDecimal.ONE, true, new BigDecimal("3000"));
        PositionExposure b = new PositionExposure("ETH-B", "ETH", BigDecimal.ONE, true, new BigDecimal("3000"));
        PositionExposure c = new PositionExposure("ETH-C", "ETH", BigDecimal.ONE, true, new BigDecimal("3000"));
        double[] pa = only(1, 1e15);
        double[] pb = only(1, -1e15);
        double[] pc = only(1, -0.011);
        PortfolioResult abc = PortfolioMargin.DEFAULT.evaluate(SMALL, List.of(a, b, c), new double[][]{pa, pb, pc}, List.of(), Set.of());
        PortfolioResult cab = PortfolioMargin.DEFAULT.evaluate(SMALL, List.of(c, a, b), new double[][]{pc, pa, pb}, List.of(), Set.of());
        assertThat(abc.groups().get(0).worstLoss()).isEqualByComparingTo("0.02");
        assertThat(cab).isEqualTo(abc);
    }

    @Test
    void aHandBuiltGridMustHoldTogether() {
        ScenarioGrid.Group eth = new ScenarioGrid.Group("ETH", List.of("ETH"));
        Scenario s = SMALL.scenarios().get(0);
        Scenario otherGroup = new Scenario("BTC:-10%/vol0", 1, Scenario.Kind.CORE, List.of("BTC"), -0.1, 0, 0, 0, 0, 0, 1);
        Scenario btcInEth = new Scenario("ETH:BTC", 0, Scenario.Kind.CORE, List.of("BTC"), -0.1, 0, 0, 0, 0, 0, 1);
        assertThatThrownBy(() -> new ScenarioGrid(PortfolioMarginTest.SMALL, List.of(eth), List.of("SOL"), List.of(s, s, otherGroup, btcInEth)))
                .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.violations()).extracting(Violation::field)
                        .containsExactly("stale_underlyings[0]", "scenarios[1].id", "scenarios[2].group", "scenarios[3].underlyings"));
    }
}
