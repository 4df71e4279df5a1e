package dev.crosschain.margin.client;

import dev.crosschain.margin.domain.portfolio.PortfolioParameters;
import dev.crosschain.margin.domain.portfolio.PositionExposure;
import dev.crosschain.margin.domain.portfolio.Scenario;
import dev.crosschain.margin.domain.portfolio.ScenarioGrid;
import dev.crosschain.proto.pricing.v1.RevalueBookResponse;
import dev.crosschain.proto.pricing.v1.ScenarioValue;
import dev.crosschain.proto.pricing.v1.SpotShock;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** PricingClient's one piece of logic: a grid scenario in RevalueBook's terms, and books sliced under the figure cap. */
class PricingClientTest {

    static final ScenarioGrid GRID = ScenarioGrid.of(PortfolioParameters.DEFAULT, List.of("BTC", "ETH"), Set.of("ETH"));

    static Scenario scenario(String id) {
        return GRID.scenarios().stream().filter(s -> s.id().equals(id)).findFirst().orElseThrow();
    }

    @Test
    void aJointVolUpScenarioShocksEveryMemberWithTheTenorScaling() {
        dev.crosschain.proto.pricing.v1.Scenario s = PricingClient.scenario(scenario("BTC,ETH:-16%/vol+"));
        assertThat(s.getScenarioId()).isEqualTo("BTC,ETH:-16%/vol+");
        assertThat(s.getSpotShocksList()).containsExactly(
                SpotShock.newBuilder().setUnderlying("BTC").setRelativeMove(-0.16).build(),
                SpotShock.newBuilder().setUnderlying("ETH").setRelativeMove(-0.16).build());
        assertThat(s.getVolShift()).isEqualTo(0.15);
        assertThat(s.getVolShiftReferenceDays()).isEqualTo(30.0);
        assertThat(s.getVolShiftTenorPower()).isEqualTo(0.3);
        assertThat(s.getVolShiftMaxScale()).isEqualTo(3.0);
        assertThat(s.getSkewShift()).isZero();
    }

    @Test
    void skewVolDownAndStaleScenariosMapTheirOwnFields() {
        dev.crosschain.proto.pricing.v1.Scenario skew = PricingClient.scenario(scenario("BTC,ETH:+8%/skew-0.1"));
        assertThat(skew.getSkewShift()).isEqualTo(-0.1);
        assertThat(skew.getVolShift()).isZero();
        assertThat(skew.getVolShiftReferenceDays()).isZero(); // no tenor scaling
        dev.crosschain.proto.pricing.v1.Scenario down = PricingClient.scenario(scenario("BTC,ETH:0%/vol-"));
        assertThat(down.getVolShift()).isEqualTo(-0.10);
        assertThat(down.getVolShiftReferenceDays()).isZero();
        dev.crosschain.proto.pricing.v1.Scenario stale = PricingClient.scenario(scenario("BTC,ETH:ETH-24%/vol+/stale"));
        assertThat(stale.getSpotShocksList()).containsExactly(
                SpotShock.newBuilder().setUnderlying("ETH").setRelativeMove(-0.24).build()); // BTC stays at its index
    }

    /** A position of {@code underlying}, numbered. */
    static PositionExposure position(String underlying, int n) {
        return new PositionExposure(underlying + "-PERP" + n, underlying, BigDecimal.ONE, false, BigDecimal.TEN);
    }

    /** A scenario of group {@code group} moving {@code underlying}. */
    static Scenario scenario(String id, int group, String underlying) {
        return new Scenario(id, group, Scenario.Kind.CORE, List.of(underlying), -0.1, 0, 0, 0, 0, 0, 1);
    }

