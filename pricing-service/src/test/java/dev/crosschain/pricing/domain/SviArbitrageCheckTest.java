package dev.crosschain.pricing.domain;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.LocalDate;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class SviArbitrageCheckTest {

    private static final SviArbitrageCheck CHECK = SviArbitrageCheck.DEFAULT;
    /**
     * Gatheral and Jacquier, "Arbitrage-free SVI volatility surfaces" (2014), section 5.1 (Axel
     * Vogt's example), T = 1: a slice with butterfly arbitrage, g(k) < 0 for k around 0.9.
     */
    private static final SviParameters GATHERAL_JACQUIER = new SviParameters(-0.0410, 0.1331, 0.3060, 0.3586, 0.4153);
    private static final SviParameters CLEAN = new SviParameters(0.01, 0.08, -0.35, 0.02, 0.12);

    @Test
    void gatheralJacquierExampleHasButterflyArbitrage() {
        List<ArbitrageViolation> violations = CHECK.butterfly("27DEC26", GATHERAL_JACQUIER);

        assertThat(violations).hasSize(1);
        ArbitrageViolation violation = violations.get(0);
        assertThat(violation.type()).isEqualTo("BUTTERFLY");
        assertThat(violation.expiry()).isEqualTo("27DEC26");
        // worst grid point k = -1.5 + 1586 * 0.0015; g there computed independently of the check
        assertThat(violation.description()).startsWith("g(k) = -0.03286").contains("at k = 0.879000");
        assertThat(GATHERAL_JACQUIER.g(0.879)).isNegative();
        assertThat(GATHERAL_JACQUIER.g(0.0)).isPositive();
    }

    @Test
    void cleanSlicePasses() {
        assertThat(CHECK.butterfly("1JUL26", CLEAN)).isEmpty();
        assertThat(CHECK.butterfly("1JUL26", new SviParameters(0.04, 0, 0, 0, 0.1))).as("flat smile").isEmpty();
    }

    @Test
    void parameterSanityViolationsAreButterflies() {
        assertSingleButterfly(new SviParameters(0.04, -0.1, 0, 0, 0.1), "b = ");
        assertSingleButterfly(new SviParameters(0.04, 0.1, 1.0, 0, 0.1), "|rho| = ");
        assertSingleButterfly(new SviParameters(0.04, 0.1, 0, 0, 0), "sigma = ");
        assertSingleButterfly(new SviParameters(0.04, 3.5, 0.2, 0, 0.1), "wing slope b(1+|rho|) = 4.2");
        assertSingleButterfly(new SviParameters(-0.05, 0.1, 0.0, 0, 0.1), "total variance w(k) = -0.04");
    }

    @Test
    void wingSlopeAboveLeesBoundIsButterflyArbitrageAtInfinity() {
        // b (1 + rho) = 3: within the sanity bound 4, above Lee's 2, so g(k) -> 1/4 - 9/16 < 0 on the right.
        List<ArbitrageViolation> violations = CHECK.butterfly("1JUL26", new SviParameters(0.01, 2.5, 0.2, 0, 0.1));

        assertThat(violations).extracting(ArbitrageViolation::type).containsOnly("BUTTERFLY");
        assertThat(violations).anySatisfy(v -> assertThat(v.description()).contains("as k -> +infinity"));
    }

    @Test
    void laterExpiryWithLowerTotalVarianceIsCalendarArbitrageOfTheLaterExpiry() {
        // The later slice is higher at the money but has flatter wings: below the earlier one far from the money.
        SviParameters later = new SviParameters(0.02, 0.04, -0.35, 0.02, 0.12);
        assertThat(later.totalVariance(0)).isGreaterThan(CLEAN.totalVariance(0));
        assertThat(later.totalVariance(-1)).isLessThan(CLEAN.totalVariance(-1));

        List<ArbitrageViolation> violations = CHECK.calendar("1JUL26", CLEAN, "31JUL26", later);

        assertThat(violations).hasSize(2); // the left and the right wing
        assertThat(violations).extracting(ArbitrageViolation::type).containsOnly("CALENDAR");
        assertThat(violations).extracting(ArbitrageViolation::expiry).containsOnly("31JUL26");
        assertThat(violations.get(0).description()).contains("at k = -1.50000").contains("below 1JUL26's");
    }

    @Test
    void higherTotalVarianceEverywhereIsNoCalendarArbitrage() {
        SviParameters later = new SviParameters(CLEAN.a() + 0.01, CLEAN.b(), CLEAN.rho(), CLEAN.m(), CLEAN.sigma());

        assertThat(CHECK.calendar("1JUL26", CLEAN, "31JUL26", later)).isEmpty();
    }

    @Test
    void checkOfSlicesReportsButterfliesAndCalendarsByExpiry() {
        LocalDate first = LocalDate.of(2026, 7, 1);
        LocalDate second = LocalDate.of(2026, 7, 31);
        Instant fittedAt = Instant.parse("2026-06-01T08:00:00Z");
        List<SviSlice> slices = List.of(
                slice(first, fittedAt, GATHERAL_JACQUIER),
                slice(second, fittedAt, new SviParameters(-0.0410, 0.1331 * 0.5, 0.3060, 0.3586, 0.4153)));

        List<ArbitrageViolation> violations = CHECK.check(slices);

        assertThat(violations).extracting(ArbitrageViolation::type, ArbitrageViolation::expiry)
                .contains(org.assertj.core.groups.Tuple.tuple("BUTTERFLY", "1JUL26"),
                        org.assertj.core.groups.Tuple.tuple("CALENDAR", "31JUL26"));
    }

    private static void assertSingleButterfly(SviParameters params, String descriptionStart) {
        List<ArbitrageViolation> violations = CHECK.butterfly("1JUL26", params);
        assertThat(violations).as("%s", params).hasSize(1);
        assertThat(violations.get(0).type()).isEqualTo("BUTTERFLY");
        assertThat(violations.get(0).description()).startsWith(descriptionStart);
    }

    private static SviSlice slice(LocalDate expiry, Instant fittedAt, SviParameters params) {
        Instant instant = Instrument.Expiry.instant(expiry);
        return new SviSlice(expiry, instant, MarkCalculator.yearsUntil(instant, fittedAt), 3000, params, 0, 10);
    }
}
