package dev.crosschain.benchmarks;

import dev.crosschain.pricing.domain.Black76;
import dev.crosschain.pricing.domain.ImpliedVolatility;
import dev.crosschain.pricing.domain.OptionType;

/**
 * Worst relative round-trip error vol -> price -> vol and the most Householder steps over the grid:
 * strikes from 1% to 100x the forward, T from one hour to five years, vol from 1% to 500%, calls and puts.
 * Prices that round to a bound have no implied vol; out-of-the-money prices below 1e-300 USD are subnormal
 * or nearly so once normalised; prices whose last bit moves the vol by more than 1e-13
 * (kappa = ulp(price) / (sigma vega)) do not carry it to 1e-12 and are counted apart, as in
 * ImpliedVolatilityTest.
 */
public final class RoundTripReport {

    private static final double FORWARD = 3000.0;
    private static final double[] MONEYNESS = {0.01, 0.05, 0.2, 0.5, 0.8, 0.9, 0.97, 0.99, 0.999, 1.0, 1.001, 1.01,
            1.03, 1.1, 1.25, 2.0, 5.0, 20.0, 100.0};
    private static final double HOUR = 1.0 / (365 * 24);
    private static final double[] YEARS = {HOUR, 1.0 / 365, 7.0 / 365, 30.0 / 365, 90.0 / 365, 0.5, 1.0, 2.0, 5.0};
    private static final double[] VOLS = {0.01, 0.02, 0.05, 0.1, 0.2, 0.35, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 5.0};
    private static final double INFORMATIVE = 1e-13;
    private static final double TINY = 1e-300;

    private RoundTripReport() {
    }

    public static void main(String[] args) {
        Black76 model = Black76.DEFAULT;
        ImpliedVolatility solver = ImpliedVolatility.DEFAULT;
        int total = 0;
        int atBound = 0;
        int tiny = 0;
        int uninformative = 0;
        int informative = 0;
        int maxIterations = 0;
        double worst = 0;
        String worstAt = "";
        for (OptionType type : OptionType.values()) {
            for (double m : MONEYNESS) {
                double strike = FORWARD * m;
                double intrinsic = Math.max(type == OptionType.CALL ? FORWARD - strike : strike - FORWARD, 0);
                double upper = type == OptionType.CALL ? FORWARD : strike;
                for (double years : YEARS) {
                    for (double vol : VOLS) {
                        total++;
                        double price = model.price(type, FORWARD, strike, years, vol, 0);
                        if (!(price > intrinsic && price < upper)) {
                            atBound++;
                            continue;
                        }
                        ImpliedVolatility.Solution solution = solver.solveCountingIterations(type, FORWARD, strike, years, price);
                        maxIterations = Math.max(maxIterations, solution.iterations());
                        if (price - intrinsic < TINY) {
                            tiny++;
                            continue;
                        }
                        double kappa = Math.ulp(price) / (vol * 100 * model.greeks(type, FORWARD, strike, years, vol, 0).vega());
                        if (kappa > INFORMATIVE) {
                            uninformative++;
                            continue;
                        }
                        informative++;
                        double error = Math.abs(solution.vol() - vol) / vol;
                        if (error > worst) {
                            worst = error;
                            worstAt = type + " K/F=" + m + " T=" + years + " vol=" + vol;
                        }
                    }
                }
            }
        }
        System.out.printf("grid points: %d, priced at a bound (no implied vol): %d, below 1e-300: %d, kappa > 1e-13: %d, "
                + "round trips held to 1e-12: %d%n", total, atBound, tiny, uninformative, informative);
        System.out.printf("worst relative round-trip error: %.3g (%s)%n", worst, worstAt);
        System.out.printf("max iterations: %d%n", maxIterations);
    }
}
