package dev.crosschain.margin.domain;

import dev.crosschain.margin.domain.portfolio.PortfolioAccount;
import dev.crosschain.margin.domain.portfolio.PortfolioParameters;
import dev.crosschain.margin.domain.portfolio.Scenario;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Liquidation prices worked by hand. Cross rules: perpetual MM 1% of notional below 1M, 2% from 1M to 5M.
 * Revaluation by the linear rule pricing-service applies to a perpetual: P&L = quantity x index x move.
 * ETH index 3,000 throughout.
 */
class LiquidationPricesTest {

    static final MarginCalculator CALC = new MarginCalculator(MarginRules.DEFAULT);
    static final LiquidationPrices PRICES = new LiquidationPrices(CALC, PortfolioParameters.DEFAULT.stablecoins());
    static final long NOW = 1_000_000L;
    static final String PERP = "ETH-PERPETUAL";
    static final Map<String, MarketMark> MARKS = Map.of(PERP,
            new MarketMark(PERP, "ETH", new BigDecimal("3000"), new BigDecimal("3000"), 1.0, false, NOW - 100));

    /** Counts RevalueBook calls; linear P&L per position and scenario; stale when asked. */
    static final class LinearRevaluation implements PortfolioAccount.Revaluation {
        final AtomicInteger calls = new AtomicInteger();
        final boolean stale;

        LinearRevaluation(boolean stale) {
            this.stale = stale;
        }

        @Override
        public PortfolioAccount.Revalued revalue(List<dev.crosschain.margin.domain.portfolio.PositionExposure> positions,
                                                 List<Scenario> scenarios) {
            calls.incrementAndGet();
            double[][] pnl = new double[positions.size()][scenarios.size()];
            for (int p = 0; p < positions.size(); p++) {
                for (int s = 0; s < scenarios.size(); s++) {
                    Scenario scenario = scenarios.get(s);
                    assertThat(scenario.volShift()).isZero();
                    assertThat(scenario.skewShift()).isZero();
                    pnl[p][s] = positions.get(p).quantity().doubleValue() * positions.get(p).index().doubleValue()
                            * scenario.moveOf(positions.get(p).underlying());
                }
            }
            return new PortfolioAccount.Revalued(pnl, stale ? Set.of("ETH") : Set.of());
        }
    }

    /** A collateral line: asset its own canonical asset, price, amount, MM haircut (IM haircut the same). */
    static CollateralLine line(String asset, String amount, String price, String mmHaircut) {
        BigDecimal mv = new BigDecimal(amount).multiply(new BigDecimal(price));
        BigDecimal mm = mv.multiply(BigDecimal.ONE.subtract(new BigDecimal(mmHaircut)));
        return new CollateralLine("arbitrum", asset, new BigDecimal(amount), new BigDecimal(price), mv, mm, mm, false, asset,
                new BigDecimal(mmHaircut), new BigDecimal(mmHaircut));
    }

    static AccountRisk cross(String perpQuantity, CollateralLine... lines) {
        List<CollateralLine> all = List.of(lines);
        BigDecimal mv = all.stream().map(CollateralLine::marketValue).reduce(BigDecimal.ZERO, BigDecimal::add);
        BigDecimal mm = all.stream().map(CollateralLine::valueMm).reduce(BigDecimal.ZERO, BigDecimal::add);
        Collateral collateral = new Collateral(all, mv, mm, mm, false, NOW);
        List<Position> positions = perpQuantity == null ? List.of()
                : List.of(new Position(PERP, new BigDecimal(perpQuantity), new BigDecimal("3000")));
        return CALC.evaluate("acc", false, BigDecimal.ZERO, positions, MARKS, collateral, NOW);
    }

