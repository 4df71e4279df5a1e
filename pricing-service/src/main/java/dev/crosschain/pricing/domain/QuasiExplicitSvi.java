package dev.crosschain.pricing.domain;

import java.util.Arrays;

/**
 * The inner step of Zeliade's quasi-explicit SVI calibration (Zeliade Systems, "Quasi-explicit
 * calibration of Gatheral's SVI model", 2009): for fixed (m, sigma), with y = (k - m) / sigma,
 * raw SVI is linear in (a, d, c): w = a + d y + c sqrt(y^2 + 1), where d = b rho sigma and
 * c = b sigma. The weighted least squares in total variance is then a convex quadratic on a
 * polytope, solved exactly here by trying the sets of active constraints, smallest first, until
 * one meets the KKT conditions.
 *
 * <p>The polytope: |d| <= c and c + |d| <= 4 sigma (b >= 0, |rho| <= 1, b (1 + |rho|) <= 4), a at
 * most the largest quoted w, and a floor on the smile's minimum total variance
 * a + c sqrt(1 - rho^2) >= {@code minVariance}, kept linear by bounding the concave
 * sqrt(1 - rho^2) from below by its chords between {@link #RHO_NODES}. Zeliade bound a >= 0
 * instead; the chords also admit the a < 0 smiles that stay positive, which fit steep crypto
 * smiles markedly better. Optionally the wing asymptotes a + b (1 -/+ rho) |k - m| are kept
 * non-negative at k = 0: a negative one makes g(k) negative in that wing once w has grown to about
 * its depth, so this trades some fit for wings free of butterfly arbitrage.
 *
 * <p>Holds scratch arrays: one instance per slice fit, one thread.
 */
final class QuasiExplicitSvi {

    private static final int UNKNOWNS = 3;
    private static final int A = 0, D = 1, C = 2;
    /** Where the chords of sqrt(1 - rho^2) meet it: denser near |rho| = 1, where it bends most. */
    private static final double[] RHO_NODES = {-1, -0.98, -0.9, -0.7, -0.35, 0, 0.35, 0.7, 0.9, 0.98, 1};
    /** The b, rho diamond: the first rows, scaled by sigma; the wing intercepts follow when asked for. */
    private static final int DIAMOND_ROWS = 4;
    /** Relative slack for rounding when testing a candidate against the constraints and its multipliers' signs. */
    private static final double TOLERANCE = 1e-10;

    private final double[] k;
    private final double[] w;
    private final double[] weight;
    private final double totalWeight;
    private final double maxW;
    private final boolean intercepts;
    /** Constraint rows g . (a, d, c) <= h; the first four (the b, rho diamond) scale with sigma. */
    private final double[][] g;
    private final double[] h;
    private final double[] rowScale;
    private final int[] activeSets;

    private final double[] y;
    private final double[] z;
    private final double[][] normal = new double[UNKNOWNS][UNKNOWNS];
    private final double[] moment = new double[UNKNOWNS];
    private final double[] candidate = new double[UNKNOWNS];
    private final double[][] system = new double[2 * UNKNOWNS][2 * UNKNOWNS + 1];

    /**
     * Points (k_j, w_j) with weights on the squared total-variance residuals; at least three
     * distinct k. {@code minVariance} (positive) is the floor of the fitted smile's total variance;
     * {@code wingIntercepts} adds the bounds on the wing asymptotes.
     */
    QuasiExplicitSvi(double[] k, double[] w, double[] weight, double minVariance, boolean wingIntercepts) {
        this.k = k.clone();
        this.w = w.clone();
        this.weight = weight.clone();
        double max = 0;
        double sum = 0;
        for (int j = 0; j < k.length; j++) {
            max = Math.max(max, w[j]);
            sum += weight[j];
        }
        this.maxW = max;
        this.totalWeight = sum;
        this.intercepts = wingIntercepts;
        int chords = RHO_NODES.length - 1;
        int first = wingIntercepts ? DIAMOND_ROWS + 2 : DIAMOND_ROWS;
        int rows = first + chords + 1;
        this.g = new double[rows][];
        this.h = new double[rows];
        this.rowScale = new double[rows];
        g[0] = row(0, 1, -1);  // d <= c
        g[1] = row(0, -1, -1); // -d <= c
        g[2] = row(0, 1, 1);   // c + d <= 4 sigma
        g[3] = row(0, -1, 1);  // c - d <= 4 sigma
        if (wingIntercepts) {
            g[DIAMOND_ROWS] = row(-1, 0, 0);     // left wing at k = 0, set per (m, sigma)
            g[DIAMOND_ROWS + 1] = row(-1, 0, 0); // right wing
            rowScale[DIAMOND_ROWS] = maxW;
            rowScale[DIAMOND_ROWS + 1] = maxW;
        }
        for (int i = 0; i < chords; i++) {
            // a + c (alpha + beta rho) >= minVariance with alpha + beta rho the chord of sqrt(1 - rho^2), rho = d / c
            double left = Math.sqrt(1 - RHO_NODES[i] * RHO_NODES[i]);
            double right = Math.sqrt(1 - RHO_NODES[i + 1] * RHO_NODES[i + 1]);
            double beta = (right - left) / (RHO_NODES[i + 1] - RHO_NODES[i]);
            double alpha = left - beta * RHO_NODES[i];
            g[first + i] = row(-1, -beta, -alpha);
            h[first + i] = -minVariance;
            rowScale[first + i] = maxW;
        }
        g[rows - 1] = row(1, 0, 0); // a <= max w
        h[rows - 1] = maxW;
        rowScale[rows - 1] = maxW;
        this.activeSets = activeSets(rows);
        this.y = new double[k.length];
        this.z = new double[k.length];
    }

