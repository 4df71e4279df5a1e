package dev.crosschain.pricing.grpc;

import com.google.rpc.BadRequest;
import dev.crosschain.postgres.PostgresTestResource;
import dev.crosschain.proto.pricing.v1.ImpliedVolatilitiesRequest;
import dev.crosschain.proto.pricing.v1.ImpliedVolatilityInput;
import dev.crosschain.proto.pricing.v1.OptionPricingInput;
import dev.crosschain.proto.pricing.v1.PriceOptionsRequest;
import dev.crosschain.proto.pricing.v1.RevalueBookResponse;
import dev.crosschain.proto.pricing.v1.Scenario;
import dev.crosschain.proto.pricing.v1.SpotShock;
import dev.crosschain.proto.pricing.v1.VolSurface;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;

import static dev.crosschain.pricing.grpc.PricingGrpcServiceTest.assertInvalid;
import static dev.crosschain.pricing.grpc.PricingGrpcServiceTest.assertRejectedPush;
import static dev.crosschain.pricing.grpc.PricingGrpcServiceTest.detail;
import static dev.crosschain.pricing.grpc.PricingGrpcServiceTest.expiryCode;
import static dev.crosschain.pricing.grpc.PricingGrpcServiceTest.index;
import static dev.crosschain.pricing.grpc.PricingGrpcServiceTest.marks;
import static dev.crosschain.pricing.grpc.PricingGrpcServiceTest.position;
import static dev.crosschain.pricing.grpc.PricingGrpcServiceTest.push;
import static dev.crosschain.pricing.grpc.PricingGrpcServiceTest.quote;
import static dev.crosschain.pricing.grpc.PricingGrpcServiceTest.revalue;
import static dev.crosschain.pricing.grpc.PricingGrpcServiceTest.stub;
import static dev.crosschain.pricing.grpc.SurfaceGrpcTest.FORWARD;
import static dev.crosschain.pricing.grpc.SurfaceGrpcTest.NEAR;
import static dev.crosschain.pricing.grpc.SurfaceGrpcTest.assertBad;
import static dev.crosschain.pricing.grpc.SurfaceGrpcTest.replace;
import static dev.crosschain.pricing.grpc.SurfaceGrpcTest.surface;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Input that once escaped as INTERNAL, NaN or a silent no-op: each is INVALID_ARGUMENT with the
 * field, and changes nothing. Assets BNB (surface) and RVN (revaluation).
 */
@QuarkusTest
@ExtendWith(PricingChannel.class)
@QuarkusTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = PostgresTestResource.REACTIVE, value = "true"))
class BadInputGrpcTest {

    /** 1E400 is infinite as a double, 1E-400 zero (written out: a '-' would split the name). */
    static final String TINY = "0." + "0".repeat(399) + "1";
    static final String HUGE_STRIKE = "ETH-25DEC26-1E400-C";
    static final String TINY_STRIKE = "ETH-25DEC26-" + TINY + "-P";

    @Test
    void anUnboundedStrikeIsAnUnknownInstrumentEverywhere() {
        assertInvalid(() -> marks("ETH-PERPETUAL", HUGE_STRIKE, TINY_STRIKE), "UNKNOWN_INSTRUMENT", "instruments[1]", "instruments[2]");

        // With a vol override nothing else stops the strike reaching the model, where it made a NaN price.
        assertInvalid(() -> stub().priceOptions(PriceOptionsRequest.newBuilder()
                        .addOptions(OptionPricingInput.newBuilder().setInstrument(HUGE_STRIKE).setVolatility(0.5))
                        .addOptions(OptionPricingInput.newBuilder().setInstrument(TINY_STRIKE).setVolatility(0.5)).build()),
                "UNKNOWN_INSTRUMENT", "options[0].instrument", "options[1].instrument");

        // Named by the request field, not by the solver's argument ("strike").
        assertInvalid(() -> stub().impliedVolatilities(ImpliedVolatilitiesRequest.newBuilder()
                        .addInputs(ImpliedVolatilityInput.newBuilder().setInstrument(HUGE_STRIKE).setPrice(10).setForward(3000)).build()),
                "UNKNOWN_INSTRUMENT", "inputs[0].instrument");
    }