    /** {@code c}'s figures as a PORTFOLIO account with the scan's {@code im} and {@code mm}, HEALTHY. */
    static AccountRisk portfolio(AccountRisk c, String im, String mm) {
        BigDecimal held = new BigDecimal(mm);
        return new AccountRisk(c.accountId(), c.frozen(), c.collateral(), c.positions(), c.realizedPnl(), c.unrealizedPnl(),
                c.optionValue(), c.equity(), c.equityIm(), new BigDecimal(im), held, RiskStatus.marginRatio(held, c.equity()),
                RiskStatus.HEALTHY, false, c.inputAges(), c.asOfMs(), MarginMode.PORTFOLIO, null);
    }

    /** {@code p}'s prices below and above (null: none) and its approximate flag. */
    static void expect(LiquidationPrice p, String below, String above, boolean approximate) {
        if (below == null) {
            assertThat(p.below()).isNull();
        } else {
            assertThat(p.below()).isEqualByComparingTo(below);
        }
        if (above == null) {
            assertThat(p.above()).isNull();
        } else {
            assertThat(p.above()).isEqualByComparingTo(above);
        }
        assertThat(p.approximate()).isEqualTo(approximate);
    }

    static LiquidationPrice only(AccountRisk view, LinearRevaluation revaluation) {
        List<LiquidationPrice> prices = PRICES.of(view, MARKS, revaluation);
        assertThat(prices).hasSize(1);
        return prices.get(0);
    }

    @Test
    void ladderIsTheDocumentedOne() {
        assertThat(LiquidationPrices.LADDER).hasSize(189).isSorted().doesNotContain(0.0);
        assertThat(LiquidationPrices.LADDER.get(0)).isEqualTo(-0.99);
        assertThat(LiquidationPrices.LADDER.get(188)).isEqualTo(10.0);
        assertThat(LiquidationPrices.LADDER).contains(-0.005, 0.005, -0.1, 0.1, -0.41, -0.6, 0.59, 0.6, -0.95, 1.0, 5.0);
        for (int k = 1; k < LiquidationPrices.LADDER.size(); k++) {
            double a = LiquidationPrices.LADDER.get(k - 1);
            double b = LiquidationPrices.LADDER.get(k);
            if (Math.abs(a) < 0.6 + 1e-9 && Math.abs(b) < 0.6 + 1e-9) {
                assertThat(b - a).as("step %s .. %s", a, b).isLessThanOrEqualTo(0.01 + 1e-9);
            }
        }
        assertThat(LiquidationPrices.scenario("ETH", -0.095).id()).isEqualTo("LIQ:ETH:-9.5%");
        assertThat(LiquidationPrices.scenario("ETH", 0.11).id()).isEqualTo("LIQ:ETH:+11%");
    }

    /**
     * Long 1 perp at 3,000, 300 USDC (no haircut). equity(S) = 300 + (S - 3,000), MM(S) = 0.01 S:
     * 300 + S - 3,000 = 0.01 S -> S = 2,700 / 0.99 = 2,727.2727... -> 2727.28 (rounded toward the index; between the nodes -9% and -9.5%,
     * equity - MM is straight there: the interpolation is exact). Above: equity - MM rises with S, none.
     */
    @Test
    void longPerpetualLiquidatesBelowAtTheClosedForm() {
        LinearRevaluation revaluation = new LinearRevaluation(false);
        LiquidationPrice p = only(cross("1", line("USDC", "300", "1", "0")), revaluation);
        assertThat(p.underlying()).isEqualTo("ETH");
        assertThat(p.index()).isEqualByComparingTo("3000");
        expect(p, "2727.28", null, false);
        assertThat(p.method()).startsWith("cross: MM recomputed");
        assertThat(revaluation.calls).hasValue(1);
    }

    /** Short 1 perp at 3,000, 300 USDC: 300 - (S - 3,000) = 0.01 S -> S = 3,300 / 1.01 = 3,267.3267... -> 3267.32 (down, toward the index). */
    @Test
    void shortPerpetualLiquidatesAbove() {
        LiquidationPrice p = only(cross("-1", line("USDC", "300", "1", "0")), new LinearRevaluation(false));
        expect(p, null, "3267.32", false);
    }

