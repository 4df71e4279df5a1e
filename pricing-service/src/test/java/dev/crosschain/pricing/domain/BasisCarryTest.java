package dev.crosschain.pricing.domain;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * A slice's basis is a carry rate c = ln(basis) / years at the fit, so as the surface ages every
 * expiry's log basis is c x years left: bounded, continuous across slice expiries, and 1 at expiry.
 */
class BasisCarryTest {

    static final Instant FITTED_AT = Instant.parse("2026-11-20T08:00:00Z");
    static final LocalDate NOV = LocalDate.of(2026, 11, 27);
    static final Instant NOV_EXPIRY = Instrument.Expiry.instant(NOV);
    static final SviParameters SMILE = new SviParameters(0.01, 0.08, -0.35, 0.02, 0.12);
    static final double INDEX = 3000;
    static final double TOL = 1e-12;

    /** One slice fitted seven days before its expiry at basis 1.002. */
    static final VolSurface ONE_WEEK = new VolSurface("ETH", 1, FITTED_AT, false, List.of(slice(NOV, 1.002)));

    @Test
    void aMinuteBeforeTheLastSlicesExpiryALaterExpirysBasisStaysItsCarryRateTimesItsTime() {
        Instant oneMinuteBefore = NOV_EXPIRY.minus(Duration.ofMinutes(1));
        Instant threeMonthsOut = oneMinuteBefore.plus(Duration.ofDays(91));
        double rate = Math.log(1.002) / MarkCalculator.yearsUntil(NOV_EXPIRY, FITTED_AT);
        double years = MarkCalculator.yearsUntil(threeMonthsOut, oneMinuteBefore);

        double basis = ONE_WEEK.basis(threeMonthsOut, oneMinuteBefore);

        assertThat(Math.log(basis)).isCloseTo(rate * years, within(TOL));
        assertThat(basis).as("about 2.6 percent over three months, not 5e113").isBetween(1.02, 1.03);
        double aMinuteAfter = ONE_WEEK.basis(threeMonthsOut, NOV_EXPIRY.plus(Duration.ofMinutes(1)));
        assertThat(Math.log(aMinuteAfter))
                .isCloseTo(rate * MarkCalculator.yearsUntil(threeMonthsOut, NOV_EXPIRY.plus(Duration.ofMinutes(1))), within(TOL));
    }

    @Test
    void theBasisIsContinuousAcrossASlicesExpiryInstant() {
        LocalDate jan = LocalDate.of(2027, 1, 29);
        VolSurface surface = new VolSurface("ETH", 2, FITTED_AT, false, List.of(slice(NOV, 1.002), slice(jan, 1.02)));
        Instant december = Instant.parse("2026-12-18T08:00:00Z");
        Instant april = Instant.parse("2027-04-30T08:00:00Z");
        Instant janExpiry = Instrument.Expiry.instant(jan);

        for (Instant target : List.of(december, april)) {
            for (Instant expiring : List.of(NOV_EXPIRY, janExpiry)) {
                if (!target.isAfter(expiring)) {
                    continue;
                }
                double before = surface.basis(target, expiring.minusMillis(1));
                double at = surface.basis(target, expiring);
                double after = surface.basis(target, expiring.plusMillis(1));
                assertThat(at).as("%s seen as %s expires", target, expiring).isCloseTo(before, within(1e-9));
                assertThat(after).as("%s seen as %s expires", target, expiring).isCloseTo(at, within(1e-9));
            }
        }
    }

    @Test
    void aSlicesOwnExpiryDecaysToOneAsNowComesToIt() {
        double rate = Math.log(1.002) / MarkCalculator.yearsUntil(NOV_EXPIRY, FITTED_AT);
        double previous = ONE_WEEK.basis(NOV_EXPIRY, FITTED_AT);
        assertThat(previous).isEqualTo(1.002);
        for (Duration left : List.of(Duration.ofDays(3), Duration.ofHours(1), Duration.ofMinutes(1), Duration.ofMillis(1))) {
            Instant now = NOV_EXPIRY.minus(left);
            double basis = ONE_WEEK.basis(NOV_EXPIRY, now);
            assertThat(Math.log(basis)).isCloseTo(rate * MarkCalculator.yearsUntil(NOV_EXPIRY, now), within(TOL));
            assertThat(basis).isLessThan(previous).isGreaterThan(1.0);
            previous = basis;
        }
        // A millisecond before expiry: c x 1 ms = 0.104 / year x 3.2e-11 years.
        assertThat(previous).isCloseTo(1.0, within(4e-12));
        assertThat(ONE_WEEK.basis(NOV_EXPIRY, NOV_EXPIRY)).isEqualTo(1.0);
        Mark future = MarkCalculator.DEFAULT.mark(new Instrument.Future("ETH", NOV), new MarketSnapshot(
                Map.of("ETH", ExpiryForwardsTest.level("ETH", "3000")), Map.of("ETH", ONE_WEEK), NOV_EXPIRY.minusMillis(1), 0.0));
        assertThat(Double.parseDouble(future.markPrice().toPlainString())).isCloseTo(3000, within(1e-6));
    }

    @Test
    void theBootstrapSurfaceHasBasisOneAtEveryAge() {
        VolSurface bootstrap = BootstrapSurface.of("BTC", 0.6, -0.3, 0.2, 0.1, FITTED_AT);
        for (Instant now : List.of(FITTED_AT, FITTED_AT.plus(Duration.ofDays(200)), FITTED_AT.plus(Duration.ofDays(2000)))) {
            assertThat(bootstrap.basis(now.plus(Duration.ofDays(90)), now)).isEqualTo(1.0);
            assertThat(bootstrap.basis(now.plus(Duration.ofMinutes(1)), now)).isEqualTo(1.0);
        }
    }

    static SviSlice slice(LocalDate expiry, double basis) {
        Instant instant = Instrument.Expiry.instant(expiry);
        return new SviSlice(expiry, instant, MarkCalculator.yearsUntil(instant, FITTED_AT), INDEX * basis, INDEX, SMILE, 0, 10);
    }
}