    @Test
    void anUnboundedStrikeInAQuoteSetIsRefusedAndTheSurfaceStays() {
        push(quote("BNB", "coinbase", FORWARD));
        VolSurface before = surface("BNB");
        String near = "BNB-" + expiryCode(NEAR) + "-";
        assertBad(replace(3, q -> q.toBuilder().setInstrument(near + "1E400-C").build()), "quotes[3].instrument");
        assertBad(replace(0, q -> q.toBuilder().setInstrument(near + TINY + "-P").build()), "quotes[0].instrument");
        assertThat(surface("BNB")).isEqualTo(before);
    }

    @Test
    void aValuationTimeOutsideTheYearsOfExpiryCodesIsRefused() {
        String option = "ETH-25DEC26-3000-C";
        for (long bad : new long[] {Long.MIN_VALUE, -1, 946_684_799_999L, 4_102_444_800_000L, Long.MAX_VALUE}) {
            assertInvalid(() -> stub().priceOptions(PriceOptionsRequest.newBuilder()
                            .addOptions(OptionPricingInput.newBuilder().setInstrument(option).setForward(3000).setVolatility(0.5)
                                    .setValuationTimeUnixMs(bad)).build()),
                    "UNKNOWN_INSTRUMENT", "options[0].valuation_time_unix_ms");
            assertInvalid(() -> stub().impliedVolatilities(ImpliedVolatilitiesRequest.newBuilder()
                            .addInputs(ImpliedVolatilityInput.newBuilder().setInstrument(option).setPrice(300).setForward(3000)
                                    .setValuationTimeUnixMs(bad)).build()),
                    "INVALID_OPTION_QUOTE", "inputs[0].valuation_time_unix_ms");
        }
        // The first accepted instant, 2000-01-01T00:00:00Z, prices.
        assertThat(stub().priceOptions(PriceOptionsRequest.newBuilder()
                .addOptions(OptionPricingInput.newBuilder().setInstrument(option).setForward(3000).setVolatility(0.5)
                        .setValuationTimeUnixMs(946_684_800_000L)).build()).getPrices(0).getPrice()).isFinite().isPositive();
    }

    @Test
    void aShockOfAnUnderlyingWithSpacesAroundShocksThatUnderlying() {
        push(quote("RVN", "coinbase", "5"));
        RevalueBookResponse response = revalue(List.of(position("RVN-PERPETUAL", "1")), List.of(scenario("up", shock(" RVN ", 0.1))));
        // One perpetual at 5 moved up 10%: worth 5.5.
        assertThat(response.getBaseValueUsd()).isCloseTo(5.0, within(1e-12));
        assertThat(response.getValues(0).getPnlUsd()).isCloseTo(0.5, within(1e-12));
    }

    @Test
    void twoShocksOfOneUnderlyingInAScenarioAreRefused() {
        push(quote("RVN", "coinbase", "5"));
        var before = index("RVN");
        assertInvalid(() -> revalue(List.of(position("RVN-PERPETUAL", "1")),
                        List.of(scenario("twice", shock("RVN", 0.1), shock("ETH", 0.1), shock(" RVN", -0.2)))),
                "INVALID_SCENARIO", "scenarios[0].spot_shocks[2].underlying");
        assertThat(index("RVN")).isEqualTo(before);
    }

    /** About a megabyte: parsing it as a decimal took seconds on the event loop. */
    static final String MEGA_DIGITS = "1".repeat(1_000_000);

