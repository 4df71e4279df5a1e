package dev.crosschain.margin.store;

import dev.crosschain.margin.domain.MarginRules;
import dev.crosschain.margin.domain.RiskParameters;
import dev.crosschain.margin.domain.history.ExpectedShortfallParameters;
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

    /**
     * rp-1 exactly as the last release stored it (no expected_shortfall object): it still loads, as "ES applies to no
     * mode", with the contents it had (so the configured rp-1 still matches it at start), and writes back to the same text.
     */
    @Test
    void aStoredSetWithoutTheEsSectionLoadsAsEsInNoMode() {
        String rp1 = "{\"version\":\"rp-1\",\"rules\":{\"linear_tiers\":[{\"below\":\"1000000\",\"im\":\"0.02\",\"mm\":\"0.01\"},"
                + "{\"below\":\"5000000\",\"im\":\"0.04\",\"mm\":\"0.02\"},{\"below\":null,\"im\":\"0.10\",\"mm\":\"0.05\"}],"
                + "\"option_im_base\":\"0.15\",\"option_im_min\":\"0.10\",\"option_mm\":\"0.075\",\"stale_scan_range\":\"0.15\"},"
                + "\"portfolio\":{\"version\":\"pm-1\",\"core_moves\":[-0.16,-0.12,-0.08,-0.04,0.0,0.04,0.08,0.12,0.16],"
                + "\"vol_up_shift\":0.15,\"vol_down_shift\":-0.1,\"tenor_reference_days\":30.0,\"tenor_power\":0.3,\"tenor_max_scale\":3.0,"
                + "\"extended_moves\":[{\"move\":-0.66,\"weight\":0.76},{\"move\":-0.5,\"weight\":1.0},{\"move\":-0.42,\"weight\":1.0},"
                + "{\"move\":-0.33,\"weight\":1.0},{\"move\":-0.25,\"weight\":1.0},{\"move\":-0.2,\"weight\":1.0},{\"move\":0.2,\"weight\":1.0},"
                + "{\"move\":0.25,\"weight\":1.0},{\"move\":0.33,\"weight\":1.0},{\"move\":0.5,\"weight\":1.0},{\"move\":1.0,\"weight\":0.5},"
                + "{\"move\":2.0,\"weight\":0.25},{\"move\":5.0,\"weight\":0.1}],\"skew_shifts\":[0.1,-0.1],"
                + "\"correlation_groups\":[[\"BTC\",\"ETH\"],[\"SOL\"]],\"group_offset\":0.2,\"im_factor\":1.3,"
                + "\"net_short_option_rate\":0.01,\"linear_rate\":0.005,\"stale_oracle_widening\":1.5,\"stablecoin_depeg\":0.1,"
                + "\"stablecoins\":[\"USDC\",\"USDT\",\"DAI\"]}}";
        RiskParameters configuredRp1 = RiskParameters.of("rp-1", MarginRules.DEFAULT.linearTiers(), new BigDecimal("0.15"),
                new BigDecimal("0.10"), new BigDecimal("0.075"), new BigDecimal("0.15"), () -> PortfolioParameters.DEFAULT,
                () -> new ExpectedShortfallParameters(java.util.Set.of(), 0.975, 365, 2, ExpectedShortfallParameters.Apc.FLOOR_AND_BUFFER));
        RiskParameters read = RiskParametersJson.read(rp1);
        assertThat(read.expectedShortfall()).isEqualTo(ExpectedShortfallParameters.NONE);
        assertThat(read.expectedShortfall().appliesTo(dev.crosschain.margin.domain.MarginMode.PORTFOLIO)).isFalse();
        assertThat(read.sameContents(configuredRp1)).isTrue();
        assertThat(RiskParametersJson.write(read)).isEqualTo(rp1);
    }

    /** An ES section round-trips, and a set that differs only by it has other contents (a version names one set). */
    @Test
    void theEsSectionRoundTripsAndIsPartOfTheContents() {
        RiskParameters rp2 = RiskParameters.of("rp-2", MarginRules.DEFAULT.linearTiers(), new BigDecimal("0.15"), new BigDecimal("0.10"),
                new BigDecimal("0.075"), new BigDecimal("0.15"), () -> PortfolioParameters.DEFAULT,
                () -> ExpectedShortfallParameters.PORTFOLIO_DEFAULT);
        String text = RiskParametersJson.write(rp2);
        assertThat(text).endsWith(",\"expected_shortfall\":{\"modes\":[\"PORTFOLIO\"],\"level\":0.975,\"look_back_days\":365,"
                + "\"holding_days\":2,\"anti_procyclicality\":\"FLOOR_AND_BUFFER\"}}");
        RiskParameters back = RiskParametersJson.read(text);
        assertThat(back).isEqualTo(rp2);
        assertThat(RiskParametersJson.write(back)).isEqualTo(text);
        RiskParameters withoutEs = new RiskParameters("rp-2", rp2.rules(), rp2.portfolio());
        assertThat(withoutEs.sameContents(rp2)).isFalse();
    }
}
