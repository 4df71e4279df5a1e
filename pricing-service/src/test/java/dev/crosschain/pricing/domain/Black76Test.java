package dev.crosschain.pricing.domain;

import org.junit.jupiter.api.Test;

import java.util.function.DoubleUnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class Black76Test {

    private static final Black76 MODEL = Black76.DEFAULT;
    private static final double U = 0x1p-53;
    /** Published values are rounded to 4 decimals. */
    private static final double PUBLISHED_TOL = 5e-5;
    private static final double PARITY_RELATIVE = 1e-12;
    private static final double RATE = 0.03;

    private static final double F = 3000, T = 30 / 365.0, VOL = 0.75;

    /** Haug, The Complete Guide to Option Pricing Formulas, 2nd ed., section 1.1.3 (Black-76): F = K = 19, T = 0.75, r = 10%, vol = 28%. */
    @Test
    void haugBlack76ExampleCallAndPutAtTheMoney() {
        assertThat(MODEL.price(OptionType.CALL, 19, 19, 0.75, 0.28, 0.10)).isCloseTo(1.7011, within(PUBLISHED_TOL));
        assertThat(MODEL.price(OptionType.PUT, 19, 19, 0.75, 0.28, 0.10)).isCloseTo(1.7011, within(PUBLISHED_TOL));
    }

    /** Haug, 2nd ed., section 2.1.1, delta of a futures option: F = 105, K = 100, T = 0.5, r = 10%, b = 0, vol = 36%. */
    @Test
    void haugFuturesOptionDeltaExample() {
        assertThat(MODEL.greeks(OptionType.CALL, 105, 100, 0.5, 0.36, 0.10).delta()).isCloseTo(0.5946, within(PUBLISHED_TOL));
        assertThat(MODEL.greeks(OptionType.PUT, 105, 100, 0.5, 0.36, 0.10).delta()).isCloseTo(-0.3566, within(PUBLISHED_TOL));
    }

    /** Hull, Options, Futures, and Other Derivatives, Black's model for a futures put: F = K = 20, r = 9%, T = 4 months, vol = 25% gives 1.12. */
    @Test
    void hullFuturesPutExample() {
        assertThat(MODEL.price(OptionType.PUT, 20, 20, 4 / 12.0, 0.25, 0.09)).isCloseTo(1.12, within(0.005));
    }

    @Test
    void putCallParityOverTheGrid() {
        for (OptionGrid.Point p : OptionGrid.points()) {
            if (p.type() == OptionType.PUT) {
                continue;
            }
            for (double rate : new double[]{0.0, RATE}) {
                double call = MODEL.price(OptionType.CALL, p.forward(), p.strike(), p.years(), p.vol(), rate);
                double put = MODEL.price(OptionType.PUT, p.forward(), p.strike(), p.years(), p.vol(), rate);
                double forwardValue = Math.exp(-rate * p.years()) * (p.forward() - p.strike());
                double scale = Math.max(Math.max(call, put), Math.abs(forwardValue));
                assertThat(call - put).as("%s r=%s", p, rate).isCloseTo(forwardValue, within(PARITY_RELATIVE * scale));
            }
        }
    }

    @Test
    void atAndAfterExpiryIsIntrinsic() {
        assertThat(MODEL.price(OptionType.CALL, F, 2500, 0, VOL, RATE)).isEqualTo(F - 2500);
        assertThat(MODEL.price(OptionType.PUT, F, 2500, -1, VOL, RATE)).isZero();
        assertThat(MODEL.greeks(OptionType.CALL, F, 2500, 0, VOL, 0).delta()).isEqualTo(1.0);
        assertThat(MODEL.firstOrderGreeks(OptionType.PUT, F, 3500, 0, VOL, 0).delta()).isEqualTo(-1.0);
    }

    @Test
    void firstOrderGreeksAreTheFullGreeksWithoutTheRest() {
        for (OptionGrid.Point p : OptionGrid.points()) {
            OptionGreeks all = MODEL.greeks(p.type(), p.forward(), p.strike(), p.years(), p.vol(), RATE);
            Black76.FirstOrderGreeks first = MODEL.firstOrderGreeks(p.type(), p.forward(), p.strike(), p.years(), p.vol(), RATE);
            assertThat(first).as("%s", p).isEqualTo(new Black76.FirstOrderGreeks(all.price(), all.delta(), all.gamma(), all.vega(), all.theta()));
            assertThat(all.price()).isEqualTo(MODEL.price(p.type(), p.forward(), p.strike(), p.years(), p.vol(), RATE));
        }
    }

    /**
     * Out-of-the-money prices to a few ulps of the exact Black price of the double inputs, however small,
     * beyond what ln(F/K) and sigma sqrt(T) carry: rounding x = ln(F/K) alone moves b by a relative
     * (x/s)^2 u, so the bound is 8u (1 + (x/s)^2).
     */
    @Test
    void outOfTheMoneyPricesKeepTheirRelativePrecision() {
        double[][] cases = {
                {3300, OptionGrid.HOUR, 0.5},  // about 1e-100 USD, asymptotic series
                {3030, OptionGrid.HOUR, 0.2},  // small-t series
                {3000.5, OptionGrid.HOUR, 0.01},  // at the money, tiny s
                {6000, 1.0, 0.35},  // erfcx difference
                {30000, 0.02, 1.0},  // far out
                {3000 * 1.25, 5.0, 5.0},  // close to the maximum F
        };
        for (double[] c : cases) {
            double strike = c[0];
            double years = c[1];
            double vol = c[2];
            double s = vol * Math.sqrt(years);
            double call = MODEL.price(OptionType.CALL, F, strike, years, vol, 0);
            double x = Math.log(F / strike);
            double bound = 8 * U * (1 + (x / s) * (x / s));
            assertThat(HighPrecisionNormal.relativeError(call, HighPrecisionNormal.blackCall(F, strike, s)))
                    .as("K=%s T=%s vol=%s", strike, years, vol).isLessThanOrEqualTo(bound);
            double putInTheMoney = MODEL.price(OptionType.PUT, F, strike, years, vol, 0);
            assertThat(putInTheMoney - (strike - F)).isCloseTo(call, within(4 * U * strike));
        }
    }

    /**
     * Every Greek against a central difference of the price (delta, vega, theta, rho) or of delta and vega
     * (gamma, vanna, volga), over the whole grid at r = 3%.
     *
     * <p>The tolerance is what the difference itself can be trusted to: its truncation error, estimated by
     * Richardson as |D(h) - D(2h)| (the error of D(h) is a third of that, doubled for safety), plus its rounding
     * error, 16 u A |f| / h with |f| the size of the differenced values, each computed to a few ulps times A,
     * the factor by which F Phi(d1) and K Phi(d2) cancel: A = max(1, |x|/s) / s, which Black76 lets reach 64
     * before it switches to the series (so A is capped there). The steps
     * scale with how fast the price moves: h_F = 1e-4 F sigma sqrt(T), h_sigma = 1e-5 sigma, h_T = 1e-5 T.
     * Points where the out-of-the-money price underflows (below 1e-300, e.g. 1 hour, 1% vol, 1% out of the
     * money) are skipped: the differences are then of zeros and subnormals, and every Greek is zero or
     * subnormal too.
     */
    @Test
    void greeksMatchFiniteDifferencesOverTheGrid() {
        int checked = 0;
        int skipped = 0;
        for (OptionGrid.Point p : OptionGrid.points()) {
            OptionType type = p.type();
            double k = p.strike();
            double years = p.years();
            double vol = p.vol();
            double otm = MODEL.price(type, p.forward(), k, years, vol, 0)
                    - Math.max(type == OptionType.CALL ? p.forward() - k : k - p.forward(), 0);
            if (otm < 1e-300) {
                skipped++;
                continue;
            }
            checked++;
            double f0 = p.forward();
            OptionGreeks g = MODEL.greeks(type, f0, k, years, vol, RATE);
            double hF = 1e-4 * f0 * vol * Math.sqrt(years);
            double hV = 1e-5 * vol;
            double hT = 1e-5 * years;
            double hR = 1e-5;
            double s = vol * Math.sqrt(years);
            double cancellation = Math.min(64, Math.max(1, Math.abs(Math.log(f0 / k)) / s) / s);
            String at = p.toString();
            assertDerivative("delta " + at, g.delta(), f -> MODEL.price(type, f, k, years, vol, RATE), f0, hF, 1.0, cancellation);
            assertDerivative("gamma " + at, g.gamma(), f -> MODEL.greeks(type, f, k, years, vol, RATE).delta(), f0, hF, 1.0, cancellation);
            assertDerivative("vega " + at, g.vega(), v -> MODEL.price(type, f0, k, years, v, RATE), vol, hV, 0.01, cancellation);
            assertDerivative("theta " + at, g.theta(), t -> MODEL.price(type, f0, k, t, vol, RATE), years, hT, -1 / 365.0, cancellation);
            assertDerivative("rho " + at, g.rho(), r -> MODEL.price(type, f0, k, years, vol, r), RATE, hR, 0.01, cancellation);
            assertDerivative("vanna " + at, g.vanna(), v -> MODEL.greeks(type, f0, k, years, v, RATE).delta(), vol, hV, 0.01, cancellation);
            assertDerivative("volga " + at, g.volga(), v -> MODEL.greeks(type, f0, k, years, v, RATE).vega(), vol, hV, 0.01, cancellation);
        }
        System.out.printf("Greeks vs finite differences: %d points checked, %d skipped (out-of-the-money price below 1e-300)%n",
                checked, skipped);
        assertThat(checked).isGreaterThan(3000);
    }

    /**
     * Black76 picks the out-of-the-money side, call or put, and the sign of d1 with bit masks rather than
     * branches; where a mask flips (F = K, F and K an ulp apart, d1 = 0 with s^2/2 = |x|) the call and put
     * Greeks must still satisfy parity: delta_call - delta_put = discount, equal gammas and vegas, and prices
     * continuous across the flip.
     */
    @Test
    void callAndPutAgreeWhereTheSelectsFlip() {
        double years = 0.25;
        double vol = 0.4;
        double discount = Math.exp(-RATE * years);
        double s = vol * Math.sqrt(years);
        double[] strikes = {F, Math.nextUp(F), Math.nextDown(F), F * Math.exp(0.5 * s * s), F * Math.exp(-0.5 * s * s)};
        for (double strike : strikes) {
            OptionGreeks call = MODEL.greeks(OptionType.CALL, F, strike, years, vol, RATE);
            OptionGreeks put = MODEL.greeks(OptionType.PUT, F, strike, years, vol, RATE);
            assertThat(call.delta() - put.delta()).as("K=%s", strike).isCloseTo(discount, within(4 * U));
            assertThat(call.gamma()).as("K=%s", strike).isCloseTo(put.gamma(), within(4 * U * call.gamma()));
            assertThat(call.vega()).as("K=%s", strike).isCloseTo(put.vega(), within(4 * U * call.vega()));
            assertThat(call.price() - put.price()).as("K=%s", strike)
                    .isCloseTo(discount * (F - strike), within(PARITY_RELATIVE * call.price()));
        }
        double atTheMoney = MODEL.price(OptionType.CALL, F, F, years, vol, RATE);
        for (double strike : new double[]{Math.nextUp(F), Math.nextDown(F)}) {
            assertThat(MODEL.price(OptionType.CALL, F, strike, years, vol, RATE)).isCloseTo(atTheMoney, within(1e-9));
            assertThat(MODEL.price(OptionType.PUT, F, strike, years, vol, RATE)).isCloseTo(atTheMoney, within(1e-9));
        }
    }

    /** A NaN time or vol prices to NaN (it is not mistaken for an expired option), unless the other input is expired. */
    @Test
    void nanTimeOrVolGivesNanUnlessExpired() {
        for (double[] input : new double[][]{{Double.NaN, VOL}, {T, Double.NaN}, {Double.NaN, Double.NaN}}) {
            double years = input[0];
            double vol = input[1];
            assertThat(MODEL.price(OptionType.CALL, F, 2500, years, vol, RATE)).isNaN();
            OptionGreeks greeks = MODEL.greeks(OptionType.PUT, F, 2500, years, vol, RATE);
            Black76.FirstOrderGreeks first = MODEL.firstOrderGreeks(OptionType.CALL, F, 2500, years, vol, 0);
            for (double value : new double[]{greeks.price(), greeks.delta(), greeks.gamma(), greeks.vega(), greeks.theta(),
                    first.price(), first.delta(), first.gamma(), first.vega(), first.theta()}) {
                assertThat(value).as("years=%s vol=%s", years, vol).isNaN();
            }
        }
        assertThat(MODEL.price(OptionType.CALL, F, 2500, 0, Double.NaN, 0)).isEqualTo(F - 2500);
        assertThat(MODEL.price(OptionType.CALL, F, 2500, Double.NaN, 0, 0)).isEqualTo(F - 2500);
    }

    /** analytic == unit * f'(at), with f' by a central difference of step h and its error bound. */
    private static void assertDerivative(String what, double analytic, DoubleUnaryOperator f, double at, double step, double unit,
                                         double cancellation) {
        // a step that is a multiple of ulp(at), so that at +- h and at +- 2h are exact: a rounded argument
        // would err by ulp(at) / h relative (2e-10 at F = 3000, h = 1e-3)
        double h = (at + step) - at;
        double up = f.applyAsDouble(at + h);
        double down = f.applyAsDouble(at - h);
        double fine = (up - down) / (2 * h);
        double coarse = (f.applyAsDouble(at + 2 * h) - f.applyAsDouble(at - 2 * h)) / (4 * h);
        double truncation = 2 * Math.abs(fine - coarse);
        double rounding = 16 * U * cancellation * (Math.abs(up) + Math.abs(down)) / (2 * h);
        double tolerance = Math.abs(unit) * (truncation + rounding);
        assertThat(analytic).as(what).isCloseTo(unit * fine, within(tolerance + Double.MIN_NORMAL));
    }
}
