package dev.crosschain.pricing.domain;

import java.time.Instant;

/**
 * The volatility an option was valued at, and its origin.
 *
 * @param vol             annualised (0.6 = 60%)
 * @param surfaceVersion  version of the surface read, 0 for the bootstrap surface and for overrides
 * @param surfaceFittedAt when that surface was fitted, null for overrides
 */
public record VolUsed(double vol, VolSource source, long surfaceVersion, Instant surfaceFittedAt) {

    public static VolUsed override(double vol) {
        return new VolUsed(vol, VolSource.OVERRIDE, 0, null);
    }

    public static VolUsed fromSurface(VolSurface surface, double vol) {
        return new VolUsed(vol, surface.configured() ? VolSource.CONFIGURED : VolSource.SURFACE, surface.version(),
                surface.fittedAt());
    }
}
