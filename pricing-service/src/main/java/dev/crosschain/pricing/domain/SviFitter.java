package dev.crosschain.pricing.domain;

import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Fits SVI per expiry to vol quotes and checks the resulting surface for arbitrage. Stateless and
 * deterministic: the same quotes, in any order, give a bit-identical surface.
 *
 * <p>Per expiry, raw SVI is fitted to the quotes' mid vols (the average of bid and ask; a
 * one-sided quote's side) in total variance w = vol^2 T. Each quote's total-variance residual is
 * turned into a vol residual (divided by dw/dvol = 2 vol T) and measured in its bid-ask spread,
 * floored at {@link #SPREAD_FLOOR}; a one-sided quote counts with the widest spread of its expiry.
 * So the fit minimises sum((fitted vol - mid vol) / spread)^2 to first order, and without spreads
 * (bid = ask, or one side only everywhere) every quote's vol error counts equally. The fit is
 * Zeliade's quasi-explicit method: the exact constrained linear least squares in (a, d, c) for
 * each (m, sigma) ({@link QuasiExplicitSvi}), with (m, sigma) found by Nelder-Mead from
 * six fixed starts, each run twice (the second from the first's best). When
 * that smile has butterfly arbitrage (in practice: in a wing, beyond the quotes), the slice is
 * fitted again with its wing asymptotes held non-negative, and that fit is taken if it is clean.
 */
public final class SviFitter {

    public static final SviFitter DEFAULT = new SviFitter(SviArbitrageCheck.DEFAULT);
    /** Half a vol point: tighter spreads do not make a quote count more. */
    static final double SPREAD_FLOOR = 0.005;
    static final int MIN_DISTINCT_STRIKES = 3;
    /** The fitted smile's total variance stays above this share of the lowest quoted one (vol above a tenth). */
    static final double MIN_VARIANCE_SHARE = 0.01;
    /** Nelder-Mead stops when the simplex is this fraction of its first step wide. */
    private static final double SIMPLEX_TOLERANCE = 1e-10;
    private static final int MAX_EVALUATIONS = 2000;
    /** sigma below this makes the smile a kink between strikes, which no quote can pin down. */
    private static final double MIN_SIGMA = 1e-4;

    private final SviArbitrageCheck arbitrage;

    public SviFitter() {
        this(SviArbitrageCheck.DEFAULT);
    }

    public SviFitter(SviArbitrageCheck arbitrage) {
        this.arbitrage = arbitrage;
    }

    /**
     * A surface from quotes of one underlying (validated: unexpired, at least five per expiry).
     *
     * @param forwards forward per expiry date, every quoted expiry present
     * @param index    the underlying's index now, which each slice keeps to give its basis (forward / index)
     * @throws ArbitrageableSurfaceException when the fitted surface has butterfly or calendar arbitrage
     * @throws InvalidInputException         INVALID_OPTION_QUOTE when an expiry has quotes at fewer than three strikes
     */
    public VolSurface fit(String underlying, List<VolQuote> quotes, Map<LocalDate, Double> forwards, double index,
                          Instant now, long version) {
        Map<LocalDate, List<VolQuote>> byExpiry = new TreeMap<>();
        for (VolQuote quote : quotes) {
            byExpiry.computeIfAbsent(quote.option().expiryDate(), date -> new ArrayList<>()).add(quote);
        }
        List<SviSlice> slices = new ArrayList<>(byExpiry.size());
        for (Map.Entry<LocalDate, List<VolQuote>> expiry : byExpiry.entrySet()) {
            Double forward = forwards.get(expiry.getKey());
            if (forward == null) {
                throw new IllegalArgumentException("no forward for expiry " + Instrument.Expiry.format(expiry.getKey()));
            }
            slices.add(fitSlice(expiry.getKey(), expiry.getValue(), forward, index, now));
        }
        List<ArbitrageViolation> violations = arbitrage.check(slices);
        if (!violations.isEmpty()) {
            throw new ArbitrageableSurfaceException(violations);
        }
        return new VolSurface(underlying, version, now, false, slices);
    }

    /** The SVI slice of one expiry's quotes, not checked for arbitrage; {@code index} is the underlying's now. */
    public SviSlice fitSlice(LocalDate expiryDate, List<VolQuote> quotes, double forward, double index, Instant now) {
        Instant expiry = Instrument.Expiry.instant(expiryDate);
        double years = MarkCalculator.yearsUntil(expiry, now);
        if (!(years > 0)) {
            throw new IllegalArgumentException("expiry " + Instrument.Expiry.format(expiryDate) + " is not after " + now);
        }
        if (!(forward > 0) || Double.isInfinite(forward)) {
            throw new IllegalArgumentException("forward must be positive and finite, got " + forward);
        }
        Point[] points = points(quotes, forward);
        int distinct = distinctStrikes(points);
        if (distinct < MIN_DISTINCT_STRIKES) {
            throw new InvalidInputException("INVALID_OPTION_QUOTE", "quotes", "expiry " + Instrument.Expiry.format(expiryDate)
                    + " needs quotes at " + MIN_DISTINCT_STRIKES + " or more strikes to fit a smile, got " + distinct);
        }
        SviParameters params = fitParameters(points, years, false);
        String code = Instrument.Expiry.format(expiryDate);
        if (!arbitrage.butterfly(code, params).isEmpty()) {
            SviParameters safeWings = fitParameters(points, years, true);
            if (arbitrage.butterfly(code, safeWings).isEmpty()) {
                params = safeWings;
            }
        }
        return new SviSlice(expiryDate, expiry, years, forward, index, params, rmsVolError(points, params, years),
                points.length);
    }

    /** A quote as the fit sees it: log-moneyness, mid vol and spread (NaN for a one-sided quote). */
    private record Point(double k, double mid, double spread) {
    }

    /** Sorted by k, then mid, then spread, so the sums of the fit do not depend on the quotes' order. */
    private static Point[] points(List<VolQuote> quotes, double forward) {
        Point[] points = new Point[quotes.size()];
        for (int i = 0; i < points.length; i++) {
            VolQuote quote = quotes.get(i);
            // StrictMath: ln must not depend on whether the JIT has compiled this yet.
            double k = StrictMath.log(quote.option().strike().doubleValue() / forward);
            boolean hasBid = !Double.isNaN(quote.bidVol());
            boolean hasAsk = !Double.isNaN(quote.askVol());
            double mid = hasBid && hasAsk ? (quote.bidVol() + quote.askVol()) / 2 : hasBid ? quote.bidVol() : quote.askVol();
            double spread = hasBid && hasAsk ? quote.askVol() - quote.bidVol() : Double.NaN;
            if (!(mid > 0) || Double.isInfinite(mid)) {
                throw new InvalidInputException("INVALID_OPTION_QUOTE", "quotes", quote.option().name()
                        + ": mid vol must be positive and finite, got " + mid);
            }
            points[i] = new Point(k, mid, spread);
        }
        Arrays.sort(points, Comparator.comparingDouble(Point::k).thenComparingDouble(Point::mid)
                .thenComparingDouble(Point::spread));
        return points;
    }

    private static int distinctStrikes(Point[] sortedPoints) {
        int distinct = 0;
        for (int i = 0; i < sortedPoints.length; i++) {
            if (i == 0 || sortedPoints[i].k() != sortedPoints[i - 1].k()) {
                distinct++;
            }
        }
        return distinct;
    }

    private static SviParameters fitParameters(Point[] points, double years, boolean wingIntercepts) {
        int n = points.length;
        double[] k = new double[n];
        double[] w = new double[n];
        int cheapest = 0;
        for (int j = 0; j < n; j++) {
            k[j] = points[j].k();
            w[j] = points[j].mid() * points[j].mid() * years;
            if (w[j] < w[cheapest]) {
                cheapest = j;
            }
        }
        QuasiExplicitSvi inner = new QuasiExplicitSvi(k, w, weights(points, years), MIN_VARIANCE_SHARE * w[cheapest],
                wingIntercepts);
        double span = k[n - 1] - k[0];
        double mLow = k[0] - span;
        double mHigh = k[n - 1] + span;
        double sigmaHigh = 10 * span;
        double[] adc = new double[3];
        NelderMead.Objective objective = x -> x[0] < mLow || x[0] > mHigh || x[1] < MIN_SIGMA || x[1] > sigmaHigh
                ? Double.POSITIVE_INFINITY : inner.solve(x[0], x[1], adc);
        NelderMead.Minimum best = null;
        for (double m : new double[]{k[cheapest], (k[0] + k[n - 1]) / 2}) {
            for (double sigma : new double[]{0.05 * span, 0.2 * span, 0.8 * span}) {
                double[] step = {0.1 * span, 0.5 * sigma};
                NelderMead.Minimum first = NelderMead.minimize(objective, new double[]{m, sigma}, step, SIMPLEX_TOLERANCE,
                        MAX_EVALUATIONS);
                NelderMead.Minimum again = NelderMead.minimize(objective, first.x(), step, SIMPLEX_TOLERANCE, MAX_EVALUATIONS);
                NelderMead.Minimum found = again.value() <= first.value() ? again : first;
                if (best == null || found.value() < best.value()) {
                    best = found;
                }
            }
        }
        SviParameters params = inner.parameters(best.x()[0], best.x()[1]);
        if (params == null) {
            throw new IllegalStateException("no SVI fit found for " + n + " quotes");
        }
        return params;
    }

    /** Weights of the squared total-variance residuals: (vol residual / spread)^2 to first order. */
    private static double[] weights(Point[] points, double years) {
        double widestSpread = SPREAD_FLOOR;
        for (Point p : points) {
            if (p.spread() > widestSpread) {
                widestSpread = p.spread();
            }
        }
        double[] weights = new double[points.length];
        for (int j = 0; j < points.length; j++) {
            Point p = points[j];
            double spread = Double.isNaN(p.spread()) ? widestSpread : Math.max(p.spread(), SPREAD_FLOOR);
            double volPerVariance = 1 / (2 * p.mid() * years * spread);
            weights[j] = volPerVariance * volPerVariance;
        }
        return weights;
    }

    private static double rmsVolError(Point[] points, SviParameters params, double years) {
        double sum = 0;
        for (Point p : points) {
            double error = Math.sqrt(params.totalVariance(p.k()) / years) - p.mid();
            sum += error * error;
        }
        return Math.sqrt(sum / points.length);
    }
}
