package dev.crosschain.pricing.domain;

import java.time.Instant;
import java.util.List;

/**
 * The volatility surface of one underlying: SVI slices by expiry, total variance interpolated
 * between them.
 *
 * <p>Each slice keeps its implied vol sigma_i(k) = sqrt(w_i(k) / T_i,fit) as time passes; at a
 * query time its total variance is sigma_i(k)^2 * T_i,now. Between two unexpired slices total
 * variance is linear in T at fixed k (flat forward variance); before the first unexpired slice the
 * first one's vol holds, after the last slice the last one's vol. Expired slices are ignored.
 * k = ln(K/F) is taken against the forward the caller passes, so the surface floats with it.
 *
 * <p>The surface also gives each expiry's forward over the index, {@link #basis}: every slice keeps
 * its basis b_i = F_i / index at fit as a carry rate c_i = ln b_i / T_i,fit, so its forward now is
 * the current index times exp(c_i T_i,now), which goes to the index at its expiry. Between two
 * unexpired slices ln b is linear in T; before the first unexpired slice ln b(T) = c_first T;
 * after the last (and once all have expired) ln b(T) = c_last T.
 *
 * @param version    increases with every accepted fit; 0 for the configured bootstrap surface
 * @param configured true for the bootstrap surface from configuration (no quotes fitted yet)
 * @param slices     sorted by expiry, at least one
 */
public record VolSurface(String underlying, long version, Instant fittedAt, boolean configured, List<SviSlice> slices) {

    private static final double SECONDS_PER_YEAR = 365.0 * 86_400.0;

    public VolSurface {
        slices = List.copyOf(slices);
        if (slices.isEmpty()) {
            throw new IllegalArgumentException("a surface needs at least one slice");
        }
        for (int i = 1; i < slices.size(); i++) {
            if (!slices.get(i).expiry().isAfter(slices.get(i - 1).expiry())) {
                throw new IllegalArgumentException("slices must be sorted by strictly increasing expiry, got "
                        + slices.get(i - 1).expiryCode() + " before " + slices.get(i).expiryCode());
            }
        }
    }

    /**
     * Black-76 volatility of an option with this strike expiring at {@code expiry}, seen at
     * {@code now} with the underlying's forward {@code forward} (k = ln(strike / forward)).
     *
     * <p>An option at or after its own expiry gets the vol of the nearest unexpired slice (the
     * flat extrapolation before the first); when every slice has expired, the last slice's vol.
     * Whether such an option needs a vol at all is the caller's business.
     */
    public double vol(double strike, double forward, Instant expiry, Instant now) {
        return Math.sqrt(impliedVariance(Math.log(strike / forward), expiry.toEpochMilli(), now.toEpochMilli()));
    }

    /** Implied vol at log-moneyness k = ln(K/F); same rules as {@link #vol(double, double, Instant, Instant)}. */
    public double volAt(double k, Instant expiry, Instant now) {
        return Math.sqrt(impliedVariance(k, expiry.toEpochMilli(), now.toEpochMilli()));
    }

    /**
     * Total variance w(k, T) = vol^2 * T at log-moneyness k for an expiry seen at {@code now},
     * T in ACT/365 years; 0 at or after the expiry.
     */
    public double totalVariance(double k, Instant expiry, Instant now) {
        long nowMs = now.toEpochMilli();
        double years = years(expiry.toEpochMilli(), nowMs);
        return years <= 0 ? 0.0 : impliedVariance(k, expiry.toEpochMilli(), nowMs) * years;
    }

