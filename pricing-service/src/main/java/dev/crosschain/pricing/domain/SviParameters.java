package dev.crosschain.pricing.domain;

/**
 * Raw SVI: total variance w(k) = a + b (rho (k - m) + sqrt((k - m)^2 + sigma^2)), k = ln(K/F).
 * w is dimensionless (vol^2 * years); its derivatives are per unit of k.
 */
public record SviParameters(double a, double b, double rho, double m, double sigma) {

    public double totalVariance(double k) {
        double x = k - m;
        return a + b * (rho * x + Math.sqrt(x * x + sigma * sigma));
    }

    /** dw/dk. */
    public double slope(double k) {
        double x = k - m;
        return b * (rho + x / Math.sqrt(x * x + sigma * sigma));
    }

    /** d²w/dk². */
    public double curvature(double k) {
        double x = k - m;
        double r2 = x * x + sigma * sigma;
        return b * sigma * sigma / (r2 * Math.sqrt(r2));
    }

    /**
     * Gatheral and Jacquier's g(k) (Arbitrage-free SVI volatility surfaces, 2014, eq. 2.1): the
     * risk-neutral density of ln(S_T/F) is g(k) / sqrt(2 pi w) exp(-d2^2 / 2), so g(k) < 0 is
     * butterfly arbitrage at k.
     */
    public double g(double k) {
        double w = totalVariance(k);
        double w1 = slope(k);
        double u = 1 - k * w1 / (2 * w);
        return u * u - w1 * w1 / 4 * (1 / w + 0.25) + curvature(k) / 2;
    }

    /** Minimum of w over all k (attained at k = m - rho sigma / sqrt(1 - rho^2)); needs b >= 0 and |rho| < 1. */
    public double minTotalVariance() {
        return a + b * sigma * Math.sqrt(1 - rho * rho);
    }

    /** Where w is lowest. */
    public double kAtMinTotalVariance() {
        return m - rho * sigma / Math.sqrt(1 - rho * rho);
    }

    /** |dw/dk| far out in the right (k -> +infinity) or left wing: b (1 + rho), b (1 - rho). */
    public double wingSlope(boolean right) {
        return b * (right ? 1 + rho : 1 - rho);
    }

    /** The wing's asymptote a + wingSlope |k - m| at k = 0: w(k) - wingSlope |k| tends to it in that wing. */
    public double wingIntercept(boolean right) {
        return a + wingSlope(right) * (right ? -m : m);
    }

    /** Limit of g(k) as k goes to +infinity (right) or -infinity (left): 1/4 - (wing slope)^2 / 16. */
    double wingG(boolean right) {
        double wingSlope = wingSlope(right);
        return 0.25 - wingSlope * wingSlope / 16;
    }
}
