package dev.crosschain.pricing.grpc;

import dev.crosschain.pricing.domain.Black76;
import dev.crosschain.pricing.domain.OptionType;
import dev.crosschain.postgres.PostgresTestResource;
import dev.crosschain.proto.pricing.v1.ExpiryForward;
import dev.crosschain.proto.pricing.v1.ImpliedVolatilitiesRequest;
import dev.crosschain.proto.pricing.v1.ImpliedVolatilityInput;
import dev.crosschain.proto.pricing.v1.ImpliedVolatilityResult;
import dev.crosschain.proto.pricing.v1.Mark;
import dev.crosschain.proto.pricing.v1.OptionPrice;
import dev.crosschain.proto.pricing.v1.OptionPricingInput;
import dev.crosschain.proto.pricing.v1.OptionQuote;
import dev.crosschain.proto.pricing.v1.PriceOptionsRequest;
import dev.crosschain.proto.pricing.v1.PushOptionQuotesRequest;
import dev.crosschain.proto.pricing.v1.RevalueBookResponse;
import dev.crosschain.proto.pricing.v1.Scenario;
import dev.crosschain.proto.pricing.v1.SviSlice;
import dev.crosschain.proto.pricing.v1.VolSurface;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;

import static dev.crosschain.pricing.grpc.PricingGrpcServiceTest.MILLIS_PER_YEAR;
import static dev.crosschain.pricing.grpc.PricingGrpcServiceTest.expiryCode;
import static dev.crosschain.pricing.grpc.PricingGrpcServiceTest.expiryOf;
import static dev.crosschain.pricing.grpc.PricingGrpcServiceTest.marks;
import static dev.crosschain.pricing.grpc.PricingGrpcServiceTest.position;
import static dev.crosschain.pricing.grpc.PricingGrpcServiceTest.push;
import static dev.crosschain.pricing.grpc.PricingGrpcServiceTest.quote;
import static dev.crosschain.pricing.grpc.PricingGrpcServiceTest.revalue;
import static dev.crosschain.pricing.grpc.PricingGrpcServiceTest.stub;
import static dev.crosschain.pricing.grpc.SurfaceGrpcTest.FAR;
import static dev.crosschain.pricing.grpc.SurfaceGrpcTest.HALF_SPREAD;
import static dev.crosschain.pricing.grpc.SurfaceGrpcTest.NEAR;
import static dev.crosschain.pricing.grpc.SurfaceGrpcTest.STRIKES;
import static dev.crosschain.pricing.grpc.SurfaceGrpcTest.sliceVol;
import static dev.crosschain.pricing.grpc.SurfaceGrpcTest.smileVol;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Forwards per expiry over gRPC. ALGO (index 600, no bootstrap surface) is quoted with the near
 * expiry's forward at 603 and the far one's at 618: bases 1.005 and 1.03 over the index, which
 * marks, futures, PriceOptions, ImpliedVolatilities and RevalueBook all price at.
 */
@QuarkusTest
@ExtendWith(PricingChannel.class)
@QuarkusTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = PostgresTestResource.REACTIVE, value = "true"))
class ForwardsGrpcTest {

    static final double INDEX = 600;
    static final double NEAR_FORWARD = 603;
    static final double FAR_FORWARD = 618;
    static final String ATM_FORWARD_CALL = "ALGO-" + expiryCode(FAR) + "-618-C";
    static final String FAR_FUTURE = "ALGO-" + expiryCode(FAR);
    /** A second's move of the clock between two calls changes an option price by less than this. */
    static final double CLOCK_TOL = 1e-4;
    /** A second of carry moves these forwards by less than this (618 x 3% / 90 days: 2.4e-6 USD per second). */
    static final double FORWARD_CLOCK_TOL = 1e-5;

