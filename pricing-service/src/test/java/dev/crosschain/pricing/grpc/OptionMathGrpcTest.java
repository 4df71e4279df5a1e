package dev.crosschain.pricing.grpc;

import com.google.rpc.BadRequest;
import dev.crosschain.pricing.domain.Black76;
import dev.crosschain.pricing.domain.OptionType;
import dev.crosschain.postgres.PostgresTestResource;
import dev.crosschain.proto.pricing.v1.BookPosition;
import dev.crosschain.proto.pricing.v1.GetMarksRequest;
import dev.crosschain.proto.pricing.v1.ImpliedVolatilitiesRequest;
import dev.crosschain.proto.pricing.v1.ImpliedVolatilityInput;
import dev.crosschain.proto.pricing.v1.ImpliedVolatilityResult;
import dev.crosschain.proto.pricing.v1.OptionPricingInput;
import dev.crosschain.proto.pricing.v1.PriceOptionsRequest;
import dev.crosschain.proto.pricing.v1.RevalueBookRequest;
import dev.crosschain.proto.pricing.v1.RevalueBookResponse;
import dev.crosschain.proto.pricing.v1.Scenario;
import dev.crosschain.proto.pricing.v1.SpotShock;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import static dev.crosschain.pricing.grpc.PricingGrpcServiceTest.ETH_ATM_VOL;
import static dev.crosschain.pricing.grpc.PricingGrpcServiceTest.assertInvalid;
import static dev.crosschain.pricing.grpc.PricingGrpcServiceTest.bootstrapVol;
import static dev.crosschain.pricing.grpc.PricingGrpcServiceTest.detail;
import static dev.crosschain.pricing.grpc.PricingGrpcServiceTest.expiryCode;
import static dev.crosschain.pricing.grpc.PricingGrpcServiceTest.expiryOf;
import static dev.crosschain.pricing.grpc.PricingGrpcServiceTest.position;
import static dev.crosschain.pricing.grpc.PricingGrpcServiceTest.push;
import static dev.crosschain.pricing.grpc.PricingGrpcServiceTest.quote;
import static dev.crosschain.pricing.grpc.PricingGrpcServiceTest.stub;
import static dev.crosschain.pricing.grpc.PricingGrpcServiceTest.years;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * RevalueBook against values worked out here with Black76 directly, ImpliedVolatilities, and the
 * batch caps of every batch RPC. ETH (coinbase) at the bootstrap surface, BTC (kraken).
 */
@QuarkusTest
@ExtendWith(PricingChannel.class)
@QuarkusTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = PostgresTestResource.REACTIVE, value = "true"))
class OptionMathGrpcTest {

    static final double ETH = 3000.0;
    static final double BTC = 90000.0;
    static final double MIN_VOL = 0.01;
    static final LocalDate EXPIRY = LocalDate.now(ZoneOffset.UTC).plusDays(60);
    /** A round trip vol -> price -> vol loses no more than this (the issue asks 1e-12 where the price holds it). */
    static final double ROUND_TRIP_TOL = 1e-10;

    /** One option of the test book, valued by hand. */
    record Opt(OptionType type, double strike, double quantity) {
        double value(double forward, double years, double volShift, double skewShift) {
            double baseVol = bootstrapVol(ETH_ATM_VOL, strike, ETH);
            double vol = Math.max(MIN_VOL, baseVol + volShift + skewShift * Math.log(strike / forward));
            return quantity * Black76.DEFAULT.price(type, forward, strike, years, vol, 0.0);
        }
    }

