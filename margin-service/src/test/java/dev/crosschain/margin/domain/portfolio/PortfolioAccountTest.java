package dev.crosschain.margin.domain.portfolio;

import dev.crosschain.margin.domain.AccountRisk;
import dev.crosschain.margin.domain.Collateral;
import dev.crosschain.margin.domain.CollateralLine;
import dev.crosschain.margin.domain.MarginCalculator;
import dev.crosschain.margin.domain.MarginMode;
import dev.crosschain.margin.domain.MarginRules;
import dev.crosschain.margin.domain.MarketMark;
import dev.crosschain.margin.domain.Position;
import dev.crosschain.margin.domain.PositionRisk;
import dev.crosschain.margin.domain.RiskStatus;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * The assembly of an account in PORTFOLIO mode (positions + marks + collateral -> exposures -> scan ->
 * AccountRisk) on books computed by hand under "pm-1": core moves +-16%, linear add-on 0.5% of notional,
 * stablecoin de-peg 10% of the MM value, stale widening 1.5x, IM = 1.3 x MM. The revaluation is a linear
 * stand-in for RevalueBook: a perpetual's P&L = quantity x index x the scenario's move of its underlying.
 */
class PortfolioAccountTest {

    static final long NOW = 1_000_000L;
    static final String PERP = "ETH-PERPETUAL";
    static final PortfolioAccount ACCOUNT = new PortfolioAccount(new MarginCalculator(MarginRules.DEFAULT),
            PortfolioParameters.DEFAULT);

    /** Short 2 ETH-PERPETUAL entered at 3,000, marked at 3,000. */
    static final List<Position> SHORT_2_PERP = List.of(new Position(PERP, new BigDecimal("-2"), new BigDecimal("3000")));

    /** 2 ETH on arbitrum at 3,000, haircuts MM 10% / IM 15%: MM value 5,400, IM value 5,100. */
    static final CollateralLine ETH_2 = line("arbitrum", "WETH", "ETH", "2", "3000", "0.10", "0.15", false);
    /** 6,000 USDC, haircuts MM 1% / IM 2%: MM value 5,940, IM value 5,880. */
    static final CollateralLine USDC_6000 = line("ethereum", "USDC", "USDC", "6000", "1", "0.01", "0.02", false);

    /** The linear stand-in for RevalueBook, recording how often it was asked. */
    static final class Linear implements PortfolioAccount.Revaluation {
        final List<List<String>> calls = new ArrayList<>();
        /** What the stand-in answers as stale (RevalueBookResponse.stale), per call in turn; then nothing. */
        final java.util.Deque<java.util.Set<String>> stale = new java.util.ArrayDeque<>();

        @Override
        public PortfolioAccount.Revalued revalue(List<PositionExposure> positions, List<Scenario> scenarios) {
            return new PortfolioAccount.Revalued(pnl(positions, scenarios), stale.isEmpty() ? java.util.Set.of() : stale.poll());
        }

        double[][] pnl(List<PositionExposure> positions, List<Scenario> scenarios) {
            calls.add(scenarios.stream().map(Scenario::id).toList());
            double[][] pnl = new double[positions.size()][scenarios.size()];
            for (int p = 0; p < positions.size(); p++) {
                PositionExposure x = positions.get(p);
                for (int s = 0; s < scenarios.size(); s++) {
                    pnl[p][s] = x.quantity().doubleValue() * x.index().doubleValue() * scenarios.get(s).moveOf(x.underlying());
                }
            }
            return pnl;
        }
    }

    static CollateralLine line(String chain, String asset, String canonical, String amount, String price, String mm, String im,
                               boolean stale) {
        BigDecimal a = new BigDecimal(amount);
        BigDecimal p = new BigDecimal(price);
        BigDecimal value = a.multiply(p);
        return new CollateralLine(chain, asset, a, p, value, value.multiply(BigDecimal.ONE.subtract(new BigDecimal(im))),
                value.multiply(BigDecimal.ONE.subtract(new BigDecimal(mm))), stale, canonical, new BigDecimal(mm), new BigDecimal(im));
    }

