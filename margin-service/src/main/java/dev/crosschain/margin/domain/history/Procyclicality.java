package dev.crosschain.margin.domain.history;

/**
 * Anti-procyclicality (APC) tools in the manner of EMIR (RTS 153/2013 art. 28), as pure functions over a
 * requirement series (one figure per interval, e.g. a day), applied in this order:
 * <ol>
 *   <li><b>floor</b>: never below the requirement of a stressed look-back (the same model over the longest
 *       history, which holds the worst period on record): calm years cannot erode margins (art. 28(1)(c));</li>
 *   <li><b>buffer</b>: 25% on top in calm times, <em>drawn down</em> when requirements rise, so a rise is
 *       first absorbed by the buffer, then rebuilt slowly once it has been used (art. 28(1)(a));</li>
 *   <li><b>rise cap</b>: the requirement may rise at most {@code maxRisePerInterval} per interval, except for
 *       an account in breach (its equity below the uncapped requirement), where the cap must not delay a
 *       margin call or a liquidation, so the full figure applies at once.</li>
 * </ol>
 * The first two never lower a requirement below the model's; only the cap does, and only while the account
 * still holds the uncapped figure (not in breach).
 *
 * @param bufferRate         buffer as a fraction of the requirement (0.25 = 25%)
 * @param bufferRebuildRate  fraction of the full buffer restored per interval after it was drawn down
 * @param floorWeight        weight of the stressed requirement in the floor (1 = the whole stressed figure)
 * @param maxRisePerInterval largest relative rise per interval outside breach (0.10 = +10%)
 */
public record Procyclicality(double bufferRate, double bufferRebuildRate, double floorWeight, double maxRisePerInterval) {

    /**
     * 25% buffer (EMIR's minimum) restored over 10 intervals, the full stressed figure as floor, and at most
     * +10% a day: a requirement can still grow 2.6-fold in ten days, so a lasting regime change is followed.
     */
    public static final Procyclicality DEFAULT = new Procyclicality(0.25, 0.10, 1.0, 0.10);

    public Procyclicality {
        requireFraction("bufferRate", bufferRate, 10);
        requireFraction("bufferRebuildRate", bufferRebuildRate, 1);
        requireFraction("floorWeight", floorWeight, 10);
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
     * The buffered series: {@code b(0) = r(0)(1+B)} and
     * {@code b(t) = max(r(t), min(r(t)(1+B), b(t-1) + rebuild x B x r(t)))}: the figure holds still while
     * the requirement rises into the buffer, never falls below the requirement, and climbs back to the full
     * buffer by at most {@code rebuild} of it per interval.
     */
    public double[] buffer(double[] requirement) {
        double[] out = new double[requirement.length];
        for (int t = 0; t < requirement.length; t++) {
            double r = nonNegative(requirement, t);
            double full = r * (1 + bufferRate);
            out[t] = t == 0 ? full : Math.max(r, Math.min(full, out[t - 1] + bufferRebuildRate * bufferRate * r));
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