    @Test
    void aBookOfOptionsFuturesPerpsAndSpotIsRevaluedStickyStrikeUnderEachScenario() {
        push(quote("ETH", "coinbase", "3000"));
        push(quote("BTC", "kraken", "90000"));
        String code = expiryCode(EXPIRY);
        List<Opt> options = List.of(new Opt(OptionType.CALL, 3300, 2), new Opt(OptionType.PUT, 2500, -3));
        // Linear ETH: short 1.5 perps, long 0.5 futures, 4 spot; BTC: 0.1 perps.
        double ethLinear = -1.5 + 0.5 + 4;
        double btcLinear = 0.1;
        List<Scenario> scenarios = List.of(
                scenario("eth-down-20-vol-up-5", Map.of("ETH", -0.20), 0.05, 0.0),
                scenario("eth-up-10-btc-down-5-skew", Map.of("ETH", 0.10, "BTC", -0.05), 0.0, -0.10),
                scenario("vol-crash-floored", Map.of(), -0.90, 0.0));
        long before = System.currentTimeMillis();
        RevalueBookResponse response = stub().revalueBook(RevalueBookRequest.newBuilder()
                .addPositions(position("ETH-" + code + "-3300-C", "2"))
                .addPositions(position("ETH-" + code + "-2500-P", "-3"))
                .addPositions(position("ETH-PERPETUAL", "-1.5"))
                .addPositions(position("ETH-" + code, "0.5"))
                .addPositions(position("ETH", "4"))
                .addPositions(position("BTC-PERPETUAL", "0.1"))
                .addAllScenarios(scenarios).build());
        long after = System.currentTimeMillis();
        assertThat(response.getStale()).isFalse();

        Instant expiry = expiryOf(EXPIRY);
        double[] spotMoves = {-0.20, 0.10, 0.0};
        double[] btcMoves = {0.0, -0.05, 0.0};
        double[] volShifts = {0.05, 0.0, -0.90};
        double[] skewShifts = {0.0, -0.10, 0.0};
        double[] baseAt = new double[2];
        double[][] valuesAt = new double[2][3];
        long[] times = {before, after};
        for (int t = 0; t < 2; t++) {
            double years = years(times[t], expiry);
            double base = ethLinear * ETH + btcLinear * BTC;
            for (Opt o : options) {
                base += o.value(ETH, years, 0.0, 0.0);
            }
            baseAt[t] = base;
            for (int s = 0; s < 3; s++) {
                double forward = ETH * (1 + spotMoves[s]);
                double value = ethLinear * forward + btcLinear * BTC * (1 + btcMoves[s]);
                for (Opt o : options) {
                    value += o.value(forward, years, volShifts[s], skewShifts[s]);
                }
                valuesAt[t][s] = value;
            }
        }
        assertBetween(response.getBaseValueUsd(), baseAt[0], baseAt[1]);
        assertThat(response.getValuesList()).hasSize(3);
        for (int s = 0; s < 3; s++) {
            assertThat(response.getValues(s).getScenarioId()).isEqualTo(scenarios.get(s).getScenarioId());
            assertBetween(response.getValues(s).getValueUsd(), valuesAt[0][s], valuesAt[1][s]);
            assertThat(response.getValues(s).getPnlUsd())
                    .isCloseTo(response.getValues(s).getValueUsd() - response.getBaseValueUsd(), within(1e-9));
        }
        // The floor is what keeps the crashed-vol scenario from pricing at a negative vol.
        assertThat(bootstrapVol(ETH_ATM_VOL, 2500, ETH) - 0.90).isNegative();
    }

    @Test
    void impliedVolatilitiesInvertBlack76PricesInABatch() {
        push(quote("ETH", "coinbase", "3000"));
        long valuation = Instant.now().toEpochMilli();
        double years = years(valuation, expiryOf(EXPIRY));
        String call = "ETH-" + expiryCode(EXPIRY) + "-3300-C";
        String put = "ETH-" + expiryCode(EXPIRY) + "-2000-P";
        double callPrice = Black76.DEFAULT.price(OptionType.CALL, 3200, 3300, years, 0.8, 0.0);
        double putPrice = Black76.DEFAULT.price(OptionType.PUT, ETH, 2000, years, 1.1, 0.0);
        List<ImpliedVolatilityResult> results = stub().impliedVolatilities(ImpliedVolatilitiesRequest.newBuilder()
                .addInputs(ImpliedVolatilityInput.newBuilder().setInstrument(call).setPrice(callPrice).setForward(3200)
                        .setValuationTimeUnixMs(valuation))
                .addInputs(ImpliedVolatilityInput.newBuilder().setInstrument(put).setPrice(putPrice)
                        .setValuationTimeUnixMs(valuation)).build()).getResultsList();
        assertThat(results).extracting(ImpliedVolatilityResult::getInstrument).containsExactly(call, put);
        assertThat(results.get(0).getImpliedVol()).isCloseTo(0.8, within(ROUND_TRIP_TOL));
        assertThat(results.get(0).getForward()).isEqualTo(3200);
        assertThat(results.get(0).getTimeToExpiryYears()).isCloseTo(years, within(1e-12));
        assertThat(results.get(1).getImpliedVol()).isCloseTo(1.1, within(ROUND_TRIP_TOL));
        assertThat(results.get(1).getForward()).as("the index when no forward is given").isEqualTo(ETH);
        assertThat(results.get(1).getStale()).isFalse();
    }

