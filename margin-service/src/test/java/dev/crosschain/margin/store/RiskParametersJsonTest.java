package dev.crosschain.margin.store;

import dev.crosschain.margin.domain.MarginRules;
import dev.crosschain.margin.domain.RiskParameters;
import dev.crosschain.margin.domain.portfolio.PortfolioParameters;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The stored form round-trips exactly: the same record back, and the same text when written again. */
class RiskParametersJsonTest {

    @Test
    void theDefaultSetRoundTripsExactly() {
        RiskParameters p = RiskParameters.of("rp-1", MarginRules.DEFAULT.linearTiers(), new BigDecimal("0.15"), new BigDecimal("0.10"),
                new BigDecimal("0.075"), new BigDecimal("0.15"), () -> PortfolioParameters.DEFAULT);
        String text = RiskParametersJson.write(p);
        RiskParameters back = RiskParametersJson.read(text);
        assertThat(back).isEqualTo(p);
        assertThat(RiskParametersJson.write(back)).isEqualTo(text);
        // field order is fixed, decimals are strings with their scale, the unbounded tier is null
        assertThat(text).startsWith("{\"version\":\"rp-1\",\"rules\":{\"linear_tiers\":[{\"below\":\"1000000\",\"im\":\"0.02\",\"mm\":\"0.01\"}")
                .contains("{\"below\":null,\"im\":\"0.10\",\"mm\":\"0.05\"}")
                .contains("\"option_im_min\":\"0.10\"")
                .contains("\"portfolio\":{\"version\":\"pm-1\",\"core_moves\":[-0.16,-0.12,");
    }

    @Test
    void doublesWithoutAShortDecimalFormAndOddScalesRoundTripBitForBit() {
        PortfolioParameters d = PortfolioParameters.DEFAULT;
        double third = 1.0 / 3;
        PortfolioParameters odd = new PortfolioParameters("pm-odd", List.of(-0.1 - 0.2, 0.0, Math.nextUp(0.1)), third, -0.0,
                30, Math.PI / 10, 3, List.of(new PortfolioParameters.ExtendedMove(-0.5000000000000001, 1),
                new PortfolioParameters.ExtendedMove(4.9e-1 + 1e-16 + 0.5, Double.MIN_NORMAL)), List.of(1e-300, -0.1),
                List.of(List.of("BTC", "ETH"), List.of("SOL")), 0.2, 1.3000000000000003, 0.01, 0.005, 1.5, 0.1, List.of("USDC"));
        RiskParameters p = RiskParameters.of("odd.1_x", List.of(new MarginRules.LinearTier(new BigDecimal("1E+6"), new BigDecimal("0.0200"),
                new BigDecimal("0.01")), new MarginRules.LinearTier(null, new BigDecimal("1"), new BigDecimal("0.5"))),
                new BigDecimal("0.15000"), new BigDecimal("0.1"), new BigDecimal("0.075"), new BigDecimal("0.15"), () -> odd);
        RiskParameters back = RiskParametersJson.read(RiskParametersJson.write(p));
        assertThat(back.portfolio()).isEqualTo(odd);
        assertThat(Double.doubleToRawLongBits(back.portfolio().volDownShift())).isEqualTo(Double.doubleToRawLongBits(-0.0));
        assertThat(back.sameContents(p)).isTrue();
        assertThat(back.rules().optionImBase()).isEqualTo(new BigDecimal("0.15000")); // scale kept
        assertThat(RiskParametersJson.write(back)).isEqualTo(RiskParametersJson.write(p));
    }
}
