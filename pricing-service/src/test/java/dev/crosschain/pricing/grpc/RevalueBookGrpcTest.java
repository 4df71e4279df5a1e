package dev.crosschain.pricing.grpc;

import dev.crosschain.pricing.domain.Instrument;
import dev.crosschain.pricing.domain.OptionType;
import dev.crosschain.postgres.PostgresTestResource;
import dev.crosschain.proto.pricing.v1.BookPosition;
import dev.crosschain.proto.pricing.v1.RevalueBookRequest;
import dev.crosschain.proto.pricing.v1.RevalueBookResponse;
import dev.crosschain.proto.pricing.v1.Scenario;
import dev.crosschain.proto.pricing.v1.ScenarioValue;
import dev.crosschain.proto.pricing.v1.SpotShock;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Collections;
import java.util.List;

import static dev.crosschain.pricing.grpc.PricingGrpcServiceTest.EXACT_TOL;
import static dev.crosschain.pricing.grpc.PricingGrpcServiceTest.assertInvalid;
import static dev.crosschain.pricing.grpc.PricingGrpcServiceTest.position;
import static dev.crosschain.pricing.grpc.PricingGrpcServiceTest.push;
import static dev.crosschain.pricing.grpc.PricingGrpcServiceTest.quote;
import static dev.crosschain.pricing.grpc.PricingGrpcServiceTest.stub;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** RevalueBook's tenor-scaled vol shifts and per-position figures through a real channel. */
@QuarkusTest
@ExtendWith(PricingChannel.class)
@QuarkusTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = PostgresTestResource.REACTIVE, value = "true"))
class RevalueBookGrpcTest {

    static final LocalDate TODAY = LocalDate.now(ZoneOffset.UTC);
    /** Two to three days away: sqrt(30 / T_days) is over 3, so a 30-day square-root scaling capped at 3 gives 3. */
    static final String SHORT_PUT = option(TODAY.plusDays(3), 2800, OptionType.PUT);
    static final String SHORT_CALL = option(TODAY.plusDays(3), 2800, OptionType.CALL);
    static final String LONG_CALL = option(TODAY.plusYears(2), 3500, OptionType.CALL);
    static final String FUTURE = "ETH-" + Instrument.Expiry.format(TODAY.plusDays(90));

    static String option(LocalDate expiry, int strike, OptionType type) {
        return new Instrument.Option("ETH", expiry, BigDecimal.valueOf(strike), type).name();
    }

    @Test
    void aCappedTenorScaleIsTheCapTimesTheShiftAndPowerZeroIsTheShiftAsGiven() {
        push(quote("ETH", "coinbase", "3000"));
        // Each comparison in one call: the service values at its own clock, and options lose time value between calls.
        List<BookPosition> shortBook = List.of(position(SHORT_PUT, "-2"), position(SHORT_CALL, "1"));
        double[] shortValues = values(shortBook, volShock("scaled", 0.1).setVolShiftReferenceDays(30)
                .setVolShiftTenorPower(0.5).setVolShiftMaxScale(3), volShock("x3", 0.1 * 3), volShock("x1", 0.1));
        // Net short one option of the strike: three times the shift loses more than the shift as given.
        assertThat(shortValues[0]).isEqualTo(shortValues[1]).isLessThan(shortValues[2]);

        List<BookPosition> longBook = List.of(position(LONG_CALL, "1"));
        double[] longValues = values(longBook, volShock("p0", 0.1).setVolShiftReferenceDays(30).setVolShiftTenorPower(0),
                volShock("plain", 0.1), volShock("sqrt", 0.1).setVolShiftReferenceDays(30).setVolShiftTenorPower(0.5),
                volShock("none", 0.0));
        assertThat(longValues[0]).isEqualTo(longValues[1]);
        // Two years: sqrt(30 / T_days) = 0.2 of the shift, so the value lies between no shift and the full one.
        assertThat(longValues[2]).isStrictlyBetween(longValues[3], longValues[1]);
        double days = Duration.between(Instant.now(), TODAY.plusYears(2).atTime(8, 0).toInstant(ZoneOffset.UTC)).toMillis() / 86_400_000.0;
        // By hand, a call later: a vega of ~1,500 USD and a theta of ~1 USD a day make the difference far below a cent.
        assertThat(longValues[2]).isCloseTo(values(longBook, volShock("byHand", 0.1 * Math.sqrt(30.0 / days)))[0], within(1e-3));
    }

