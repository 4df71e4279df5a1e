package dev.crosschain.pricing.domain;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.function.DoubleUnaryOperator;

/**
 * Static arbitrage of SVI slices over the whole real line of k. Butterfly: SVI parameter sanity
 * (b >= 0, |rho| < 1, sigma > 0, min w > 0, b (1 + |rho|) <= 4), then Gatheral's g(k) >= 0 on a
 * k grid, refined at each sampled local minimum, and in both wing limits. Calendar: w_{i+1}(k) >=
 * w_i(k) on the union of the two slices' grids, likewise refined, and in both wings (slope, then
 * intercept). One violation per problem: a run of adjacent grid points that fail counts once,
 * reported at its worst point. Stateless.
 *
 * <p>Why the grid leaves nothing out (see {@link #grid}): g and w are smooth functions of x = k - m
 * and R = sqrt(x^2 + sigma^2); away from m their only scale is |x| itself, near m it is sigma,
 * and near the minimum of w it is the width over which w doubles, which can be narrower than
 * sigma when min w is small. The grid is spaced at {@link #SINH_STEP} of the local scale around
 * m and around the minimum of w (x = scale sinh(u), u evenly spaced: dense near the centre,
 * geometric beyond), plus an even grid around the money. It reaches |x| where the wings are
 * straight to 1e-6 ({@link #far}): beyond, w = (wing slope) |k| + (wing intercept) + O(1/|x|),
 * so g = L + A / w + O(1/w^2) with L = 1/4 - slope^2/16 and A = intercept/2 - slope^2/4, and the
 * O(1/w^2) part is a millionth of the first-order one: g moves monotonically from its value at the
 * grid's end to its limit L, both of which are checked. Likewise w_{i+1} - w_i beyond the grid is
 * its wings' slope and intercept difference, checked as such. What is NOT proven: that no dip of
 * g narrower than the grid spacing lies wholly between two sampled points that are not a local
 * minimum of the samples; the spacing is a fortieth of the local scale, so such a dip would need
 * features of g finer than its inputs have.
 */
public final class SviArbitrageCheck {

    public static final SviArbitrageCheck DEFAULT = new SviArbitrageCheck();
    public static final String BUTTERFLY = "BUTTERFLY";
    public static final String CALENDAR = "CALENDAR";

