package dev.crosschain.pricing.domain;

/**
 * Black-76 for European options on a forward, discounted at a continuous rate. Stateless.
 *
 * <p>Inputs: forward F and strike K in USD, time to expiry T in years, annualised volatility
 * sigma, continuous rate r. At or after expiry (T <= 0) the option is worth its intrinsic value.
 */
public final class Black76 {

    public static final Black76 DEFAULT = new Black76();
    private static final double VOL_POINT = 0.01;
    private static final double DAYS_PER_YEAR = 365.0;

    public double price(OptionType type, double forward, double strike, double years, double vol, double rate) {
        double discount = Math.exp(-rate * years);
        if (years <= 0 || vol <= 0) {
            return discount * intrinsic(type, forward, strike);
        }
        double sd = vol * Math.sqrt(years);
        double d1 = (Math.log(forward / strike) + 0.5 * sd * sd) / sd;
        double d2 = d1 - sd;
        return type == OptionType.CALL
                ? discount * (forward * NormalDistribution.cdf(d1) - strike * NormalDistribution.cdf(d2))
                : discount * (strike * NormalDistribution.cdf(-d2) - forward * NormalDistribution.cdf(-d1));
    }

    /** Price and Greeks in the units of {@link OptionGreeks}. */
    public OptionGreeks greeks(OptionType type, double forward, double strike, double years, double vol, double rate) {
        double discount = Math.exp(-rate * years);
        if (years <= 0 || vol <= 0) {
            double intrinsic = intrinsic(type, forward, strike);
            double delta = intrinsic > 0 ? (type == OptionType.CALL ? discount : -discount) : 0.0;
            return new OptionGreeks(discount * intrinsic, delta, 0, 0, 0, 0, 0, 0);
        }
        double sqrtT = Math.sqrt(years);
        double sd = vol * sqrtT;
        double d1 = (Math.log(forward / strike) + 0.5 * sd * sd) / sd;
        double d2 = d1 - sd;
        double density = NormalDistribution.pdf(d1);
        double price = price(type, forward, strike, years, vol, rate);
        double delta = type == OptionType.CALL
                ? discount * NormalDistribution.cdf(d1)
                : -discount * NormalDistribution.cdf(-d1);
        double gamma = discount * density / (forward * sd);
        double vegaPerUnit = discount * forward * density * sqrtT;
        // dV/dT at fixed forward: rate decay of the discount plus vol decay.
        double dPriceDYears = -rate * price + discount * forward * density * vol / (2 * sqrtT);
        double theta = -dPriceDYears / DAYS_PER_YEAR;
        double rho = -years * price * VOL_POINT;
        double vannaPerUnit = -discount * density * d2 / vol;
        double volgaPerUnit = vegaPerUnit * d1 * d2 / vol;
        return new OptionGreeks(price, delta, gamma, vegaPerUnit * VOL_POINT, theta, rho,
                vannaPerUnit * VOL_POINT, volgaPerUnit * VOL_POINT * VOL_POINT);
    }

    private static double intrinsic(OptionType type, double forward, double strike) {
        return Math.max(type == OptionType.CALL ? forward - strike : strike - forward, 0.0);
    }
}