    @Test
    void overlongQuantityAndNameTextIsRefusedBeforeParsing() {
        push(quote("RVN", "coinbase", "5"));
        var before = index("RVN");
        List<Scenario> scenarios = List.of(scenario("up", shock("RVN", 0.1)));
        assertInvalid(() -> revalue(List.of(position("RVN-PERPETUAL", MEGA_DIGITS), position("RVN-PERPETUAL", "1".repeat(41))), scenarios),
                "INVALID_SCENARIO", "positions[0].quantity", "positions[1].quantity");
        // The longest accepted text: 40 characters.
        assertThat(revalue(List.of(position("RVN-PERPETUAL", "0.0" + "0".repeat(37))), scenarios).getBaseValueUsd()).isZero();

        String longName = "RVN-" + "X".repeat(61);
        assertInvalid(() -> revalue(List.of(position("RVN-PERPETUAL", "1"), position("RVN-" + MEGA_DIGITS, "1"), position(longName, "1")),
                scenarios), "UNKNOWN_INSTRUMENT", "positions[1].instrument", "positions[2].instrument");
        assertInvalid(() -> revalue(List.of(position("RVN-PERPETUAL", "1")), List.of(scenario("up", shock(MEGA_DIGITS, 0.1)))),
                "INVALID_SCENARIO", "scenarios[0].spot_shocks[0].underlying");
        assertInvalid(() -> marks("RVN-PERPETUAL", MEGA_DIGITS), "UNKNOWN_INSTRUMENT", "instruments[1]");
        assertInvalid(() -> stub().priceOptions(PriceOptionsRequest.newBuilder()
                        .addOptions(OptionPricingInput.newBuilder().setInstrument("ETH-25DEC26-" + MEGA_DIGITS + "-C").setVolatility(0.5)).build()),
                "UNKNOWN_INSTRUMENT", "options[0].instrument");
        assertRejectedPush("INVALID_QUOTE", "quotes[0].price", quote("RVN", "coinbase", MEGA_DIGITS));
        assertRejectedPush("INVALID_QUOTE", "quotes[0].asset", quote("RVN" + MEGA_DIGITS, "coinbase", "5"));
        assertThat(index("RVN")).isEqualTo(before);
    }

    @Test
    void anOverlongSourceIsRefusedWithoutEchoingItsText() {
        StatusRuntimeException refused = assertInvalid(() -> push(quote("RVN", "s" + MEGA_DIGITS, "5")),
                "INVALID_QUOTE", "quotes[0].source");

        assertThat(detail(refused, BadRequest.class).getFieldViolations(0).getDescription())
                .endsWith("got 1000001 characters").hasSizeLessThan(200);
        assertThat(String.valueOf(refused.getStatus().getDescription())).hasSizeLessThan(1000);
    }

    @Test
    void aQuantityOutsideItsBoundsIsRefusedNeverInfinite() {
        push(quote("RVN", "coinbase", "5"));
        List<Scenario> scenarios = List.of(scenario("up", shock("RVN", 0.1)));
        String[] bad = {"1e400", "-1e400", "1e-400", "1000000000001", "-1.000000000001e12", "0.0000000000000000001", "1e999999999"};
        for (String quantity : bad) {
            assertInvalid(() -> revalue(List.of(position("RVN-PERPETUAL", quantity)), scenarios), "INVALID_SCENARIO", "positions[0].quantity");
        }
        // The bounds themselves are accepted, and trailing zeros are no extra decimals.
        assertThat(revalue(List.of(position("RVN-PERPETUAL", "1e12")), scenarios).getBaseValueUsd()).isCloseTo(5e12, within(1e-3));
        assertThat(revalue(List.of(position("RVN-PERPETUAL", "-1000000000000")), scenarios).getBaseValueUsd()).isCloseTo(-5e12, within(1e-3));
        assertThat(revalue(List.of(position("RVN-PERPETUAL", "0.000000000000000001000")), scenarios).getBaseValueUsd())
                .isCloseTo(5e-18, within(1e-30));
    }

    @Test
    void aStrikeWithAHugeExponentIsAnUnknownInstrument() {
        assertInvalid(() -> marks("ETH-25DEC26-1E999999999-C", "ETH-25DEC26-1E-999999999-C"), "UNKNOWN_INSTRUMENT",
                "instruments[0]", "instruments[1]");
    }

    static SpotShock shock(String underlying, double move) {
        return SpotShock.newBuilder().setUnderlying(underlying).setRelativeMove(move).build();
    }

    static Scenario scenario(String id, SpotShock... shocks) {
        return Scenario.newBuilder().setScenarioId(id).addAllSpotShocks(List.of(shocks)).build();
    }
}
