package dev.crosschain.pricing.domain;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Forwards per expiry: a slice fitted against a forward above the index keeps that basis as a ratio,
 * and marks, futures and revaluation price at index x basis of their expiry. ETH index 3000 at the
 * fit; 27DEC26's forward 3090 (basis 1.03), 26MAR27's 3180 (basis 1.06).
 */
class ExpiryForwardsTest {

    static final Instant FITTED_AT = Instant.parse("2026-11-23T08:00:00Z");
    static final LocalDate DEC = LocalDate.of(2026, 12, 27);
    static final LocalDate MAR = LocalDate.of(2027, 3, 26);
    static final double INDEX = 3000;
    static final double DEC_FORWARD = 3090;
    static final double MAR_FORWARD = 3180;
    static final SviParameters DEC_SMILE = new SviParameters(0.01, 0.08, -0.35, 0.02, 0.12);
    static final SviParameters MAR_SMILE = new SviParameters(0.03, 0.10, -0.30, 0.03, 0.15);
    static final VolSurface SURFACE = new VolSurface("ETH", 4, FITTED_AT, false,
            List.of(slice(DEC, DEC_FORWARD, DEC_SMILE), slice(MAR, MAR_FORWARD, MAR_SMILE)));
    static final Instrument.Option ATM_FORWARD_CALL = new Instrument.Option("ETH", DEC, new BigDecimal("3090"), OptionType.CALL);
    static final Instrument.Future DEC_FUTURE = new Instrument.Future("ETH", DEC);
    static final double TOL = 1e-12;

    @Test
    void theAtmForwardOptionIsMarkedAtItsExpirysForwardAndTheSlicesVolAtKZero() {
        MarketSnapshot market = market("3000", FITTED_AT);
        Mark mark = MarkCalculator.DEFAULT.mark(ATM_FORWARD_CALL, market);

        SviSlice dec = SURFACE.slices().get(0);
        double years = MarkCalculator.yearsUntil(ATM_FORWARD_CALL.expiry(), FITTED_AT);
        assertThat(mark.forward()).isEqualTo(DEC_FORWARD);
        assertThat(mark.vol().vol()).isEqualTo(dec.vol(0.0));
        assertThat(mark.greeks().price())
                .isCloseTo(Black76.DEFAULT.price(OptionType.CALL, DEC_FORWARD, 3090, years, dec.vol(0.0), 0.0), within(TOL));
        assertThat(mark.indexPrice()).isEqualByComparingTo("3000");
    }

    @Test
    void aFutureIsMarkedAtItsForwardAndThePerpetualAndSpotAtTheIndex() {
        MarketSnapshot market = market("3000", FITTED_AT);

        Mark future = MarkCalculator.DEFAULT.mark(DEC_FUTURE, market);
        assertThat(future.markPrice().toPlainString()).isEqualTo("3090");
        assertThat(future.forward()).isEqualTo(DEC_FORWARD);
        assertThat(MarkCalculator.DEFAULT.mark(new Instrument.Perpetual("ETH"), market).markPrice()).isEqualByComparingTo("3000");
        assertThat(MarkCalculator.DEFAULT.mark(new Instrument.Spot("ETH"), market).markPrice()).isEqualByComparingTo("3000");
    }

    @Test
    void theBasisIsARatioSoTheForwardFloatsWithTheIndex() {
        MarketSnapshot market = market("3300", FITTED_AT);

        assertThat(market.forward("ETH", DEC_FUTURE.expiry())).isCloseTo(3399, within(1e-9));
        assertThat(MarkCalculator.DEFAULT.mark(DEC_FUTURE, market).markPrice().toPlainString()).isEqualTo("3399");
        Mark option = MarkCalculator.DEFAULT.mark(ATM_FORWARD_CALL, market);
        assertThat(option.forward()).isCloseTo(3399, within(1e-9));
        // 3090 is now below the forward: k = ln(3090 / 3399) on the slice.
        assertThat(option.vol().vol()).isCloseTo(SURFACE.slices().get(0).vol(Math.log(3090 / 3399.0)), within(TOL));
    }

    @Test
    void betweenTwoSlicesTheLogBasisIsLinearInTime() {
        Instant dec = Instrument.Expiry.instant(DEC);
        Instant mar = Instrument.Expiry.instant(MAR);
        Instant midway = dec.plus(Duration.between(dec, mar).dividedBy(2));
        Instant quarter = dec.plus(Duration.between(dec, mar).dividedBy(4));
        double decLog = Math.log(1.03);
        double marLog = Math.log(1.06);

        assertThat(SURFACE.basis(dec, FITTED_AT)).isEqualTo(DEC_FORWARD / INDEX);
        assertThat(SURFACE.basis(mar, FITTED_AT)).isEqualTo(MAR_FORWARD / INDEX);
        assertThat(Math.log(SURFACE.basis(midway, FITTED_AT))).isCloseTo((decLog + marLog) / 2, within(TOL));
        assertThat(Math.log(SURFACE.basis(quarter, FITTED_AT))).isCloseTo(0.75 * decLog + 0.25 * marLog, within(TOL));
        assertThat(market("3000", FITTED_AT).forward("ETH", midway)).isCloseTo(3000 * Math.exp((decLog + marLog) / 2), within(1e-9));
    }