    /** The even grid always covers strikes from 5% to 2000% of the forward... */
    static final double FIXED_K_BOUND = 3.0;
    /** ...and three standard deviations of ln(S_T/F) (sqrt of ATM total variance) either side for long or volatile slices. */
    static final double STANDARD_DEVIATIONS = 3.0;
    static final int GRID_POINTS = 2001;
    /** Step of u in x = scale sinh(u): a fortieth of the local scale near the centre, 2.5% of |x| beyond. */
    static final double SINH_STEP = 0.025;
    /** The grid reaches |k - m| at least this far (k = 1e8 is beyond any strike)... */
    static final double MIN_FAR = 1e8;
    /** ...and far enough that each wing's intercept is this small a share of w. */
    static final double STRAIGHT_WINGS = 1e-6;
    /** x^2 stays finite. */
    static final double MAX_FAR = 1e150;
    /** Below this a scale is rounding, not shape: k itself is known to about 1e-16. */
    static final double MIN_SCALE = 1e-10;
    private static final int REFINE_ITERATIONS = 100;
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
        if (!(p.sigma() > 0) || Double.isInfinite(p.sigma())) {
            violations.add(butterflyViolation(expiry, "sigma = " + fmt(p.sigma()) + " is not positive and finite"));
        }
        if (!(p.b() * (1 + Math.abs(p.rho())) <= MAX_WING_SLOPE)) {
            violations.add(butterflyViolation(expiry, "wing slope b(1+|rho|) = " + fmt(p.b() * (1 + Math.abs(p.rho())))
                    + " exceeds " + fmt(MAX_WING_SLOPE)));
        }
        if (!Double.isFinite(p.a()) || !Double.isFinite(p.m())) {
            violations.add(butterflyViolation(expiry, "a = " + fmt(p.a()) + ", m = " + fmt(p.m()) + " must be finite"));
        }
        if (!violations.isEmpty()) {
            return violations; // g is meaningless for such parameters
        }
        double minW = p.minTotalVariance();
        if (!(minW > 0)) {
            violations.add(butterflyViolation(expiry, "total variance w(k) = " + fmt(minW) + " is not positive at k = "
                    + fmt(p.kAtMinTotalVariance())));
            return violations;
        }
        boolean[] wingReported = new boolean[2];
        scanNegativeRuns(grid(p), p::g, run -> {
            String where = run.worst < 0 ? "g(k) = " + fmt(run.worst) + " < 0 at k = " + fmt(run.worstK) : "";
            if (run.toInfinity != 0) {
                boolean right = run.toInfinity > 0;
                wingReported[right ? 1 : 0] = true;
                violations.add(butterflyViolation(expiry, where + " (negative density for k " + (right ? ">= " : "<= ")
                        + fmt(right ? run.fromK : run.toK) + ")" + wingLimit(p, right)));
            } else {
                violations.add(butterflyViolation(expiry, where + " (negative density for k in [" + fmt(run.fromK) + ", "
                        + fmt(run.toK) + "])"));
            }
        });
        for (boolean right : new boolean[]{false, true}) {
            if (p.wingG(right) < 0 && !wingReported[right ? 1 : 0]) {
                violations.add(butterflyViolation(expiry, "g(k)" + wingLimit(p, right).substring(1)));
            }
        }
        return violations;
    }

    private static String wingLimit(SviParameters p, boolean right) {
        double limit = p.wingG(right);
        if (limit >= 0) {
            return "";
        }
        return ": g(k) -> " + fmt(limit) + " < 0 as k -> " + (right ? "+" : "-") + "infinity: wing slope "
                + fmt(p.wingSlope(right)) + " exceeds Lee's bound 2";
    }

    /**
     * Calendar violations between two consecutive slices: the later one's total variance falls
     * below the earlier one's somewhere, or in a wing (its wing slope is lower, or equal with a
     * lower intercept). Each is of type CALENDAR for {@code laterExpiry}.
     */
    public List<ArbitrageViolation> calendar(String earlierExpiry, SviParameters earlier, String laterExpiry,
                                             SviParameters later) {
        List<ArbitrageViolation> violations = new ArrayList<>();
        boolean[] wingReported = new boolean[2];
        scanNegativeRuns(grid(earlier, later), k -> later.totalVariance(k) - earlier.totalVariance(k), run -> {
            String description;
            if (run.toInfinity != 0) {
                boolean right = run.toInfinity > 0;
                wingReported[right ? 1 : 0] = true;
                double edge = right ? run.fromK : run.toK;
                description = "total variance " + fmt(later.totalVariance(edge)) + " at k = " + fmt(edge) + " is below "
                        + earlierExpiry + "'s " + fmt(earlier.totalVariance(edge)) + " and stays below as k -> "
                        + (right ? "+" : "-") + "infinity" + wingComparison(earlier, later, right);
            } else {
                description = "total variance " + fmt(later.totalVariance(run.worstK)) + " at k = " + fmt(run.worstK)
                        + " is below " + earlierExpiry + "'s " + fmt(earlier.totalVariance(run.worstK))
                        + " (lower for k in [" + fmt(run.fromK) + ", " + fmt(run.toK) + "])";
            }
            violations.add(new ArbitrageViolation(CALENDAR, laterExpiry, description));
        });
        for (boolean right : new boolean[]{false, true}) {
            if (wingBelow(earlier, later, right) && !wingReported[right ? 1 : 0]) {
                violations.add(new ArbitrageViolation(CALENDAR, laterExpiry, "total variance is below " + earlierExpiry
                        + "'s as k -> " + (right ? "+" : "-") + "infinity" + wingComparison(earlier, later, right)));
            }
        }
        return violations;
    }

    /** The later wing ends up below: a lower slope, or the same slope and a lower intercept. */
    static boolean wingBelow(SviParameters earlier, SviParameters later, boolean right) {
        double earlierSlope = earlier.wingSlope(right);
        double laterSlope = later.wingSlope(right);
        return laterSlope < earlierSlope
                || laterSlope == earlierSlope && later.wingIntercept(right) < earlier.wingIntercept(right);
    }

    private static String wingComparison(SviParameters earlier, SviParameters later, boolean right) {
        return " (wing slope " + fmt(later.wingSlope(right)) + " vs " + fmt(earlier.wingSlope(right)) + ", intercept "
                + fmt(later.wingIntercept(right)) + " vs " + fmt(earlier.wingIntercept(right)) + ")";
    }

    /** Half-width of the even k grid for a slice: the fixed bound, or 3 ATM standard deviations when wider. */
    static double halfWidth(SviParameters p) {
        double atmVariance = p.totalVariance(0);
        double deviations = atmVariance > 0 ? STANDARD_DEVIATIONS * Math.sqrt(atmVariance) : 0;
        return Math.max(FIXED_K_BOUND, deviations);
    }

    /**
     * Sorted distinct k where the slices are sampled: an even grid around the money, and sinh grids
     * (spacing a fortieth of the scale at the centre, 2.5% of the distance beyond) around m with
     * scale sigma and around the minimum of w with the width over which w doubles there.
     */
    static double[] grid(SviParameters... slices) {
        double far = MIN_FAR;
        for (SviParameters p : slices) {
            far = Math.max(far, far(p));
        }
        GrowableArray points = new GrowableArray();
        for (SviParameters p : slices) {
            double bound = halfWidth(p);
            double step = 2 * bound / (GRID_POINTS - 1);
            for (int i = 0; i < GRID_POINTS; i++) {
                points.add(-bound + i * step);
            }
            addSinhGrid(points, p.m(), p.sigma(), far);
            double kMin = p.kAtMinTotalVariance();
            addSinhGrid(points, kMin, Math.min(p.sigma(), doublingWidth(p, kMin)), far);
        }
        return points.sortedDistinct();
    }

    /** |k - m| beyond which both wings are straight: their intercepts a {@link #STRAIGHT_WINGS} share of w. */
    private static double far(SviParameters p) {
        double far = MIN_FAR;
        for (boolean right : new boolean[]{false, true}) {
            double slope = p.wingSlope(right);
            if (slope > 0) {
                far = Math.max(far, (Math.abs(p.wingIntercept(right)) + Math.abs(p.m()) * slope) / (STRAIGHT_WINGS * slope));
            }
        }
        return Math.min(far, MAX_FAR);
    }

    /** Distance from the minimum over which w doubles, from w's curvature b (1 - rho^2)^(3/2) / sigma there. */
    private static double doublingWidth(SviParameters p, double kMin) {
        double curvature = p.curvature(kMin);
        double width = Math.sqrt(2 * p.minTotalVariance() / curvature);
        return width > 0 && Double.isFinite(width) ? width : p.sigma();
    }

    private static void addSinhGrid(GrowableArray points, double centre, double scale, double far) {
        double s = Math.max(scale, MIN_SCALE);
        double top = asinh(far / s);
        int steps = (int) Math.ceil(top / SINH_STEP);
        points.add(centre);
        for (int i = 1; i <= steps; i++) {
            double x = s * Math.sinh(Math.min(i * SINH_STEP, top));
            points.add(centre + x);
            points.add(centre - x);
        }
    }

    private static double asinh(double x) {
        return Math.log(x + Math.sqrt(x * x + 1));
    }

    /** A maximal run of grid points where the function is negative, or a dip found between two that are not. */
    private record Run(double fromK, double toK, double worstK, double worst, int toInfinity) {
    }

    /**
     * Calls {@code found} once per maximal run of grid points where {@code f} is negative, and
     * once per sampled local minimum that is not negative but whose refined minimum is. A run's
     * worst point is refined too. {@code toInfinity} of a run is -1/+1 when it reaches the grid's
     * first/last point.
     */
    private static void scanNegativeRuns(double[] k, DoubleUnaryOperator f, Consumer<Run> found) {
        int n = k.length;
        double[] values = new double[n];
        for (int i = 0; i < n; i++) {
            values[i] = f.applyAsDouble(k[i]);
        }
        int runStart = -1;
        double worstK = 0, worst = 0;
        for (int i = 0; i < n; i++) {
            double bestK = k[i];
            double best = values[i];
            if (i > 0 && i < n - 1 && values[i] <= values[i - 1] && values[i] <= values[i + 1]) {
                double refinedK = goldenSectionMinimum(f, k[i - 1], k[i + 1]);
                double refined = f.applyAsDouble(refinedK);
                if (refined < best) {
                    best = refined;
                    bestK = refinedK;
                }
            }
            if (values[i] < 0 || Double.isNaN(values[i])) {
                if (runStart < 0) {
                    runStart = i;
                    worst = Double.POSITIVE_INFINITY;
                    worstK = k[i];
                }
                if (best < worst) {
                    worst = best;
                    worstK = bestK;
                }
                continue;
            }
            if (runStart >= 0) {
                found.accept(new Run(k[runStart], k[i - 1], worstK, worst, runStart == 0 ? -1 : 0));
                runStart = -1;
            }
            if (best < 0) {
                found.accept(new Run(bestK, bestK, bestK, best, 0));
            }
        }
        if (runStart >= 0) {
            found.accept(new Run(k[runStart], k[n - 1], worstK, worst, runStart == 0 ? -1 : 1));
        }
    }

    /** Golden-section search for the minimum of {@code f} on [from, to], a bracket of a sampled local minimum. */
    static double goldenSectionMinimum(DoubleUnaryOperator f, double from, double to) {
        double ratio = (Math.sqrt(5) - 1) / 2;
        double lo = from, hi = to;
        double left = hi - ratio * (hi - lo), right = lo + ratio * (hi - lo);
        double fLeft = f.applyAsDouble(left), fRight = f.applyAsDouble(right);
        for (int i = 0; i < REFINE_ITERATIONS && hi - lo > 1e-15 * (1 + Math.abs(lo)); i++) {
            if (fLeft <= fRight) {
                hi = right;
                right = left;
                fRight = fLeft;
                left = hi - ratio * (hi - lo);
                fLeft = f.applyAsDouble(left);
            } else {
                lo = left;
                left = right;
                fLeft = fRight;
                right = lo + ratio * (hi - lo);
                fRight = f.applyAsDouble(right);
            }
        }
        return fLeft <= fRight ? left : right;
    }

    /** A double list without boxing. */
    private static final class GrowableArray {
        private double[] values = new double[4096];
        private int size;

        void add(double value) {
            if (size == values.length) {
                values = Arrays.copyOf(values, 2 * size);
            }
            values[size++] = value;
        }

        double[] sortedDistinct() {
            double[] sorted = Arrays.copyOf(values, size);
            Arrays.sort(sorted);
            int distinct = 0;
            for (int i = 0; i < sorted.length; i++) {
                if (distinct == 0 || sorted[i] != sorted[distinct - 1]) {
                    sorted[distinct++] = sorted[i];
                }
            }
            return Arrays.copyOf(sorted, distinct);
        }
    }

    private static ArbitrageViolation butterflyViolation(String expiry, String description) {
        return new ArbitrageViolation(BUTTERFLY, expiry, description);
    }

    private static String fmt(double value) {
        return String.format(Locale.ROOT, "%.6g", value);
    }
}
