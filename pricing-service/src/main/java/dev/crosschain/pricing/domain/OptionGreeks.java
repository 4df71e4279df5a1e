package dev.crosschain.pricing.domain;

/**
 * Black-76 price and sensitivities of one option on one unit of underlying.
 *
 * @param price USD
 * @param delta USD per 1 USD move of the forward
 * @param gamma delta change per 1 USD move of the forward
 * @param vega  USD per 1 vol point (0.01 absolute)
 * @param theta USD per calendar day (negative for a long option with r = 0)
 * @param rho   USD per 0.01 change of the rate
 * @param vanna delta change per 1 vol point
 * @param volga vega change per 1 vol point
 */
public record OptionGreeks(double price, double delta, double gamma, double vega, double theta, double rho,
                           double vanna, double volga) {
}
