package dev.crosschain.margin.domain.history;

import java.time.LocalDate;
import java.util.Arrays;
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
        double[] ratios = new double[n - first];
        Arrays.fill(ratios, 1.0);
        for (double sign : new double[]{1.0, -1.0}) {
            double[] raw = new double[ratios.length];
            double[] stressed = new double[ratios.length];
            for (int t = first; t < n; t++) {
                raw[t - first] = simulation.es().requirement(signed(moves, t - lookBack + 1, t, sign));
                int stressedFrom = Math.max(h, t - HistoricalScenarios.STRESSED_MAX_LOOK_BACK_DAYS + 1);
                stressed[t - first] = simulation.es().requirement(signed(moves, stressedFrom, t, sign));
            }
            double[] withApc = apc.buffer(apc.floor(raw, stressed));
            for (int k = 0; k < ratios.length; k++) {
                // a raw figure of 0 (a look-back that only gained) has no ratio: it stays 1
                if (raw[k] > 0) {
                    ratios[k] = Math.max(ratios[k], withApc[k] / raw[k]);
                }
            }
        }
        return new ApcRatios(history.underlying(), firstAsOf, ratios);
    }

    /** The P&L of a unit exposure of sign {@code sign} in the windows ending on days {@code from..to} (indexes). */
    private static double[] signed(double[] moves, int from, int to, double sign) {
        double[] pnl = new double[to - from + 1];
        for (int i = 0; i < pnl.length; i++) {
            pnl[i] = sign * moves[from + i];
        }
        return pnl;
    }

    /** The ratio on {@code asOf}; empty outside the series. */
    public OptionalDouble ratio(LocalDate asOf) {
        long k = asOf.toEpochDay() - firstAsOf.toEpochDay();
        return k < 0 || k >= ratios.length ? OptionalDouble.empty() : OptionalDouble.of(ratios[(int) k]);
    }
}
