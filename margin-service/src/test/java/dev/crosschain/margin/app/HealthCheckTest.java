package dev.crosschain.margin.app;

import dev.crosschain.margin.domain.AccountRisk;
import dev.crosschain.margin.domain.Collateral;
import dev.crosschain.margin.domain.MarginMode;
import dev.crosschain.margin.domain.PreconditionException;
import dev.crosschain.margin.domain.RiskStatus;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HealthCheckTest {

    /** An account after a change: equity (MM and IM haircuts), IM and MM in USD, its status from them. */
    static AccountRisk after(String equityMm, String equityIm, String im, String mm) {
        BigDecimal e = new BigDecimal(equityMm);
        BigDecimal ei = new BigDecimal(equityIm);
        BigDecimal i = new BigDecimal(im);
        BigDecimal m = new BigDecimal(mm);
        return new AccountRisk("acc", false, Collateral.none(0), List.of(), BigDecimal.ZERO, BigDecimal.ZERO, BigDecimal.ZERO,
                e, ei, i, m, RiskStatus.marginRatio(m, e), RiskStatus.of(e, ei, i, m), false, List.of(), 0L, MarginMode.CROSS, null);
    }

    @Test
    void healthyOrExactlyAtImPasses() {
        assertThatCode(() -> HealthCheck.requireHealthy(after("700", "650", "600", "300"), "x")).doesNotThrowAnyException();
        assertThatCode(() -> HealthCheck.requireHealthy(after("620", "600", "600", "300"), "x")).doesNotThrowAnyException();
    }

    @Test
    void belowImIsRefusedWithTheShortfall() {
        assertThatThrownBy(() -> HealthCheck.requireHealthy(after("520", "499.999999994", "600", "300"), "the withdrawal"))
                .isInstanceOfSatisfying(PreconditionException.class, e -> {
                    assertThat(e.reason()).isEqualTo("INSUFFICIENT_MARGIN");
                    assertThat(e.subject()).isEqualTo("accounts/acc");
                    assertThat(e.figures()).containsEntry("initial_margin_after_usd", "600.00000000")
                            .containsEntry("equity_im_after_usd", "499.99999999")
                            .containsEntry("shortfall_usd", "100.00000001"); // 600 - 499.999999994, rounded half even
                    assertThat(e.getMessage()).startsWith("after the withdrawal equity (IM haircuts) 499.99999999 USD");
                });
    }

    @Test
    void atOrBelowMmIsRefusedEvenWithoutAnImShortfall() {
        // MM 300 > 0 and equity (MM haircuts) 300 <= MM: LIQUIDATION, IM shortfall 0
        assertThatThrownBy(() -> HealthCheck.requireHealthy(after("300", "300", "300", "300"), "x"))
                .isInstanceOfSatisfying(PreconditionException.class, e -> assertThat(e.figures()).containsEntry("shortfall_usd", "0.00000000"));
    }
}
