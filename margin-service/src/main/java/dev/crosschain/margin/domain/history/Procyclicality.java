package dev.crosschain.margin.domain.history;

/**
 * Anti-procyclicality (APC) tools in the manner of EMIR (RTS 153/2013 art. 28), as pure functions over a
 * requirement series (one figure per interval, e.g. a day), applied in this order:
 * <ol>
 *   <li><b>floor</b>: never below the requirement of a stressed look-back (the same model over the longest
 *       history, which holds the worst period on record): calm years cannot erode margins (art. 28(1)(c));</li>
 *   <li><b>buffer</b>: 25% on top in calm times, <em>drawn down</em> when requirements rise, so a rise is
 *       first absorbed by the buffer (art. 28(1)(a)). It is rebuilt only once the stress is over: after
 *       {@code calmIntervalsBeforeRebuild} intervals in a row in which the requirement did not rise, and
 *       never on an interval where it rose, so the rebuild cannot itself add to a rise in a crash;</li>
 *   <li><b>rise cap</b>: the requirement may rise at most {@code maxRisePerInterval} per interval, except for
 *       an account in breach, where the cap must not delay a margin call or a liquidation, so the full figure
 *       applies at once.</li>
 * </ol>
 * The first two never lower a requirement below the model's; only the cap does, and only while the account
 * still holds the uncapped figure (not in breach).
 *
 * <p><b>Breach is the caller's input, defined against the uncapped figure.</b> {@link #apply} and
 * {@link #capRise} take {@code breach[t]} as given: the caller sets it when the account's equity is below the
 * <em>uncapped</em> maintenance requirement (the {@code raw} argument, the figure before the cap, never the
 * capped one). Defining breach against the capped series would be circular:
 * the cap would hide the very breach that must lift it. For the same reason a check that lets value leave
 * the account (a withdrawal, a transfer out, a mode switch) must hold against
 * {@code max(capped, raw)}, i.e. the uncapped figure: the cap only delays a rise of what the account is
 * charged while it stays solvent, it never lets an account take out collateral the model says it needs.
 *
 * @param bufferRate                 buffer as a fraction of the requirement (0.25 = 25%)
 * @param bufferRebuildRate          fraction of the full buffer restored per calm interval once rebuilding
 * @param calmIntervalsBeforeRebuild intervals in a row without a rise of the requirement before the buffer
 *                                   rebuilds (at least one; the rebuild goes on while the requirement does not rise)
 * @param floorWeight                weight of the stressed requirement in the floor (1 = the whole stressed figure)
 * @param maxRisePerInterval         largest relative rise per interval outside breach (0.10 = +10%)
 */
