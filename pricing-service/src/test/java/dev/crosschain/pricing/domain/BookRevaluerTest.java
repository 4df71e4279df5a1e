package dev.crosschain.pricing.domain;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** Sticky-strike revaluation and skewed marks against Black-76 and the SVI formula worked out here. */
class BookRevaluerTest {

    static final Instant NOW = Instant.parse("2026-03-01T08:00:00Z");
    static final LocalDate EXPIRY = LocalDate.of(2026, 6, 26);
    static final double ETH = 3000.0;
    static final double TOL = 1e-9;
    static final VolSurface SKEWED = BootstrapSurface.of("ETH", 0.75, -0.3, 0.2, 0.1, NOW);
    static final MarketSnapshot MARKET = new MarketSnapshot(
            Map.of("ETH", new IndexLevel("ETH", new BigDecimal("3000"), NOW, false, List.of("a"), List.of()),
                    "BTC", new IndexLevel("BTC", new BigDecimal("90000"), NOW, true, List.of("a"), List.of())),
            Map.of("ETH", SKEWED), NOW, 0.0);

    @Test
    void optionsKeepTheirStrikesSurfaceVolAndScenariosShiftItBeforeOneBlack76PriceEach() {
        Instrument.Option put = new Instrument.Option("ETH", EXPIRY, new BigDecimal("2400"), OptionType.PUT);
        Instrument.Option call = new Instrument.Option("ETH", EXPIRY, new BigDecimal("3600"), OptionType.CALL);
        List<BookPosition> book = List.of(new BookPosition(put, -2), new BookPosition(call, 1),
                new BookPosition(new Instrument.Perpetual("ETH"), 0.5), new BookPosition(new Instrument.Future("ETH", EXPIRY), -1),
                new BookPosition(new Instrument.Spot("ETH"), 3), new BookPosition(new Instrument.Perpetual("BTC"), 0.01));
        List<Scenario> scenarios = List.of(new Scenario("down", Map.of("ETH", -0.3), 0.1, -0.2),
                new Scenario("btc", Map.of("BTC", 0.5), -2.0, 0.0));
        BookValuation valuation = BookRevaluer.DEFAULT.revalue(book, scenarios, MARKET);

        double years = MarkCalculator.yearsUntil(put.expiry(), NOW);
        double putVol = vol(2400);
        double callVol = vol(3600);
        double base = -2 * Black76.DEFAULT.price(OptionType.PUT, ETH, 2400, years, putVol, 0)
                + Black76.DEFAULT.price(OptionType.CALL, ETH, 3600, years, callVol, 0)
                + (0.5 - 1 + 3) * ETH + 0.01 * 90000;
        assertThat(valuation.baseValue()).isCloseTo(base, within(TOL));

        double down = 0.7 * ETH;
        double expectedDown = -2 * Black76.DEFAULT.price(OptionType.PUT, down, 2400, years,
                putVol + 0.1 - 0.2 * Math.log(2400 / down), 0)
                + Black76.DEFAULT.price(OptionType.CALL, down, 3600, years, callVol + 0.1 - 0.2 * Math.log(3600 / down), 0)
                + 2.5 * down + 0.01 * 90000;
        assertThat(valuation.scenarioValues()[0]).isCloseTo(expectedDown, within(TOL));

        // A -2 vol shift is floored at 1%.
        double expectedBtc = -2 * Black76.DEFAULT.price(OptionType.PUT, ETH, 2400, years, BookRevaluer.MIN_VOL, 0)
                + Black76.DEFAULT.price(OptionType.CALL, ETH, 3600, years, BookRevaluer.MIN_VOL, 0)
                + 2.5 * ETH + 0.01 * 90000 * 1.5;
        assertThat(valuation.scenarioValues()[1]).isCloseTo(expectedBtc, within(TOL));
        assertThat(valuation.stale()).as("BTC's index is stale").isTrue();
    }