    static Collateral collateral(CollateralLine... lines) {
        BigDecimal market = BigDecimal.ZERO;
        BigDecimal im = BigDecimal.ZERO;
        BigDecimal mm = BigDecimal.ZERO;
        boolean stale = false;
        for (CollateralLine l : lines) {
            market = market.add(l.marketValue());
            im = im.add(l.valueIm());
            mm = mm.add(l.valueMm());
            stale |= l.priceStale();
        }
        return new Collateral(List.of(lines), market, im, mm, stale, NOW);
    }

    static Map<String, MarketMark> perpMark(boolean stale) {
        return Map.of(PERP, new MarketMark(PERP, "ETH", new BigDecimal("3000"), new BigDecimal("3000"), 1, stale, NOW - 500));
    }

    static AccountRisk evaluate(List<Position> positions, Map<String, MarketMark> marks, Collateral c,
                                PortfolioAccount.Revaluation revaluation) {
        return ACCOUNT.evaluate("acc", false, BigDecimal.ZERO, positions, marks, c, NOW, revaluation);
    }

    /**
     * Short 2 ETH perp hedged by 2 ETH of collateral (MM value 5,400). In a move m the perp makes -6,000 m and the
     * collateral +5,400 m: the book loses 600 m, worst at +16%: 96.00 (ETH alone in its group: no MEMBER scenarios;
     * the extended moves charge linear exposure to the core edge only, so +20% .. +500% also give at most 96).
     * Linear add-on 0.5% x 6,000 = 30.00. MM = 126.00, IM = 1.3 x 126 = 163.80.
     * Equity as in cross: 5,400 (MM haircuts), 5,100 (IM haircuts). Healthy.
     */
    @Test
    void collateralOfTheSameUnderlyingNetsTheScanLoss() {
        Linear pricing = new Linear();
        AccountRisk r = evaluate(SHORT_2_PERP, perpMark(false), collateral(ETH_2), pricing);
        assertThat(r.mode()).isEqualTo(MarginMode.PORTFOLIO);
        assertThat(r.maintenanceMargin()).isEqualByComparingTo("126.00");
        assertThat(r.initialMargin()).isEqualByComparingTo("163.80");
        assertThat(r.equity()).isEqualByComparingTo("5400");
        assertThat(r.equityIm()).isEqualByComparingTo("5100");
        assertThat(r.status()).isEqualTo(RiskStatus.HEALTHY);
        assertThat(r.marginRatio()).isCloseTo(126.0 / 5400.0, within(1e-12));

        PortfolioResult p = r.portfolio();
        assertThat(p.parametersVersion()).isEqualTo("pm-1");
        assertThat(p.groups()).hasSize(1);
        PortfolioResult.GroupResult g = p.groups().get(0);
        assertThat(g.groupId()).isEqualTo("ETH");
        assertThat(g.drivingScenarioId()).isEqualTo("ETH:+16%/vol+");
        assertThat(g.worstLoss()).isEqualByComparingTo("96.00");
        // the perp loses 6,000 x 16% = 960, the collateral gains 5,400 x 16% = 864
        assertThat(g.positions()).containsExactly(new PortfolioResult.Contribution(PERP, new BigDecimal("960.00000000")));
        assertThat(g.chains()).containsExactly(new PortfolioResult.Contribution("arbitrum", new BigDecimal("-864.00000000")));
        assertThat(p.contingencies()).containsExactly(
                new PortfolioResult.Contingency("linear", "ETH", new BigDecimal("30.00000000")));
        assertThat(pricing.calls).hasSize(1);
    }

    /**
     * The same perp against 6,000 USDC (MM value 5,940): nothing hedges. Loss 6,000 x 16% = 960.00; add-ons
     * linear 30.00 and de-peg 10% x 5,940 = 594.00. MM = 1,584.00, IM = 2,059.20. The ETH hedge saves 1,458.
     */
    @Test
    void aStablecoinDoesNotHedgeAndTakesTheDepegAddOn() {
        AccountRisk r = evaluate(SHORT_2_PERP, perpMark(false), collateral(USDC_6000), new Linear());
        assertThat(r.maintenanceMargin()).isEqualByComparingTo("1584.00");
        assertThat(r.initialMargin()).isEqualByComparingTo("2059.20");
        assertThat(r.portfolio().groups().get(0).worstLoss()).isEqualByComparingTo("960.00");
        assertThat(r.portfolio().contingencies()).extracting(PortfolioResult.Contingency::name)
                .containsExactly("linear:ETH", "stablecoin_depeg:ethereum/USDC");
    }

