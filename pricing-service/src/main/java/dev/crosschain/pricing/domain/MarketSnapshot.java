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

    /**
     * What the forward of {@code expiry} is over the underlying's index, seen at {@code at}
     * ({@link VolSurface#basis}); 1 for an underlying without a surface.
     */
    public double basis(String underlying, Instant expiry, Instant at) {
        VolSurface surface = surfaces.get(underlying);
        return surface == null ? 1.0 : surface.basis(expiry, at);
    }

    /**
     * The forward of an expiry in USD, seen at {@code at}: the current index times the basis of
     * the expiry; the index for an underlying without a surface, or NotFoundException(NO_INDEX).
     */
    public double forward(String underlying, Instant expiry, Instant at) {
        return index(underlying).price().doubleValue() * basis(underlying, expiry, at);
    }

    /** The forward of an expiry seen now. */
    public double forward(String underlying, Instant expiry) {
        return forward(underlying, expiry, now);
    }

    /** The surface vol of an option at its strike and expiry, seen at {@code at} with this forward. */
    public VolUsed surfaceVol(Instrument.Option option, double forward, Instant at) {
        VolSurface surface = surface(option.underlying());
        // After expiry an option is worth its intrinsic value whatever the vol.
        double vol = option.expiry().isAfter(at) ? surface.vol(option.strike().doubleValue(), forward, option.expiry(), at) : 0.0;
        return VolUsed.fromSurface(surface, vol);
    }
}