    @Test
    void oneBadInputRefusesTheWholeBatchWithTheBoundOrTheField() {
        push(quote("ETH", "coinbase", "3000"));
        String call = "ETH-" + expiryCode(EXPIRY) + "-3300-C";
        ImpliedVolatilityInput good = ImpliedVolatilityInput.newBuilder().setInstrument(call).setPrice(150).build();
        // A call is worth less than its forward.
        StatusRuntimeException e = assertInvalid(() -> iv(good, ImpliedVolatilityInput.newBuilder().setInstrument(call)
                .setPrice(3100).setForward(3000).build()), "PRICE_OUT_OF_BOUNDS", "inputs[1].price");
        assertThat(detail(e, BadRequest.class).getFieldViolations(0).getDescription()).contains("3100", "3000.0");
        // ... and more than its intrinsic value: 3300-C at forward 3500 is worth at least 200.
        assertInvalid(() -> iv(ImpliedVolatilityInput.newBuilder().setInstrument(call).setPrice(150).setForward(3500).build()),
                "PRICE_OUT_OF_BOUNDS", "inputs[0].price");
        assertInvalid(() -> iv(ImpliedVolatilityInput.newBuilder().setInstrument("ETH-NOPE").setPrice(1).build(),
                ImpliedVolatilityInput.newBuilder().setInstrument(call).setPrice(-1).build()),
                "UNKNOWN_INSTRUMENT", "inputs[0].instrument", "inputs[1].price");
        assertInvalid(() -> iv(good, ImpliedVolatilityInput.newBuilder().setInstrument("ETH-PERPETUAL").setPrice(1).build()),
                "UNKNOWN_INSTRUMENT", "inputs[1].instrument");
        assertInvalid(() -> iv(ImpliedVolatilityInput.newBuilder().setInstrument(call).setPrice(Double.NaN).build()),
                "INVALID_OPTION_QUOTE", "inputs[0].price");
        assertInvalid(() -> iv(ImpliedVolatilityInput.newBuilder().setInstrument(call).setPrice(150).setForward(-1).build()),
                "INVALID_OPTION_QUOTE", "inputs[0].forward");
        assertInvalid(() -> iv(ImpliedVolatilityInput.newBuilder().setInstrument(call).setPrice(150)
                        .setValuationTimeUnixMs(expiryOf(EXPIRY).toEpochMilli() + 1).build()),
                "INVALID_OPTION_QUOTE", "inputs[0].valuation_time_unix_ms");
        assertInvalid(() -> iv(), "INVALID_OPTION_QUOTE", "inputs");
    }

    @Test
    void batchesBeyondTheCapsAreRefusedNamingTheField() {
        push(quote("ETH", "coinbase", "3000"));
        int cap = PricingGrpcService.MAX_BATCH;
        assertThat(stub().getMarks(GetMarksRequest.newBuilder().addAllInstruments(Collections.nCopies(cap, "ETH-PERPETUAL")).build())
                .getMarksCount()).as("exactly the cap is served").isEqualTo(cap);
        assertInvalid(() -> stub().getMarks(GetMarksRequest.newBuilder()
                .addAllInstruments(Collections.nCopies(cap + 1, "ETH-PERPETUAL")).build()), "UNKNOWN_INSTRUMENT", "instruments");
        OptionPricingInput option = OptionPricingInput.newBuilder().setInstrument("ETH-27DEC30-3000-C").build();
        assertInvalid(() -> stub().priceOptions(PriceOptionsRequest.newBuilder()
                .addAllOptions(Collections.nCopies(cap + 1, option)).build()), "UNKNOWN_INSTRUMENT", "options");
        ImpliedVolatilityInput input = ImpliedVolatilityInput.newBuilder().setInstrument("ETH-27DEC30-3000-C").setPrice(500).build();
        assertInvalid(() -> stub().impliedVolatilities(ImpliedVolatilitiesRequest.newBuilder()
                .addAllInputs(Collections.nCopies(cap + 1, input)).build()), "INVALID_OPTION_QUOTE", "inputs");
        BookPosition perp = position("ETH-PERPETUAL", "1");
        assertInvalid(() -> stub().revalueBook(RevalueBookRequest.newBuilder()
                .addAllPositions(Collections.nCopies(cap + 1, perp)).build()), "INVALID_SCENARIO", "positions");
        RevalueBookRequest.Builder scenarios = RevalueBookRequest.newBuilder().addPositions(perp);
        for (int s = 0; s <= PricingGrpcService.MAX_SCENARIOS; s++) {
            scenarios.addScenarios(Scenario.newBuilder().setScenarioId("s" + s));
        }
        assertInvalid(() -> stub().revalueBook(scenarios.build()), "INVALID_SCENARIO", "scenarios");
    }

    static Scenario scenario(String id, Map<String, Double> moves, double volShift, double skewShift) {
        Scenario.Builder scenario = Scenario.newBuilder().setScenarioId(id).setVolShift(volShift).setSkewShift(skewShift);
        moves.forEach((u, m) -> scenario.addSpotShocks(SpotShock.newBuilder().setUnderlying(u).setRelativeMove(m)));
        return scenario.build();
    }

    static void iv(ImpliedVolatilityInput... inputs) {
        stub().impliedVolatilities(ImpliedVolatilitiesRequest.newBuilder().addAllInputs(List.of(inputs)).build());
    }

    /** The server valued at some instant between two valuations of ours. */
    static void assertBetween(double actual, double a, double b) {
        double slack = 1e-9 * Math.max(1, Math.abs(a));
        assertThat(actual).isBetween(Math.min(a, b) - slack, Math.max(a, b) + slack);
    }
}