    /**
     * Long 1 perp at 3,000 with 0.1 ETH collateral (MM haircut 10%: counted 270): the collateral moves with the
     * position. equity(S) = 270 x S / 3,000 + (S - 3,000) = 1.09 S - 3,000; MM = 0.01 S:
     * 1.09 S - 3,000 = 0.01 S -> S = 3,000 / 1.08 = 2,777.777... -> 2777.78. (Were the ETH held still, 270 + S -
     * 3,000 = 0.01 S would give 2,757.58.)
     */
    @Test
    void ethCollateralMovesWithTheEthPerpetual() {
        LiquidationPrice p = only(cross("1", line("ETH", "0.1", "3000", "0.10")), new LinearRevaluation(false));
        expect(p, "2777.78", null, false);
    }

    /**
     * The same book as {@link #ethCollateralMovesWithTheEthPerpetual} (which gets 2777.78 with the line fresh), the ETH
     * line's price stale: moving it from a price that is not today's would be a guess; ETH is left out, and not revalued.
     */
    @Test
    void staleRiskyCollateralLeavesItsUnderlyingOut() {
        LinearRevaluation fresh = new LinearRevaluation(false);
        assertThat(only(cross("1", line("ETH", "0.1", "3000", "0.10")), fresh).below()).isEqualByComparingTo("2777.78");
        CollateralLine l = line("ETH", "0.1", "3000", "0.10");
        CollateralLine stale = new CollateralLine(l.chainId(), l.asset(), l.available(), l.price(), l.marketValue(), l.valueIm(),
                l.valueMm(), true, l.canonicalAsset(), l.mmHaircut(), l.imHaircut());
        AccountRisk view = cross("1", stale);
        assertThat(view.conservative()).as("not left out for a conservative view").isFalse();
        LinearRevaluation revaluation = new LinearRevaluation(false);
        assertThat(PRICES.of(view, MARKS, revaluation)).isEmpty();
        assertThat(revaluation.calls).hasValue(0);
    }

    /**
     * Long 1 perp with 10,000 USDC: 10,000 + S - 3,000 - 0.01 S > 0 for every S > 0: none below. Short 1 perp
     * with 100,000 USDC: 103,000 / 1.01 = 101,980 = +3,299%, past the ladder's +1,000% (33,000): none above.
     */
    @Test
    void noCrossingWithinTheLadder() {
        LiquidationPrice longPerp = only(cross("1", line("USDC", "10000", "1", "0")), new LinearRevaluation(false));
        assertThat(longPerp.below()).isNull();
        assertThat(longPerp.above()).isNull();
        LiquidationPrice shortPerp = only(cross("-1", line("USDC", "100000", "1", "0")), new LinearRevaluation(false));
        assertThat(shortPerp.below()).isNull();
        assertThat(shortPerp.above()).isNull();
    }

    /**
     * Short 300 perps at 3,000 (notional 900,000: tier 1, MM 1%) with 115,000 USDC. From S = 3,333.33 the
     * notional reaches 1M and MM doubles to 2%: equity - MM = 1,015,000 - 303 S below, 1,015,000 - 306 S from
     * there: 5,000 under zero at the jump, so the account is liquidatable at 1,000,000 / 300 = 3,333.33 (held at
     * 1%, MM would cross only at 3,349.83; a straight line between the nodes +11% and +12% said 3,339.41, farther
     * than the truth). The interval is cut at the tier limit: exact, not approximate.
     */
    @Test
    void aRisingTierInsideAnIntervalLiquidatesAtTheLimit() {
        LiquidationPrice p = only(cross("-300", line("USDC", "115000", "1", "0")), new LinearRevaluation(false));
        assertThat(p.above()).isEqualByComparingTo("3333.33");
        assertThat(p.approximate()).isFalse();
    }

