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

    /**
     * 5 positions x 3 scenarios under a cap of 6 figures: slices of 2, 2 and 1 positions, each in all 3 scenarios;
     * the answer's figure for position p in scenario s is 100 p + s, put back in place.
     */
    @Test
    void aBookOverTheCapIsSentInSlicesAndReassembledInOrder() {
        List<PositionExposure> positions = new ArrayList<>();
        for (int p = 0; p < 5; p++) {
            positions.add(new PositionExposure("ETH-PERP" + p, "ETH", BigDecimal.valueOf(p + 1), false, BigDecimal.TEN));
        }
        List<Scenario> scenarios = GRID.scenarios().subList(0, 3);
        List<Integer> sliceSizes = new ArrayList<>();
        double[][] pnl = PricingClient.sliced(positions, scenarios, 6, (some, someScenarios) -> {
            sliceSizes.add(some.size() * someScenarios.size());
            RevalueBookResponse.Builder r = RevalueBookResponse.newBuilder();
            for (int s = 0; s < someScenarios.size(); s++) {
                ScenarioValue.Builder v = ScenarioValue.newBuilder().setScenarioId(someScenarios.get(s).id());
                for (PositionExposure x : some) {
                    v.addPositionPnlUsd(100.0 * positions.indexOf(x) + scenarios.indexOf(someScenarios.get(s)));
                }
                r.addValues(v);
            }
            return r.build();
        });
        assertThat(sliceSizes).containsExactly(6, 6, 3);
        for (int p = 0; p < 5; p++) {
            for (int s = 0; s < 3; s++) {
                assertThat(pnl[p][s]).isEqualTo(100.0 * p + s);
            }
        }
        // more scenarios than the cap: scenarios are sliced too, one position a call
        List<Integer> calls = new ArrayList<>();
        PricingClient.sliced(positions.subList(0, 2), scenarios, 2, (some, someScenarios) -> {
            calls.add(some.size() * someScenarios.size());
            RevalueBookResponse.Builder r = RevalueBookResponse.newBuilder();
            someScenarios.forEach(x -> r.addValues(ScenarioValue.newBuilder().addPositionPnlUsd(0)));
            return r.build();
        });
        assertThat(calls).containsExactly(2, 2, 1, 1);
        assertThat(PricingClient.sliced(List.of(), scenarios, 6, (a, b) -> {
            throw new AssertionError("no call for an empty book");
        })).isEmpty();
    }
}
