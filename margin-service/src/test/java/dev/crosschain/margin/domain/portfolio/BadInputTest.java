package dev.crosschain.margin.domain.portfolio;

import dev.crosschain.margin.domain.InvalidInputException;
import dev.crosschain.margin.domain.Violation;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.assertThat;

/** Bad inputs and bad parameter sets are refused with field violations, never a crash (review Medium 4 and 5). */
class BadInputTest {

    static final PortfolioParameters P = PortfolioParameters.DEFAULT;

    static void refused(Runnable call, String reason, String... fields) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(InvalidInputException.class, e -> {
            assertThat(e.reason()).isEqualTo(reason);
            assertThat(e.violations()).extracting(Violation::field).containsExactly(fields);
        });
    }

    @Test
    void hugeCollateralIsRefusedNotACrash() {
        ScenarioGrid grid = ScenarioGrid.of(P, Set.of("ETH"));
        CollateralExposure huge = new CollateralExposure("arbitrum", "WETH", "ETH", false, new BigDecimal("1e400"),
                new BigDecimal("3000"), BigDecimal.ZERO, BigDecimal.ZERO);
        refused(() -> PortfolioMargin.DEFAULT.evaluate(grid, List.of(), new double[0][], List.of(huge), Set.of()),
                "INVALID_PORTFOLIO_INPUT", "collateral[0].amount");
    }

    @Test
    void hugeQuantityIsRefusedNotACrash() {
        ScenarioGrid grid = ScenarioGrid.of(P, Set.of("ETH"));
        PositionExposure huge = new PositionExposure("ETH-PERPETUAL", "ETH", new BigDecimal("1e400"), false, new BigDecimal("3000"));
        double[][] pnl = {new double[grid.scenarios().size()]};
        refused(() -> PortfolioMargin.DEFAULT.evaluate(grid, List.of(huge), pnl, List.of(), Set.of()),
                "INVALID_PORTFOLIO_INPUT", "positions[0].quantity");
    }

    @Test
    void forBookRefusesAMissingUnderlying() {
        PositionExposure noUnderlying = new PositionExposure("ETH-PERPETUAL", null, BigDecimal.ONE, false, new BigDecimal("3000"));
        CollateralExposure noAsset = new CollateralExposure("arbitrum", "WETH", null, false, BigDecimal.ONE,
                new BigDecimal("3000"), BigDecimal.ZERO, BigDecimal.ZERO);
        refused(() -> ScenarioGrid.forBook(P, Arrays.asList(noUnderlying, null), List.of(noAsset)),
                "INVALID_PORTFOLIO_INPUT", "positions[0].underlying", "positions[1].underlying", "collateral[0].underlying");
    }

    @Test
    void nullPositionsAndLinesAreRefused() {
        ScenarioGrid grid = ScenarioGrid.of(P, Set.of("ETH"));
        refused(() -> PortfolioMargin.DEFAULT.evaluate(grid, Arrays.asList((PositionExposure) null),
                        new double[][]{new double[grid.scenarios().size()]}, Arrays.asList((CollateralExposure) null), Set.of()),
                "INVALID_PORTFOLIO_INPUT", "positions[0]", "collateral[0]");
    }

    /** The review's example: core moves [0] only, no extended moves: a $300k perp would have needed nothing. */
    @Test
    void coreMovesNeedBothDirections() {
        refused(() -> params(List.of(0.0), List.of()), "INVALID_RISK_PARAMETERS", "core_moves");
        refused(() -> params(List.of(-0.0, 0.1), List.of()), "INVALID_RISK_PARAMETERS", "core_moves");
        params(List.of(-0.1, -0.0, 0.1), List.of()); // -0.0 is 0
    }

    @Test
    void nullListsAndElementsAreViolations() {
        List<Double> withNull = new ArrayList<>(List.of(-0.1, 0.0, 0.1));
        withNull.add(null);
        refused(() -> new PortfolioParameters("v", withNull, 0.1, -0.1, 30, 0.3, 3, null, List.of(),
                        Arrays.asList(List.of("ETH"), null), 0, 1.2, 0.01, 0.005, 1.5, 0.1, null),
                "INVALID_RISK_PARAMETERS", "core_moves[3]", "extended_moves", "correlation_groups[1]", "stablecoins");
    }

    @Test
    void staleWideningAndVolUpShockMustBite() {
        refused(() -> new PortfolioParameters("v", List.of(-0.1, 0.0, 0.1), 0, -0.1, 30, 0.3, 3, List.of(), List.of(),
                        List.of(List.of("ETH")), 0, 1.2, 0.01, 0.005, 1.0, 0.1, List.of()),
                "INVALID_RISK_PARAMETERS", "vol_up_shift", "stale_oracle_widening");
    }

    static PortfolioParameters params(List<Double> core, List<PortfolioParameters.ExtendedMove> extended) {
        return new PortfolioParameters("v", core, 0.1, -0.1, 30, 0.3, 3, extended, List.of(), List.of(List.of("ETH")),
                0, 1.2, 0.01, 0.005, 1.5, 0.1, List.of("USDC"));
    }
}
