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

    /**
     * margin-service's re-margin pass revalues each instrument of a page once at quantity 1 and scales it by each
     * account's quantity (PageRevaluation): a position's per-position figures must not depend on the rest of the
     * book, a put netted into its call's line included.
     */
    @Test
    void aPositionsOwnFiguresAreItsQuantityTimesItsInstrumentRevaluedAloneAtQuantityOne() {
        Instrument.Option call = new Instrument.Option("ETH", EXPIRY, new BigDecimal("3200"), OptionType.CALL);
        Instrument.Option put = new Instrument.Option("ETH", EXPIRY, new BigDecimal("3200"), OptionType.PUT);
        List<BookPosition> book = List.of(new BookPosition(call, 7), new BookPosition(put, -3.5),
                new BookPosition(new Instrument.Perpetual("ETH"), -2.25), new BookPosition(new Instrument.Future("ETH", EXPIRY), 4));
        List<Scenario> scenarios = List.of(new Scenario("crash", Map.of("ETH", -0.4), 0.3, -0.1),
                new Scenario("rally/vol-", Map.of("ETH", 0.25), -0.2, 0.05, SQRT_30D_CAP_3),
                new Scenario("flat", Map.of(), 0.0, 0.0));
        BookValuation together = BookRevaluer.DEFAULT.revalue(book, scenarios, MARKET, true);

        for (int p = 0; p < book.size(); p++) {
            BookPosition position = book.get(p);
            BookValuation alone = BookRevaluer.DEFAULT.revalue(List.of(new BookPosition(position.instrument(), 1)), scenarios,
                    MARKET, true);
            double base = position.quantity() * alone.positionBaseValues()[0];
            assertThat(together.positionBaseValues()[p]).as("base of position %d", p).isCloseTo(base, within(relative(base)));
            for (int s = 0; s < scenarios.size(); s++) {
                double pnl = position.quantity() * (alone.positionScenarioValues()[0][s] - alone.positionBaseValues()[0]);
                double inBook = together.positionScenarioValues()[p][s] - together.positionBaseValues()[p];
                assertThat(inBook).as("P&L of position %d in %s", p, scenarios.get(s).id()).isCloseTo(pnl, within(relative(pnl)));
            }
        }
    }

    /** 1e-9 of {@code figure}, at least 1e-9 USD. */
    private static double relative(double figure) {
        return 1e-9 * Math.max(1.0, Math.abs(figure));
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

    // ---- vol shifts scaled by tenor ----

    static final LocalDate ONE_DAY = NOW.atZone(java.time.ZoneOffset.UTC).toLocalDate().plusDays(1);
    static final LocalDate SEVEN_DAYS = ONE_DAY.plusDays(6);
    static final LocalDate HALF_YEAR = ONE_DAY.plusDays(179);
    /** 30-day reference, square root, at most 3x: the shape a margin grid's vol-up shock takes. */
    static final Scenario.TenorScaling SQRT_30D_CAP_3 = new Scenario.TenorScaling(30, 0.5, 3);

    @Test
    void aTenorScaledVolShiftIsTheShiftTimesTheCappedPowerOfReferenceOverDaysPerExpiry() {
        Instrument.Option day = new Instrument.Option("ETH", ONE_DAY, new BigDecimal("2900"), OptionType.PUT);
        Instrument.Option week = new Instrument.Option("ETH", SEVEN_DAYS, new BigDecimal("3100"), OptionType.CALL);
        Instrument.Option weekPut = new Instrument.Option("ETH", SEVEN_DAYS, new BigDecimal("3100"), OptionType.PUT);
        Instrument.Option halfYear = new Instrument.Option("ETH", HALF_YEAR, new BigDecimal("2500"), OptionType.PUT);
        List<BookPosition> book = List.of(new BookPosition(day, -4), new BookPosition(week, 2), new BookPosition(weekPut, -1),
                new BookPosition(halfYear, 3), new BookPosition(new Instrument.Perpetual("ETH"), 1));
        Scenario volUp = new Scenario("down/vol+", Map.of("ETH", -0.08), 0.1, -0.05, SQRT_30D_CAP_3);
        BookValuation valuation = BookRevaluer.DEFAULT.revalue(book, List.of(volUp), MARKET);

        // Worked out by hand: 1 day: sqrt(30) = 5.48, capped at 3; 7 days: sqrt(30/7) = 2.070;
        // 180 days: sqrt(30/180) = 0.408.
        double forward = 0.92 * ETH;
        double expected = -4 * shockedPrice(day, forward, 0.1 * 3, -0.05, 1)
                + 2 * shockedPrice(week, forward, 0.1 * Math.sqrt(30.0 / 7), -0.05, 7)
                - shockedPrice(weekPut, forward, 0.1 * Math.sqrt(30.0 / 7), -0.05, 7)
                + 3 * shockedPrice(halfYear, forward, 0.1 * Math.sqrt(30.0 / 180), -0.05, 180)
                + forward;
        assertThat(valuation.scenarioValues()[0]).isCloseTo(expected, within(TOL));
    }

    @Test
    void aScaleOfOneForEveryTenorIsTheUnscaledRevaluationExactly() {
        Instrument.Option day = new Instrument.Option("ETH", ONE_DAY, new BigDecimal("2900"), OptionType.PUT);
        Instrument.Option halfYear = new Instrument.Option("ETH", HALF_YEAR, new BigDecimal("3500"), OptionType.CALL);
        List<BookPosition> book = List.of(new BookPosition(day, -4), new BookPosition(halfYear, 3),
                new BookPosition(new Instrument.Spot("ETH"), 2));
        Map<String, Double> down = Map.of("ETH", -0.16);
        BookValuation unscaled = BookRevaluer.DEFAULT.revalue(book, List.of(new Scenario("s", down, 0.2, 0.1)), MARKET);
        // Off, power 0 (x^0 = 1 whatever the tenor), and a reference of 0 days (off whatever the rest says).
        for (Scenario.TenorScaling one : List.of(Scenario.TenorScaling.NONE, new Scenario.TenorScaling(30, 0, 0),
                new Scenario.TenorScaling(0, 0.5, 2))) {
            BookValuation scaled = BookRevaluer.DEFAULT.revalue(book, List.of(new Scenario("s", down, 0.2, 0.1, one)), MARKET);
            assertThat(scaled.scenarioValues()).as("scaling %s", one).containsExactly(unscaled.scenarioValues());
            assertThat(scaled.baseValue()).isEqualTo(unscaled.baseValue());
        }
    }

    @Test
    void withoutACapShortTenorsTakeTheFullPowerAndAnExpiredOptionStaysFinite() {
        Scenario.TenorScaling uncapped = new Scenario.TenorScaling(30, 1, 0);
        assertThat(uncapped.scale(1)).isEqualTo(30.0);
        assertThat(uncapped.scale(60)).isEqualTo(0.5);
        assertThat(uncapped.scale(0)).as("expired: vol does not matter, no infinite scale").isEqualTo(1.0);
        assertThat(SQRT_30D_CAP_3.scale(30)).isEqualTo(1.0);
        assertThat(SQRT_30D_CAP_3.scale(0.5)).isEqualTo(3.0);
        assertThat(new Scenario("z", Map.of(), 0.0, 0.0, uncapped).volShiftAt(0)).isZero();

        LocalDate today = NOW.atZone(java.time.ZoneOffset.UTC).toLocalDate();
        Instrument.Option expired = new Instrument.Option("ETH", today.minusDays(1), new BigDecimal("2800"), OptionType.CALL);
        Instrument.Option expiring = new Instrument.Option("ETH", today, new BigDecimal("2800"), OptionType.PUT);
        BookValuation valuation = BookRevaluer.DEFAULT.revalue(List.of(new BookPosition(expired, 1), new BookPosition(expiring, 1)),
                List.of(new Scenario("up", Map.of("ETH", -0.1), 0.0, 0.0, uncapped),
                        new Scenario("up2", Map.of("ETH", -0.1), 0.5, 0.0, uncapped)), MARKET);
        // At expiry each is worth its intrinsic value at the shocked index 2700: the call nothing, the put 100.
        assertThat(valuation.scenarioValues()).containsExactly(100.0, 100.0);
    }

    @Test
    void aScaleThatOverflowsPricesAsAnInfiniteVolNotNaN() {
        Instrument.Option day = new Instrument.Option("ETH", ONE_DAY, new BigDecimal("2800"), OptionType.PUT);
        Instrument.Option call = new Instrument.Option("ETH", HALF_YEAR, new BigDecimal("2800"), OptionType.CALL);
        Scenario.TenorScaling overflowing = new Scenario.TenorScaling(1e300, 50, 0);
        assertThat(overflowing.scale(1)).isInfinite();
        List<Scenario> scenarios = List.of(new Scenario("up", Map.of(), 0.5, 0.0, overflowing),
                new Scenario("down", Map.of(), -0.5, 0.0, overflowing), new Scenario("huge", Map.of(), Double.MAX_VALUE, 0.0));
        BookValuation valuation = BookRevaluer.DEFAULT.revalue(List.of(new BookPosition(day, 1), new BookPosition(call, 1)),
                scenarios, MARKET);
        // Infinite vol: the put is worth its strike, the call its forward (no rates here).
        assertThat(valuation.scenarioValues()[0]).isCloseTo(2800 + ETH, within(TOL));
        assertThat(valuation.scenarioValues()[1]).as("floored at 1%").isCloseTo(
                Black76.DEFAULT.price(OptionType.PUT, ETH, 2800, 1 / 365.0, BookRevaluer.MIN_VOL, 0)
                        + Black76.DEFAULT.price(OptionType.CALL, ETH, 2800, 180 / 365.0, BookRevaluer.MIN_VOL, 0), within(TOL));
        assertThat(valuation.scenarioValues()[2]).isCloseTo(2800 + ETH, within(TOL));
    }

    @Test
    void aHugeSkewShiftPricesAsAnInfiniteVolOrTheFloorNotNaN() {
        Instrument.Option highStrike = new Instrument.Option("ETH", HALF_YEAR, new BigDecimal("9000"), OptionType.CALL);
        Instrument.Option lowStrike = new Instrument.Option("ETH", HALF_YEAR, new BigDecimal("1000"), OptionType.PUT);
        BookValuation valuation = BookRevaluer.DEFAULT.revalue(List.of(new BookPosition(highStrike, 1), new BookPosition(lowStrike, 1)),
                List.of(new Scenario("skew", Map.of(), 0.0, Double.MAX_VALUE)), MARKET);
        double years = MarkCalculator.yearsUntil(highStrike.expiry(), NOW);
        double forward = ETH * MARKET.basis("ETH", highStrike.expiry(), NOW);
        // ln(K/F) > 1 for 9000: the skew term overflows to +infinity, priced as an infinite vol (the call is worth
        // its forward, no rates here); ln(K/F) < -1 for 1000: -infinity, floored at 1%.
        assertThat(valuation.scenarioValues()[0]).isCloseTo(forward
                + Black76.DEFAULT.price(OptionType.PUT, forward, 1000, years, BookRevaluer.MIN_VOL, 0), within(TOL));
    }

    @Test
    void tenorScalingRefusesNegativeAndNonFiniteParameters() {
        for (double[] bad : new double[][] {{-1, 0.5, 3}, {30, -0.5, 3}, {30, 0.5, -3}, {Double.NaN, 0.5, 3},
                {30, Double.POSITIVE_INFINITY, 3}, {30, 0.5, Double.NaN}}) {
            assertThatThrownBy(() -> new Scenario.TenorScaling(bad[0], bad[1], bad[2]))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    /** One option priced alone at a shocked forward with its strike's surface vol plus the given shifts. */
    private static double shockedPrice(Instrument.Option option, double forward, double volShift, double skewShift, double days) {
        double strike = option.strike().doubleValue();
        double vol = Math.max(BookRevaluer.MIN_VOL, vol(strike) + volShift + skewShift * Math.log(strike / forward));
        return Black76.DEFAULT.price(option.type(), forward, strike, days / 365, vol, 0);
    }

    // ---- per-position values ----

    @Test
    void perPositionValuesAreEachPositionRevaluedAloneAndAddUpToTheBook() {
        Instrument.Option call = new Instrument.Option("ETH", SEVEN_DAYS, new BigDecimal("3100"), OptionType.CALL);
        Instrument.Option put = new Instrument.Option("ETH", SEVEN_DAYS, new BigDecimal("3100"), OptionType.PUT);
        Instrument.Option farPut = new Instrument.Option("ETH", HALF_YEAR, new BigDecimal("2400"), OptionType.PUT);
        List<BookPosition> book = List.of(new BookPosition(call, 2), new BookPosition(put, -3), new BookPosition(farPut, -1),
                new BookPosition(call, -0.5), new BookPosition(new Instrument.Perpetual("ETH"), -1.5),
                new BookPosition(new Instrument.Future("ETH", HALF_YEAR), 2), new BookPosition(new Instrument.Spot("ETH"), 4),
                new BookPosition(new Instrument.Perpetual("BTC"), 0.02));
        List<Scenario> scenarios = List.of(new Scenario("eth-16/vol+", Map.of("ETH", -0.16), 0.1, -0.1, SQRT_30D_CAP_3),
                new Scenario("both+33", Map.of("ETH", 0.33, "BTC", 0.33), -0.05, 0.0),
                new Scenario("flat", Map.of(), 0.0, 0.0));
        BookValuation valuation = BookRevaluer.DEFAULT.revalue(book, scenarios, MARKET, true);

        assertThat(valuation.positionBaseValues()).hasSize(book.size());
        assertThat(valuation.positionScenarioValues()).hasNumberOfRows(book.size());
        double baseSum = 0;
        double[] sums = new double[scenarios.size()];
        for (int p = 0; p < book.size(); p++) {
            BookValuation alone = BookRevaluer.DEFAULT.revalue(List.of(book.get(p)), scenarios, MARKET);
            assertThat(valuation.positionBaseValues()[p]).as("base of %s", book.get(p)).isCloseTo(alone.baseValue(), within(TOL));
            assertThat(valuation.positionScenarioValues()[p]).as("scenarios of %s", book.get(p)).hasSize(scenarios.size());
            for (int s = 0; s < scenarios.size(); s++) {
                assertThat(valuation.positionScenarioValues()[p][s]).as("%s in %s", book.get(p), scenarios.get(s).id())
                        .isCloseTo(alone.scenarioValues()[s], within(TOL));
                sums[s] += valuation.positionScenarioValues()[p][s];
            }
            baseSum += valuation.positionBaseValues()[p];
        }
        assertThat(baseSum).isCloseTo(valuation.baseValue(), within(TOL));
        for (int s = 0; s < scenarios.size(); s++) {
            assertThat(sums[s]).isCloseTo(valuation.scenarioValues()[s], within(TOL));
        }
        BookValuation bookOnly = BookRevaluer.DEFAULT.revalue(book, scenarios, MARKET);
        assertThat(bookOnly.scenarioValues()).as("per position changes no book figure").containsExactly(valuation.scenarioValues());
        assertThat(bookOnly.baseValue()).isEqualTo(valuation.baseValue());
        assertThat(bookOnly.positionBaseValues()).isEmpty();
        assertThat(bookOnly.positionScenarioValues()).isEmpty();
    }

    @Test
    void perPositionValuesOfRandomBooksAddUpToTheBook() {
        long seed = Long.getLong("seed", System.nanoTime());
        System.out.println("perPositionValuesOfRandomBooksAddUpToTheBook seed=" + seed + " (replay: -Dseed=" + seed + ")");
        java.util.Random random = new java.util.Random(seed);
        LocalDate[] expiries = {ONE_DAY, SEVEN_DAYS, EXPIRY, HALF_YEAR};
        for (int round = 0; round < 50; round++) {
            List<BookPosition> book = new java.util.ArrayList<>();
            for (int p = 1 + random.nextInt(30); p > 0; p--) {
                double quantity = Math.round((random.nextDouble() * 20 - 10) * 100) / 100.0;
                Instrument instrument = switch (random.nextInt(4)) {
                    case 0 -> new Instrument.Perpetual(random.nextBoolean() ? "ETH" : "BTC");
                    case 1 -> new Instrument.Future("ETH", expiries[random.nextInt(expiries.length)]);
                    default -> new Instrument.Option("ETH", expiries[random.nextInt(expiries.length)],
                            BigDecimal.valueOf(2000 + 200 * random.nextInt(8)), random.nextBoolean() ? OptionType.CALL : OptionType.PUT);
                };
                book.add(new BookPosition(instrument, quantity));
            }
            List<Scenario> scenarios = new java.util.ArrayList<>();
            for (int s = random.nextInt(6); s >= 0; s--) {
                scenarios.add(new Scenario("s" + s, Map.of("ETH", random.nextDouble() - 0.6, "BTC", random.nextDouble() - 0.6),
                        random.nextDouble() * 0.4 - 0.2, random.nextDouble() * 0.2 - 0.1,
                        new Scenario.TenorScaling(random.nextInt(3) * 30, random.nextDouble(), random.nextInt(4))));
            }
            BookValuation valuation = BookRevaluer.DEFAULT.revalue(book, scenarios, MARKET, true);
            // Rounding only: terms up to 10 x 90,000 x 1.4, about 1e-10 of error each, 30 of them.
            double tolerance = 1e-6;
            assertThat(java.util.Arrays.stream(valuation.positionBaseValues()).sum()).as("seed %d round %d", seed, round)
                    .isCloseTo(valuation.baseValue(), within(tolerance));
            for (int s = 0; s < scenarios.size(); s++) {
                double sum = 0;
                for (double[] position : valuation.positionScenarioValues()) {
                    sum += position[s];
                }
                assertThat(sum).as("seed %d round %d scenario %d", seed, round, s).isCloseTo(valuation.scenarioValues()[s], within(tolerance));
            }
        }
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