    @Test
    void optionsAndFuturesAreMarkedAtTheirExpirysForwardWhichFloatsWithTheIndex() {
        VolSurface fitted = pushWithBasis();
        SviSlice far = fitted.getSlices(1);
        assertThat(far.getForward()).isEqualTo(FAR_FORWARD);
        assertThat(far.getIndexAtFit()).isEqualTo(INDEX);

        List<Mark> atIndex600 = marks(ATM_FORWARD_CALL, FAR_FUTURE, "ALGO-PERPETUAL", "ALGO");
        Mark call = atIndex600.get(0);
        double farBasis = basisNow(FAR_FORWARD, fitted, FAR);
        assertThat(call.getForward()).isCloseTo(INDEX * farBasis, within(FORWARD_CLOCK_TOL)).isLessThan(FAR_FORWARD);
        assertThat(call.getImpliedVol()).as("the slice's vol at k = 0").isCloseTo(sliceVol(far, fitted, 0.0), within(1e-8));
        double years = (expiryOf(FAR).toEpochMilli() - System.currentTimeMillis()) / MILLIS_PER_YEAR;
        assertThat(Double.parseDouble(call.getMarkPrice())).isCloseTo(
                Black76.DEFAULT.price(OptionType.CALL, call.getForward(), 618, years, call.getImpliedVol(), 0.0), within(CLOCK_TOL));
        // The far forward carries towards the index as time passes: 618 at the fit, a hair less by now.
        assertThat(Double.parseDouble(atIndex600.get(1).getMarkPrice())).isCloseTo(INDEX * farBasis, within(FORWARD_CLOCK_TOL));
        assertThat(atIndex600.get(1).getForward()).isCloseTo(INDEX * farBasis, within(FORWARD_CLOCK_TOL));
        assertThat(atIndex600.get(2).getMarkPrice()).isEqualTo("600");
        assertThat(atIndex600.get(3).getMarkPrice()).isEqualTo("600");

        push(quote("ALGO", "coinbase", "660"));
        List<Mark> atIndex660 = marks(ATM_FORWARD_CALL, FAR_FUTURE, "ALGO-PERPETUAL");
        double farAt660 = 660 * basisNow(FAR_FORWARD, fitted, FAR);
        assertThat(atIndex660.get(0).getForward()).isCloseTo(farAt660, within(FORWARD_CLOCK_TOL)).isCloseTo(679.8, within(1e-3));
        assertThat(atIndex660.get(0).getImpliedVol()).as("618 is below the new forward, about 679.8")
                .isCloseTo(sliceVol(far, fitted, Math.log(618 / atIndex660.get(0).getForward())), within(1e-8));
        assertThat(Double.parseDouble(atIndex660.get(1).getMarkPrice())).isCloseTo(farAt660, within(FORWARD_CLOCK_TOL));
        assertThat(atIndex660.get(2).getMarkPrice()).isEqualTo("660");
    }

    @Test
    void betweenTwoExpiriesAFuturesForwardInterpolatesTheLogBasisInTime() {
        VolSurface fitted = pushWithBasis();
        LocalDate between = NEAR.plusDays(30);
        long now = System.currentTimeMillis();
        double nearYears = (expiryOf(NEAR).toEpochMilli() - now) / MILLIS_PER_YEAR;
        double farYears = (expiryOf(FAR).toEpochMilli() - now) / MILLIS_PER_YEAR;
        double years = (expiryOf(between).toEpochMilli() - now) / MILLIS_PER_YEAR;
        double nearLog = Math.log(basisNow(NEAR_FORWARD, fitted, NEAR));
        double farLog = Math.log(basisNow(FAR_FORWARD, fitted, FAR));
        double expected = INDEX * Math.exp(nearLog + (farLog - nearLog) * (years - nearYears) / (farYears - nearYears));

        Mark future = marks("ALGO-" + expiryCode(between)).get(0);
        assertThat(Double.parseDouble(future.getMarkPrice())).isCloseTo(expected, within(FORWARD_CLOCK_TOL)).isBetween(NEAR_FORWARD, FAR_FORWARD);
        Mark nearFuture = marks("ALGO-" + expiryCode(NEAR)).get(0);
        assertThat(Double.parseDouble(nearFuture.getMarkPrice()))
                .isCloseTo(INDEX * basisNow(NEAR_FORWARD, fitted, NEAR), within(FORWARD_CLOCK_TOL)).isLessThan(NEAR_FORWARD);
    }