    /**
     * Long 400 perps at 3,000 (notional 1.2M: tier 2, MM 2%) with 215,000 USDC: equity - MM = 215,000 + 400 (S -
     * 3,000) - 8 S = 392 S - 985,000 while the notional is 1M or more (S >= 2,500): zero at S = 985,000 / 392 =
     * 2,512.755 -> 2512.76. Below 2,500 the tier falls to 1%: 396 S - 985,000, positive again down to 2,487.37. The
     * nodes -16% (2,520: +2,840) and -17% (2,490: +1,040) are both sound: the dip between them is the crossing.
     */
    @Test
    void aFallingTierDoesNotHideADipBetweenSoundNodes() {
        LiquidationPrice p = only(cross("400", line("USDC", "215000", "1", "0")), new LinearRevaluation(false));
        expect(p, "2512.76", null, false);
    }

    /** PORTFOLIO holds MM: long 1 perp, 300 USDC, MM 50: 300 + S - 3,000 = 50 -> S = 2,750, approximate. */
    @Test
    void portfolioHoldsMaintenanceMargin() {
        AccountRisk c = cross("1", line("USDC", "300", "1", "0"));
        AccountRisk portfolio = portfolio(c, "65", "50");
        LiquidationPrice p = only(portfolio, new LinearRevaluation(false));
        expect(p, "2750", null, true);
        assertThat(p.method()).startsWith("portfolio (approximate, may be optimistic for short-gamma books): MM held");
    }

    /**
     * PORTFOLIO short 1 perp, 300 USDC, MM 50 scaled by max(1, 1 + m) = S / 3,000 above: 300 - (S - 3,000) = 50 S / 3,000
     * -> S = 3,300 x 60 / 61 = 3,245.9016 -> 3245.90 (down, toward the index); held unscaled it would say 3,250.
     */
    @Test
    void portfolioScalesTheHeldMaintenanceMarginUpWithTheIndex() {
        AccountRisk c = cross("-1", line("USDC", "300", "1", "0"));
        AccountRisk portfolio = portfolio(c, "65", "50");
        LiquidationPrice p = only(portfolio, new LinearRevaluation(false));
        expect(p, null, "3245.90", true);
    }

    /** Long 1 perp with 20 USDC: equity 20 <= MM 30: liquidatable now, no price on either side, no revaluation. */
    @Test
    void anAccountLiquidatableAlreadyHasNoPrice() {
        AccountRisk view = cross("1", line("USDC", "20", "1", "0"));
        assertThat(view.status()).isEqualTo(RiskStatus.LIQUIDATION);
        LinearRevaluation revaluation = new LinearRevaluation(false);
        LiquidationPrice p = only(view, revaluation);
        assertThat(p.below()).isNull();
        assertThat(p.above()).isNull();
        assertThat(p.method()).isEqualTo(LiquidationPrices.ALREADY_LIQUIDATABLE);
        assertThat(revaluation.calls).hasValue(0);
    }

    /** Collateral alone: nothing owed, nothing to liquidate; no revaluation. */
    @Test
    void noPositionNoPrices() {
        LinearRevaluation revaluation = new LinearRevaluation(false);
        assertThat(PRICES.of(cross(null, line("ETH", "1", "3000", "0.10")), MARKS, revaluation)).isEmpty();
        assertThat(revaluation.calls).hasValue(0);
    }

    /** A stale revaluation, or a conservative view (a stale input), gives no figure at all. */
    @Test
    void staleInputsGiveNoPrices() {
        AccountRisk view = cross("1", line("USDC", "300", "1", "0"));
        assertThat(PRICES.of(view, MARKS, new LinearRevaluation(true))).isEmpty();
        Map<String, MarketMark> staleMarks = Map.of(PERP,
                new MarketMark(PERP, "ETH", new BigDecimal("3000"), new BigDecimal("3000"), 1.0, true, NOW - 100));
        Collateral collateral = view.collateral();
        AccountRisk conservative = CALC.evaluate("acc", false, BigDecimal.ZERO, List.of(view.positions().get(0).position()),
                staleMarks, collateral, NOW);
        assertThat(conservative.conservative()).isTrue();
        LinearRevaluation revaluation = new LinearRevaluation(false);
        assertThat(PRICES.of(conservative, staleMarks, revaluation)).isEmpty();
        assertThat(revaluation.calls).hasValue(0);
    }