    @Test
    void beforeTheFirstSliceItsCarryRateHoldsAndAfterTheLastTheLastOnes() {
        Instant dec = Instrument.Expiry.instant(DEC);
        Instant mar = Instrument.Expiry.instant(MAR);
        double decYears = MarkCalculator.yearsUntil(dec, FITTED_AT);
        double marYears = MarkCalculator.yearsUntil(mar, FITTED_AT);
        Instant week = FITTED_AT.plus(Duration.ofDays(7));
        Instant year = FITTED_AT.plus(Duration.ofDays(365));

        assertThat(Math.log(SURFACE.basis(week, FITTED_AT))).isCloseTo(Math.log(1.03) * (7 / 365.0) / decYears, within(TOL));
        assertThat(Math.log(SURFACE.basis(year, FITTED_AT))).isCloseTo(Math.log(1.06) * 1.0 / marYears, within(TOL));
        assertThat(SURFACE.basis(FITTED_AT, FITTED_AT)).as("expiring now: the index").isEqualTo(1.0);
        assertThat(SURFACE.basis(dec, dec.plusSeconds(60))).as("expired: settles on the index").isEqualTo(1.0);
        // Once December has expired, March is the first slice: its carry rate as fitted holds, over the time left.
        Instant january = Instant.parse("2027-01-15T08:00:00Z");
        Instant february = Instant.parse("2027-02-15T08:00:00Z");
        double marRate = Math.log(1.06) / marYears;
        assertThat(Math.log(SURFACE.basis(february, january)))
                .isCloseTo(marRate * MarkCalculator.yearsUntil(february, january), within(TOL));
        assertThat(Math.log(SURFACE.basis(mar, january)))
                .isCloseTo(marRate * MarkCalculator.yearsUntil(mar, january), within(TOL));
    }

    @Test
    void theBootstrapSurfaceAndAnUnderlyingWithoutOneHaveBasisOne() {
        VolSurface bootstrap = BootstrapSurface.of("BTC", 0.6, -0.3, 0.2, 0.1, FITTED_AT);
        MarketSnapshot market = new MarketSnapshot(Map.of(
                "BTC", level("BTC", "90000"), "SOL", level("SOL", "150")), Map.of("BTC", bootstrap), FITTED_AT, 0.0);
        Instant dec = Instrument.Expiry.instant(DEC);

        assertThat(bootstrap.basis(dec, FITTED_AT)).isEqualTo(1.0);
        assertThat(market.forward("BTC", dec)).isEqualTo(90000);
        assertThat(market.forward("SOL", dec)).isEqualTo(150);
        assertThat(MarkCalculator.DEFAULT.mark(new Instrument.Future("BTC", DEC), market).markPrice()).isEqualTo(new BigDecimal("90000"));
    }

    @Test
    void aZeroShockScenarioValuesTheBookAtItsMarksAndAShockMovesEveryForwardWithTheIndex() {
        MarketSnapshot market = market("3000", FITTED_AT.plus(Duration.ofDays(3)));
        Instrument.Option decPut = new Instrument.Option("ETH", DEC, new BigDecimal("2800"), OptionType.PUT);
        Instrument.Option decCall = new Instrument.Option("ETH", DEC, new BigDecimal("2800"), OptionType.CALL);
        Instrument.Option febCall = new Instrument.Option("ETH", LocalDate.of(2027, 2, 26), new BigDecimal("3500"), OptionType.CALL);
        Instrument.Option junPut = new Instrument.Option("ETH", LocalDate.of(2027, 6, 25), new BigDecimal("2500"), OptionType.PUT);
        Instrument.Future marFuture = new Instrument.Future("ETH", MAR);
        Instrument.Perpetual perpetual = new Instrument.Perpetual("ETH");
        List<BookPosition> book = List.of(new BookPosition(decPut, -3), new BookPosition(decCall, 2),
                new BookPosition(febCall, 1.5), new BookPosition(junPut, 4), new BookPosition(marFuture, -2),
                new BookPosition(DEC_FUTURE, 1), new BookPosition(perpetual, 0.5));
        List<Scenario> scenarios = List.of(new Scenario("flat", Map.of(), 0.0, 0.0),
                new Scenario("up", Map.of("ETH", 0.1), 0.0, 0.0));

        BookValuation valuation = BookRevaluer.DEFAULT.revalue(book, scenarios, market);

        MarketSnapshot up = market("3300", market.now());
        assertThat(valuation.baseValue()).isCloseTo(atMarks(book, market), within(1e-9));
        assertThat(valuation.scenarioValues()[0]).isCloseTo(valuation.baseValue(), within(1e-9));
        // No vol shift: sticky strike keeps each option's vol at its strike from the unshocked forward.
        double expectedUp = 0;
        for (BookPosition position : book) {
            Instrument instrument = position.instrument();
            double forward = up.forward("ETH", expiry(instrument, up.now()));
            if (instrument instanceof Instrument.Option option) {
                double vol = MarkCalculator.DEFAULT.mark(option, market).vol().vol();
                expectedUp += position.quantity() * Black76.DEFAULT.price(option.type(), forward, option.strike().doubleValue(),
                        MarkCalculator.yearsUntil(option.expiry(), up.now()), vol, 0.0);
            } else {
                expectedUp += position.quantity() * forward;
            }
        }
        assertThat(valuation.scenarioValues()[1]).isCloseTo(expectedUp, within(1e-9));
        assertThat(up.forward("ETH", MAR_FUTURE_EXPIRY)).isCloseTo(3300 * market.basis("ETH", MAR_FUTURE_EXPIRY, market.now()), within(1e-9));
    }