    @Test
    void callsAndPutsOfOneStrikeAreValuedFromOneCallPriceAsEachPricedAlone() {
        Instrument.Option call = new Instrument.Option("ETH", EXPIRY, new BigDecimal("2400"), OptionType.CALL);
        Instrument.Option put = new Instrument.Option("ETH", EXPIRY, new BigDecimal("2400.0"), OptionType.PUT);
        Instrument.Option otherPut = new Instrument.Option("ETH", EXPIRY, new BigDecimal("3300"), OptionType.PUT);
        List<BookPosition> book = List.of(new BookPosition(call, 3), new BookPosition(put, -5), new BookPosition(otherPut, 2),
                new BookPosition(call, -1), new BookPosition(put, 1.5));
        List<Scenario> scenarios = List.of(new Scenario("crash", Map.of("ETH", -0.5), 0.3, -0.1),
                new Scenario("rally", Map.of("ETH", 1.0), -2.0, 0.0));
        BookValuation valuation = BookRevaluer.DEFAULT.revalue(book, scenarios, MARKET);

        double years = MarkCalculator.yearsUntil(EXPIRY.atTime(8, 0).toInstant(java.time.ZoneOffset.UTC), NOW);
        assertThat(valuation.baseValue()).isCloseTo(pricedAlone(book, ETH, 0.0, 0.0, years), within(TOL));
        assertThat(valuation.scenarioValues()[0]).isCloseTo(pricedAlone(book, 0.5 * ETH, 0.3, -0.1, years), within(TOL));
        assertThat(valuation.scenarioValues()[1]).isCloseTo(pricedAlone(book, 2 * ETH, -2.0, 0.0, years), within(TOL));
    }

    /** The book's options, each priced on its own with its sticky-strike shifted vol. */
    private static double pricedAlone(List<BookPosition> book, double forward, double volShift, double skewShift, double years) {
        double value = 0;
        for (BookPosition position : book) {
            Instrument.Option option = (Instrument.Option) position.instrument();
            double strike = option.strike().doubleValue();
            double vol = Math.max(BookRevaluer.MIN_VOL, vol(strike) + volShift + skewShift * Math.log(strike / forward));
            value += position.quantity() * Black76.DEFAULT.price(option.type(), forward, strike, years, vol, 0);
        }
        return value;
    }

    @Test
    void anOtmPutIsMarkedAboveTheAtmVolOnAPutSkewedSurface() {
        Instrument.Option otmPut = new Instrument.Option("ETH", EXPIRY, new BigDecimal("2400"), OptionType.PUT);
        Instrument.Option atm = new Instrument.Option("ETH", EXPIRY, new BigDecimal("3000"), OptionType.CALL);
        Mark put = MarkCalculator.DEFAULT.mark(otmPut, MARKET);
        Mark call = MarkCalculator.DEFAULT.mark(atm, MARKET);
        assertThat(call.vol().vol()).isCloseTo(0.75, within(1e-15));
        assertThat(put.vol().vol()).isCloseTo(vol(2400), within(1e-15)).isGreaterThan(0.75);
        assertThat(put.vol().source()).isEqualTo(VolSource.CONFIGURED);
        assertThat(put.greeks().price()).isCloseTo(Black76.DEFAULT.price(OptionType.PUT, ETH, 2400,
                MarkCalculator.yearsUntil(otmPut.expiry(), NOW), vol(2400), 0), within(1e-12));
    }

    @Test
    void anOptionOnAnUnderlyingWithoutASurfaceHasNoMark() {
        Instrument.Option btc = new Instrument.Option("BTC", EXPIRY, new BigDecimal("90000"), OptionType.CALL);
        assertThatThrownBy(() -> MarkCalculator.DEFAULT.mark(btc, MARKET))
                .isInstanceOfSatisfying(NotFoundException.class, e -> assertThat(e.reason()).isEqualTo("NO_SURFACE"));
    }

    /** The bootstrap smile at ln(K/F), from its definition (one year, a = 0.75^2 - 0.2 * 0.1). */
    static double vol(double strike) {
        double k = Math.log(strike / ETH);
        return Math.sqrt(0.5425 + 0.2 * (-0.3 * k + Math.sqrt(k * k + 0.01)));
    }
}
