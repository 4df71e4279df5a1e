package dev.crosschain.pricing.domain;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;

/**
 * The surface an underlying has before any quotes are fitted (version 0, {@code configured}):
 * one SVI slice, so its vol at a given log-moneyness is the same for every expiry. The slice is
 * set one year (365 days) after {@code at}, so its total variance reads as annual variance, and is
 * centred at the money (m = 0) with {@code a} chosen so that the at-the-money vol is exactly
 * {@code atmVol}: w(k) = a + b (rho k + sqrt(k^2 + sigma^2)), a = atmVol^2 - b sigma. A negative
 * rho lifts the vol of low strikes (put skew), b sets how fast the wings rise, sigma how round the
 * smile is at the money.
 */
public final class BootstrapSurface {

    /** The slice's time to expiry, ACT/365. */
    static final Duration SLICE_TENOR = Duration.ofDays(365);
    private static final double MAX_VOL = 5.0;
    /**
     * Nothing was quoted, so the slice has no forward of its own: its log-moneyness is always
     * taken against the current forward (as every surface's is for marks). A slice must still
     * carry a positive one; the wire shows 0 for a configured surface.
     */
    static final double FLOATING_FORWARD = 1.0;

    private BootstrapSurface() {
    }

    /**
     * @throws IllegalArgumentException when atm-vol is outside (0, 5] or the smile has butterfly
     *                                  arbitrage (the same checks as a fit: parameter sanity, g(k) >= 0)
     */
    public static VolSurface of(String underlying, double atmVol, double rho, double b, double sigma, Instant at) {
        if (!(atmVol > 0 && atmVol <= MAX_VOL)) {
            throw new IllegalArgumentException("bootstrap surface of " + underlying + ": atm-vol must be in (0, "
                    + MAX_VOL + "], got " + atmVol);
        }
        double years = MarkCalculator.yearsUntil(at.plus(SLICE_TENOR), at);
        SviParameters params = new SviParameters(atmVol * atmVol * years - b * sigma, b, rho, 0.0, sigma);
        List<ArbitrageViolation> arbitrage = SviArbitrageCheck.DEFAULT.butterfly(underlying + " bootstrap", params);
        if (!arbitrage.isEmpty()) {
            throw new IllegalArgumentException("bootstrap surface of " + underlying + " (rho " + rho + ", b " + b
                    + ", sigma " + sigma + "): " + arbitrage.stream().map(ArbitrageViolation::description).toList());
        }
        Instant expiry = at.plus(SLICE_TENOR);
        LocalDate expiryDate = LocalDate.ofInstant(expiry, ZoneOffset.UTC);
        // Forward and index at fit alike: basis 1, every expiry's forward is the index.
        SviSlice slice = new SviSlice(expiryDate, expiry, years, FLOATING_FORWARD, FLOATING_FORWARD, params, 0.0, 0);
        return new VolSurface(underlying, 0, at, true, List.of(slice));
    }
}
