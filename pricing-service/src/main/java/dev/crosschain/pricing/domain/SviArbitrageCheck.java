package dev.crosschain.pricing.domain;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.DoubleUnaryOperator;

/**
 * Static arbitrage of SVI slices. Butterfly: SVI parameter sanity (b >= 0, |rho| < 1, sigma > 0,
 * min w > 0, b (1 + |rho|) <= 4), then Gatheral's g(k) >= 0 on a k grid and in both wing limits.
 * Calendar: w_{i+1}(k) >= w_i(k) on a common k grid for consecutive slices, total variance at the
 * fit time. One violation per problem: a run of adjacent grid points that fail counts once,
 * reported at its worst point. Stateless.
 */
public final class SviArbitrageCheck {

    public static final SviArbitrageCheck DEFAULT = new SviArbitrageCheck();
    public static final String BUTTERFLY = "BUTTERFLY";
    public static final String CALENDAR = "CALENDAR";

    /** The grid always covers strikes from 22% to 448% of the forward, where listed crypto strikes end. */
    static final double FIXED_K_BOUND = 1.5;
    /** ...and three standard deviations of ln(S_T/F) (sqrt of ATM total variance) either side for long or volatile slices. */
    static final double STANDARD_DEVIATIONS = 3.0;
    static final int GRID_POINTS = 2001;
    /** Lee's moment bound caps the wing slope at 2; this looser sanity bound is the one SVI fits are constrained to. */
    static final double MAX_WING_SLOPE = 4.0;

    /** Every butterfly violation of every slice, then every calendar violation between consecutive slices. */
    public List<ArbitrageViolation> check(List<SviSlice> slicesByExpiry) {
        List<ArbitrageViolation> violations = new ArrayList<>();
        for (SviSlice slice : slicesByExpiry) {
            violations.addAll(butterfly(slice.expiryCode(), slice.params()));
        }
        for (int i = 1; i < slicesByExpiry.size(); i++) {
            SviSlice earlier = slicesByExpiry.get(i - 1);
            SviSlice later = slicesByExpiry.get(i);
            violations.addAll(calendar(earlier.expiryCode(), earlier.params(), later.expiryCode(), later.params()));
        }
        return violations;
    }

    /** Butterfly violations of one slice, each of type BUTTERFLY for {@code expiry}. */
    public List<ArbitrageViolation> butterfly(String expiry, SviParameters p) {
        List<ArbitrageViolation> violations = new ArrayList<>();
        if (!(p.b() >= 0)) {
            violations.add(butterflyViolation(expiry, "b = " + fmt(p.b()) + " is negative (smile upside down)"));
        }
        if (!(Math.abs(p.rho()) < 1)) {
            violations.add(butterflyViolation(expiry, "|rho| = " + fmt(Math.abs(p.rho())) + " is not below 1"));
        }
        if (!(p.sigma() > 0)) {
            violations.add(butterflyViolation(expiry, "sigma = " + fmt(p.sigma()) + " is not positive"));
        }
        if (!(p.b() * (1 + Math.abs(p.rho())) <= MAX_WING_SLOPE)) {
            violations.add(butterflyViolation(expiry, "wing slope b(1+|rho|) = " + fmt(p.b() * (1 + Math.abs(p.rho())))
                    + " exceeds " + fmt(MAX_WING_SLOPE)));
        }
        if (!violations.isEmpty()) {
            return violations; // g is meaningless for such parameters
        }
        double minW = p.minTotalVariance();
        if (!(minW > 0)) {
            double kAtMin = p.m() - p.rho() * p.sigma() / Math.sqrt(1 - p.rho() * p.rho());
            violations.add(butterflyViolation(expiry, "total variance w(k) = " + fmt(minW) + " is not positive at k = "
                    + fmt(kAtMin)));
            return violations;
        }
        double bound = halfWidth(p);
        scanNegativeRuns(-bound, bound, p::g, (from, to, worstK, worst) -> violations.add(butterflyViolation(expiry,
                "g(k) = " + fmt(worst) + " < 0 at k = " + fmt(worstK) + " (negative density for k in ["
                        + fmt(from) + ", " + fmt(to) + "])")));
        for (boolean right : new boolean[]{false, true}) {
            double limit = p.wingG(right);
            if (limit < 0) {
                violations.add(butterflyViolation(expiry, "g(k) -> " + fmt(limit) + " < 0 as k -> " + (right ? "+" : "-")
                        + "infinity: wing slope " + fmt(p.b() * (1 + (right ? p.rho() : -p.rho())))
                        + " exceeds Lee's bound 2"));
            }
        }
        return violations;
    }

    /**
     * Calendar violations between two consecutive slices: the later one's total variance falls
     * below the earlier one's. Each is of type CALENDAR for {@code laterExpiry}.
     */
    public List<ArbitrageViolation> calendar(String earlierExpiry, SviParameters earlier, String laterExpiry,
                                             SviParameters later) {
        List<ArbitrageViolation> violations = new ArrayList<>();
        double bound = Math.max(halfWidth(earlier), halfWidth(later));
        scanNegativeRuns(-bound, bound, k -> later.totalVariance(k) - earlier.totalVariance(k),
                (from, to, worstK, worst) -> violations.add(new ArbitrageViolation(CALENDAR, laterExpiry,
                        "total variance " + fmt(later.totalVariance(worstK)) + " at k = " + fmt(worstK)
                                + " is below " + earlierExpiry + "'s " + fmt(earlier.totalVariance(worstK))
                                + " (lower for k in [" + fmt(from) + ", " + fmt(to) + "])")));
        return violations;
    }

    /** Half-width of the k grid for a slice: the fixed bound, or 3 ATM standard deviations when wider. */
    static double halfWidth(SviParameters p) {
        double atmVariance = p.totalVariance(0);
        double deviations = atmVariance > 0 ? STANDARD_DEVIATIONS * Math.sqrt(atmVariance) : 0;
        return Math.max(FIXED_K_BOUND, deviations);
    }

    private interface NegativeRun {
        void found(double fromK, double toK, double worstK, double worstValue);
    }

    /** Calls {@code run} once per maximal run of grid points where {@code f} is negative. */
    private static void scanNegativeRuns(double from, double to, DoubleUnaryOperator f, NegativeRun run) {
        double step = (to - from) / (GRID_POINTS - 1);
        boolean inRun = false;
        double runFrom = 0, runTo = 0, worstK = 0, worst = 0;
        for (int i = 0; i < GRID_POINTS; i++) {
            double k = from + i * step;
            double value = f.applyAsDouble(k);
            if (value < 0) {
                if (!inRun) {
                    inRun = true;
                    runFrom = k;
                    worstK = k;
                    worst = value;
                }
                runTo = k;
                if (value < worst) {
                    worst = value;
                    worstK = k;
                }
            } else if (inRun) {
                run.found(runFrom, runTo, worstK, worst);
                inRun = false;
            }
        }
        if (inRun) {
            run.found(runFrom, runTo, worstK, worst);
        }
    }

    private static ArbitrageViolation butterflyViolation(String expiry, String description) {
        return new ArbitrageViolation(BUTTERFLY, expiry, description);
    }

    private static String fmt(double value) {
        return String.format(Locale.ROOT, "%.6g", value);
    }
}
