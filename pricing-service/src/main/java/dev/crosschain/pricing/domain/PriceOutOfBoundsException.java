package dev.crosschain.pricing.domain;

/**
 * An option price with no implied volatility: at or outside the no-arbitrage bounds
 * (lower = intrinsic value, upper = F for calls, K for puts; undiscounted).
 */
public final class PriceOutOfBoundsException extends RuntimeException {

    private final double price;
    private final double lower;
    private final double upper;

    public PriceOutOfBoundsException(double price, double lower, double upper) {
        super("price " + price + " is outside the no-arbitrage bounds (" + lower + ", " + upper + ")");
        this.price = price;
        this.lower = lower;
        this.upper = upper;
    }

    public double price() {
        return price;
    }

    public double lower() {
        return lower;
    }

    public double upper() {
        return upper;
    }
}
