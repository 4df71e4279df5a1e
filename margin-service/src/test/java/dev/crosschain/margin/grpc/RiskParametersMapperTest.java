package dev.crosschain.margin.grpc;

import dev.crosschain.margin.domain.InvalidInputException;
import dev.crosschain.margin.domain.MarginRules;
import dev.crosschain.margin.domain.RiskParameters;
import dev.crosschain.margin.domain.Violation;
import dev.crosschain.margin.domain.history.ExpectedShortfallParameters;
import dev.crosschain.proto.margin.v1.MarginMode;
import dev.crosschain.margin.domain.portfolio.PortfolioParameters;
import dev.crosschain.proto.margin.v1.StandardRules;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.List;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The wire form's decimals: plain, bounded, each bad one reported once under its path. */
class RiskParametersMapperTest {

    static final dev.crosschain.proto.margin.v1.RiskParameters VALID = RiskParametersMapper.toProto(RiskParameters.of("rp-1",
            MarginRules.DEFAULT.linearTiers(), new BigDecimal("0.15"), new BigDecimal("0.10"), new BigDecimal("0.075"),
            new BigDecimal("0.15"), () -> PortfolioParameters.DEFAULT));

    static List<Violation> violations(UnaryOperator<StandardRules.Builder> change) {
        var bad = VALID.toBuilder().setRules(change.apply(VALID.getRules().toBuilder())).build();
        InvalidInputException[] caught = new InvalidInputException[1];
        assertThatThrownBy(() -> RiskParametersMapper.toDomain(bad, "parameters"))
                .isInstanceOfSatisfying(InvalidInputException.class, e -> caught[0] = e);
        assertThat(caught[0].reason()).isEqualTo(RiskParameters.INVALID);
        return caught[0].violations();
    }

    @Test
    void theValidSetRoundTrips() {
        assertThat(RiskParametersMapper.toProto(RiskParametersMapper.toDomain(VALID, "parameters"))).isEqualTo(VALID);
    }

    @Test
    void exponentsAreRefusedAsNotPlainDecimals() {
        for (String bad : new String[]{"1E-1000000000", "1e-1", "5E+2", "0x10", "NaN", "1,5"}) {
            assertThat(violations(r -> r.setOptionMm(bad))).as(bad).singleElement()
                    .satisfies(v -> assertThat(v.field()).isEqualTo("parameters.rules.option_mm"));
        }
    }

    @Test
    void scaleAndPrecisionAreBounded() {
        // 18 digits after the point is the most
        String eighteen = "0." + "0".repeat(17) + "1";
        assertThat(RiskParametersMapper.toDomain(VALID.toBuilder().setRules(VALID.getRules().toBuilder().setStaleScanRange(eighteen))
                .build(), "parameters").rules().scanRange()).isEqualByComparingTo(eighteen);
        for (String bad : new String[]{"0." + "0".repeat(18) + "1", "0." + "0".repeat(1_000_000) + "1", "0.1" + "0".repeat(20)}) {
            assertThat(violations(r -> r.setStaleScanRange(bad))).as("%d characters", bad.length()).singleElement()
                    .satisfies(v -> assertThat(v.field()).isEqualTo("parameters.rules.stale_scan_range"));
        }
        assertThat(violations(r -> r.setLinearTiers(0, r.getLinearTiers(0).toBuilder().setBelow("1" + "0".repeat(38)))))
                .extracting(Violation::field).containsExactly("parameters.rules.linear_tiers[0].below");
    }

    /**
     * The ES section round-trips; an absent section is ES in no mode (a client that predates it); a bad one reports each
     * bad field once, together with the other sections' (the CROSS mode is not offered to ES: only PORTFOLIO is wired).
     */
    @Test
    void theEsSectionRoundTripsAndReportsEachBadField() {
        var withEs = RiskParametersMapper.toProto(RiskParameters.of("rp-2", MarginRules.DEFAULT.linearTiers(), new BigDecimal("0.15"),
                new BigDecimal("0.10"), new BigDecimal("0.075"), new BigDecimal("0.15"), () -> PortfolioParameters.DEFAULT,
                () -> ExpectedShortfallParameters.PORTFOLIO_DEFAULT));
        assertThat(withEs.getExpectedShortfall().getModesList()).containsExactly(MarginMode.MARGIN_MODE_PORTFOLIO);
        assertThat(RiskParametersMapper.toDomain(withEs, "parameters").expectedShortfall())
                .isEqualTo(ExpectedShortfallParameters.PORTFOLIO_DEFAULT);
        assertThat(RiskParametersMapper.toProto(RiskParametersMapper.toDomain(withEs, "parameters"))).isEqualTo(withEs);
        assertThat(VALID.hasExpectedShortfall()).isFalse();
        assertThat(RiskParametersMapper.toDomain(VALID, "parameters").expectedShortfall()).isEqualTo(ExpectedShortfallParameters.NONE);

        var bad = withEs.toBuilder().setRules(withEs.getRules().toBuilder().setOptionMm("x"))
                .setExpectedShortfall(withEs.getExpectedShortfall().toBuilder().setModes(0, MarginMode.MARGIN_MODE_CROSS)
                        .setLevel(Double.NaN).setLookBackDays(1).setAntiProcyclicalityValue(7)).build();
        InvalidInputException[] caught = new InvalidInputException[1];
        assertThatThrownBy(() -> RiskParametersMapper.toDomain(bad, "parameters"))
                .isInstanceOfSatisfying(InvalidInputException.class, e -> caught[0] = e);
        assertThat(caught[0].violations()).extracting(Violation::field).containsExactlyInAnyOrder("parameters.rules.option_mm",
                "parameters.expected_shortfall.modes[0]", "parameters.expected_shortfall.level",
                "parameters.expected_shortfall.look_back_days", "parameters.expected_shortfall.anti_procyclicality");
    }
}