    /** The best raw SVI with this (m, sigma), or null when no (a, d, c) could be solved for. */
    SviParameters parameters(double m, double sigma) {
        double[] adc = new double[UNKNOWNS];
        if (Double.isInfinite(solve(m, sigma, adc))) {
            return null;
        }
        double c = adc[C];
        double rho = c > 0 ? adc[D] / c : 0.0;
        return new SviParameters(adc[A], c / sigma, rho, m, sigma);
    }

    /**
     * Weighted sum of squared residuals of the best (a, d, c) for (m, sigma), stored in {@code adc};
     * +infinity when sigma is not positive or no candidate could be solved.
     */
    double solve(double m, double sigma, double[] adc) {
        if (!(sigma > 0)) {
            return Double.POSITIVE_INFINITY;
        }
        accumulate(m, sigma);
        for (int row = 0; row < DIAMOND_ROWS; row++) {
            h[row] = row < 2 ? 0 : 4 * sigma;
            rowScale[row] = 4 * sigma;
        }
        if (intercepts) {
            // the wing asymptotes a + b (1 -/+ rho) |k - m| at k = 0 are not negative: -a -/+ (c -/+ d) m / sigma <= 0
            double ratio = m / sigma;
            g[DIAMOND_ROWS][D] = ratio;
            g[DIAMOND_ROWS][C] = -ratio;
            g[DIAMOND_ROWS + 1][D] = ratio;
            g[DIAMOND_ROWS + 1][C] = ratio;
        }
        double multiplierScale = Math.max(Math.abs(moment[A]), Math.max(Math.abs(moment[D]), Math.abs(moment[C])));
        double best = Double.POSITIVE_INFINITY;
        for (int activeSet : activeSets) {
            if (!solveWithActive(activeSet) || !feasible()) {
                continue;
            }
            double value = quadraticValue(candidate);
            if (value < best) {
                best = value;
                System.arraycopy(candidate, 0, adc, 0, UNKNOWNS);
            }
            if (multipliersNonNegative(activeSet, multiplierScale)) {
                // KKT holds: on a convex problem this candidate is the minimum
                System.arraycopy(candidate, 0, adc, 0, UNKNOWNS);
                break;
            }
        }
        if (Double.isInfinite(best)) {
            return best;
        }
        snapIntoDiamond(adc, sigma);
        return residualSquares(adc);
    }

    /** Weighted sum of squared total-variance residuals of SVI parameters. */
    double error(SviParameters p) {
        double sum = 0;
        for (int j = 0; j < k.length; j++) {
            double r = p.totalVariance(k[j]) - w[j];
            sum += weight[j] * r * r;
        }
        return sum;
    }

    /** Normal equations of the weighted problem in (a, d, c), weights scaled to sum to 1. */
    private void accumulate(double m, double sigma) {
        double s0 = 0, sy = 0, sz = 0, syy = 0, syz = 0, szz = 0, tw = 0, twy = 0, twz = 0;
        for (int j = 0; j < k.length; j++) {
            double yj = (k[j] - m) / sigma;
            double zj = Math.sqrt(yj * yj + 1);
            y[j] = yj;
            z[j] = zj;
            double o = weight[j] / totalWeight;
            s0 += o;
            sy += o * yj;
            sz += o * zj;
            syy += o * yj * yj;
            syz += o * yj * zj;
            szz += o * zj * zj;
            tw += o * w[j];
            twy += o * w[j] * yj;
            twz += o * w[j] * zj;
        }
        normal[A][A] = s0;
        normal[A][D] = sy;
        normal[A][C] = sz;
        normal[D][A] = sy;
        normal[D][D] = syy;
        normal[D][C] = syz;
        normal[C][A] = sz;
        normal[C][D] = syz;
        normal[C][C] = szz;
        moment[A] = tw;
        moment[D] = twy;
        moment[C] = twz;
    }