    /**
     * A stale ETH mark: the grid also moves ETH alone over 1.5 x the core range (+-24%), so the hedged book
     * loses 600 x 24% = 144.00 (driver "ETH:ETH+24%/vol+/stale"). MM = 144 + 30 = 174.00, IM = 226.20. The
     * equity is cross's, the short perp shocked against itself there (mark 3,000 x 1.16: unrealized -960).
     */
    @Test
    void aStaleUnderlyingWidensItsScan() {
        Linear pricing = new Linear();
        AccountRisk r = evaluate(SHORT_2_PERP, perpMark(true), collateral(ETH_2), pricing);
        assertThat(r.maintenanceMargin()).isEqualByComparingTo("174.00");
        assertThat(r.initialMargin()).isEqualByComparingTo("226.20");
        assertThat(r.portfolio().groups().get(0).drivingScenarioId()).isEqualTo("ETH:ETH+24%/vol+/stale");
        assertThat(r.conservative()).isTrue();
        AccountRisk cross = new MarginCalculator(MarginRules.DEFAULT).evaluate("acc", false, BigDecimal.ZERO, SHORT_2_PERP,
                perpMark(true), collateral(ETH_2), NOW);
        assertThat(r.equity()).isEqualByComparingTo(cross.equity());
        assertThat(r.unrealizedPnl()).isEqualByComparingTo(cross.unrealizedPnl());
        assertThat(pricing.calls.get(0)).contains("ETH:ETH-24%/vol+/stale", "ETH:ETH+24%/vol+/stale");
    }

    /**
     * The mark says fresh but RevalueBook answers stale: the book is revalued again with ETH's stale scenarios,
     * so the same 174.00 as a stale mark, and the figures are conservative. (Before, the answer's stale flag was
     * ignored: 126.00, not conservative.)
     */
    @Test
    void pricingsStaleAnswerWidensTheScanAndMakesItConservative() {
        Linear pricing = new Linear();
        pricing.stale.add(java.util.Set.of("ETH"));
        pricing.stale.add(java.util.Set.of("ETH"));
        AccountRisk r = evaluate(SHORT_2_PERP, perpMark(false), collateral(ETH_2), pricing);
        assertThat(r.maintenanceMargin()).isEqualByComparingTo("174.00");
        assertThat(r.conservative()).isTrue();
        assertThat(pricing.calls).hasSize(2);
        assertThat(pricing.calls.get(0)).doesNotContain("ETH:ETH+24%/vol+/stale");
        assertThat(pricing.calls.get(1)).contains("ETH:ETH+24%/vol+/stale");
        // a fresh answer: one call, not conservative
        Linear fresh = new Linear();
        AccountRisk f = evaluate(SHORT_2_PERP, perpMark(false), collateral(ETH_2), fresh);
        assertThat(f.maintenanceMargin()).isEqualByComparingTo("126.00");
        assertThat(f.conservative()).isFalse();
        assertThat(fresh.calls).hasSize(1);
    }

    /**
     * A future at a basis: ETH-26MAR27 marked 3,150 with the index at 3,000 (basis 1.05). Pricing values it at
     * basis x index, so short 2 moves 2 x 3,150 = 6,300 per unit move; the 2 ETH collateral 5,400. Loss at +16%:
     * (6,300 - 5,400) x 0.16 = 144.00; linear add-on 0.5% x 6,300 = 31.50; MM 175.50, IM 228.15. (At the spot
     * index, as before: 600 x 0.16 + 30 = 126.00, understated.)
     */
    @Test
    void aFutureMovesWithItsForwardNotTheSpotIndex() {
        String fut = "ETH-26MAR27";
        List<Position> short2 = List.of(new Position(fut, new BigDecimal("-2"), new BigDecimal("3150")));
        Map<String, MarketMark> marks = Map.of(fut, new MarketMark(fut, "ETH", new BigDecimal("3150"), new BigDecimal("3000"), 1,
                false, NOW));
        AccountRisk r = evaluate(short2, marks, collateral(ETH_2), new Linear());
        assertThat(r.maintenanceMargin()).isEqualByComparingTo("175.50");
        assertThat(r.initialMargin()).isEqualByComparingTo("228.15");
        assertThat(r.portfolio().contingencies()).containsExactly(
                new PortfolioResult.Contingency("linear", "ETH", new BigDecimal("31.50000000")));
        assertThat(PortfolioAccount.positions(r.positions(), marks).get(0).index()).isEqualByComparingTo("3150");
    }

