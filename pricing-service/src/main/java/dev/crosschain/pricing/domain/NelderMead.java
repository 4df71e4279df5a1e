package dev.crosschain.pricing.domain;

/**
 * Nelder-Mead simplex minimisation with the standard coefficients (reflection 1, expansion 2,
 * contraction 1/2, shrink 1/2). Deterministic: no randomness, ties keep the earlier vertex. A
 * NaN value counts as +infinity, so an objective can refuse a point outside its domain.
 */
final class NelderMead {

    private static final double REFLECTION = 1.0;
    private static final double EXPANSION = 2.0;
    private static final double CONTRACTION = 0.5;
    private static final double SHRINK = 0.5;

    interface Objective {
        double value(double[] x);
    }

    /** The best point found and its value. */
    record Minimum(double[] x, double value, int evaluations) {
    }

    private NelderMead() {
    }

    /**
     * Minimises {@code f} from a simplex of {@code start} and start + step_j along each axis j,
     * until no vertex is further than {@code tolerance * step_j} from the best along any axis, or
     * {@code maxEvaluations} is spent.
     */
    static Minimum minimize(Objective f, double[] start, double[] step, double tolerance, int maxEvaluations) {
        int n = start.length;
        double[][] simplex = new double[n + 1][];
        double[] values = new double[n + 1];
        simplex[0] = start.clone();
        values[0] = evaluate(f, simplex[0]);
        for (int j = 0; j < n; j++) {
            simplex[j + 1] = start.clone();
            simplex[j + 1][j] += step[j];
            values[j + 1] = evaluate(f, simplex[j + 1]);
        }
        int evaluations = n + 1;
        double[] centroid = new double[n];
        while (true) {
            sort(simplex, values);
            if (evaluations >= maxEvaluations || converged(simplex, step, tolerance)) {
                return new Minimum(simplex[0].clone(), values[0], evaluations);
            }
            for (int j = 0; j < n; j++) {
                double sum = 0;
                for (int i = 0; i < n; i++) {
                    sum += simplex[i][j];
                }
                centroid[j] = sum / n;
            }
            double[] worst = simplex[n];
            double[] reflected = along(centroid, worst, -REFLECTION);
            double reflectedValue = evaluate(f, reflected);
            evaluations++;
            if (reflectedValue < values[0]) {
                double[] expanded = along(centroid, worst, -EXPANSION);
                double expandedValue = evaluate(f, expanded);
                evaluations++;
                if (expandedValue < reflectedValue) {
                    replaceWorst(simplex, values, expanded, expandedValue);
                } else {
                    replaceWorst(simplex, values, reflected, reflectedValue);
                }
            } else if (reflectedValue < values[n - 1]) {
                replaceWorst(simplex, values, reflected, reflectedValue);
            } else {
                boolean outside = reflectedValue < values[n];
                double[] contracted = along(centroid, worst, outside ? -CONTRACTION : CONTRACTION);
                double contractedValue = evaluate(f, contracted);
                evaluations++;
                boolean accepted = outside ? contractedValue <= reflectedValue : contractedValue < values[n];
                if (accepted) {
                    replaceWorst(simplex, values, contracted, contractedValue);
                } else {
                    for (int i = 1; i <= n; i++) {
                        for (int j = 0; j < n; j++) {
                            simplex[i][j] = simplex[0][j] + SHRINK * (simplex[i][j] - simplex[0][j]);
                        }
                        values[i] = evaluate(f, simplex[i]);
                    }
                    evaluations += n;
                }
            }
        }
    }

    /** centroid + factor * (vertex - centroid). */
    private static double[] along(double[] centroid, double[] vertex, double factor) {
        double[] x = new double[centroid.length];
        for (int j = 0; j < x.length; j++) {
            x[j] = centroid[j] + factor * (vertex[j] - centroid[j]);
        }
        return x;
    }

    private static double evaluate(Objective f, double[] x) {
        double value = f.value(x);
        return Double.isNaN(value) ? Double.POSITIVE_INFINITY : value;
    }

    private static void replaceWorst(double[][] simplex, double[] values, double[] x, double value) {
        simplex[simplex.length - 1] = x;
        values[values.length - 1] = value;
    }

    /** Insertion sort by value; stable, so equal values keep their order. */
    private static void sort(double[][] simplex, double[] values) {
        for (int i = 1; i < values.length; i++) {
            double value = values[i];
            double[] x = simplex[i];
            int j = i - 1;
            while (j >= 0 && values[j] > value) {
                values[j + 1] = values[j];
                simplex[j + 1] = simplex[j];
                j--;
            }
            values[j + 1] = value;
            simplex[j + 1] = x;
        }
    }

    private static boolean converged(double[][] simplex, double[] step, double tolerance) {
        for (int i = 1; i < simplex.length; i++) {
            for (int j = 0; j < step.length; j++) {
                if (Math.abs(simplex[i][j] - simplex[0][j]) > tolerance * Math.abs(step[j])) {
                    return false;
                }
            }
        }
        return true;
    }
}