    /**
     * A RevalueBook that refuses what pricing-service refuses (PricingGrpcService.revalueBook: more than 1,000
     * scenarios, more than 10,000 positions, positions x (scenarios + 1) > 400,000) and answers position p's
     * P&L in scenario s as 100,000 p + s (p, s: indexes in the whole book and grid).
     */
    static PricingClient.Call pricing(List<PositionExposure> book, List<Scenario> grid, List<int[]> calls) {
        return (some, someScenarios) -> {
            if (someScenarios.size() > 1_000 || some.size() > 10_000 || (long) some.size() * (someScenarios.size() + 1) > 400_000) {
                throw new AssertionError("pricing-service refuses " + some.size() + " positions x " + someScenarios.size() + " scenarios");
            }
            calls.add(new int[]{some.size(), someScenarios.size()});
            // Each index looked up once a call, not once a figure: a linear search per figure made the 2,500 x 400
            // book take two minutes.
            int[] rows = some.stream().mapToInt(book::indexOf).toArray();
            RevalueBookResponse.Builder r = RevalueBookResponse.newBuilder();
            for (Scenario s : someScenarios) {
                int column = grid.indexOf(s);
                ScenarioValue.Builder v = ScenarioValue.newBuilder().setScenarioId(s.id());
                for (int row : rows) {
                    v.addPositionPnlUsd(100_000.0 * row + column);
                }
                r.addValues(v);
            }
            return r.build();
        };
    }

    /**
     * The reviewed case: a 188-scenario group. The old slicer sent 2,127 positions a call (2,127 x 188 <= 400,000)
     * = 402,003 figures with the base values, refused. Now floor(400,000 / 189) = 2,116 positions a call
     * (399,924 figures; 2,117 would be 400,113): 2,117 ETH positions go in calls of 2,116 and 1. The one BTC
     * position goes alone with the 4 BTC scenarios only, and its cells in ETH scenarios (and the ETH positions'
     * in BTC scenarios) stay 0: the engine never reads them.
     */
    @Test
    void oneCallPerGroupWithinPositionsTimesScenariosPlusOne() {
        List<Scenario> grid = new ArrayList<>();
        for (int s = 0; s < 188; s++) {
            grid.add(scenario("ETH:" + s, 0, "ETH"));
            if (s % 60 == 0) {
                grid.add(scenario("BTC:" + s, 1, "BTC")); // interleaved: the answer must keep grid order
            }
        }
        assertThat(grid).hasSize(192);
        List<PositionExposure> book = new ArrayList<>();
        for (int p = 0; p < 2_117; p++) {
            book.add(position("ETH", p));
            if (p == 1_000) {
                book.add(position("BTC", p));
            }
        }
        List<int[]> calls = new ArrayList<>();
        double[][] pnl = PricingClient.sliced(book, grid, PricingClient.LIMITS, pricing(book, grid, calls)).pnl();
        assertThat(calls).containsExactly(new int[]{2_116, 188}, new int[]{1, 188}, new int[]{1, 4});
        for (int p = 0; p < book.size(); p++) {
            for (int s = 0; s < grid.size(); s++) {
                boolean same = book.get(p).underlying().equals(grid.get(s).underlyings().get(0));
                assertThat(pnl[p][s]).as("p %d s %d", p, s).isEqualTo(same ? 100_000.0 * p + s : 0.0);
            }
        }
    }

    /**
     * Historical scenarios (expected shortfall) move every group: they go into each group's call with that group's
     * positions, after the group's own scenarios, so every position has its P&L in every one of them (one call per
     * group while within the limits), and each maps to one spot shock per underlying with its own move, vol unchanged.
     */
    @Test
    void historicalScenariosGoIntoEveryGroupsCall() {
        Scenario day = Scenario.historical(new dev.crosschain.margin.domain.history.HistoricalScenario("hist:2020-03-12/2d",
                java.time.LocalDate.of(2020, 3, 12), 2, java.util.Map.of("BTC", -0.37, "ETH", -0.42)));
        List<Scenario> grid = List.of(scenario("ETH:a", 0, "ETH"), scenario("BTC:a", 1, "BTC"), day);
        List<PositionExposure> book = List.of(position("ETH", 0), position("BTC", 1));
        List<int[]> calls = new ArrayList<>();
        double[][] pnl = PricingClient.sliced(book, grid, PricingClient.LIMITS, pricing(book, grid, calls)).pnl();
        assertThat(calls).containsExactly(new int[]{1, 2}, new int[]{1, 2});
        assertThat(pnl[0]).containsExactly(0.0, 0.0, 2.0);
        assertThat(pnl[1]).containsExactly(0.0, 100_001.0, 100_002.0);

        dev.crosschain.proto.pricing.v1.Scenario mapped = PricingClient.scenario(day);
        assertThat(mapped.getScenarioId()).isEqualTo("hist:2020-03-12/2d");
        assertThat(mapped.getSpotShocksList()).containsExactly(
                SpotShock.newBuilder().setUnderlying("BTC").setRelativeMove(-0.37).build(),
                SpotShock.newBuilder().setUnderlying("ETH").setRelativeMove(-0.42).build());
        assertThat(mapped.getVolShift()).isZero();
        assertThat(mapped.getSkewShift()).isZero();
        assertThat(mapped.getVolShiftReferenceDays()).isZero();
    }