    /**
     * An option through the assembly: short 2 ETH-26MAR27-3000-P marked 150 on the spot index 3,000, against 2 ETH
     * (MM value 5,400). The option's exposure takes the spot index (pricing values options off it) and counts as an
     * option: no linear delta, so extended moves charge it in full. With the linear stand-in (P&L = -6,000 m) the book
     * loses 600 m for m > 0; in the weighted extended moves +50% (w 1), +100% (w 0.5), +200% (w 0.25), +500% (w 0.1)
     * that is 300.00 each, above the core +16% (96): worst 300.00. Net-short-option add-on 1% x 2 x 3,000 = 60.00,
     * no linear add-on (no perp or future). MM 360.00, IM 468.00.
     */
    @Test
    void aShortOptionTakesTheSpotIndexAndTheNetShortOptionAddOn() {
        String put = "ETH-26MAR27-3000-P";
        List<Position> short2 = List.of(new Position(put, new BigDecimal("-2"), new BigDecimal("150")));
        Map<String, MarketMark> marks = Map.of(put, new MarketMark(put, "ETH", new BigDecimal("150"), new BigDecimal("3000"), -0.4,
                false, NOW));
        AccountRisk r = evaluate(short2, marks, collateral(ETH_2), new Linear());
        PositionExposure x = PortfolioAccount.positions(r.positions(), marks).get(0);
        assertThat(x.option()).isTrue();
        assertThat(x.index()).isEqualByComparingTo("3000");
        assertThat(r.portfolio().groups().get(0).worstLoss()).isEqualByComparingTo("300.00");
        assertThat(r.portfolio().contingencies()).containsExactly(
                new PortfolioResult.Contingency("net_short_option", "ETH", new BigDecimal("60.00000000")));
        assertThat(r.maintenanceMargin()).isEqualByComparingTo("360.00");
        assertThat(r.initialMargin()).isEqualByComparingTo("468.00");
    }

    /** A stale price of risky collateral makes its underlying stale too: the same 174.00 with a fresh mark. */
    @Test
    void staleCollateralPriceWidensItsUnderlyingsScan() {
        CollateralLine staleEth = line("arbitrum", "WETH", "ETH", "2", "3000", "0.10", "0.15", true);
        AccountRisk r = evaluate(SHORT_2_PERP, perpMark(false), collateral(staleEth), new Linear());
        assertThat(r.maintenanceMargin()).isEqualByComparingTo("174.00");
    }

    /**
     * ETH on a HALTED chain: haircuts 1, value 0 in cross and in the scan, so it hedges nothing:
     * MM = 960 + 30 = 990.00; equity 0: liquidation.
     */
    @Test
    void collateralOnAHaltedChainNeitherCountsNorHedges() {
        CollateralLine halted = new CollateralLine("arbitrum", "WETH", new BigDecimal("2"), new BigDecimal("3000"),
                new BigDecimal("6000"), BigDecimal.ZERO, BigDecimal.ZERO, false, "ETH", BigDecimal.ONE, BigDecimal.ONE);
        AccountRisk r = evaluate(SHORT_2_PERP, perpMark(false), collateral(halted), new Linear());
        assertThat(r.maintenanceMargin()).isEqualByComparingTo("990.00");
        assertThat(r.portfolio().groups().get(0).chains()).singleElement()
                .satisfies(c -> assertThat(c.loss()).isEqualByComparingTo("0"));
        assertThat(r.status()).isEqualTo(RiskStatus.LIQUIDATION);
    }

