package dev.crosschain.margin.domain.portfolio;

import dev.crosschain.margin.domain.AccountRisk;
import dev.crosschain.margin.domain.MarginMode;
import dev.crosschain.margin.domain.MarketMark;
import dev.crosschain.margin.domain.Position;
import dev.crosschain.margin.domain.history.AccountShortfall;
import dev.crosschain.margin.domain.history.ExpectedShortfallParameters;
import dev.crosschain.margin.domain.history.PriceHistory;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static dev.crosschain.margin.domain.portfolio.PortfolioAccountTest.ACCOUNT;
import static dev.crosschain.margin.domain.portfolio.PortfolioAccountTest.ETH_2;
import static dev.crosschain.margin.domain.portfolio.PortfolioAccountTest.NOW;
import static dev.crosschain.margin.domain.portfolio.PortfolioAccountTest.PERP;
import static dev.crosschain.margin.domain.portfolio.PortfolioAccountTest.SHORT_2_PERP;
import static dev.crosschain.margin.domain.portfolio.PortfolioAccountTest.USDC_6000;
import static dev.crosschain.margin.domain.portfolio.PortfolioAccountTest.collateral;
import static dev.crosschain.margin.domain.portfolio.PortfolioAccountTest.perpMark;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * PORTFOLIO with expected shortfall as the second model (MM = max(scenario MM, ES x APC ratio)), on a tiny ETH
 * history computed by hand and the linear stand-in for RevalueBook of {@link PortfolioAccountTest}.
 *
 * <p>ETH closes 3,000, 3,300, 1,650, 1,650, 1,980 (2024-01-01..05): 1-day moves +10%, -50%, 0%, +20%. The model:
 * look-back 4 days of 1-day moves, level 0.625 (tail k = 4 x 0.375 = 1.5 scenarios).
 */
class PortfolioShortfallTest {

    static final PriceHistory ETH = new PriceHistory("ETH", LocalDate.of(2024, 1, 1),
            Arrays.stream(new String[]{"3000", "3300", "1650", "1650", "1980"}).map(BigDecimal::new).toList());
    static final List<Position> LONG_2_PERP = List.of(new Position(PERP, new BigDecimal("2"), new BigDecimal("3000")));

    static AccountShortfall model(ExpectedShortfallParameters.Apc apc) {
        return new AccountShortfall(new ExpectedShortfallParameters(Set.of(MarginMode.PORTFOLIO), 0.625, 4, 1, apc),
                Map.of("ETH", ETH));
    }

    static AccountRisk evaluate(List<Position> positions, dev.crosschain.margin.domain.Collateral c, AccountShortfall es,
                                PortfolioAccount.Revaluation revaluation) {
        Map<String, MarketMark> marks = perpMark(false);
        return ACCOUNT.evaluate("acc", false, BigDecimal.ZERO, positions, marks, c, NOW, revaluation, es);
    }

    /**
     * Long 2 ETH perp (6,000 USD) against 6,000 USDC. Scenario MM (pm-1, PortfolioAccountTest's golden for the short
     * side, the same for the long one at -16%): 960 + linear 30 + de-peg 594 = 1,584.00.
     * ES by hand: P&L +600, -3,000, 0, +1,200; losses from the largest 3,000, 0, ...; ES = (3,000 + 0.5 x 0) / 1.5 =
     * 2,000.00 > 1,584: ES drives. Without APC: MM = 2,000.00, IM = 1.3 x 2,000 = 2,600.00.
     */
    @Test
    void esAboveTheScanDrivesTheRequirement() {
        PortfolioAccountTest.Linear pricing = new PortfolioAccountTest.Linear();
        AccountRisk r = evaluate(LONG_2_PERP, collateral(USDC_6000), model(ExpectedShortfallParameters.Apc.NONE), pricing);
        PortfolioResult p = r.portfolio();
        assertThat(p.scanLoss().add(p.contingencyTotal())).isEqualByComparingTo("1584.00");
        assertThat(p.expectedShortfall().loss()).isEqualByComparingTo("2000.00");
        assertThat(p.expectedShortfall().apcRatio()).isEqualTo(1.0);
        assertThat(p.expectedShortfall().asOf()).isEqualTo(LocalDate.of(2024, 1, 5));
        assertThat(p.drivingModel()).isEqualTo(PortfolioResult.EXPECTED_SHORTFALL);
        assertThat(r.maintenanceMargin()).isEqualByComparingTo("2000.00");
        assertThat(r.initialMargin()).isEqualByComparingTo("2600.00");
        // the historical scenarios went in the same revaluation as the grid, after it
        assertThat(pricing.calls).hasSize(1);
        assertThat(pricing.calls.get(0)).endsWith("hist:2024-01-05/1d", "hist:2024-01-04/1d", "hist:2024-01-03/1d",
                "hist:2024-01-02/1d");
    }

