package dev.crosschain.margin.domain.history;

import java.time.LocalDate;
import java.util.OptionalDouble;

/**
 * The anti-procyclicality ratio of one underlying's ES figure, per as-of date: for a unit linear exposure (long,
 * and short), the requirement series of the ES model over the stored history, floored at the stressed look-back and
 * buffered ({@link Procyclicality#floor}, {@link Procyclicality#buffer}), divided by the raw series; the larger of
 * the two directions. An account has no per-account history here, so this is how the floor and buffer reach its
 * figure: as the ratio they give a unit exposure of the same underlying (an approximation, stated in the proto).
 * The rise cap needs the account's own past figures and is not part of the ratio.
 *
 * <p>Pure and immutable; computed once per (history, parameter set): a stressed ES over up to ten years for every
 * day of the history.
 *
 * @param underlying the history's underlying
 * @param firstAsOf  the first date with a full look-back (index 0 of {@code ratios})
 * @param ratios     APC / raw requirement per as-of date from {@code firstAsOf}, each >= 1
 */
public record ApcRatios(String underlying, LocalDate firstAsOf, double[] ratios) {

    public ApcRatios {
        ratios = ratios.clone();
    }

    /**
     * The ratios of {@code history} under {@code simulation} and {@code apc}; none (an empty series) when the history
     * is shorter than one look-back.
     */
    public static ApcRatios of(PriceHistory history, HistoricalSimulation simulation, Procyclicality apc) {
        int h = simulation.holdingDays();
        int lookBack = simulation.lookBackDays();
        int n = history.size();
        double[] moves = new double[n];
        for (int i = h; i < n; i++) {
            moves[i] = history.move(history.firstDate().plusDays(i), h);
        }
        int first = h + lookBack - 1;
        LocalDate firstAsOf = history.firstDate().plusDays(first);
        if (first >= n) {
            return new ApcRatios(history.underlying(), firstAsOf, new double[0]);
        }
        int days = n - first;
        double[][] raw = new double[2][days];
        double[][] stressed = new double[2][days];
        // both look-backs as sorted sliding windows: one insertion and one removal a day instead of a sort
        SortedWindow recent = new SortedWindow(lookBack);
        SortedWindow all = new SortedWindow(HistoricalScenarios.STRESSED_MAX_LOOK_BACK_DAYS);
        for (int t = h; t < n; t++) {
            recent.add(moves[t], t - lookBack >= h ? moves[t - lookBack] : Double.NaN);
            all.add(moves[t], t - HistoricalScenarios.STRESSED_MAX_LOOK_BACK_DAYS >= h
                    ? moves[t - HistoricalScenarios.STRESSED_MAX_LOOK_BACK_DAYS] : Double.NaN);
            if (t >= first) {
                double[] r = simulation.es().unitRequirements(recent.values, recent.size);
                double[] s = simulation.es().unitRequirements(all.values, all.size);
                for (int side = 0; side < 2; side++) {
                    raw[side][t - first] = r[side];
                    stressed[side][t - first] = s[side];
                }
            }
        }
        double[] ratios = new double[days];
        java.util.Arrays.fill(ratios, 1.0);
        for (int side = 0; side < 2; side++) {
            double[] withApc = apc.buffer(apc.floor(raw[side], stressed[side]));
            for (int k = 0; k < days; k++) {
                // a raw figure of 0 (a look-back that only gained) has no ratio: it stays 1
                if (raw[side][k] > 0) {
                    ratios[k] = Math.max(ratios[k], withApc[k] / raw[side][k]);
                }
            }
        }
        return new ApcRatios(history.underlying(), firstAsOf, ratios);
    }

    /** The last {@code capacity} values added, kept sorted ascending. */
    private static final class SortedWindow {
        final double[] values;
        int size;

        SortedWindow(int capacity) {
            values = new double[capacity];
        }

        /** Adds {@code value}; once full, first drops {@code leaving} (the value added {@code capacity} days before). */
        void add(double value, double leaving) {
            if (size == values.length) {
                int at = java.util.Arrays.binarySearch(values, 0, size, leaving);
                System.arraycopy(values, at + 1, values, at, size - at - 1);
                size--;
            }
            int at = java.util.Arrays.binarySearch(values, 0, size, value);
            int insert = at >= 0 ? at : -at - 1;
            System.arraycopy(values, insert, values, insert + 1, size - insert);
            values[insert] = value;
            size++;
        }
    }

    /** The ratio on {@code asOf}; empty outside the series. */
    public OptionalDouble ratio(LocalDate asOf) {
        long k = asOf.toEpochDay() - firstAsOf.toEpochDay();
        return k < 0 || k >= ratios.length ? OptionalDouble.empty() : OptionalDouble.of(ratios[(int) k]);
    }
}
