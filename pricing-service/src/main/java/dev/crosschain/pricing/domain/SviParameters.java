package dev.crosschain.pricing.domain;

/** Raw SVI: total variance w(k) = a + b (rho (k - m) + sqrt((k - m)^2 + sigma^2)), k = ln(K/F). */
public record SviParameters(double a, double b, double rho, double m, double sigma) {

    public double totalVariance(double k) {
        double x = k - m;
        return a + b * (rho * x + Math.sqrt(x * x + sigma * sigma));
    }
}
