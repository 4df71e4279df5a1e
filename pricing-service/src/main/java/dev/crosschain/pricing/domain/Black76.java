package dev.crosschain.pricing.domain;

/**
 * Black-76 for European options on a forward, discounted at a continuous rate. Stateless.
 *
 * <p>Inputs: forward F and strike K in USD, time to expiry T in years, annualised volatility
 * sigma, continuous rate r. At or after expiry (T <= 0), or at zero volatility, the option is worth
 * its discounted intrinsic value.
 *
 * <p>One evaluation computes ln(F/K), d1, d2, one exponential and two rational erfcx values: since
 * phi(d2) = phi(d1) F/K, both CDFs share exp(-d^2/2) of the smaller |d|. The out-of-the-money option is
 * priced and the in-the-money one is intrinsic plus that (parity), so a deep out-of-the-money price keeps
 * its relative precision; for very short or very low-vol options and far in the wings, where F Phi(d1) and
 * K Phi(d2) cancel, the out-of-the-money price comes from {@link NormalizedBlack}'s series instead.
 */
public final class Black76 {

    public static final Black76 DEFAULT = new Black76();
    private static final double VOL_POINT = 0.01;
    private static final double DAYS_PER_YEAR = 365.0;
    private static final double RATE_POINT = 0.01;

    /** Discounted price in USD. */
    public double price(OptionType type, double forward, double strike, double years, double vol, double rate) {
        double discount = discount(rate, years);
        if (years <= 0 || vol <= 0) {
            return discount * intrinsic(type, forward, strike);
        }
        Core core = new Core(type, forward, strike, years, vol);
        return discount * core.price;
    }

    /** Price and Greeks in the units of {@link OptionGreeks}. */
    public OptionGreeks greeks(OptionType type, double forward, double strike, double years, double vol, double rate) {
        double discount = discount(rate, years);
        if (years <= 0 || vol <= 0) {
            double intrinsic = intrinsic(type, forward, strike);
            double delta = intrinsic > 0 ? (type == OptionType.CALL ? discount : -discount) : 0.0;
            return new OptionGreeks(discount * intrinsic, delta, 0, 0, 0, 0, 0, 0);
        }
        Core core = new Core(type, forward, strike, years, vol);
        double price = discount * core.price;
        double vegaPerUnit = discount * core.vegaPerUnit;
        double vannaPerUnit = -discount * core.density * core.d2 / vol;
        double volgaPerUnit = vegaPerUnit * core.d1 * core.d2 / vol;
        return new OptionGreeks(price, discount * core.delta, discount * core.gamma, vegaPerUnit * VOL_POINT,
                theta(core, price, discount, rate, vol), -years * price * RATE_POINT,
                vannaPerUnit * VOL_POINT, volgaPerUnit * VOL_POINT * VOL_POINT);
    }

    /**
     * Price, delta, gamma, vega and theta only (the units of {@link OptionGreeks}): what a revaluation of a
     * book needs per option, without the second-order cross Greeks.
     */
    public FirstOrderGreeks firstOrderGreeks(OptionType type, double forward, double strike, double years, double vol,
                                             double rate) {
        double discount = discount(rate, years);
        if (years <= 0 || vol <= 0) {
            double intrinsic = intrinsic(type, forward, strike);
            double delta = intrinsic > 0 ? (type == OptionType.CALL ? discount : -discount) : 0.0;
            return new FirstOrderGreeks(discount * intrinsic, delta, 0, 0, 0);
        }
        Core core = new Core(type, forward, strike, years, vol);
        double price = discount * core.price;
        return new FirstOrderGreeks(price, discount * core.delta, discount * core.gamma,
                discount * core.vegaPerUnit * VOL_POINT, theta(core, price, discount, rate, vol));
    }

    /** Price, delta, gamma, vega and theta in the units of {@link OptionGreeks}. */
    public record FirstOrderGreeks(double price, double delta, double gamma, double vega, double theta) {
    }

    /** ln(F/K), through log1p where F and K are close so that x keeps its relative precision near the money. */
    static double logMoneyness(double forward, double strike) {
        double ratio = forward / strike;
        if (ratio > 0.5 && ratio < 2.0) {
            // F - K is exact here (Sterbenz)
            return Math.log1p((forward - strike) / strike);
        }
        return Math.log(ratio);
    }

    private static double theta(Core core, double price, double discount, double rate, double vol) {
        // dV/dT at a fixed forward: the discount's decay plus the vol's
        double dPriceDYears = -rate * price + discount * core.vegaPerUnit * vol / (2 * core.years);
        return -dPriceDYears / DAYS_PER_YEAR;
    }

    private static double discount(double rate, double years) {
        return rate == 0 ? 1.0 : Math.exp(-rate * years);
    }

    private static double intrinsic(OptionType type, double forward, double strike) {
        return Math.max(type == OptionType.CALL ? forward - strike : strike - forward, 0.0);
    }

    /** The undiscounted price and Greeks of one option with T > 0 and sigma > 0. */
    private static final class Core {
        final double years;
        final double d1;
        final double d2;
        final double density;
        final double price;
        final double delta;
        final double gamma;
        final double vegaPerUnit;

        Core(OptionType type, double forward, double strike, double years, double vol) {
            this.years = years;
            double sqrtYears = Math.sqrt(years);
            double stdDev = vol * sqrtYears;
            double x = logMoneyness(forward, strike);
            d1 = x / stdDev + 0.5 * stdDev;
            d2 = d1 - stdDev;
            double ratio = forward / strike;
            double exp1;
            double exp2;
            // from the smaller |d|, so that the other one underflows only when it really is negligible
            if (Math.abs(d1) <= Math.abs(d2)) {
                exp1 = NormalDistribution.expMinusHalfSquare(d1);
                exp2 = exp1 * ratio;
            } else {
                exp2 = NormalDistribution.expMinusHalfSquare(d2);
                exp1 = exp2 / ratio;
            }
            double tail1 = NormalDistribution.lowerTail(d1, exp1);
            double tail2 = NormalDistribution.lowerTail(d2, exp2);
            // Phi(d) and Phi(-d)
            double n1 = d1 < 0 ? tail1 : 1.0 - tail1;
            double n2 = d2 < 0 ? tail2 : 1.0 - tail2;
            double m1 = d1 < 0 ? 1.0 - tail1 : tail1;
            double m2 = d2 < 0 ? 1.0 - tail2 : tail2;
            double outOfTheMoney;
            if (NormalizedBlack.needsSeries(-Math.abs(x), stdDev)) {
                outOfTheMoney = Math.sqrt(forward * strike) * NormalizedBlack.otmCall(-Math.abs(x), stdDev);
            } else {
                outOfTheMoney = x <= 0 ? forward * n1 - strike * n2 : strike * m2 - forward * m1;
            }
            if (type == OptionType.CALL) {
                price = x <= 0 ? outOfTheMoney : (forward - strike) + outOfTheMoney;
                delta = n1;
            } else {
                price = x >= 0 ? outOfTheMoney : (strike - forward) + outOfTheMoney;
                delta = -m1;
            }
            density = NormalizedBlack.INV_SQRT_2PI * exp1;
            gamma = density / (forward * stdDev);
            vegaPerUnit = forward * density * sqrtYears;
        }
    }
}