    /**
     * No open position: no revaluation (it would throw), and no liability, so nothing to margin: MM = IM = 0 with
     * 6,000 USDC (no de-peg add-on: before, 594.00) and 2 ETH (no scan). A flat position is no position.
     */
    @Test
    void noPositionsNoRevaluationNothingToMargin() {
        PortfolioAccount.Revaluation never = (p, s) -> {
            throw new AssertionError("RevalueBook called for a book without positions");
        };
        AccountRisk r = evaluate(List.of(Position.flat(PERP)), Map.of(), collateral(USDC_6000, ETH_2), never);
        assertThat(r.maintenanceMargin()).isEqualByComparingTo("0");
        assertThat(r.initialMargin()).isEqualByComparingTo("0");
        assertThat(r.portfolio().groups()).isEmpty();
        assertThat(r.portfolio().contingencies()).isEmpty();
        assertThat(r.status()).isEqualTo(RiskStatus.HEALTHY);
        assertThat(evaluate(List.of(), Map.of(), collateral(ETH_2), never).maintenanceMargin()).isEqualByComparingTo("0");
    }

    /**
     * The other side: one position of any underlying (a BTC perp) and the ETH collateral is scanned with it: the
     * account's MM with 2 ETH exceeds its MM with no collateral, and arbitrum's ETH carries a share of the loss.
     */
    @Test
    void withAnyPositionRiskyCollateralIsScanned() {
        String btc = "BTC-PERPETUAL";
        List<Position> long01 = List.of(new Position(btc, new BigDecimal("0.1"), new BigDecimal("60000")));
        Map<String, MarketMark> marks = Map.of(btc, new MarketMark(btc, "BTC", new BigDecimal("60000"), new BigDecimal("60000"), 1,
                false, NOW));
        AccountRisk bare = evaluate(long01, marks, collateral(), new Linear());
        AccountRisk withEth = evaluate(long01, marks, collateral(ETH_2), new Linear());
        assertThat(withEth.maintenanceMargin()).isGreaterThan(bare.maintenanceMargin());
        assertThat(withEth.portfolio().groups()).anySatisfy(g -> assertThat(g.chains()).anySatisfy(c -> {
            assertThat(c.name()).isEqualTo("arbitrum");
            assertThat(c.loss()).isPositive();
        }));
    }

    /** Positions carry no standard-rule margins in PORTFOLIO: their share is in the breakdown, not cross figures. */
    @Test
    void positionsCarryNoCrossMarginsInPortfolioMode() {
        AccountRisk r = evaluate(SHORT_2_PERP, perpMark(false), collateral(ETH_2), new Linear());
        PositionRisk p = r.positions().get(0);
        assertThat(p.initialMargin()).isEqualByComparingTo("0");
        assertThat(p.maintenanceMargin()).isEqualByComparingTo("0");
        assertThat(p.delta()).isEqualTo(-2.0);
        assertThat(p.markUsed()).isEqualByComparingTo("3000");
    }

    /**
     * The exposure's amount is chosen so that its MM value is the line's, what cross counts, also when
     * collateral-service's rounded haircut and value do not quite agree and when part of the balance is locked.
     */
    @Test
    void anExposureMovesExactlyWhatCrossCounts() {
        CollateralLine uneven = new CollateralLine("arbitrum", "WETH", new BigDecimal("1.5"), new BigDecimal("3123.45"),
                new BigDecimal("9370.35"), new BigDecimal("3981.12345678"), new BigDecimal("4216.98765432"), false, "ETH",
                new BigDecimal("0.0999999999"), new BigDecimal("0.15"));
        CollateralExposure e = PortfolioAccount.collateral(PortfolioParameters.DEFAULT, collateral(uneven)).get(0);
        assertThat(e.valueMm()).isCloseTo(4216.98765432, within(1e-9));
        assertThat(e.underlying()).isEqualTo("ETH");
        assertThat(e.stablecoin()).isFalse();
        CollateralExposure usdc = PortfolioAccount.collateral(PortfolioParameters.DEFAULT, collateral(USDC_6000)).get(0);
        assertThat(usdc.stablecoin()).isTrue();
        assertThat(usdc.valueMm()).isCloseTo(5940.0, within(1e-9));
    }

