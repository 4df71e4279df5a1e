package dev.crosschain.margin.domain.portfolio;

import dev.crosschain.margin.domain.InvalidInputException;
import dev.crosschain.margin.domain.Violation;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ScenarioGridTest {

    static final PortfolioParameters P = PortfolioParameters.DEFAULT;

    @Test
    void defaultGridPerGroup() {
        // 9 core moves x 3 vols + 9 x 2 skews + 13 extended
        assertThat(ScenarioGrid.scenariosPerGroup(P, 1, 0)).isEqualTo(58);
        ScenarioGrid grid = ScenarioGrid.of(P, Set.of("ETH"));
        List<Scenario> s = grid.scenarios();
        assertThat(s).hasSize(58);
        assertThat(s.subList(0, 4)).extracting(Scenario::id)
                .containsExactly("ETH:-16%/vol+", "ETH:-16%/vol0", "ETH:-16%/vol-", "ETH:-12%/vol+");
        assertThat(s.get(27).id()).isEqualTo("ETH:-16%/skew+0.1");
        assertThat(s.get(44).id()).isEqualTo("ETH:+16%/skew-0.1");
        assertThat(s.subList(45, 58)).extracting(Scenario::id).containsExactly(
                "ETH:-66%/vol+/w0.76", "ETH:-50%/vol+/w1", "ETH:-42%/vol+/w1", "ETH:-33%/vol+/w1", "ETH:-25%/vol+/w1",
                "ETH:-20%/vol+/w1", "ETH:+20%/vol+/w1", "ETH:+25%/vol+/w1", "ETH:+33%/vol+/w1", "ETH:+50%/vol+/w1",
                "ETH:+100%/vol+/w0.5", "ETH:+200%/vol+/w0.25", "ETH:+500%/vol+/w0.1");
    }

    /** The up-shock carries the tenor scaling; flat and down shocks and skew scenarios do not. */
    @Test
    void volShocksAndTheirTenorScaling() {
        List<Scenario> s = ScenarioGrid.of(P, Set.of("ETH")).scenarios();
        Scenario up = s.get(0);
        assertThat(up.kind()).isEqualTo(Scenario.Kind.CORE);
        assertThat(up.spotMove()).isEqualTo(-0.16);
        assertThat(up.volShift()).isEqualTo(0.15);
        assertThat(up.volShiftReferenceDays()).isEqualTo(30);
        assertThat(up.volShiftTenorPower()).isEqualTo(0.3);
        assertThat(up.volShiftMaxScale()).isEqualTo(3);
        assertThat(up.weight()).isEqualTo(1);
        Scenario down = s.get(2);
        assertThat(down.volShift()).isEqualTo(-0.10);
        assertThat(down.volShiftReferenceDays()).isZero();
        Scenario skew = s.get(27);
        assertThat(skew.kind()).isEqualTo(Scenario.Kind.SKEW);
        assertThat(skew.skewShift()).isEqualTo(0.10);
        assertThat(skew.volShift()).isZero();
        Scenario crash = s.get(45);
        assertThat(crash.kind()).isEqualTo(Scenario.Kind.EXTENDED);
        assertThat(crash.spotMove()).isEqualTo(-0.66);
        assertThat(crash.weight()).isEqualTo(0.76);
        assertThat(crash.volShift()).isEqualTo(0.15);
        assertThat(crash.volShiftReferenceDays()).isEqualTo(30);
    }

    @Test
    void groupsMoveTogetherAndAloneInTheirOrder() {
        ScenarioGrid grid = ScenarioGrid.of(P, List.of("DOGE", "SOL", "ETH", "ADA", "BTC"));
        assertThat(grid.groups()).extracting(ScenarioGrid.Group::id).containsExactly("BTC,ETH", "SOL", "ADA", "DOGE");
        // BTC,ETH: 58 joint + 2 members x 8 non-zero core moves x 3 vols = 106; the single-member groups 58 each
        assertThat(grid.scenarios()).hasSize(106 + 3 * 58);
        Scenario first = grid.scenarios().get(0);
        assertThat(first.id()).isEqualTo("BTC,ETH:-16%/vol+");
        assertThat(first.spotMoves()).containsExactly(java.util.Map.entry("BTC", -0.16), java.util.Map.entry("ETH", -0.16));
        assertThat(first.moveOf("SOL")).isZero();
        Scenario btcAlone = grid.scenarios().get(58);
        assertThat(btcAlone.id()).isEqualTo("BTC,ETH:BTC-16%/vol+");
        assertThat(btcAlone.kind()).isEqualTo(Scenario.Kind.MEMBER);
        assertThat(btcAlone.spotMoves()).containsExactly(java.util.Map.entry("BTC", -0.16));
        assertThat(btcAlone.moveOf("ETH")).isZero();
        assertThat(grid.scenarios().get(105).id()).isEqualTo("BTC,ETH:ETH+16%/vol-");
        Scenario sol = grid.scenarios().get(106);
        assertThat(sol.id()).isEqualTo("SOL:-16%/vol+");
        assertThat(sol.group()).isEqualTo(1);
        assertThat(grid.groupOf("ADA")).isEqualTo(2);
        assertThat(grid.groupOf("XRP")).isEqualTo(-1);
    }

    /** Property: the grid depends on the set of underlyings only; ids are unique; size = the sum of the groups' sizes. */
    @Test
    void gridIsStableUnderInputOrder() {
        long seed = Long.getLong("seed", 20261206L);
        System.out.println("ScenarioGridTest.gridIsStableUnderInputOrder seed=" + seed + " (replay: -Dseed=" + seed + ")");
        Random random = new Random(seed);
        List<String> universe = List.of("BTC", "ETH", "SOL", "ADA", "DOGE", "AVAX", "XRP");
        for (int round = 0; round < 200; round++) {
            List<String> book = new ArrayList<>(universe.subList(0, 1 + random.nextInt(universe.size())));
            ScenarioGrid reference = ScenarioGrid.of(P, book);
            Collections.shuffle(book, random);
            List<String> withRepeats = new ArrayList<>(book);
            withRepeats.addAll(book.subList(0, random.nextInt(book.size() + 1)));
            ScenarioGrid shuffled = ScenarioGrid.of(P, withRepeats);
            assertThat(shuffled).as("seed %d round %d", seed, round).isEqualTo(reference);
            int expected = reference.groups().stream().mapToInt(g -> ScenarioGrid.scenariosPerGroup(P, g.underlyings().size(), 0)).sum();
            assertThat(shuffled.scenarios()).hasSize(expected);
            Set<String> ids = new HashSet<>();
            shuffled.scenarios().forEach(s -> assertThat(ids.add(s.id())).as("unique id " + s.id()).isTrue());
        }
    }

    @Test
    void badUnderlyingIsRefused() {
        assertThatThrownBy(() -> ScenarioGrid.of(P, List.of("ETH", "eth")))
                .isInstanceOfSatisfying(InvalidInputException.class, e ->
                        assertThat(e.violations()).extracting(Violation::field).containsExactly("underlyings[1]"));
    }

    @Test
    void parametersAreValidatedFieldByField() {
        assertThatThrownBy(() -> new PortfolioParameters("", List.of(-0.1, -0.2), -0.1, 0.1, 0, -1, 0,
                List.of(new PortfolioParameters.ExtendedMove(-1.5, 0), new PortfolioParameters.ExtendedMove(0.5, 1.5)),
                List.of(0.0), List.of(List.of("BTC", "ETH"), List.of("ETH"), List.of()), 1.0, 0.9, -0.1, 1.1, 1, 2,
                List.of("ETH", "usdc")))
                .isInstanceOfSatisfying(InvalidInputException.class, e -> {
                    assertThat(e.reason()).isEqualTo("INVALID_RISK_PARAMETERS");
                    assertThat(e.violations()).extracting(Violation::field).containsExactly(
                            "version", "core_moves", "core_moves", "core_moves[1]", "vol_up_shift", "vol_down_shift",
                            "tenor_reference_days", "tenor_power", "tenor_max_scale",
                            "extended_moves[0].move", "extended_moves[0].weight", "extended_moves[1].weight",
                            "skew_shifts[0]", "correlation_groups[1][0]", "correlation_groups[2]",
                            "group_offset", "im_factor", "net_short_option_rate", "linear_rate", "stale_oracle_widening", "stablecoin_depeg",
                            "stablecoins[0]", "stablecoins[1]");
                });
    }
}