    /**
     * Short 1 call, strike 2,900, priced at its intrinsic value (mark 100 at S = 3,000; the revaluation answers
     * -(max(S - 2,900, 0) - 100)), with 500 USDC: equity now 500 - 100 = 400; short option MM = 0.075 S + mark
     * = 325. Above 2,900: equity = 500 - (S - 2,900) = 3,400 - S, MM = 0.075 S + S - 2,900: liquidation at
     * 6,300 = 2.075 S -> S = 3,036.1446 -> 3036.14 (nodes +1%: 12.75, +1.5%: -18.375; the intrinsic value is
     * straight there, so interpolating gives exactly that). Held at today's 325, MM would say 3,075. Below 2,900
     * equity is 500 and MM 0.075 S < 500: none below. Not approximate: an option's interval of 0.5% is not wide.
     */
    @Test
    void shortOptionMarginFollowsTheIndexAndTheOptionsValue() {
        String call = "ETH-27DEC26-2900-C";
        Map<String, MarketMark> marks = Map.of(call,
                new MarketMark(call, "ETH", new BigDecimal("100"), new BigDecimal("3000"), 0.6, false, NOW - 100));
        CollateralLine usdc = line("USDC", "500", "1", "0");
        Collateral collateral = new Collateral(List.of(usdc), usdc.marketValue(), usdc.valueIm(), usdc.valueMm(), false, NOW);
        AccountRisk view = CALC.evaluate("acc", false, BigDecimal.ZERO,
                List.of(new Position(call, new BigDecimal("-1"), new BigDecimal("100"))), marks, collateral, NOW);
        assertThat(view.equity()).isEqualByComparingTo("400");
        assertThat(view.maintenanceMargin()).isEqualByComparingTo("325");
        PortfolioAccount.Revaluation intrinsic = (positions, scenarios) -> {
            double[][] pnl = new double[positions.size()][scenarios.size()];
            for (int s = 0; s < scenarios.size(); s++) {
                double spot = 3000 * (1 + scenarios.get(s).moveOf("ETH"));
                pnl[0][s] = positions.get(0).quantity().doubleValue() * (Math.max(spot - 2900, 0) - 100);
            }
            return new PortfolioAccount.Revalued(pnl, Set.of());
        };
        List<LiquidationPrice> prices = PRICES.of(view, marks, intrinsic);
        assertThat(prices).hasSize(1);
        assertThat(prices.get(0).below()).isNull();
        assertThat(prices.get(0).above()).isEqualByComparingTo("3036.14");
        assertThat(prices.get(0).approximate()).isFalse();
    }