public record Procyclicality(double bufferRate, double bufferRebuildRate, int calmIntervalsBeforeRebuild,
                             double floorWeight, double maxRisePerInterval) {

    /**
     * The service's daily APC, each figure chosen on principle, not fitted to a replay:
     * <ul>
     *   <li>25% buffer: EMIR's minimum;</li>
     *   <li>rebuilt only after 30 daily intervals without a rise: crypto trades every calendar day, and a
     *       month without a rise of the requirement is the shortest span after which a stress period can be
     *       called over (a crash's aftershocks, like 2020-03-12 then 03-16, come within days, well inside it);</li>
     *   <li>rebuilt over 90 intervals (1/90 of the buffer a day, about a quarter): at most +0.28% of the
     *       requirement a day and +8.3% in any 30 days, far below the cap, so the rebuild never becomes the
     *       procyclical step it is meant to prevent;</li>
     *   <li>the full stressed figure as floor;</li>
     *   <li>at most +10% a day: a requirement can still grow 2.6-fold in ten days, so a lasting regime change
     *       is followed, and an account in breach is never protected by the cap.</li>
     * </ul>
     */
    public static final Procyclicality DEFAULT = new Procyclicality(0.25, 1.0 / 90, 30, 1.0, 0.10);

    /** Only the rise cap: no floor, no buffer (what the cap does on its own). */
    public static Procyclicality capOnly(double maxRisePerInterval) {
        return new Procyclicality(0, 0, 0, 0, maxRisePerInterval);
    }

    public Procyclicality {
        requireFraction("bufferRate", bufferRate, 10);
        requireFraction("bufferRebuildRate", bufferRebuildRate, 1);
        requireFraction("floorWeight", floorWeight, 10);
        if (calmIntervalsBeforeRebuild < 0) {
            throw new IllegalArgumentException("calmIntervalsBeforeRebuild must be >= 0, got " + calmIntervalsBeforeRebuild);
        }
        if (!(maxRisePerInterval > 0 && Double.isFinite(maxRisePerInterval))) {
            throw new IllegalArgumentException("maxRisePerInterval must be positive, got " + maxRisePerInterval);
        }
    }

    private static void requireFraction(String name, double value, double max) {
        if (!(value >= 0 && value <= max)) {
            throw new IllegalArgumentException(name + " must be in [0, " + max + "], got " + value);
        }
    }

    /** All three tools: {@code cap(buffer(floor(raw, stressed)), raw, breach)}. */
    public double[] apply(double[] raw, double[] stressed, boolean[] breach) {
        return capRise(buffer(floor(raw, stressed)), raw, breach);
    }

    /** {@code max(raw, floorWeight x stressed)} per interval. */
    public double[] floor(double[] raw, double[] stressed) {
        sameLength(raw, stressed.length, "stressed");
        double[] out = new double[raw.length];
        for (int t = 0; t < raw.length; t++) {
            out[t] = Math.max(nonNegative(raw, t), floorWeight * nonNegative(stressed, t));
        }
        return out;
    }

    /**
     * The buffered series. With {@code full(t) = r(t)(1+B)}: {@code b(0) = full(0)}, and for t >= 1
     * <pre>
     * b(t) = max(r(t), min(full(t), b(t-1)))                     if r rose on t or the calm run is short
     * b(t) = max(r(t), min(full(t), b(t-1) + rebuild x B x r(t)))  after calmIntervalsBeforeRebuild
     *                                                               intervals in a row with r(t) <= r(t-1)
     * </pre>
     * The figure holds still while the requirement rises into the buffer (the rise is absorbed), never
     * falls below the requirement, follows a falling requirement down (never above its full buffer), and
     * climbs back to the full buffer by at most {@code rebuild} of it per interval, and only once the
     * requirement has stopped rising for {@code calmIntervalsBeforeRebuild} intervals: never on an interval
     * where the requirement rose, so a rebuild cannot add to a rise in a crash.
     */
    public double[] buffer(double[] requirement) {
        double[] out = new double[requirement.length];
        int calmRun = 0;
        for (int t = 0; t < requirement.length; t++) {
            double r = nonNegative(requirement, t);
            double full = r * (1 + bufferRate);
            if (t == 0) {
                out[t] = full;
                continue;
            }
            calmRun = r <= requirement[t - 1] ? calmRun + 1 : 0;
            double rebuild = calmRun > 0 && calmRun >= calmIntervalsBeforeRebuild ? bufferRebuildRate * bufferRate * r : 0.0;
            out[t] = Math.max(r, Math.min(full, out[t - 1] + rebuild));
        }
        return out;
    }

    /**
     * The capped series: {@code c(0) = x(0)}; outside breach {@code c(t) = min(x(t), c(t-1)(1 + maxRise))};
     * in breach {@code c(t) = max(x(t), raw(t))}, uncapped. Falls are never delayed.
     */
    public double[] capRise(double[] requirement, double[] raw, boolean[] breach) {
        sameLength(requirement, raw.length, "raw");
        sameLength(requirement, breach.length, "breach");
        double[] out = new double[requirement.length];
        for (int t = 0; t < requirement.length; t++) {
            double x = nonNegative(requirement, t);
            if (t == 0) {
                out[t] = x;
            } else if (breach[t]) {
                out[t] = Math.max(x, nonNegative(raw, t));
            } else {
                out[t] = Math.min(x, out[t - 1] * (1 + maxRisePerInterval));
            }
        }
        return out;
    }

    /**
     * The largest relative rise of a series within any {@code window} intervals:
     * {@code max over s < t <= s + window of x(t)/x(s) - 1}, with where it happened. The measure of
     * procyclicality DESIGN.md asks for ("peak rise of requirements in a replayed crash").
     */
    public static PeakRise peakRise(double[] series, int window) {
        if (window < 1) {
            throw new IllegalArgumentException("window must be at least 1");
        }
        PeakRise best = new PeakRise(0.0, 0, 0);
        for (int t = 1; t < series.length; t++) {
            for (int s = Math.max(0, t - window); s < t; s++) {
                if (series[s] > 0) {
                    double rise = series[t] / series[s] - 1.0;
                    if (rise > best.rise()) {
                        best = new PeakRise(rise, s, t);
                    }
                }
            }
        }
        return best;
    }

    /** A rise of {@code rise} (0.5 = +50%) from index {@code from} to index {@code to}. */
    public record PeakRise(double rise, int from, int to) {
    }

    private static double nonNegative(double[] series, int t) {
        double v = series[t];
        if (!(v >= 0 && Double.isFinite(v))) {
            throw new IllegalArgumentException("requirement at " + t + " is not a finite non-negative number: " + v);
        }
        return v;
    }

    private static void sameLength(double[] series, int length, String name) {
        if (series.length != length) {
            throw new IllegalArgumentException(name + " has " + length + " intervals, the requirement " + series.length);
        }
    }
}