    /**
     * The same with the floor and buffer: one as-of date in the unit series, raw = stressed, buffer 25% at the start:
     * ratio 1.25. MM = 2,000 x 1.25 = 2,500.00, IM = 3,250.00; es_loss stays the raw 2,000.00.
     */
    @Test
    void theApcRatioScalesTheEsFigure() {
        AccountRisk r = evaluate(LONG_2_PERP, collateral(USDC_6000), model(ExpectedShortfallParameters.Apc.FLOOR_AND_BUFFER),
                new PortfolioAccountTest.Linear());
        assertThat(r.portfolio().expectedShortfall().apcRatio()).isEqualTo(1.25);
        assertThat(r.portfolio().expectedShortfall().loss()).isEqualByComparingTo("2000.00");
        assertThat(r.maintenanceMargin()).isEqualByComparingTo("2500.00");
        assertThat(r.initialMargin()).isEqualByComparingTo("3250.00");
    }

    /**
     * Short 2 ETH perp hedged by 2 ETH on arbitrum (MM value 5,400): net -600 per unit move. Scenario MM 126.00
     * (PortfolioAccountTest's golden). ES by hand: P&L -60, +300, 0, -120; losses 120, 60, ..; ES = (120 + 0.5 x 60)
     * / 1.5 = 100.00 < 126: the scenario MM stands (the max rule), and the collateral was moved with its haircut.
     */
    @Test
    void theScanAboveEsStands() {
        AccountRisk r = evaluate(SHORT_2_PERP, collateral(ETH_2), model(ExpectedShortfallParameters.Apc.NONE),
                new PortfolioAccountTest.Linear());
        assertThat(r.portfolio().expectedShortfall().loss()).isEqualByComparingTo("100.00");
        assertThat(r.portfolio().drivingModel()).isEqualTo(PortfolioResult.SCENARIO);
        assertThat(r.maintenanceMargin()).isEqualByComparingTo("126.00");
        assertThat(r.initialMargin()).isEqualByComparingTo("163.80");
    }

    /** A set without ES: the same figures as before ES existed, no historical scenario revalued, no ES figure. */
    @Test
    void withoutEsTheFiguresAreTodays() {
        PortfolioAccountTest.Linear with = new PortfolioAccountTest.Linear();
        PortfolioAccountTest.Linear without = new PortfolioAccountTest.Linear();
        AccountRisk none = evaluate(LONG_2_PERP, collateral(USDC_6000), null, with);
        AccountRisk today = ACCOUNT.evaluate("acc", false, BigDecimal.ZERO, LONG_2_PERP, perpMark(false), collateral(USDC_6000),
                NOW, without);
        assertThat(none).isEqualTo(today);
        assertThat(none.maintenanceMargin()).isEqualByComparingTo("1584.00");
        assertThat(none.portfolio().expectedShortfall()).isNull();
        assertThat(none.portfolio().drivingModel()).isEqualTo(PortfolioResult.SCENARIO);
        assertThat(with.calls.get(0)).noneMatch(id -> id.startsWith("hist:"));
    }

    /**
     * No usable history for the book (a BTC-only history for an ETH book): ES is unavailable, the scenario MM stands
     * unchanged and not conservative, and the breakdown names ETH as outside the model.
     */
    @Test
    void noHistoryLeavesTheScenarioMmStanding() {
        PriceHistory btcOnly = new PriceHistory("BTC", ETH.firstDate(), ETH.closes());
        AccountShortfall es = new AccountShortfall(new ExpectedShortfallParameters(Set.of(MarginMode.PORTFOLIO), 0.625, 4, 1,
                ExpectedShortfallParameters.Apc.NONE), Map.of("BTC", btcOnly));
        AccountRisk r = evaluate(LONG_2_PERP, collateral(USDC_6000), es, new PortfolioAccountTest.Linear());
        assertThat(r.maintenanceMargin()).isEqualByComparingTo("1584.00");
        assertThat(r.conservative()).isFalse();
        assertThat(r.portfolio().expectedShortfall().available()).isFalse();
        assertThat(r.portfolio().expectedShortfall().excluded()).containsExactly("ETH");
        assertThat(r.portfolio().drivingModel()).isEqualTo(PortfolioResult.SCENARIO);
    }
}