    /**
     * A curved value: short 1 perp at 3,000 and long 1 call (mark 100) whose value the revaluation gives as 100 +
     * 0.51 x + 0.0001 x^2, x = S - 3,000 (convex, as a long option's), with 550 USDC: equity 650, MM 30 (the perp's
     * 1%; a long option has none). equity - MM = 650 - x + 0.51 x + 0.0001 x^2 - 0.01 (3,000 + x) = 620 - 0.5 x +
     * 0.0001 x^2: the truth above is its smaller root x = (0.5 - sqrt(0.002)) / 0.0002 = 2,276.39, S = 5,276.39.
     * Nodes (x): +65% 25.25, +70% 11, +75% 1.25, +80% -4: the straight line between +75% and +80% says
     * 5,285.71, farther than the truth. The line through +65% and +70% extended, slope -0.095 per USD, reaches 0 at
     * x = 2,100 + 11 / 0.095 = 2,215.79 inside +70% .. +75%: S = 5,215.78 (down, toward the index), nearer than the
     * truth, approximate.
     */
    @Test
    void aLongOptionsCurvedValueNeverGivesAFigureFartherThanTheTruth() {
        String call = "ETH-27DEC26-3000-C";
        Map<String, MarketMark> marks = Map.of(PERP, MARKS.get(PERP), call,
                new MarketMark(call, "ETH", new BigDecimal("100"), new BigDecimal("3000"), 0.51, false, NOW - 100));
        CollateralLine usdc = line("USDC", "550", "1", "0");
        Collateral collateral = new Collateral(List.of(usdc), usdc.marketValue(), usdc.valueIm(), usdc.valueMm(), false, NOW);
        AccountRisk view = CALC.evaluate("acc", false, BigDecimal.ZERO, List.of(
                new Position(PERP, new BigDecimal("-1"), new BigDecimal("3000")),
                new Position(call, BigDecimal.ONE, new BigDecimal("100"))), marks, collateral, NOW);
        assertThat(view.equity()).isEqualByComparingTo("650");
        assertThat(view.maintenanceMargin()).isEqualByComparingTo("30");
        PortfolioAccount.Revaluation curved = (positions, scenarios) -> {
            double[][] pnl = new double[positions.size()][scenarios.size()];
            for (int s = 0; s < scenarios.size(); s++) {
                double x = 3000 * scenarios.get(s).moveOf("ETH");
                for (int p = 0; p < positions.size(); p++) {
                    pnl[p][s] = positions.get(p).instrument().equals(call) ? 0.51 * x + 0.0001 * x * x : -x;
                }
            }
            return new PortfolioAccount.Revalued(pnl, Set.of());
        };
        List<LiquidationPrice> prices = PRICES.of(view, marks, curved);
        assertThat(prices).hasSize(1);
        assertThat(prices.get(0).above()).isEqualByComparingTo("5215.78").isLessThanOrEqualTo(new BigDecimal("5276.39"));
        assertThat(prices.get(0).below()).isNull();
        assertThat(prices.get(0).approximate()).isTrue();
    }

    /**
     * An underlying held only as collateral beside a BTC position: long 1 BTC perp at 60,000 (MM 600) with
     * 1 ETH at 3,000 (MM haircut 10%: 2,700) and nothing else. ETH alone moving: 2,700 x S / 3,000 = 600 ->
     * S = 666.67, no revaluation needed for ETH. BTC alone: 2,700 + (B - 60,000) = 0.01 B -> B = 57,300 / 0.99
     * = 57,878.79. One RevalueBook call (BTC), none for ETH.
     */
    @Test
    void collateralOnlyUnderlyingMovesItsCollateral() {
        String btc = "BTC-PERPETUAL";
        Map<String, MarketMark> marks = Map.of(btc,
                new MarketMark(btc, "BTC", new BigDecimal("60000"), new BigDecimal("60000"), 1.0, false, NOW - 100));
        CollateralLine eth = line("ETH", "1", "3000", "0.10");
        Collateral collateral = new Collateral(List.of(eth), eth.marketValue(), eth.valueIm(), eth.valueMm(), false, NOW);
        AccountRisk view = CALC.evaluate("acc", false, BigDecimal.ZERO,
                List.of(new Position(btc, BigDecimal.ONE, new BigDecimal("60000"))), marks, collateral, NOW);
        LinearRevaluation revaluation = new LinearRevaluation(false);
        List<LiquidationPrice> prices = new ArrayList<>(PRICES.of(view, marks, revaluation));
        assertThat(prices).extracting(LiquidationPrice::underlying).containsExactly("BTC", "ETH");
        assertThat(prices.get(0).below()).isEqualByComparingTo("57878.8");
        assertThat(prices.get(1).index()).isEqualByComparingTo("3000");
        assertThat(prices.get(1).below()).isEqualByComparingTo("666.667");
        assertThat(prices.get(1).above()).isNull();
        assertThat(revaluation.calls).hasValue(1);
    }
}
