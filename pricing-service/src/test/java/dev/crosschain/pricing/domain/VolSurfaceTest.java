package dev.crosschain.pricing.domain;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class VolSurfaceTest {

    private static final Instant FITTED_AT = Instant.parse("2026-06-01T08:00:00Z");
    private static final LocalDate FIRST = LocalDate.of(2026, 7, 1);
    private static final LocalDate SECOND = LocalDate.of(2026, 7, 31);
    private static final LocalDate THIRD = LocalDate.of(2026, 9, 29);
    /** Put-skewed smiles, total variance rising with expiry at every k. */
    private static final SviParameters FIRST_SMILE = new SviParameters(0.01, 0.08, -0.35, 0.02, 0.12);
    private static final SviParameters SECOND_SMILE = new SviParameters(0.03, 0.10, -0.30, 0.03, 0.15);
    private static final SviParameters THIRD_SMILE = new SviParameters(0.08, 0.14, -0.25, 0.04, 0.20);
    private static final double F = 3000;
    private static final double[] STRIKES = {1500, 2400, 3000, 3600, 6000};
    private static final double TOL = 1e-14;

    private static final VolSurface SURFACE = new VolSurface("ETH", 1, FITTED_AT, false, List.of(
            slice(FIRST, FIRST_SMILE), slice(SECOND, SECOND_SMILE), slice(THIRD, THIRD_SMILE)));

    @Test
    void atASliceExpiryItIsThatSlice() {
        for (double strike : STRIKES) {
            double k = Math.log(strike / F);
            for (SviSlice slice : SURFACE.slices()) {
                assertThat(SURFACE.vol(strike, F, slice.expiry(), FITTED_AT)).as("K=%s %s", strike, slice.expiryCode())
                        .isEqualTo(slice.vol(k));
            }
        }
    }

    @Test
    void aSliceKeepsItsImpliedVolAsTimePasses() {
        Instant later = FITTED_AT.plus(Duration.ofDays(10));
        SviSlice second = SURFACE.slices().get(1);

        assertThat(SURFACE.vol(2400, F, second.expiry(), later)).isEqualTo(second.vol(Math.log(2400 / F)));
    }

    @Test
    void betweenTwoSlicesTotalVarianceIsLinearInTime() {
        SviSlice first = SURFACE.slices().get(0);
        SviSlice second = SURFACE.slices().get(1);
        Instant midway = first.expiry().plus(Duration.between(first.expiry(), second.expiry()).dividedBy(2));
        Instant quarter = first.expiry().plus(Duration.between(first.expiry(), second.expiry()).dividedBy(4));
        for (double strike : STRIKES) {
            double k = Math.log(strike / F);
            double w1 = first.params().totalVariance(k);
            double w2 = second.params().totalVariance(k);

            assertThat(SURFACE.totalVariance(k, midway, FITTED_AT)).as("K=%s", strike).isCloseTo((w1 + w2) / 2, within(TOL));
            assertThat(SURFACE.totalVariance(k, quarter, FITTED_AT)).as("K=%s", strike).isCloseTo(0.75 * w1 + 0.25 * w2, within(TOL));
            double years = MarkCalculator.yearsUntil(midway, FITTED_AT);
            assertThat(SURFACE.vol(strike, F, midway, FITTED_AT)).isCloseTo(Math.sqrt((w1 + w2) / 2 / years), within(TOL));
        }
    }

    @Test
    void laterTheSlicesTotalVariancesShrinkWithTheirTimeLeft() {
        Instant now = FITTED_AT.plus(Duration.ofDays(20));
        SviSlice first = SURFACE.slices().get(0);
        SviSlice second = SURFACE.slices().get(1);
        Instant midway = first.expiry().plus(Duration.between(first.expiry(), second.expiry()).dividedBy(2));
        double k = Math.log(2400 / F);
        double w1 = first.vol(k) * first.vol(k) * MarkCalculator.yearsUntil(first.expiry(), now);
        double w2 = second.vol(k) * second.vol(k) * MarkCalculator.yearsUntil(second.expiry(), now);

        assertThat(SURFACE.totalVariance(k, midway, now)).isCloseTo((w1 + w2) / 2, within(TOL));
    }

    @Test
    void beforeTheFirstSliceTheFirstVolAndAfterTheLastTheLastVol() {
        Instant oneWeek = FITTED_AT.plus(Duration.ofDays(7));
        Instant twoYears = FITTED_AT.plus(Duration.ofDays(730));
        for (double strike : STRIKES) {
            double k = Math.log(strike / F);
            assertThat(SURFACE.vol(strike, F, oneWeek, FITTED_AT)).isEqualTo(SURFACE.slices().get(0).vol(k));
            assertThat(SURFACE.vol(strike, F, twoYears, FITTED_AT)).isEqualTo(SURFACE.slices().get(2).vol(k));
        }
    }

    @Test
    void expiredSlicesAreIgnored() {
        Instant afterFirst = Instrument.Expiry.instant(FIRST).plus(Duration.ofDays(1));
        Instant beforeSecond = Instrument.Expiry.instant(SECOND).minus(Duration.ofDays(5));
        double k = Math.log(2400 / F);

        // flat before the first unexpired slice, which is now the second
        assertThat(SURFACE.vol(2400, F, beforeSecond, afterFirst)).isEqualTo(SURFACE.slices().get(1).vol(k));
    }

    @Test
    void anOptionAtOrAfterItsExpiryGetsTheNearestSlicesVol() {
        Instant afterFirst = Instrument.Expiry.instant(FIRST).plus(Duration.ofDays(1));
        Instant afterAll = Instrument.Expiry.instant(THIRD).plus(Duration.ofDays(1));
        double k = Math.log(2400 / F);

        assertThat(SURFACE.vol(2400, F, Instrument.Expiry.instant(FIRST), afterFirst)).isEqualTo(SURFACE.slices().get(1).vol(k));
        assertThat(SURFACE.vol(2400, F, Instrument.Expiry.instant(THIRD), afterAll)).isEqualTo(SURFACE.slices().get(2).vol(k));
        assertThat(SURFACE.totalVariance(k, Instrument.Expiry.instant(FIRST), afterFirst)).isZero();
    }

    @Test
    void theSurfaceFloatsWithTheForward() {
        Instant expiry = Instrument.Expiry.instant(SECOND).minus(Duration.ofDays(3));
        for (double strike : STRIKES) {
            double base = SURFACE.vol(strike, F, expiry, FITTED_AT);
            assertThat(SURFACE.vol(strike * 1.25, F * 1.25, expiry, FITTED_AT)).as("K=%s", strike).isCloseTo(base, within(TOL));
        }
        // the same put strike against a higher forward is further out of the money: higher on this put skew
        assertThat(SURFACE.vol(2400, F * 1.1, expiry, FITTED_AT)).isGreaterThan(SURFACE.vol(2400, F, expiry, FITTED_AT));
    }

    @Test
    void skewSurvivesTheInterpolation() {
        Instant expiry = Instrument.Expiry.instant(SECOND).plus(Duration.ofDays(12));
        double otmPut = SURFACE.vol(2400, F, expiry, FITTED_AT);
        double atm = SURFACE.vol(3000, F, expiry, FITTED_AT);
        double otmCall = SURFACE.vol(3600, F, expiry, FITTED_AT);

        assertThat(otmPut).isGreaterThan(atm + 0.02);
        assertThat(otmCall).isNotEqualTo(atm);
    }

    @Test
    void slicesMustBePresentAndSortedByExpiry() {
        assertThatThrownBy(() -> new VolSurface("ETH", 1, FITTED_AT, false, List.of()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new VolSurface("ETH", 1, FITTED_AT, false,
                List.of(slice(SECOND, SECOND_SMILE), slice(FIRST, FIRST_SMILE))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("31JUL26 before 1JUL26");
    }

    @Test
    void testSurfaceIsFreeOfArbitrage() {
        assertThat(SviArbitrageCheck.DEFAULT.check(SURFACE.slices())).isEmpty();
    }

    private static SviSlice slice(LocalDate expiry, SviParameters params) {
        Instant instant = Instrument.Expiry.instant(expiry);
        return new SviSlice(expiry, instant, MarkCalculator.yearsUntil(instant, FITTED_AT), F, params, 0, 10);
    }
}