    /** More scenarios than a call takes: 2,500 scenarios go in calls of 1,000, 1,000 and 500, each with 398 positions at most (399 x 1,001 > 400,000). */
    @Test
    void scenariosAreSlicedAtPricingsMaximum() {
        List<Scenario> grid = new ArrayList<>();
        for (int s = 0; s < 2_500; s++) {
            grid.add(scenario("ETH:" + s, 0, "ETH"));
        }
        List<PositionExposure> book = new ArrayList<>();
        for (int p = 0; p < 400; p++) {
            book.add(position("ETH", p));
        }
        List<int[]> calls = new ArrayList<>();
        double[][] pnl = PricingClient.sliced(book, grid, PricingClient.LIMITS, pricing(book, grid, calls)).pnl();
        assertThat(calls).containsExactly(new int[]{399, 1_000}, new int[]{1, 1_000}, new int[]{399, 1_000}, new int[]{1, 1_000},
                new int[]{400, 500});
        assertThat(pnl[399][2_499]).isEqualTo(100_000.0 * 399 + 2_499);
        assertThat(PricingClient.sliced(List.of(), grid, PricingClient.LIMITS, (a, b) -> {
            throw new AssertionError("no call for an empty book");
        }).pnl()).isEmpty();
    }

    /** A NaN or infinite P&L is a malformed answer: INTERNAL, never passed to the engine. */
    @Test
    void aNonFiniteFigureIsMalformed() {
        List<PositionExposure> book = List.of(position("ETH", 0), position("ETH", 1));
        List<Scenario> grid = List.of(scenario("ETH:0", 0, "ETH"));
        for (double bad : new double[]{Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}) {
            RevalueBookResponse r = RevalueBookResponse.newBuilder().addValues(ScenarioValue.newBuilder().setScenarioId("ETH:0")
                    .addPositionPnlUsd(1).addPositionPnlUsd(bad)).build();
            assertThatThrownBy(() -> PricingClient.checked(r, book, grid)).isInstanceOfSatisfying(DependencyException.class,
                    e -> assertThat(e.code()).isEqualTo(io.grpc.Status.Code.INTERNAL));
        }
        RevalueBookResponse fine = RevalueBookResponse.newBuilder().addValues(ScenarioValue.newBuilder().setScenarioId("ETH:0")
                .addPositionPnlUsd(1).addPositionPnlUsd(-2)).build();
        assertThat(PricingClient.checked(fine, book, grid)).isSameAs(fine);
    }

    /** RevalueBookResponse.stale names no underlying: a stale answer makes every underlying of that call's positions stale. */
    @Test
    void aStaleAnswerMarksItsCallsUnderlyings() {
        List<Scenario> grid = List.of(scenario("ETH:0", 0, "ETH"), scenario("BTC:0", 1, "BTC"));
        List<PositionExposure> book = List.of(position("ETH", 0), position("BTC", 1));
        {
            dev.crosschain.margin.domain.portfolio.PortfolioAccount.Revalued r = PricingClient.sliced(book, grid, PricingClient.LIMITS,
                    (some, someScenarios) -> {
                        RevalueBookResponse.Builder b = RevalueBookResponse.newBuilder().setStale(some.get(0).underlying().equals("BTC"));
                        someScenarios.forEach(x -> b.addValues(ScenarioValue.newBuilder().setScenarioId(x.id()).addPositionPnlUsd(1)));
                        return b.build();
                    });
            assertThat(r.staleUnderlyings()).containsExactly("BTC");
        }
    }
}
