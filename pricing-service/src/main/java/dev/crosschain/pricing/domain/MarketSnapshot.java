package dev.crosschain.pricing.domain;

import java.time.Instant;
import java.util.Map;

/**
 * Everything pricing needs, fixed at one moment: the index of every asset evaluated at
 * {@code now} (staleness included), the surface of every underlying that has one, the rate.
 */
public record MarketSnapshot(Map<String, IndexLevel> indices, Map<String, VolSurface> surfaces, Instant now,
                             double rate) {

    public MarketSnapshot {
        indices = Map.copyOf(indices);
        surfaces = Map.copyOf(surfaces);
    }

    /** The index of an asset or NotFoundException(NO_INDEX). */
    public IndexLevel index(String asset) {
        IndexLevel level = indices.get(asset);
        if (level == null) {
            throw new NotFoundException("NO_INDEX", "no index price has been pushed for " + asset);
        }
        return level;
    }

    public boolean isStale(String asset) {
        return index(asset).stale();
    }

    /** The surface of an underlying (fitted, else configured) or NotFoundException(NO_SURFACE). */
    public VolSurface surface(String underlying) {
        VolSurface surface = surfaces.get(underlying);
        if (surface == null) {
            throw new NotFoundException("NO_SURFACE", "no volatility surface, fitted or configured, for " + underlying);
        }
        return surface;
    }

    /** The surface vol of an option at its strike and expiry, seen at {@code at} with this forward. */
    public VolUsed surfaceVol(Instrument.Option option, double forward, Instant at) {
        VolSurface surface = surface(option.underlying());
        // After expiry an option is worth its intrinsic value whatever the vol.
        double vol = option.expiry().isAfter(at) ? surface.vol(option.strike().doubleValue(), forward, option.expiry(), at) : 0.0;
        return VolUsed.fromSurface(surface, vol);
    }
}