    /**
     * Minimum of the quadratic with the rows in {@code activeSet} (a bit mask) held as equalities:
     * the KKT system [S G'; G 0] [x; lambda] = [t; h], x into candidate, lambda left in system.
     */
    private boolean solveWithActive(int activeSet) {
        int size = UNKNOWNS + Integer.bitCount(activeSet);
        for (int i = 0; i < size; i++) {
            Arrays.fill(system[i], 0, size + 1, 0.0);
        }
        for (int i = 0; i < UNKNOWNS; i++) {
            System.arraycopy(normal[i], 0, system[i], 0, UNKNOWNS);
            system[i][size] = moment[i];
        }
        int equation = UNKNOWNS;
        for (int row = 0; row < g.length; row++) {
            if ((activeSet & (1 << row)) != 0) {
                for (int i = 0; i < UNKNOWNS; i++) {
                    system[i][equation] = g[row][i];
                    system[equation][i] = g[row][i];
                }
                system[equation][size] = h[row];
                equation++;
            }
        }
        if (!gaussianElimination(size)) {
            return false;
        }
        for (int i = 0; i < size; i++) {
            if (!Double.isFinite(system[i][size])) {
                return false;
            }
        }
        for (int i = 0; i < UNKNOWNS; i++) {
            candidate[i] = system[i][size];
        }
        return true;
    }

    /** Solves system[0..size)[0..size) x = system[.][size] in place (x lands in the last column); false when singular. */
    private boolean gaussianElimination(int size) {
        for (int col = 0; col < size; col++) {
            int pivot = col;
            for (int row = col + 1; row < size; row++) {
                if (Math.abs(system[row][col]) > Math.abs(system[pivot][col])) {
                    pivot = row;
                }
            }
            if (system[pivot][col] == 0) {
                return false;
            }
            double[] swap = system[pivot];
            system[pivot] = system[col];
            system[col] = swap;
            for (int row = col + 1; row < size; row++) {
                double factor = system[row][col] / system[col][col];
                if (factor != 0) {
                    for (int c = col; c <= size; c++) {
                        system[row][c] -= factor * system[col][c];
                    }
                }
            }
        }
        for (int row = size - 1; row >= 0; row--) {
            double sum = system[row][size];
            for (int c = row + 1; c < size; c++) {
                sum -= system[row][c] * system[c][size];
            }
            system[row][size] = sum / system[row][row];
        }
        return true;
    }

    private boolean feasible() {
        for (int row = 0; row < g.length; row++) {
            double lhs = g[row][A] * candidate[A] + g[row][D] * candidate[D] + g[row][C] * candidate[C];
            if (lhs > h[row] + TOLERANCE * rowScale[row]) {
                return false;
            }
        }
        return true;
    }

    /** Multipliers of the active rows (after the unknowns in the solved system) are all >= 0. */
    private boolean multipliersNonNegative(int activeSet, double scale) {
        int size = UNKNOWNS + Integer.bitCount(activeSet);
        for (int i = UNKNOWNS; i < size; i++) {
            if (system[i][size] < -TOLERANCE * scale) {
                return false;
            }
        }
        return true;
    }

    /** Removes the rounding slack {@link #feasible} allowed, so b >= 0 and |rho| <= 1 hold exactly. */
    private static void snapIntoDiamond(double[] adc, double sigma) {
        adc[C] = Math.min(Math.max(adc[C], 0), 4 * sigma);
        double dLimit = Math.min(adc[C], 4 * sigma - adc[C]);
        adc[D] = Math.min(Math.max(adc[D], -dLimit), dLimit);
    }

    /** x' S x - 2 t' x, the objective up to a constant: enough to rank candidates. */
    private double quadraticValue(double[] x) {
        double value = 0;
        for (int i = 0; i < UNKNOWNS; i++) {
            double row = 0;
            for (int j = 0; j < UNKNOWNS; j++) {
                row += normal[i][j] * x[j];
            }
            value += x[i] * row - 2 * moment[i] * x[i];
        }
        return value;
    }

    private double residualSquares(double[] adc) {
        double sum = 0;
        for (int j = 0; j < k.length; j++) {
            double r = adc[A] + adc[D] * y[j] + adc[C] * z[j] - w[j];
            sum += weight[j] * r * r;
        }
        return sum;
    }

    private static double[] row(double a, double d, double c) {
        double[] row = new double[UNKNOWNS];
        row[A] = a;
        row[D] = d;
        row[C] = c;
        return row;
    }

    /** Bit masks over {@code rows} constraints with at most three set, by size, then by mask. */
    private static int[] activeSets(int rows) {
        int[] sets = new int[1 << rows];
        int count = 0;
        for (int size = 0; size <= UNKNOWNS; size++) {
            for (int mask = 0; mask < sets.length; mask++) {
                if (Integer.bitCount(mask) == size) {
                    sets[count++] = mask;
                }
            }
        }
        return Arrays.copyOf(sets, count);
    }
}
