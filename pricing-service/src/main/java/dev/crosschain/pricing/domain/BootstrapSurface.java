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
    /** Roger Lee's moment bound on the wings of total variance, b (1 + |rho|) <= 4. */
    private static final double MAX_WING_SLOPE = 4.0;

    private BootstrapSurface() {
    }

    public static VolSurface of(String underlying, double atmVol, double rho, double b, double sigma, Instant at) {
        String where = "bootstrap surface of " + underlying + ": ";
        if (!(atmVol > 0 && atmVol <= MAX_VOL)) {
            throw new IllegalArgumentException(where + "atm-vol must be in (0, " + MAX_VOL + "], got " + atmVol);
        }
        if (!(Math.abs(rho) < 1)) {
            throw new IllegalArgumentException(where + "rho must be in (-1, 1), got " + rho);
        }
        if (!(b >= 0 && b * (1 + Math.abs(rho)) <= MAX_WING_SLOPE)) {
            throw new IllegalArgumentException(where + "b must be >= 0 with b (1 + |rho|) <= 4, got " + b);
        }
        if (!(sigma > 0 && Double.isFinite(sigma))) {
            throw new IllegalArgumentException(where + "sigma must be positive, got " + sigma);
        }
        double years = MarkCalculator.yearsUntil(at.plus(SLICE_TENOR), at);
        double atmVariance = atmVol * atmVol * years;
        SviParameters params = new SviParameters(atmVariance - b * sigma, b, rho, 0.0, sigma);
        // The lowest total variance of SVI, at k = m - rho sigma / sqrt(1 - rho^2).
        double minimum = params.a() + b * sigma * Math.sqrt(1 - rho * rho);
        if (!(minimum > 0)) {
            throw new IllegalArgumentException(where + "total variance falls to " + minimum
                    + ": lower b * sigma or raise atm-vol");
        }
        Instant expiry = at.plus(SLICE_TENOR);
        LocalDate expiryDate = LocalDate.ofInstant(expiry, ZoneOffset.UTC);
        SviSlice slice = new SviSlice(expiryDate, expiry, years, FLOATING_FORWARD, params, 0.0, 0);
        return new VolSurface(underlying, 0, at, true, List.of(slice));
    }
}