    @Test
    void perPositionValuesAtTheirExpirysForwardAreEachPositionRevaluedAlone() {
        MarketSnapshot market = market("3000", FITTED_AT.plus(Duration.ofDays(3)));
        Instrument.Option decPut = new Instrument.Option("ETH", DEC, new BigDecimal("2800"), OptionType.PUT);
        Instrument.Option decCall = new Instrument.Option("ETH", DEC, new BigDecimal("2800"), OptionType.CALL);
        Instrument.Option marPut = new Instrument.Option("ETH", MAR, new BigDecimal("2500"), OptionType.PUT);
        List<BookPosition> book = List.of(new BookPosition(decPut, -3), new BookPosition(decCall, 2),
                new BookPosition(marPut, 4), new BookPosition(new Instrument.Future("ETH", MAR), -2),
                new BookPosition(DEC_FUTURE, 1), new BookPosition(new Instrument.Perpetual("ETH"), 0.5));
        List<Scenario> scenarios = List.of(new Scenario("down/vol+", Map.of("ETH", -0.16), 0.1, -0.05,
                        new Scenario.TenorScaling(30, 0.5, 2)),
                new Scenario("up/vol-", Map.of("ETH", 0.16), -0.05, 0.0, new Scenario.TenorScaling(30, 0.3, 0)));

        BookValuation valuation = BookRevaluer.DEFAULT.revalue(book, scenarios, market, true);
        for (int p = 0; p < book.size(); p++) {
            BookValuation alone = BookRevaluer.DEFAULT.revalue(List.of(book.get(p)), scenarios, market);
            assertThat(valuation.positionBaseValues()[p]).as("%s", book.get(p)).isCloseTo(alone.baseValue(), within(1e-9));
            for (int s = 0; s < scenarios.size(); s++) {
                assertThat(valuation.positionScenarioValues()[p][s]).as("%s in %s", book.get(p), scenarios.get(s).id())
                        .isCloseTo(alone.scenarioValues()[s], within(1e-9));
            }
        }
        // The March future counts its basis (1.06) in units of index: -2 x 1.06 x 3000 x 0.84 in the first scenario.
        double marBasis = market.basis("ETH", MAR_FUTURE_EXPIRY, market.now());
        assertThat(valuation.positionScenarioValues()[3][0]).isCloseTo(-2 * marBasis * 3000 * 0.84, within(1e-9));
    }

    static final Instant MAR_FUTURE_EXPIRY = Instrument.Expiry.instant(MAR);

    /** The book at its marks (futures at the unrounded forward, as the mark's {@code forward} shows it). */
    private static double atMarks(List<BookPosition> book, MarketSnapshot market) {
        double value = 0;
        for (BookPosition position : book) {
            Mark mark = MarkCalculator.DEFAULT.mark(position.instrument(), market);
            value += position.quantity() * (mark.greeks() != null ? mark.greeks().price() : mark.forward());
        }
        return value;
    }

    /** The instant a linear instrument's forward is for: its expiry, or now for a perpetual (basis 1). */
    private static Instant expiry(Instrument instrument, Instant now) {
        if (instrument instanceof Instrument.Option option) {
            return option.expiry();
        }
        return instrument instanceof Instrument.Future future ? future.expiry() : now;
    }

    static MarketSnapshot market(String index, Instant now) {
        return new MarketSnapshot(Map.of("ETH", level("ETH", index)), Map.of("ETH", SURFACE), now, 0.0);
    }

    static IndexLevel level(String asset, String price) {
        return new IndexLevel(asset, new BigDecimal(price), FITTED_AT, false, List.of("a"), List.of());
    }

    static SviSlice slice(LocalDate expiry, double forward, SviParameters params) {
        Instant instant = Instrument.Expiry.instant(expiry);
        return new SviSlice(expiry, instant, MarkCalculator.yearsUntil(instant, FITTED_AT), forward, INDEX, params, 0, 10);
    }
}
