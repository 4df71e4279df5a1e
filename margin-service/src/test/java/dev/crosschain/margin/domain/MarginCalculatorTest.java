package dev.crosschain.margin.domain;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MarginCalculatorTest {

    static final MarginCalculator CALC = new MarginCalculator(MarginRules.DEFAULT);
    static final long NOW = 1_000_000L;
    static final String PERP = "ETH-PERPETUAL";
    static final String CALL_OTM = "ETH-27DEC26-3500-C";
    static final String PUT_OTM = "ETH-27DEC26-2900-P";
    static final String CALL_ITM = "ETH-27DEC26-2500-C";

    static MarketMark mark(String instrument, String price, double delta, boolean stale) {
        return new MarketMark(instrument, "ETH", new BigDecimal(price), new BigDecimal("3000"), delta, stale, NOW - 500);
    }

    static PositionRisk risk(String instrument, String qty, String entry, MarketMark mark) {
        return CALC.position(Instrument.parse(instrument, "i"), new Position(instrument, new BigDecimal(qty), new BigDecimal(entry)), mark);
    }

    /** Perpetual tiers: qty, mark, IM, MM. The whole position takes the tier of its notional. */
    record TierRow(String qty, String mark, String im, String mm) {
    }

    @Test
    void perpetualTiersByNotional() {
        List<TierRow> rows = List.of(
                new TierRow("10", "3000", "600", "300"),              // 30,000 < 1M: 2% / 1%
                new TierRow("-10", "3000", "600", "300"),             // shorts alike
                new TierRow("333", "3000", "19980", "9990"),          // 999,000 still tier 1
                new TierRow("400", "2500", "40000", "20000"),         // exactly 1,000,000: tier 2, 4% / 2%
                new TierRow("400", "3000", "48000", "24000"),         // 1.2M: 4% / 2%
                new TierRow("-2000", "3000", "600000", "300000"));    // 6M: 10% / 5%
        for (TierRow row : rows) {
            PositionRisk r = risk(PERP, row.qty(), row.mark(), mark(PERP, row.mark(), 1, false));
            assertThat(r.initialMargin()).as("IM of " + row).isEqualByComparingTo(row.im());
            assertThat(r.maintenanceMargin()).as("MM of " + row).isEqualByComparingTo(row.mm());
            assertThat(r.unrealizedPnl()).isZero();
        }
    }

    @Test
    void perpetualUnrealizedPnlAndDelta() {
        PositionRisk r = risk(PERP, "-2", "3100", mark(PERP, "3000", 1, false));
        assertThat(r.unrealizedPnl()).isEqualByComparingTo("200"); // -2 x (3000 - 3100)
        assertThat(r.delta()).isEqualTo(-2.0);
        assertThat(r.optionValue()).isZero();
    }

    /**
     * Deribit short option rule worked by hand, S = 3000:
     * <pre>
     * 3500 C, mark 100: OTM 500, 0.15 - 500/3000 = -0.0167 -> floor 0.10: IM = 300 + 100 = 400/unit; MM = 225 + 100 = 325/unit
     * 2900 P, mark  80: OTM 100, 0.15 - 100/3000 = 0.11667: IM = 350 + 80 = 430/unit; MM = 225 + 80 = 305/unit
     * 2500 C, mark 550: ITM, OTM 0: IM = 450 + 550 = 1000/unit; MM = 225 + 550 = 775/unit
     * </pre>
     */
    @Test
    void shortOptionsFollowDeribit() {
        PositionRisk call = risk(CALL_OTM, "-2", "100", mark(CALL_OTM, "100", 0.25, false));
        assertThat(call.initialMargin()).isEqualByComparingTo("800");
        assertThat(call.maintenanceMargin()).isEqualByComparingTo("650");
        assertThat(call.optionValue()).isEqualByComparingTo("-200");
        assertThat(call.delta()).isEqualTo(-0.5);

        PositionRisk put = risk(PUT_OTM, "-1", "80", mark(PUT_OTM, "80", -0.3, false));
        assertThat(put.initialMargin()).isEqualByComparingTo("430");
        assertThat(put.maintenanceMargin()).isEqualByComparingTo("305");

        PositionRisk itm = risk(CALL_ITM, "-0.5", "500", mark(CALL_ITM, "550", 0.9, false));
        assertThat(itm.initialMargin()).isEqualByComparingTo("500");
        assertThat(itm.maintenanceMargin()).isEqualByComparingTo("387.5");
    }

    @Test
    void longOptionsNeedNoMarginAndCountTheirMark() {
        PositionRisk r = risk(CALL_OTM, "3", "90", mark(CALL_OTM, "100", 0.25, false));
        assertThat(r.initialMargin()).isZero();
        assertThat(r.maintenanceMargin()).isZero();
        assertThat(r.optionValue()).isEqualByComparingTo("300");
        assertThat(r.unrealizedPnl()).isZero();
    }

    /** Status thresholds: equity (MM haircuts), equity (IM haircuts), IM, MM -> status. */
    record StatusRow(String equityMm, String equityIm, String im, String mm, RiskStatus status) {
    }

    @Test
    void statusThresholds() {
        List<StatusRow> rows = List.of(
                new StatusRow("1000", "1000", "600", "300", RiskStatus.HEALTHY),
                new StatusRow("1000", "600", "600", "300", RiskStatus.HEALTHY),          // equity = IM is enough
                new StatusRow("1000", "599.99", "600", "300", RiskStatus.MARGIN_CALL),
                new StatusRow("300.01", "300.01", "600", "300", RiskStatus.MARGIN_CALL),
                new StatusRow("300", "300", "600", "300", RiskStatus.LIQUIDATION),       // equity = MM liquidates
                new StatusRow("-10", "-10", "600", "300", RiskStatus.LIQUIDATION),
                new StatusRow("0", "0", "0", "0", RiskStatus.HEALTHY),                   // nothing to margin
                new StatusRow("-5", "-5", "0", "0", RiskStatus.MARGIN_CALL));            // negative cash, no positions
        for (StatusRow row : rows) {
            assertThat(RiskStatus.of(new BigDecimal(row.equityMm()), new BigDecimal(row.equityIm()), new BigDecimal(row.im()),
                    new BigDecimal(row.mm()))).as(row.toString()).isEqualTo(row.status());
        }
        assertThat(RiskStatus.marginRatio(new BigDecimal("300"), new BigDecimal("1000"))).isEqualTo(0.3);
        assertThat(RiskStatus.marginRatio(BigDecimal.ZERO, new BigDecimal("-5"))).isZero();
        assertThat(RiskStatus.marginRatio(new BigDecimal("300"), BigDecimal.ZERO)).isEqualTo(Double.POSITIVE_INFINITY);
    }

    @Test
    void accountEquityAndRequirements() {
        Collateral collateral = new Collateral(List.of(), new BigDecimal("11000"), new BigDecimal("9500"), new BigDecimal("10000"), false, NOW - 100);
        AccountRisk a = CALC.evaluate("alice", false, new BigDecimal("50"),
                List.of(new Position(PERP, new BigDecimal("10"), new BigDecimal("2900")),
                        new Position(CALL_OTM, new BigDecimal("-2"), new BigDecimal("100"))),
                Map.of(PERP, mark(PERP, "3000", 1, false), CALL_OTM, mark(CALL_OTM, "100", 0.25, false)), collateral, NOW);
        assertThat(a.unrealizedPnl()).isEqualByComparingTo("1000");
        assertThat(a.optionValue()).isEqualByComparingTo("-200");
        assertThat(a.equity()).isEqualByComparingTo("10850");   // 10000 + 1000 + 50 - 200
        assertThat(a.equityIm()).isEqualByComparingTo("10350"); // 9500 + 1000 + 50 - 200
        assertThat(a.initialMargin()).isEqualByComparingTo("1400");
        assertThat(a.maintenanceMargin()).isEqualByComparingTo("950");
        assertThat(a.status()).isEqualTo(RiskStatus.HEALTHY);
        assertThat(a.marginRatio()).isEqualTo(950.0 / 10850.0);
        assertThat(a.conservative()).isFalse();
        assertThat(a.equity().scale()).isEqualTo(8);
        assertThat(a.inputAges()).containsExactly(new InputAge("index:ETH", 500, false), new InputAge("collateral", 100, false));
    }

    @Test
    void staleMarksAreShockedAgainstThePosition() {
        // long perp: 3000 x (1 - 0.15) = 2550
        PositionRisk longPerp = risk(PERP, "10", "2900", mark(PERP, "3000", 1, true));
        assertThat(longPerp.markUsed()).isEqualByComparingTo("2550");
        assertThat(longPerp.unrealizedPnl()).isEqualByComparingTo("-3500");
        assertThat(longPerp.initialMargin()).isEqualByComparingTo("510");
        // short perp: 3000 x 1.15 = 3450
        assertThat(risk(PERP, "-1", "3000", mark(PERP, "3000", 1, true)).unrealizedPnl()).isEqualByComparingTo("-450");
        // short call, delta 0.25: 100 + 0.25 x 3000 x 0.15 = 212.5
        PositionRisk shortCall = risk(CALL_OTM, "-1", "100", mark(CALL_OTM, "100", 0.25, true));
        assertThat(shortCall.markUsed()).isEqualByComparingTo("212.5");
        assertThat(shortCall.maintenanceMargin()).isEqualByComparingTo("437.5");
        // long call floors at zero
        assertThat(risk(CALL_OTM, "1", "100", mark(CALL_OTM, "100", 0.5, true)).optionValue()).isZero();

        AccountRisk a = CALC.evaluate("s", false, BigDecimal.ZERO, List.of(new Position(PERP, BigDecimal.ONE, new BigDecimal("3000"))),
                Map.of(PERP, mark(PERP, "3000", 1, true)), Collateral.none(NOW), NOW);
        assertThat(a.conservative()).isTrue();
        assertThat(a.inputAges().get(0).stale()).isTrue();
    }

    @Test
    void withdrawalsTakeHaircutValueOut() {
        Collateral c = new Collateral(List.of(new CollateralLine("arbitrum", "ETH", new BigDecimal("2"), new BigDecimal("3000"),
                new BigDecimal("6000"), new BigDecimal("5100"), new BigDecimal("5400"), false, "ETH", new BigDecimal("0.1"),
                new BigDecimal("0.15"))),
                new BigDecimal("6000"), new BigDecimal("5100"), new BigDecimal("5400"), false, NOW);
        Collateral after = c.withdraw(new Collateral.Withdrawal("arbitrum", "ETH", BigDecimal.ONE), "w");
        assertThat(after.marketValue()).isEqualByComparingTo("3000");
        assertThat(after.valueIm()).isEqualByComparingTo("2550");
        assertThat(after.valueMm()).isEqualByComparingTo("2700");
        assertThat(after.lines().get(0).available()).isEqualByComparingTo("1");
        assertThatThrownBy(() -> c.withdraw(new Collateral.Withdrawal("arbitrum", "ETH", new BigDecimal("2.1")), "w"))
                .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.reason()).isEqualTo("INVALID_QUANTITY"));
        assertThatThrownBy(() -> c.withdraw(new Collateral.Withdrawal("solana", "ETH", BigDecimal.ONE), "w"))
                .isInstanceOf(InvalidInputException.class);
    }

    @Test
    void tiersParseFromConfiguration() {
        assertThat(MarginRules.parseTiers("1000000:0.02:0.01,5000000:0.04:0.02,*:0.10:0.05")).isEqualTo(MarginRules.DEFAULT.linearTiers());
        assertThatThrownBy(() -> new MarginRules(MarginRules.parseTiers("1000:0.1:0.05"), BigDecimal.ONE, BigDecimal.ONE,
                BigDecimal.ONE, BigDecimal.ONE)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theViewCarriesTheModeItWasComputedInAndOnlyCrossIsComputed() {
        List<Position> book = List.of(new Position(PERP, BigDecimal.ONE, new BigDecimal("3000")));
        Map<String, MarketMark> marks = Map.of(PERP, mark(PERP, "3000", 1, false));
        AccountRisk cross = CALC.evaluate("m", false, BigDecimal.ZERO, book, marks, Collateral.none(NOW), NOW, MarginMode.CROSS);
        assertThat(cross.mode()).isEqualTo(MarginMode.CROSS);
        assertThatThrownBy(() -> CALC.evaluate("m", false, BigDecimal.ZERO, book, marks, Collateral.none(NOW), NOW,
                MarginMode.PORTFOLIO)).isInstanceOf(IllegalArgumentException.class);
    }
}