    @Test
    void perPositionFiguresAreOnePerPositionInOrderAndAddUpToTheBook() {
        push(quote("ETH", "coinbase", "3000"));
        List<BookPosition> book = List.of(position(SHORT_PUT, "-2"), position(SHORT_CALL, "1.5"), position(LONG_CALL, "-1"),
                position("ETH-PERPETUAL", "-3"), position(FUTURE, "2"), position("ETH", "4"), position(SHORT_PUT, "0.5"));
        RevalueBookRequest.Builder request = RevalueBookRequest.newBuilder().addAllPositions(book)
                .addScenarios(volShock("down", 0.1).addSpotShocks(shock(-0.16)).setVolShiftReferenceDays(30)
                        .setVolShiftTenorPower(0.5).setVolShiftMaxScale(3))
                .addScenarios(volShock("up", -0.05).addSpotShocks(shock(0.5)).setSkewShift(0.1));
        RevalueBookResponse plain = stub().revalueBook(request.build());
        RevalueBookResponse response = stub().revalueBook(request.setPerPosition(true).build());

        assertThat(plain.getPositionBaseValuesUsdList()).isEmpty();
        assertThat(plain.getValuesList()).allSatisfy(v -> assertThat(v.getPositionPnlUsdList()).isEmpty());
        // Two calls, a few milliseconds apart: the options' time value moves by far less than a cent.
        assertThat(response.getBaseValueUsd()).isCloseTo(plain.getBaseValueUsd(), within(1e-3));
        assertThat(response.getPositionBaseValuesUsdList()).hasSize(book.size());
        assertThat(sum(response.getPositionBaseValuesUsdList())).isCloseTo(response.getBaseValueUsd(), within(EXACT_TOL));
        for (int s = 0; s < response.getValuesCount(); s++) {
            ScenarioValue value = response.getValues(s);
            assertThat(value.getPnlUsd()).isCloseTo(plain.getValues(s).getPnlUsd(), within(1e-3));
            assertThat(value.getPositionPnlUsdList()).as(value.getScenarioId()).hasSize(book.size());
            assertThat(sum(value.getPositionPnlUsdList())).as(value.getScenarioId()).isCloseTo(value.getPnlUsd(), within(EXACT_TOL));
        }
        // Positions keep their own figures although the two SHORT_PUT lines are netted inside.
        assertThat(response.getPositionBaseValuesUsd(6)).isCloseTo(-response.getPositionBaseValuesUsd(0) / 4, within(EXACT_TOL));
        assertThat(response.getValues(0).getPositionPnlUsd(3)).as("short perpetual in -16%").isCloseTo(3 * 0.16 * 3000, within(EXACT_TOL));
        assertThat(response.getValues(0).getPositionPnlUsd(0)).as("short put in -16%, vol up").isNegative();
    }

    @Test
    void badTenorScalingAndTooManyPerPositionFiguresAreInvalid() {
        push(quote("ETH", "coinbase", "3000"));
        List<BookPosition> book = List.of(position("ETH-PERPETUAL", "1"));
        assertInvalid(() -> revalue(book, volShock("neg", 0.1).setVolShiftReferenceDays(-30).setVolShiftTenorPower(0.5)),
                "INVALID_SCENARIO", "scenarios[0].vol_shift_reference_days");
        assertInvalid(() -> revalue(book, volShock("nan", 0.1).setVolShiftReferenceDays(30).setVolShiftTenorPower(Double.NaN)
                        .setVolShiftMaxScale(Double.POSITIVE_INFINITY)),
                "INVALID_SCENARIO", "scenarios[0].vol_shift_tenor_power", "scenarios[0].vol_shift_max_scale");
        assertInvalid(() -> revalue(book, volShock("ok", 0.1), volShock("cap", 0.1).setVolShiftReferenceDays(30).setVolShiftMaxScale(-1)),
                "INVALID_SCENARIO", "scenarios[1].vol_shift_max_scale");

        // 10,000 positions x (39 + 1) = 400,000 figures is the most; one scenario more is refused.
        List<BookPosition> large = Collections.nCopies(10_000, position("ETH-PERPETUAL", "1"));
        RevalueBookRequest.Builder request = RevalueBookRequest.newBuilder().addAllPositions(large).setPerPosition(true);
        for (int s = 0; s < 39; s++) {
            request.addScenarios(volShock("s" + s, 0.0).addSpotShocks(shock(0.01 * s)));
        }
        assertThat(stub().revalueBook(request.build()).getValues(38).getPositionPnlUsdList()).hasSize(10_000);
        request.addScenarios(volShock("s39", 0.0));
        assertInvalid(() -> stub().revalueBook(request.build()), "INVALID_SCENARIO", "per_position");
        assertThat(stub().revalueBook(request.setPerPosition(false).build()).getValuesList()).hasSize(40);
    }

    // ---- helpers ----

    static Scenario.Builder volShock(String id, double volShift) {
        return Scenario.newBuilder().setScenarioId(id).setVolShift(volShift);
    }

    static SpotShock shock(double move) {
        return SpotShock.newBuilder().setUnderlying("ETH").setRelativeMove(move).build();
    }

    static RevalueBookResponse revalue(List<BookPosition> book, Scenario.Builder... scenarios) {
        RevalueBookRequest.Builder request = RevalueBookRequest.newBuilder().addAllPositions(book);
        for (Scenario.Builder scenario : scenarios) {
            request.addScenarios(scenario);
        }
        return stub().revalueBook(request.build());
    }

    /** The book's value in each scenario, from one call. */
    static double[] values(List<BookPosition> book, Scenario.Builder... scenarios) {
        return revalue(book, scenarios).getValuesList().stream().mapToDouble(ScenarioValue::getValueUsd).toArray();
    }

    static double sum(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).sum();
    }
}
