package dev.crosschain.margin.domain.history;

import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Expected shortfall of a P&L vector by historical simulation, all scenarios equally likely.
 *
 * <p>Definition, for n scenarios at level a (e.g. 0.975): order the losses {@code L = -pnl} from the
 * largest, {@code L(1) >= L(2) >= ... >= L(n)}; the tail holds {@code k = n (1 - a)} scenarios, a
 * fractional count in general; ES is the average over exactly that much probability mass:
 * <pre>ES = ( L(1) + ... + L(m) + (k - m) L(m+1) ) / k,   m = floor(k)</pre>
 * (Acerbi and Tasche's discrete ES; coherent, and it does not jump when n crosses a multiple of
 * 1/(1-a)). With k &lt; 1 it is the worst loss. Positive = a loss, in the P&L's unit (USD).
 *
 * @param level confidence level, strictly between 0 and 1
 */
public record ExpectedShortfall(double level) {

    /** 97.5%, the level of the Basel FRTB and of most CCPs' historical-simulation models. */
    public static final ExpectedShortfall DEFAULT = new ExpectedShortfall(0.975);

    /** Tail counts are rounded to this many decimals so that e.g. 40 x (1 - 0.975) is exactly 1. */
    private static final double TAIL_COUNT_ROUNDING = 1e9;

    public ExpectedShortfall {
        if (!(level > 0.0 && level < 1.0)) {
            throw new IllegalArgumentException("level must be in (0, 1), got " + level);
        }
    }

    /**
     * @param shortfall the ES, positive = loss (USD)
     * @param tailCount k = n (1 - level), the probability mass of the tail in scenarios
     * @param tail      indexes of the scenarios in the tail, worst first, unmodifiable ({@code ceil(k)} of them; the
     *                  last one weighs {@code k - floor(k)} when k is fractional)
     */
    public record Result(double shortfall, double tailCount, List<Integer> tail) {
        public Result {
            tail = List.copyOf(tail);
        }
    }

    /** The ES of {@code pnl} (one P&L per scenario, negative = loss), with the scenarios of its tail. */
    public Result of(double[] pnl) {
        double[] sorted = sortedCopy(pnl);
        double k = tailCount(pnl.length);
        int tailSize = (int) Math.ceil(k);
        double boundary = sorted[tailSize - 1];
        // the tail's scenarios: all strictly worse than the boundary, then ties at the boundary by index
        int[] tail = new int[tailSize];
        int filled = 0;
        for (int i = 0; i < pnl.length; i++) {
            if (pnl[i] < boundary) {
                tail[filled++] = i;
            }
        }
        for (int i = 0; i < pnl.length && filled < tailSize; i++) {
            if (pnl[i] == boundary) {
                tail[filled++] = i;
            }
        }
        List<Integer> ordered = IntStream.of(tail).boxed()
                .sorted(Comparator.<Integer>comparingDouble(i -> pnl[i]).thenComparingInt(i -> i))
                .toList();
        return new Result(tailAverage(sorted, k), k, ordered);
    }

    /** The ES alone (positive = loss, USD): the same figure as {@link #of}, without the tail's scenarios. */
    public double shortfall(double[] pnl) {
        return tailAverage(sortedCopy(pnl), tailCount(pnl.length));
    }

    private double tailCount(int n) {
        double k = Math.round(n * (1.0 - level) * TAIL_COUNT_ROUNDING) / TAIL_COUNT_ROUNDING;
        if (k <= 0) {
            throw new IllegalArgumentException("level " + level + " leaves no tail in " + n + " scenarios");
        }
        return k;
    }

    private static double[] sortedCopy(double[] pnl) {
        if (pnl.length == 0) {
            throw new IllegalArgumentException("expected shortfall of no scenarios");
        }
        for (int i = 0; i < pnl.length; i++) {
            if (!Double.isFinite(pnl[i])) {
                throw new IllegalArgumentException("P&L of scenario " + i + " is not finite: " + pnl[i]);
            }
        }
        double[] sorted = pnl.clone();
        Arrays.sort(sorted);
        return sorted;
    }

    /** ( L(1) + ... + L(m) + (k - m) L(m+1) ) / k over P&Ls sorted ascending (worst first). */
    private static double tailAverage(double[] sortedPnl, double k) {
        int m = (int) Math.floor(k);
        double sum = 0.0;
        for (int j = 0; j < m; j++) {
            sum -= sortedPnl[j];
        }
        double fraction = k - m;
        if (fraction > 0) {
            sum -= fraction * sortedPnl[m];
        }
        return sum / k;
    }

    /** The requirement the ES model asks for: the ES, and never less than zero (a book that only gains needs nothing). */
    public double requirement(double[] pnl) {
        return Math.max(0.0, shortfall(pnl));
    }

    /**
     * The requirements of a long and of a short unit exposure to {@code size} moves given sorted ascending: the same
     * figures as {@link #requirement} of {@code moves} and of {@code -moves}, from one sorted window (the long side's
     * tail is the lowest moves, the short side's the highest).
     *
     * @return {long, short}
     */
    public double[] unitRequirements(double[] ascendingMoves, int size) {
        if (size == 0) {
            throw new IllegalArgumentException("expected shortfall of no scenarios");
        }
        double k = tailCount(size);
        int m = (int) Math.floor(k);
        double fraction = k - m;
        double longSum = 0.0;
        double shortSum = 0.0;
        for (int j = 0; j < m; j++) {
            longSum -= ascendingMoves[j];
            shortSum += ascendingMoves[size - 1 - j];
        }
        if (fraction > 0) {
            longSum -= fraction * ascendingMoves[m];
            shortSum += fraction * ascendingMoves[size - 1 - m];
        }
        return new double[]{Math.max(0.0, longSum / k), Math.max(0.0, shortSum / k)};
    }

    /** The ES of several P&L vectors at once (e.g. one per day of a backtest). */
    public double[] requirements(double[][] pnlByDay) {
        return Arrays.stream(pnlByDay).mapToDouble(this::requirement).toArray();
    }
}
