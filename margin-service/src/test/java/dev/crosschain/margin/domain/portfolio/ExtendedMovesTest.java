package dev.crosschain.margin.domain.portfolio;

import dev.crosschain.margin.domain.InvalidInputException;
import dev.crosschain.margin.domain.Violation;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Short-option tails under the DEFAULT parameters (review High 3). Option P&L from {@link ToyPricer}
 * (Black-76, zero rates, forward = index): ETH at 3,000, flat 80% vol. Each book's MM must cover its loss
 * at a move that happened (daily closes, /work/shared/data): ETH -42.3% on 2020-03-12, BTC +25.2% on 2017-12-07. The losses are
 * priced directly (spot moved, vol unchanged, and with the grid's own up-shock), not read from the grid.
 */
class ExtendedMovesTest {

    static final PortfolioParameters P = PortfolioParameters.DEFAULT;
    static final double S = 3000;
    static final double VOL = 0.80;

    record Leg(String instrument, double quantity, ToyPricer.Option option) {
    }

    static PortfolioResult margin(List<Leg> legs) {
        ScenarioGrid grid = ScenarioGrid.of(P, Set.of("ETH"));
        List<PositionExposure> positions = legs.stream().map(l -> new PositionExposure(l.instrument(), "ETH",
                BigDecimal.valueOf(l.quantity()), true, BigDecimal.valueOf(S))).toList();
        double[][] pnl = legs.stream().map(l -> ToyPricer.optionPnl(grid, "ETH", l.quantity(), S, l.option())).toArray(double[][]::new);
        return PortfolioMargin.DEFAULT.evaluate(grid, positions, pnl, List.of(), Set.of());
    }

    /** Loss of the legs when ETH moves by {@code move} and every vol rises by {@code volShift}. */
    static double loss(List<Leg> legs, double move, double volShift) {
        double pnl = 0;
        for (Leg l : legs) {
            ToyPricer.Option o = l.option();
            double before = ToyPricer.price(S, o.strike(), o.days(), o.vol(), o.call());
            double after = ToyPricer.price(S * (1 + move), o.strike(), o.days(), o.vol() + volShift, o.call());
            pnl += l.quantity() * (after - before);
        }
        return -pnl;
    }

    static void assertCovers(String book, List<Leg> legs, double move) {
        PortfolioResult r = margin(legs);
        double flat = loss(legs, move, 0);
        System.out.printf("%s: MM %s, driver %s; loss at %+.0f%%: %.2f flat vol%n", book, r.maintenanceMargin(),
                r.groups().get(0).drivingScenarioId(), move * 100, flat);
        assertThat(r.maintenanceMargin().doubleValue()).as(book).isGreaterThanOrEqualTo(flat);
    }

    /** A short 7-day ATM straddle: before the fix MM was about 502 against a loss of about 995 at -42%. */
    @Test
    void shortStraddleCoversTheMarch2020Crash() {
        List<Leg> straddle = List.of(new Leg("ETH-7D-3000-C", -1, new ToyPricer.Option(3000, 7, true, VOL)),
                new Leg("ETH-7D-3000-P", -1, new ToyPricer.Option(3000, 7, false, VOL)));
        assertCovers("short straddle", straddle, -0.42);
        assertCovers("short straddle", straddle, -0.30);
    }

    /** A short 7-day put struck at 0.8 S: MM was about 333 against about 659 at -42%. */
    @Test
    void shortOtmPutCoversTheMarch2020Crash() {
        assertCovers("short 0.8S put", List.of(new Leg("ETH-7D-2400-P", -1, new ToyPricer.Option(2400, 7, false, VOL))), -0.42);
    }

    /** Short 10 7-day 1.2 S calls, long 10 1.3 S calls: MM was about 836 against about 1,353 at +25%. */
    @Test
    void shortCallSpreadCoversAQuarterUp() {
        List<Leg> spread = List.of(new Leg("ETH-7D-3600-C", -10, new ToyPricer.Option(3600, 7, true, VOL)),
                new Leg("ETH-7D-3900-C", 10, new ToyPricer.Option(3900, 7, true, VOL)));
        assertCovers("short call spread", spread, 0.25);
    }

    /**
     * A calendar spread, short 1 7-day ATM call against long 1 30-day ATM call: the long leg gains wherever
     * the short one loses most (up moves, vol up), so the spread needs less than the short leg alone, and
     * still something (it loses in a crash with vol down and at the money).
     */
    @Test
    void calendarSpreadNeedsLessThanItsShortLeg() {
        Leg shortNear = new Leg("ETH-7D-3000-C", -1, new ToyPricer.Option(3000, 7, true, VOL));
        Leg longFar = new Leg("ETH-30D-3000-C", 1, new ToyPricer.Option(3000, 30, true, VOL));
        PortfolioResult naked = margin(List.of(shortNear));
        PortfolioResult calendar = margin(List.of(shortNear, longFar));
        System.out.printf("calendar: MM %s (driver %s) vs short near leg alone %s; premiums near %.2f far %.2f%n",
                calendar.maintenanceMargin(), calendar.groups().get(0).drivingScenarioId(), naked.maintenanceMargin(),
                ToyPricer.price(S, 3000, 7, VOL, true), ToyPricer.price(S, 3000, 30, VOL, true));
        assertThat(calendar.maintenanceMargin()).isLessThan(naked.maintenanceMargin()).isPositive();
    }

    /**
     * A linear book is still margined by the core range: long 10 ETH perp at 3,000 (30,000).
     * <pre>
     *   core -16%: 30,000 x 0.16 = 4,800
     *   extended -42% w 1: 30,000 x -0.42 given back beyond the core edge:
     *     -12,600 - 30,000 x (-0.42 x (1 - 0.16/0.42)) = -12,600 + 7,800 = -4,800 -> 4,800, not more
     *   MM = 4,800 + linear 0.005 x 30,000 = 150 -> 4,950
     * </pre>
     */
    @Test
    void aLinearBookIsChargedTheCoreRangeOnly() {
        ScenarioGrid grid = ScenarioGrid.of(P, Set.of("ETH"));
        List<PositionExposure> positions = List.of(new PositionExposure("ETH-PERPETUAL", "ETH", BigDecimal.TEN, false,
                BigDecimal.valueOf(S)));
        double[][] pnl = {ToyPricer.linearPnl(grid, "ETH", 10, S)};
        PortfolioResult r = PortfolioMargin.DEFAULT.evaluate(grid, positions, pnl, List.of(), Set.of());
        assertThat(r.groups().get(0).drivingScenarioId()).isEqualTo("ETH:-16%/vol+");
        assertThat(r.maintenanceMargin()).isEqualByComparingTo("4950");
    }

    @Test
    void aFartherMoveMustNotWeighMore() {
        assertThatThrownBy(() -> new PortfolioParameters("w", List.of(-0.1, 0.0, 0.1), 0.1, -0.1, 30, 0.3, 3,
                List.of(new PortfolioParameters.ExtendedMove(-0.3, 0.5), new PortfolioParameters.ExtendedMove(-0.6, 0.8),
                        new PortfolioParameters.ExtendedMove(0.3, 1), new PortfolioParameters.ExtendedMove(1.0, 0.5)),
                List.of(), List.of(List.of("ETH")), 0, 1.2, 0.01, 0.005, 1.5, 0.1, List.of("USDC")))
                .isInstanceOfSatisfying(InvalidInputException.class, e ->
                        assertThat(e.violations()).extracting(Violation::field).containsExactly("extended_moves[1].weight"));
    }
}
