package dev.crosschain.pricing.domain;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class Black76Test {

    private static final Black76 MODEL = Black76.DEFAULT;
    /** Haug, The Complete Guide to Option Pricing Formulas, Black-76 example: F = K = 19, T = 0.75, r = 10%, vol = 28%. */
    private static final double HAUG_F = 19, HAUG_K = 19, HAUG_T = 0.75, HAUG_R = 0.10, HAUG_VOL = 0.28;
    private static final double HAUG_PRICE = 1.7011;
    private static final double PUBLISHED_TOL = 5e-5;
    private static final double PARITY_TOL = 1e-12;
    private static final double FD_TOL = 1e-6;

    private static final double F = 3000, T = 30 / 365.0, VOL = 0.75, R = 0.03;
    private static final double K_CALL_OTM = 3400, K_PUT_OTM = 2500, K_ATM = 3000;

    @Test
    void haugExampleCallAndPutAtTheMoney() {
        assertThat(MODEL.price(OptionType.CALL, HAUG_F, HAUG_K, HAUG_T, HAUG_VOL, HAUG_R)).isCloseTo(HAUG_PRICE, within(PUBLISHED_TOL));
        assertThat(MODEL.price(OptionType.PUT, HAUG_F, HAUG_K, HAUG_T, HAUG_VOL, HAUG_R)).isCloseTo(HAUG_PRICE, within(PUBLISHED_TOL));
    }

    @Test
    void putCallParityOnTheForward() {
        for (double k : new double[]{1500, K_PUT_OTM, K_ATM, K_CALL_OTM, 6000}) {
            double call = MODEL.price(OptionType.CALL, F, k, T, VOL, R);
            double put = MODEL.price(OptionType.PUT, F, k, T, VOL, R);
            assertThat(call - put).as("strike %s", k).isCloseTo(Math.exp(-R * T) * (F - k), within(PARITY_TOL * F));
        }
    }

    @Test
    void atAndAfterExpiryIsIntrinsic() {
        assertThat(MODEL.price(OptionType.CALL, F, K_PUT_OTM, 0, VOL, R)).isEqualTo(F - K_PUT_OTM);
        assertThat(MODEL.price(OptionType.PUT, F, K_PUT_OTM, -1, VOL, R)).isZero();
        assertThat(MODEL.greeks(OptionType.CALL, F, K_PUT_OTM, 0, VOL, 0).delta()).isEqualTo(1.0);
    }

    @Test
    void greeksMatchFiniteDifferences() {
        for (OptionType type : OptionType.values()) {
            for (double k : new double[]{K_PUT_OTM, K_ATM, K_CALL_OTM}) {
                OptionGreeks g = MODEL.greeks(type, F, k, T, VOL, R);
                double hF = 1e-4 * F, hV = 1e-4, hT = 1e-6, hR = 1e-5;
                double delta = (MODEL.price(type, F + hF, k, T, VOL, R) - MODEL.price(type, F - hF, k, T, VOL, R)) / (2 * hF);
                double gamma = (MODEL.price(type, F + hF, k, T, VOL, R) - 2 * g.price() + MODEL.price(type, F - hF, k, T, VOL, R)) / (hF * hF);
                double vegaPerUnit = (MODEL.price(type, F, k, T, VOL + hV, R) - MODEL.price(type, F, k, T, VOL - hV, R)) / (2 * hV);
                double dPdT = (MODEL.price(type, F, k, T + hT, VOL, R) - MODEL.price(type, F, k, T - hT, VOL, R)) / (2 * hT);
                double rhoPerUnit = (MODEL.price(type, F, k, T, VOL, R + hR) - MODEL.price(type, F, k, T, VOL, R - hR)) / (2 * hR);
                double vannaPerUnit = (MODEL.greeks(type, F, k, T, VOL + hV, R).delta() - MODEL.greeks(type, F, k, T, VOL - hV, R).delta()) / (2 * hV);
                double volgaPerUnit = (MODEL.greeks(type, F, k, T, VOL + hV, R).vega() - MODEL.greeks(type, F, k, T, VOL - hV, R).vega()) / (2 * hV);
                String at = type + " K=" + k;
                assertThat(g.delta()).as("delta " + at).isCloseTo(delta, within(FD_TOL));
                assertThat(g.gamma()).as("gamma " + at).isCloseTo(gamma, within(FD_TOL));
                assertThat(g.vega()).as("vega per point " + at).isCloseTo(vegaPerUnit * 0.01, within(FD_TOL * F));
                assertThat(g.theta()).as("theta per day " + at).isCloseTo(-dPdT / 365.0, within(FD_TOL * F));
                assertThat(g.rho()).as("rho per point " + at).isCloseTo(rhoPerUnit * 0.01, within(FD_TOL * F));
                assertThat(g.vanna()).as("vanna per point " + at).isCloseTo(vannaPerUnit * 0.01, within(FD_TOL));
                assertThat(g.volga()).as("volga per point " + at).isCloseTo(volgaPerUnit * 0.01, within(FD_TOL * F));
            }
        }
    }

    @Test
    void callDeltaMinusPutDeltaIsTheDiscountFactor() {
        double callDelta = MODEL.greeks(OptionType.CALL, F, K_ATM, T, VOL, R).delta();
        double putDelta = MODEL.greeks(OptionType.PUT, F, K_ATM, T, VOL, R).delta();
        assertThat(callDelta - putDelta).isCloseTo(Math.exp(-R * T), within(PARITY_TOL));
    }
}
