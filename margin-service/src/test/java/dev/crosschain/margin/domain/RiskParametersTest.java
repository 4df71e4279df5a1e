package dev.crosschain.margin.domain;

import dev.crosschain.margin.domain.portfolio.PortfolioParameters;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Validation of a risk-parameter set, one field group at a time; every bad field is reported at once. */
class RiskParametersTest {

    static final List<MarginRules.LinearTier> TIERS = MarginRules.DEFAULT.linearTiers();
    static final BigDecimal IM_BASE = new BigDecimal("0.15");
    static final BigDecimal IM_MIN = new BigDecimal("0.10");
    static final BigDecimal MM = new BigDecimal("0.075");
    static final BigDecimal SCAN = new BigDecimal("0.15");
    static final Supplier<PortfolioParameters> PM1 = () -> PortfolioParameters.DEFAULT;

    static RiskParameters valid(String version) {
        return RiskParameters.of(version, TIERS, IM_BASE, IM_MIN, MM, SCAN, PM1);
    }

    static MarginRules.LinearTier tier(String below, String im, String mm) {
        return new MarginRules.LinearTier(below == null ? null : new BigDecimal(below), new BigDecimal(im), new BigDecimal(mm));
    }

    static List<String> fields(Runnable build) {
        List<String> fields = new ArrayList<>();
        assertThatThrownBy(build::run).isInstanceOfSatisfying(InvalidInputException.class, e -> {
            assertThat(e.reason()).isEqualTo("INVALID_RISK_PARAMETERS");
            e.violations().forEach(v -> fields.add(v.field()));
        });
        return fields;
    }

    @Test
    void theConfiguredDefaultsAreAValidSetEqualToTodaysRules() {
        RiskParameters p = valid("rp-1");
        assertThat(p.rules()).isEqualTo(MarginRules.DEFAULT);
        assertThat(p.portfolio()).isSameAs(PortfolioParameters.DEFAULT);
        assertThat(p.portfolio().version()).isEqualTo("pm-1");
    }

    @Test
    void versionIs1To64CharactersOfASmallAlphabet() {
        assertThat(valid("A.b_c-9").version()).isEqualTo("A.b_c-9");
        assertThat(valid("v".repeat(64)).version()).hasSize(64);
        for (String bad : new String[]{"", "v".repeat(65), "rp 1", "rp/1", "rp:1", "é"}) {
            assertThat(fields(() -> valid(bad))).as(bad).containsExactly("version");
        }
        assertThat(fields(() -> valid(null))).containsExactly("version");
    }

    @Test
    void tiersAreAscendingPositiveWithOnlyTheLastUnboundedAndMmAtMostIm() {
        assertThat(fields(() -> RiskParameters.of("v", List.of(), IM_BASE, IM_MIN, MM, SCAN, PM1))).containsExactly("rules.linear_tiers");
        assertThat(fields(() -> RiskParameters.of("v", List.of(tier("1000", "0.1", "0.05")), IM_BASE, IM_MIN, MM, SCAN, PM1)))
                .containsExactly("rules.linear_tiers[0].below");
        assertThat(fields(() -> RiskParameters.of("v", List.of(tier(null, "0.1", "0.05"), tier(null, "0.2", "0.1")),
                IM_BASE, IM_MIN, MM, SCAN, PM1))).containsExactly("rules.linear_tiers[0].below");
        assertThat(fields(() -> RiskParameters.of("v", List.of(tier("5000", "0.1", "0.05"), tier("5000", "0.2", "0.1"),
                tier(null, "0.3", "0.1")), IM_BASE, IM_MIN, MM, SCAN, PM1))).containsExactly("rules.linear_tiers[1].below");
        assertThat(fields(() -> RiskParameters.of("v", List.of(tier("0", "0.1", "0.05"), tier(null, "0", "1.5")),
                IM_BASE, IM_MIN, MM, SCAN, PM1)))
                .containsExactly("rules.linear_tiers[0].below", "rules.linear_tiers[1].im", "rules.linear_tiers[1].mm");
        assertThat(fields(() -> RiskParameters.of("v", List.of(tier(null, "0.05", "0.10")), IM_BASE, IM_MIN, MM, SCAN, PM1)))
                .containsExactly("rules.linear_tiers[0].mm");
        List<MarginRules.LinearTier> withNull = new ArrayList<>();
        withNull.add(null);
        withNull.add(tier(null, "0.1", "0.05"));
        assertThat(fields(() -> RiskParameters.of("v", withNull, IM_BASE, IM_MIN, MM, SCAN, PM1))).containsExactly("rules.linear_tiers[0]");
    }

    @Test
    void tierRatesNeverFallAsNotionalGrows() {
        // equal rates are fine (a flat schedule), a lower im or mm than the previous tier's is not
        RiskParameters flat = RiskParameters.of("v", List.of(tier("1000", "0.1", "0.05"), tier(null, "0.1", "0.05")),
                IM_BASE, IM_MIN, MM, SCAN, PM1);
        assertThat(flat.rules().linearTiers()).hasSize(2);
        assertThat(fields(() -> RiskParameters.of("v", List.of(tier("1000", "0.1", "0.05"), tier("2000", "0.08", "0.05"),
                tier(null, "0.2", "0.04")), IM_BASE, IM_MIN, MM, SCAN, PM1)))
                .containsExactly("rules.linear_tiers[1].im", "rules.linear_tiers[2].mm");
        // each tier is compared with the one before it, not only with the first
        assertThat(fields(() -> RiskParameters.of("v", List.of(tier("1000", "0.02", "0.01"), tier("2000", "0.2", "0.1"),
                tier(null, "0.1", "0.1")), IM_BASE, IM_MIN, MM, SCAN, PM1)))
                .containsExactly("rules.linear_tiers[2].im");
    }

