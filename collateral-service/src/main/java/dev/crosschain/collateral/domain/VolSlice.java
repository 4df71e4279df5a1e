package dev.crosschain.collateral.domain;

import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/** One expiry of an underlying's vol surface: when it expires and its at-the-money implied annual vol. */
public record VolSlice(long expiryUnixMs, double atmVol) {

    /**
     * The ATM vol used for collateral: the nearest expiry not yet expired at {@code now}; when every slice has
     * expired, the last one (the surface's own extrapolation holds the last slice's vol). Empty without slices.
     */
    public static Optional<Double> atmVolAt(List<VolSlice> slices, Instant now) {
        long nowMs = now.toEpochMilli();
        Optional<VolSlice> nearest = slices.stream()
                .filter(s -> s.expiryUnixMs() > nowMs)
                .min(Comparator.comparingLong(VolSlice::expiryUnixMs));
        if (nearest.isEmpty()) {
            nearest = slices.stream().max(Comparator.comparingLong(VolSlice::expiryUnixMs));
        }
        return nearest.map(VolSlice::atmVol);
    }
}
