package dev.crosschain.margin.domain;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

import static dev.crosschain.margin.domain.MarginCalculatorTest.CALC;
import static dev.crosschain.margin.domain.MarginCalculatorTest.CALL_OTM;
import static dev.crosschain.margin.domain.MarginCalculatorTest.NOW;
import static dev.crosschain.margin.domain.MarginCalculatorTest.PERP;
import static dev.crosschain.margin.domain.MarginCalculatorTest.mark;
import static org.assertj.core.api.Assertions.assertThat;

/** Explanation of CROSS figures: the rule and tier each position was margined by, under the set given. */
class ExplanationTest {

    /**
     * A stale perp is tiered by the shocked mark the calculator used: long 330 at 3,000 is 990,000 (tier 0), shocked
     * -15% to 2,550 it is 841,500, still tier 0; short 300 is 900,000 at the quoted mark (tier 0) but 1,035,000 shocked
     * +15% to 3,450: tier 1 (4% / 2%), as margined.
     */
    @Test
    void aLinearPositionNamesTheTierOfTheMarkItWasMarginedAt() {
        Explanation long330 = explain(new Position(PERP, new BigDecimal("330"), new BigDecimal("3000")), mark(PERP, "3000", 1, true));
        assertThat(long330.positions()).singleElement().satisfies(p -> {
            assertThat(p.rule()).isEqualTo(Explanation.LINEAR_TIER);
            assertThat(p.tier()).isZero();
            assertThat(p.notional()).isEqualByComparingTo("841500");
            assertThat(p.mmRate()).isEqualByComparingTo("0.01");
            assertThat(p.maintenanceMargin()).isEqualByComparingTo("8415");
        });
        Explanation short300 = explain(new Position(PERP, new BigDecimal("-300"), new BigDecimal("3000")), mark(PERP, "3000", 1, true));
        assertThat(short300.positions().get(0).tier()).isEqualTo(1);
        assertThat(short300.positions().get(0).notional()).isEqualByComparingTo("1035000");
        assertThat(short300.positions().get(0).maintenanceMargin()).isEqualByComparingTo("20700");
        assertThat(short300.largest()).isEqualTo(new Explanation.Contributor("position", PERP, short300.positions().get(0).maintenanceMargin()));
    }

    /** A long option needs its premium only: rule long_option, no requirement, so nothing is the largest contributor. */
    @Test
    void aLongOptionHasNoRequirementAndNoContributor() {
        Explanation e = explain(new Position(CALL_OTM, new BigDecimal("2"), new BigDecimal("90")), mark(CALL_OTM, "100", 0.25, false));
        assertThat(e.positions()).singleElement().satisfies(p -> {
            assertThat(p.rule()).isEqualTo(Explanation.LONG_OPTION);
            assertThat(p.tier()).isEqualTo(-1);
            assertThat(p.notional()).isNull();
            assertThat(p.maintenanceMargin()).isZero();
        });
        assertThat(e.largest()).isNull();
    }

    private static Explanation explain(Position p, MarketMark m) {
        AccountRisk risk = CALC.evaluate("acc", false, BigDecimal.ZERO, List.of(p), Map.of(p.instrument(), m),
                Collateral.none(NOW), NOW);
        return Explanation.of(risk, MarginRules.DEFAULT);
    }
}
