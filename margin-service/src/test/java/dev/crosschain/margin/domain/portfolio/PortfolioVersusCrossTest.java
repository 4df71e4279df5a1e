package dev.crosschain.margin.domain.portfolio;

import dev.crosschain.margin.domain.Instrument;
import dev.crosschain.margin.domain.MarginCalculator;
import dev.crosschain.margin.domain.MarginRules;
import dev.crosschain.margin.domain.MarketMark;
import dev.crosschain.margin.domain.Position;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The "portfolio MM <= cross MM for hedged books", for the books where it must hold: defined-risk
 * option spreads (vertical spreads and iron condors) whose wings are at most 7.5% of the index apart.
 * Their loss in any scenario is bounded by the wing width, while Deribit's rule charges
 * 7.5% x S + mark for every short leg whatever hedges it. (It does not hold for a perpetual hedged by
 * collateral: cross margin takes the collateral's price risk in its haircut only, portfolio margin
 * scans it; see PortfolioMarginTest.shortPerpHedgedByEthCollateral.)
 */
class PortfolioVersusCrossTest {

    static final MarginCalculator CROSS = new MarginCalculator(MarginRules.DEFAULT);
    static final double S = 3000;
    static final int ROUNDS = 300;

    record Leg(String name, double quantity, ToyPricer.Option option) {
    }

    @Test
    void definedRiskSpreadsNeedLessThanUnderCrossRules() {
        long seed = Long.getLong("seed", 20261206L);
        System.out.println("PortfolioVersusCrossTest seed=" + seed + " (replay: -Dseed=" + seed + ")");
        Random random = new Random(seed);
        ScenarioGrid grid = ScenarioGrid.of(PortfolioParameters.DEFAULT, Set.of("ETH"));
        for (int round = 0; round < ROUNDS; round++) {
            double days = 1 + random.nextInt(120);
            double vol = 0.4 + 0.6 * random.nextDouble();
            double units = 1 + random.nextInt(20);
            int width = 25 * (1 + random.nextInt(9)); // up to 225 = 7.5% of 3000
            int kind = random.nextInt(3);             // 0 call spread, 1 put spread, 2 iron condor
            List<Leg> legs = new ArrayList<>();
            if (kind != 1) {
                int k = 25 * (120 + random.nextInt(24)); // 3000 .. 3575
                legs.add(leg(k, true, -units, days, vol));
                legs.add(leg(k + width, true, units, days, vol));
            }
            if (kind != 0) {
                int k = 25 * (97 + random.nextInt(24));  // 2425 .. 3000
                legs.add(leg(k, false, -units, days, vol));
                legs.add(leg(k - width, false, units, days, vol));
            }
            BigDecimal cross = BigDecimal.ZERO;
            List<PositionExposure> positions = new ArrayList<>();
            double[][] pnl = new double[legs.size()][];
            for (int i = 0; i < legs.size(); i++) {
                Leg leg = legs.get(i);
                ToyPricer.Option o = leg.option();
                BigDecimal mark = BigDecimal.valueOf(ToyPricer.price(S, o.strike(), o.days(), o.vol(), o.call()))
                        .setScale(4, RoundingMode.HALF_EVEN);
                BigDecimal qty = BigDecimal.valueOf(leg.quantity());
                cross = cross.add(CROSS.position(Instrument.parse(leg.name(), "instrument"), new Position(leg.name(), qty, mark),
                        new MarketMark(leg.name(), "ETH", mark, BigDecimal.valueOf(S), 0.5, false, 0)).maintenanceMargin());
                positions.add(new PositionExposure(leg.name(), "ETH", qty, true, BigDecimal.valueOf(S)));
                pnl[i] = ToyPricer.optionPnl(grid, "ETH", leg.quantity(), S, o);
            }
            PortfolioResult portfolio = PortfolioMargin.DEFAULT.evaluate(grid, positions, pnl, List.of(), Set.of());
            assertThat(portfolio.maintenanceMargin()).as("seed %d round %d: %s", seed, round, legs)
                    .isLessThanOrEqualTo(cross);
        }
    }

    static Leg leg(int strike, boolean call, double quantity, double days, double vol) {
        return new Leg("ETH-27DEC26-" + strike + (call ? "-C" : "-P"), quantity, new ToyPricer.Option(strike, days, call, vol));
    }
}
