package dev.crosschain.pricing.domain;

import java.time.Instant;
import java.util.List;

/**
 * The volatility surface of one underlying: SVI slices by expiry, total variance interpolated
 * between them.
 *
 * @param version    increases with every accepted fit; 0 for the configured bootstrap surface
 * @param configured true for the bootstrap surface from configuration (no quotes fitted yet)
 * @param slices     sorted by expiry, at least one
 */
public record VolSurface(String underlying, long version, Instant fittedAt, boolean configured, List<SviSlice> slices) {

    public VolSurface {
        slices = List.copyOf(slices);
    }

    /**
     * Black-76 volatility of an option with this strike expiring at {@code expiry}, seen at
     * {@code now} with the underlying's forward {@code forward}.
     */
    public double vol(double strike, double forward, Instant expiry, Instant now) {
        throw new UnsupportedOperationException("issue 3: surface interpolation not built yet");
    }
}