    @Test
    void priceOptionsImpliedVolatilitiesAndRevalueBookUseTheSurfaceForwardUnlessOneIsGiven() {
        VolSurface fitted = pushWithBasis();
        push(quote("ALGO", "coinbase", "660"));
        long valuationMs = System.currentTimeMillis();
        OptionPrice priced = stub().priceOptions(PriceOptionsRequest.newBuilder()
                .addOptions(OptionPricingInput.newBuilder().setInstrument(ATM_FORWARD_CALL).setValuationTimeUnixMs(valuationMs))
                .build()).getPrices(0);
        Mark mark = marks(ATM_FORWARD_CALL).get(0);
        assertThat(priced.getForward()).isCloseTo(mark.getForward(), within(FORWARD_CLOCK_TOL))
                .isCloseTo(660 * basisNow(FAR_FORWARD, fitted, FAR), within(FORWARD_CLOCK_TOL));
        // The mark is taken a moment later, when the forward has carried a hair towards the index.
        assertThat(priced.getVolatility()).isCloseTo(mark.getImpliedVol(), within(1e-8));
        assertThat(priced.getPrice()).isCloseTo(Double.parseDouble(mark.getMarkPrice()), within(CLOCK_TOL));
        OptionPrice overridden = stub().priceOptions(PriceOptionsRequest.newBuilder()
                .addOptions(OptionPricingInput.newBuilder().setInstrument(ATM_FORWARD_CALL).setForward(700).setValuationTimeUnixMs(valuationMs))
                .build()).getPrices(0);
        assertThat(overridden.getForward()).isEqualTo(700);

        ImpliedVolatilityResult implied = stub().impliedVolatilities(ImpliedVolatilitiesRequest.newBuilder()
                .addInputs(ImpliedVolatilityInput.newBuilder().setInstrument(ATM_FORWARD_CALL).setPrice(priced.getPrice())
                        .setValuationTimeUnixMs(valuationMs)).build()).getResults(0);
        assertThat(implied.getForward()).isEqualTo(priced.getForward());
        assertThat(implied.getImpliedVol()).isCloseTo(priced.getVolatility(), within(1e-12));

        // Two calls, a put of the same strike, a short far future and a perpetual: the zero-shock
        // scenario is the base value, and the base value is the book at its marks.
        String farPut = "ALGO-" + expiryCode(FAR) + "-600-P";
        String nearCall = "ALGO-" + expiryCode(NEAR) + "-663-C";
        RevalueBookResponse book = revalue(List.of(position(ATM_FORWARD_CALL, "2"), position(farPut, "-3"),
                        position(nearCall, "1.5"), position(FAR_FUTURE, "-1"), position("ALGO-PERPETUAL", "0.5")),
                List.of(Scenario.newBuilder().setScenarioId("flat").build(),
                        PricingGrpcServiceTest.scenario("up", "ALGO", 0.1)));
        Map<String, Double> atMarks = Map.of(ATM_FORWARD_CALL, 2.0, farPut, -3.0, nearCall, 1.5, FAR_FUTURE, -1.0, "ALGO-PERPETUAL", 0.5);
        double marked = 0;
        for (Mark m : marks(atMarks.keySet().toArray(String[]::new))) {
            marked += atMarks.get(m.getInstrument()) * (m.getKind().name().endsWith("OPTION") ? Double.parseDouble(m.getMarkPrice()) : m.getForward());
        }
        assertThat(book.getValues(0).getValueUsd()).isEqualTo(book.getBaseValueUsd());
        assertThat(book.getBaseValueUsd()).isCloseTo(marked, within(10 * CLOCK_TOL));
        // Up 10%: the far forward is 726 x its basis (about 1.03) and the future loses about 1 x (747.78 - 679.8).
        assertThat(book.getValues(1).getPnlUsd()).isGreaterThan(0);
        double farYears = (expiryOf(FAR).toEpochMilli() - System.currentTimeMillis()) / MILLIS_PER_YEAR;
        double upFar = 726 * basisNow(FAR_FORWARD, fitted, FAR);
        double callVol = mark.getImpliedVol();
        double putVol = marks(farPut).get(0).getImpliedVol();
        double nearUp = Black76.DEFAULT.price(OptionType.CALL, 726 * basisNow(NEAR_FORWARD, fitted, NEAR), 663,
                (expiryOf(NEAR).toEpochMilli() - System.currentTimeMillis()) / MILLIS_PER_YEAR, marks(nearCall).get(0).getImpliedVol(), 0.0);
        double expectedUp = 2 * Black76.DEFAULT.price(OptionType.CALL, upFar, 618, farYears, callVol, 0.0)
                - 3 * Black76.DEFAULT.price(OptionType.PUT, upFar, 600, farYears, putVol, 0.0)
                + 1.5 * nearUp - upFar + 0.5 * 726;
        assertThat(book.getValues(1).getValueUsd()).isCloseTo(expectedUp, within(10 * CLOCK_TOL));
    }

    /**
     * The basis of an expiry fitted at {@code forward} over index 600, now: its carry rate
     * ln(forward / 600) / (years at the fit) times the years left.
     */
    static double basisNow(double forward, VolSurface fitted, LocalDate expiry) {
        long expiryMs = expiryOf(expiry).toEpochMilli();
        double fitYears = (expiryMs - fitted.getFittedAtUnixMs()) / MILLIS_PER_YEAR;
        double years = (expiryMs - System.currentTimeMillis()) / MILLIS_PER_YEAR;
        return Math.exp(Math.log(forward / INDEX) / fitYears * years);
    }

    /** Fits ALGO at index 600 with the near expiry's forward at 603 and the far one's at 618. */
    static VolSurface pushWithBasis() {
        push(quote("ALGO", "coinbase", "600"));
        PushOptionQuotesRequest.Builder request = PushOptionQuotesRequest.newBuilder().setUnderlying("ALGO")
                .setQuoteSetId(SurfaceGrpcTest.newQuoteSetId())
                .addForwards(ExpiryForward.newBuilder().setExpiry(expiryCode(NEAR)).setForward(NEAR_FORWARD))
                .addForwards(ExpiryForward.newBuilder().setExpiry(expiryCode(FAR)).setForward(FAR_FORWARD));
        for (LocalDate expiry : List.of(NEAR, FAR)) {
            double forward = expiry.equals(NEAR) ? NEAR_FORWARD : FAR_FORWARD;
            for (int strike : STRIKES) {
                double vol = smileVol(Math.log(strike / forward));
                request.addQuotes(OptionQuote.newBuilder()
                        .setInstrument("ALGO-" + expiryCode(expiry) + "-" + strike + (strike < forward ? "-P" : "-C"))
                        .setBidVol(vol - HALF_SPREAD).setAskVol(vol + HALF_SPREAD));
            }
        }
        return stub().pushOptionQuotes(request.build()).getSurface();
    }
}