    /**
     * What the engine refuses here came from upstream, never from the caller: a NaN P&L from RevalueBook, an
     * index of 0 on a mark, a collateral canonical asset that is not an underlying symbol. Each is an
     * UnusableInputException (INTERNAL, or the view's fallback), never InvalidInputException (INVALID_ARGUMENT).
     */
    @Test
    void upstreamDataTheEngineRefusesIsNotTheCallersInvalidArgument() {
        PortfolioAccount.Revaluation nan = (p, s) -> {
            double[][] pnl = new Linear().pnl(p, s);
            pnl[0][0] = Double.NaN;
            return new PortfolioAccount.Revalued(pnl, java.util.Set.of());
        };
        assertThatThrownBy(() -> evaluate(SHORT_2_PERP, perpMark(false), collateral(ETH_2), nan))
                .isInstanceOf(UnusableInputException.class).hasCauseInstanceOf(dev.crosschain.margin.domain.InvalidInputException.class);
        Map<String, MarketMark> noIndex = Map.of(PERP, new MarketMark(PERP, "ETH", new BigDecimal("3000"), BigDecimal.ZERO, 1, false, NOW));
        assertThatThrownBy(() -> evaluate(SHORT_2_PERP, noIndex, collateral(ETH_2), new Linear()))
                .isInstanceOf(UnusableInputException.class);
        CollateralLine badSymbol = line("arbitrum", "WETH", "eth!", "2", "3000", "0.10", "0.15", false);
        assertThatThrownBy(() -> evaluate(SHORT_2_PERP, perpMark(false), collateral(badSymbol), new Linear()))
                .isInstanceOf(UnusableInputException.class);
    }

    /**
     * The fallback when the book cannot be revalued: the hedged book's cross figures are MM 1% x 6,000 = 60,
     * IM 120. With the last revalued 126.00 / 163.80 it asks those (subject last_portfolio); with none, cross
     * (subject cross); with a lower last figure, cross again. No scan, one contingency of the whole MM, conservative,
     * same equity.
     */
    @Test
    void theFallbackIsTheLargerOfCrossAndTheLastRevaluedFigures() {
        AccountRisk last = ACCOUNT.fallback("acc", false, BigDecimal.ZERO, SHORT_2_PERP, perpMark(false), collateral(ETH_2), NOW,
                new BigDecimal("163.80"), new BigDecimal("126.00"));
        assertThat(last.maintenanceMargin()).isEqualByComparingTo("126.00");
        assertThat(last.initialMargin()).isEqualByComparingTo("163.80");
        assertThat(last.conservative()).isTrue();
        assertThat(last.mode()).isEqualTo(MarginMode.PORTFOLIO);
        assertThat(last.equity()).isEqualByComparingTo("5400");
        assertThat(last.portfolio().groups()).isEmpty();
        assertThat(last.portfolio().fallback()).isTrue();
        assertThat(last.portfolio().contingencies()).containsExactly(new PortfolioResult.Contingency(
                PortfolioResult.REVALUATION_UNAVAILABLE, "last_portfolio", new BigDecimal("126.00000000")));
        AccountRisk none = ACCOUNT.fallback("acc", false, BigDecimal.ZERO, SHORT_2_PERP, perpMark(false), collateral(ETH_2), NOW,
                null, null);
        assertThat(none.maintenanceMargin()).isEqualByComparingTo("60");
        assertThat(none.initialMargin()).isEqualByComparingTo("120");
        assertThat(none.portfolio().contingencies().get(0).subject()).isEqualTo("cross");
        AccountRisk lower = ACCOUNT.fallback("acc", false, BigDecimal.ZERO, SHORT_2_PERP, perpMark(false), collateral(ETH_2), NOW,
                new BigDecimal("100"), new BigDecimal("50"));
        assertThat(lower.maintenanceMargin()).isEqualByComparingTo("60");
        assertThat(lower.initialMargin()).isEqualByComparingTo("120");
        assertThat(evaluate(SHORT_2_PERP, perpMark(false), collateral(ETH_2), new Linear()).portfolio().fallback()).isFalse();
    }
}