    @Test
    void optionRatesAreFractionsWithMmAtMostTheFloorAtMostTheBase() {
        assertThat(fields(() -> RiskParameters.of("v", TIERS, null, IM_MIN, MM, SCAN, PM1))).containsExactly("rules.option_im_base");
        assertThat(fields(() -> RiskParameters.of("v", TIERS, IM_BASE, new BigDecimal("0.2"), MM, SCAN, PM1)))
                .containsExactly("rules.option_im_min");
        assertThat(fields(() -> RiskParameters.of("v", TIERS, IM_BASE, IM_MIN, new BigDecimal("0.12"), SCAN, PM1)))
                .containsExactly("rules.option_mm");
        assertThat(fields(() -> RiskParameters.of("v", TIERS, new BigDecimal("1.01"), BigDecimal.ZERO, new BigDecimal("-1"), SCAN, PM1)))
                .containsExactly("rules.option_im_base", "rules.option_im_min", "rules.option_mm");
    }

    @Test
    void staleScanRangeIsInZeroToOne() {
        for (String bad : new String[]{"0", "1", "-0.1", "2"}) {
            assertThat(fields(() -> RiskParameters.of("v", TIERS, IM_BASE, IM_MIN, MM, new BigDecimal(bad), PM1))).as(bad)
                    .containsExactly("rules.stale_scan_range");
        }
        assertThat(fields(() -> RiskParameters.of("v", TIERS, IM_BASE, IM_MIN, MM, null, PM1))).containsExactly("rules.stale_scan_range");
    }

    @Test
    void portfolioViolationsAreReportedUnderPortfolioWithTheOthers() {
        PortfolioParameters d = PortfolioParameters.DEFAULT;
        Supplier<PortfolioParameters> bad = () -> new PortfolioParameters("", List.of(-0.1, 0.1), d.volUpShift(), d.volDownShift(),
                d.tenorReferenceDays(), d.tenorPower(), d.tenorMaxScale(), d.extendedMoves(), d.skewShifts(), d.correlationGroups(),
                d.groupOffset(), 0.5, d.netShortOptionRate(), d.linearRate(), d.staleOracleWidening(), d.stablecoinDepeg(), d.stablecoins());
        assertThat(fields(() -> RiskParameters.of("", TIERS, IM_BASE, IM_MIN, MM, SCAN, bad)))
                .containsExactly("version", "portfolio.version", "portfolio.core_moves", "portfolio.im_factor");
    }

    @Test
    void theCanonicalConstructorRefusesMissingParts() {
        assertThat(fields(() -> new RiskParameters("bad version", null, null))).containsExactly("version", "rules", "portfolio");
    }

    @Test
    void theCanonicalConstructorChecksTheRulesAsOfDoes() {
        // MarginRules itself only checks the limits' order: the rates are the set's rules to check
        MarginRules falling = new MarginRules(List.of(tier("1000", "0.1", "0.05"), tier(null, "0.05", "0.06")),
                IM_BASE, new BigDecimal("0.2"), MM, BigDecimal.ONE);
        assertThat(fields(() -> new RiskParameters("v", falling, PortfolioParameters.DEFAULT))).containsExactly(
                "rules.linear_tiers[1].mm", "rules.linear_tiers[1].im", "rules.option_im_min", "rules.stale_scan_range");
        assertThat(new RiskParameters("v", MarginRules.DEFAULT, PortfolioParameters.DEFAULT).rules()).isEqualTo(MarginRules.DEFAULT);
    }

    @Test
    void sameContentsComparesDecimalsByValueAndEverythingElseExactly() {
        RiskParameters a = valid("rp-1");
        RiskParameters scaled = RiskParameters.of("rp-1", List.of(tier("1000000.0", "0.020", "0.01"), tier("5000000", "0.04", "0.02"),
                tier(null, "0.1", "0.05")), new BigDecimal("0.150"), IM_MIN, MM, SCAN, PM1);
        assertThat(a.sameContents(scaled)).isTrue();
        assertThat(a.sameContents(valid("rp-2"))).isFalse();
        assertThat(a.sameContents(RiskParameters.of("rp-1", TIERS, IM_BASE, IM_MIN, MM, new BigDecimal("0.2"), PM1))).isFalse();
        PortfolioParameters d = PortfolioParameters.DEFAULT;
        PortfolioParameters otherIm = new PortfolioParameters(d.version(), d.coreMoves(), d.volUpShift(), d.volDownShift(),
                d.tenorReferenceDays(), d.tenorPower(), d.tenorMaxScale(), d.extendedMoves(), d.skewShifts(), d.correlationGroups(),
                d.groupOffset(), 1.31, d.netShortOptionRate(), d.linearRate(), d.staleOracleWidening(), d.stablecoinDepeg(), d.stablecoins());
        assertThat(a.sameContents(RiskParameters.of("rp-1", TIERS, IM_BASE, IM_MIN, MM, SCAN, () -> otherIm))).isFalse();
    }
}