    /**
     * The forward of {@code expiry} over the index, seen at {@code now}: forward = index x basis.
     * 1 at or after the expiry (a dated contract settles on the index).
     *
     * <p>Each slice carries at its own rate c_i = ln b_i / T_i,fit, so seen at {@code now} its log
     * basis is c_i x T_i,now and decays to 0 at its expiry (the future converges on the index
     * instead of jumping to it). Between two unexpired slices ln b is linear in T between those two
     * points; before the first unexpired slice its rate holds, c_first x T; after the last, and when
     * every slice has expired, the last slice's rate c_last x T. Rates rather than ratios keep the
     * extrapolation bounded as slices approach expiry: ln b_last x T / T_last,now would blow up.
     */
    public double basis(Instant expiry, Instant now) {
        long expiryMs = expiry.toEpochMilli();
        long nowMs = now.toEpochMilli();
        double years = years(expiryMs, nowMs);
        if (!(years > 0)) {
            return 1.0;
        }
        int upper = sliceAtOrAfter(expiryMs, nowMs);
        if (upper == slices.size()) {
            return carriedBasis(slices.get(upper - 1), years);
        }
        SviSlice above = slices.get(upper);
        if (!between(upper, expiryMs, nowMs)) {
            return carriedBasis(above, years);
        }
        SviSlice below = slices.get(upper - 1);
        double lowerYears = years(below.expiry().toEpochMilli(), nowMs);
        double upperYears = years(above.expiry().toEpochMilli(), nowMs);
        double lowerLog = below.carryRate() * lowerYears;
        double upperLog = above.carryRate() * upperYears;
        return Math.exp(lowerLog + (upperLog - lowerLog) * (years - lowerYears) / (upperYears - lowerYears));
    }

    /**
     * exp(c x years) for the slice's carry rate c, written as b^(years / T_fit) so that at the
     * slice's own expiry seen at its fit time the fitted ratio comes back exactly.
     */
    private static double carriedBasis(SviSlice slice, double years) {
        return Math.pow(slice.basis(), years / slice.years());
    }

    /** vol^2 at (k, expiry); a scan over a handful of slices, no allocation. */
    private double impliedVariance(double k, long expiryMs, long nowMs) {
        int upper = sliceAtOrAfter(expiryMs, nowMs);
        if (upper == slices.size()) {
            return sliceVariance(slices.get(upper - 1), k);
        }
        SviSlice above = slices.get(upper);
        if (!between(upper, expiryMs, nowMs)) {
            return sliceVariance(above, k);
        }
        SviSlice below = slices.get(upper - 1);
        double years = years(expiryMs, nowMs);
        double lowerYears = years(below.expiry().toEpochMilli(), nowMs);
        double upperYears = years(above.expiry().toEpochMilli(), nowMs);
        double lowerW = sliceVariance(below, k) * lowerYears;
        double upperW = sliceVariance(above, k) * upperYears;
        double w = lowerW + (upperW - lowerW) * (years - lowerYears) / (upperYears - lowerYears);
        return w / years;
    }

    /**
     * The first unexpired slice (expiry after {@code now}) expiring at or after {@code expiryMs}, or
     * the number of slices when there is none: the expiry is after every slice, or every slice has
     * expired. Both callers take the value of the last slice then.
     */
    private int sliceAtOrAfter(long expiryMs, long nowMs) {
        long from = Math.max(expiryMs, nowMs + 1);
        int i = 0;
        while (i < slices.size() && slices.get(i).expiry().toEpochMilli() < from) {
            i++;
        }
        return i;
    }

    /**
     * Whether the expiry lies strictly between slice {@code upper - 1} and slice {@code upper}, both
     * unexpired: otherwise slice {@code upper} alone gives the value (the expiry is its own, or comes
     * before the first unexpired slice).
     */
    private boolean between(int upper, long expiryMs, long nowMs) {
        return upper > 0 && slices.get(upper - 1).expiry().toEpochMilli() > nowMs
                && slices.get(upper).expiry().toEpochMilli() != expiryMs;
    }

    /** The slice's implied variance sigma_i(k)^2, which it keeps as time passes. */
    private static double sliceVariance(SviSlice slice, double k) {
        return slice.params().totalVariance(k) / slice.years();
    }

    /**
     * ACT/365 years from now to expiry, negative after it; the same arithmetic as
     * {@link MarkCalculator#yearsUntil} (so a slice's T at its fit time is its {@code years}), without a Duration.
     */
    private static double years(long expiryMs, long nowMs) {
        return (expiryMs - nowMs) / 1000.0 / SECONDS_PER_YEAR;
    }
}
