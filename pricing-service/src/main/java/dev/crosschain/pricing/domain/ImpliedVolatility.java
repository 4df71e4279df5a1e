package dev.crosschain.pricing.domain;

/** Black-76 implied volatility of an undiscounted option price. Stateless. */
public final class ImpliedVolatility {

    public static final ImpliedVolatility DEFAULT = new ImpliedVolatility();

    /**
     * The annualised volatility at which Black-76 (r = 0) gives {@code price}.
     *
     * @throws PriceOutOfBoundsException when the price is not strictly inside the no-arbitrage bounds
     */
    public double solve(OptionType type, double forward, double strike, double years, double price) {
        throw new UnsupportedOperationException("issue 3: implied volatility not built yet");
    }
}
