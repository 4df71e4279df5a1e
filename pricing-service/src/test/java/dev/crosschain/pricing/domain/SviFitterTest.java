package dev.crosschain.pricing.domain;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.DoubleUnaryOperator;

import static dev.crosschain.pricing.domain.SmileQuotes.EXPIRY_30D;
import static dev.crosschain.pricing.domain.SmileQuotes.EXPIRY_60D;
import static dev.crosschain.pricing.domain.SmileQuotes.FORWARD;
import static dev.crosschain.pricing.domain.SmileQuotes.NOW;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class SviFitterTest {

    private static final SviFitter FITTER = SviFitter.DEFAULT;
    private static final DoubleUnaryOperator NO_SPREAD = k -> 0.0;
    /** Spreads of a liquid crypto book: a vol point at the money, wider in the wings. */
    private static final DoubleUnaryOperator CRYPTO_SPREAD = k -> 0.01 + 0.04 * Math.abs(k);
    /** A put-skewed 30-day smile in SVI form: ATM vol near 50%, puts richer than calls. */
    private static final SviParameters KNOWN = new SviParameters(0.01, 0.08, -0.35, 0.02, 0.12);
    private static final double RECOVERED_VOL_TOL = 1e-6;

    @Test
    void recoversKnownParametersFromExactQuotes() {
        double years = SmileQuotes.years(EXPIRY_30D);
        List<VolQuote> quotes = SmileQuotes.quotes(EXPIRY_30D, FORWARD, 1800, 4600, 140, SmileQuotes.sviVol(KNOWN, years), NO_SPREAD);

        SviSlice slice = FITTER.fitSlice(EXPIRY_30D, quotes, FORWARD, FORWARD, NOW);

        for (VolQuote quote : quotes) {
            double k = SmileQuotes.k(quote, FORWARD);
            assertThat(slice.vol(k)).as("vol at k=%s", k).isCloseTo(quote.bidVol(), within(RECOVERED_VOL_TOL));
        }
        assertParametersClose(slice.params(), KNOWN);
        assertThat(slice.rmsVolError()).isLessThan(RECOVERED_VOL_TOL);
        assertThat(slice.quoteCount()).isEqualTo(quotes.size());
        assertThat(slice.years()).isEqualTo(years);
        assertThat(slice.forward()).isEqualTo(FORWARD);
        assertThat(slice.expiry()).isEqualTo(Instrument.Expiry.instant(EXPIRY_30D));
    }

    @Test
    void aOneSidedQuoteCountsAtItsSide() {
        double years = SmileQuotes.years(EXPIRY_30D);
        List<VolQuote> quotes = new ArrayList<>();
        for (VolQuote quote : SmileQuotes.quotes(EXPIRY_30D, FORWARD, 1800, 4600, 140, SmileQuotes.sviVol(KNOWN, years), NO_SPREAD)) {
            double strike = quote.option().strike().doubleValue();
            // deep wings bid only or offered only, the true vol on the side that is there
            quotes.add(strike < 2200 ? new VolQuote(quote.option(), quote.bidVol(), Double.NaN)
                    : strike > 4000 ? new VolQuote(quote.option(), Double.NaN, quote.askVol()) : quote);
        }

        SviSlice slice = FITTER.fitSlice(EXPIRY_30D, quotes, FORWARD, FORWARD, NOW);

        assertParametersClose(slice.params(), KNOWN);
    }

    @Test
    void fitsARealisticEthSmileInsideItsSpreads() {
        // ETH 30 days: ATM vol 70%, put skew (rho -0.3), high vol of vol; strikes 2000..4400, some wings one-sided
        double years = SmileQuotes.years(EXPIRY_30D);
        DoubleUnaryOperator market = SmileQuotes.sabrVol(0.70, -0.3, 2.0, years);
        List<VolQuote> quotes = new ArrayList<>();
        for (VolQuote quote : SmileQuotes.quotes(EXPIRY_30D, FORWARD, 2000, 4400, 100, market, CRYPTO_SPREAD)) {
            double strike = quote.option().strike().doubleValue();
            quotes.add(strike <= 2100 ? new VolQuote(quote.option(), Double.NaN, quote.askVol()) : quote);
        }

        SviSlice slice = FITTER.fitSlice(EXPIRY_30D, quotes, FORWARD, FORWARD, NOW);

        System.out.println("ETH 30d SABR smile: " + slice.params() + ", rms vol error " + slice.rmsVolError());
        assertThat(slice.rmsVolError()).as("a fifth of the tightest spread").isLessThan(0.002);
        for (VolQuote quote : quotes) {
            double vol = slice.vol(SmileQuotes.k(quote, FORWARD));
            String name = quote.option().name();
            if (!Double.isNaN(quote.bidVol())) {
                assertThat(vol).as(name).isGreaterThan(quote.bidVol());
            }
            if (!Double.isNaN(quote.askVol())) {
                assertThat(vol).as(name).isLessThan(quote.askVol());
            }
        }
        assertThat(slice.vol(Math.log(2400 / FORWARD))).isGreaterThan(slice.atmVol() + 0.02);
        assertThat(slice.atmVol()).isCloseTo(market.applyAsDouble(0), within(0.005));
        assertThat(SviArbitrageCheck.DEFAULT.butterfly(slice.expiryCode(), slice.params())).isEmpty();
    }

    @Test
    void noisyQuotesStillFit() {
        long seed = Long.getLong("svi.seed", System.nanoTime());
        System.out.println("SviFitterTest.noisyQuotesStillFit seed " + seed + " (replay with -Dsvi.seed=" + seed + ")");
        Random random = new Random(seed);
        double years = SmileQuotes.years(EXPIRY_30D);
        double noise = 0.005;
        List<VolQuote> quotes = new ArrayList<>();
        for (VolQuote quote : SmileQuotes.quotes(EXPIRY_30D, FORWARD, 1800, 4600, 140, SmileQuotes.sviVol(KNOWN, years), k -> 0.02)) {
            double shift = noise * random.nextGaussian();
            quotes.add(new VolQuote(quote.option(), quote.bidVol() + shift, quote.askVol() + shift));
        }

        SviSlice slice = FITTER.fitSlice(EXPIRY_30D, quotes, FORWARD, FORWARD, NOW);

        // the fit averages the noise out: closer to the true smile than 3 noise deviations everywhere
        for (VolQuote quote : quotes) {
            double k = SmileQuotes.k(quote, FORWARD);
            assertThat(slice.vol(k)).as("k=%s", k).isCloseTo(Math.sqrt(KNOWN.totalVariance(k) / years), within(3 * noise));
        }
        assertThat(slice.rmsVolError()).isLessThan(1.6 * noise);
    }

    @Test
    void theSameQuotesInAnyOrderGiveABitIdenticalSurface() {
        List<VolQuote> quotes = twoExpiries(0.70, 0.72);
        List<VolQuote> shuffled = new ArrayList<>(quotes);
        Collections.shuffle(shuffled, new Random(7));
        Map<LocalDate, Double> forwards = Map.of(EXPIRY_30D, FORWARD, EXPIRY_60D, FORWARD * 1.001);

        VolSurface first = FITTER.fit("ETH", quotes, forwards, FORWARD, NOW, 3);
        VolSurface second = FITTER.fit("ETH", shuffled, forwards, FORWARD, NOW, 3);

        assertThat(second).isEqualTo(first);
    }

    @Test
    void aFittedSurfaceIsSortedByExpiryAndKeepsTheSkew() {
        Map<LocalDate, Double> forwards = Map.of(EXPIRY_30D, FORWARD, EXPIRY_60D, FORWARD * 1.001);

        VolSurface surface = FITTER.fit("ETH", twoExpiries(0.70, 0.72), forwards, FORWARD, NOW, 3);

        assertThat(surface.underlying()).isEqualTo("ETH");
        assertThat(surface.version()).isEqualTo(3);
        assertThat(surface.fittedAt()).isEqualTo(NOW);
        assertThat(surface.configured()).isFalse();
        assertThat(surface.slices()).extracting(SviSlice::expiryCode).containsExactly("1JUL26", "31JUL26");
        assertThat(surface.slices().get(1).forward()).isEqualTo(FORWARD * 1.001);
        assertThat(surface.slices()).allSatisfy(s -> assertThat(s.indexAtFit()).as("the index the fit was given").isEqualTo(FORWARD));
        assertThat(surface.slices().get(1).basis()).isCloseTo(1.001, within(1e-15));
        Instant between = Instrument.Expiry.instant(EXPIRY_30D).plusSeconds(15 * 86_400);
        double otmPut = surface.vol(2400, FORWARD, between, NOW);
        double atm = surface.vol(FORWARD, FORWARD, between, NOW);
        assertThat(otmPut).isGreaterThan(atm + 0.02);
    }

    @Test
    void quotesImplyingCalendarArbitrageAreRefused() {
        // 100% for 30 days, 60% for 60 days: total variance falls from 0.082 to 0.059
        List<VolQuote> quotes = twoExpiries(1.00, 0.60);
        Map<LocalDate, Double> forwards = Map.of(EXPIRY_30D, FORWARD, EXPIRY_60D, FORWARD);

        assertThatThrownBy(() -> FITTER.fit("ETH", quotes, forwards, FORWARD, NOW, 3))
                .isInstanceOfSatisfying(ArbitrageableSurfaceException.class, e -> {
                    assertThat(e.violations()).isNotEmpty();
                    assertThat(e.violations()).extracting(ArbitrageViolation::type).containsOnly("CALENDAR");
                    assertThat(e.violations()).extracting(ArbitrageViolation::expiry).containsOnly("31JUL26");
                    assertThat(e.violations().get(0).description()).contains("below 1JUL26's");
                });
    }

    @Test
    void anExpiryQuotedAtFewerThanThreeStrikesIsRefused() {
        List<VolQuote> quotes = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            double strike = i % 2 == 0 ? 2800 : 3200;
            quotes.add(new VolQuote(SmileQuotes.option(EXPIRY_30D, strike, FORWARD), 0.69, 0.71));
        }

        assertThatThrownBy(() -> FITTER.fit("ETH", quotes, Map.of(EXPIRY_30D, FORWARD), FORWARD, NOW, 1))
                .isInstanceOfSatisfying(InvalidInputException.class,
                        e -> assertThat(e.reason()).isEqualTo("INVALID_OPTION_QUOTE"))
                .hasMessageContaining("1JUL26");
    }

    @Test
    void aQuoteWithoutAPositiveMidVolIsRefused() {
        List<VolQuote> quotes = new ArrayList<>(SmileQuotes.quotes(EXPIRY_30D, FORWARD, 2600, 3400, 200, k -> 0.7, CRYPTO_SPREAD));
        quotes.add(new VolQuote(SmileQuotes.option(EXPIRY_30D, 3600, FORWARD), Double.NaN, 0.0));

        assertThatThrownBy(() -> FITTER.fit("ETH", quotes, Map.of(EXPIRY_30D, FORWARD), FORWARD, NOW, 1))
                .isInstanceOfSatisfying(InvalidInputException.class,
                        e -> assertThat(e.reason()).isEqualTo("INVALID_OPTION_QUOTE"))
                .hasMessageContaining("ETH-1JUL26-3600-C");
    }

    /** SABR smiles (vol of vol 1.5, rho -0.3) at 30 and 60 days with these ATM vols, 2000..4400 by 200. */
    private static List<VolQuote> twoExpiries(double atm30, double atm60) {
        List<VolQuote> quotes = new ArrayList<>(SmileQuotes.quotes(EXPIRY_30D, FORWARD, 2000, 4400, 200,
                SmileQuotes.sabrVol(atm30, -0.3, 1.5, SmileQuotes.years(EXPIRY_30D)), CRYPTO_SPREAD));
        quotes.addAll(SmileQuotes.quotes(EXPIRY_60D, FORWARD, 2000, 4400, 200,
                SmileQuotes.sabrVol(atm60, -0.3, 1.5, SmileQuotes.years(EXPIRY_60D)), CRYPTO_SPREAD));
        return quotes;
    }

    private static void assertParametersClose(SviParameters actual, SviParameters expected) {
        assertThat(actual.a()).as("a").isCloseTo(expected.a(), within(1e-6));
        assertThat(actual.b()).as("b").isCloseTo(expected.b(), within(1e-6));
        assertThat(actual.rho()).as("rho").isCloseTo(expected.rho(), within(1e-5));
        assertThat(actual.m()).as("m").isCloseTo(expected.m(), within(1e-5));
        assertThat(actual.sigma()).as("sigma").isCloseTo(expected.sigma(), within(1e-5));
    }
}
