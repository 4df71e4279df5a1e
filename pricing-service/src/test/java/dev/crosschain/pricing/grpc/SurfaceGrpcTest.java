package dev.crosschain.pricing.grpc;

import com.google.rpc.BadRequest;
import com.google.rpc.ErrorInfo;
import com.google.rpc.PreconditionFailure;
import dev.crosschain.pricing.domain.Black76;
import dev.crosschain.pricing.domain.OptionType;
import dev.crosschain.postgres.PostgresTestResource;
import dev.crosschain.proto.pricing.v1.ExpiryForward;
import dev.crosschain.proto.pricing.v1.GetMarksRequest;
import dev.crosschain.proto.pricing.v1.GetVolSurfaceRequest;
import dev.crosschain.proto.pricing.v1.Mark;
import dev.crosschain.proto.pricing.v1.OptionQuote;
import dev.crosschain.proto.pricing.v1.PricingServiceGrpc;
import dev.crosschain.proto.pricing.v1.PushOptionQuotesRequest;
import dev.crosschain.proto.pricing.v1.SviSlice;
import dev.crosschain.proto.pricing.v1.VolSource;
import dev.crosschain.proto.pricing.v1.VolSurface;
import dev.crosschain.proto.pricing.v1.WatchVolSurfacesRequest;
import dev.crosschain.proto.pricing.v1.WatchVolSurfacesResponse;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.function.Executable;

import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.UnaryOperator;

import static dev.crosschain.pricing.grpc.PricingGrpcServiceTest.DOMAIN;
import static dev.crosschain.pricing.grpc.PricingGrpcServiceTest.MILLIS_PER_YEAR;
import static dev.crosschain.pricing.grpc.PricingGrpcServiceTest.Watch;
import static dev.crosschain.pricing.grpc.PricingGrpcServiceTest.assertInvalid;
import static dev.crosschain.pricing.grpc.PricingGrpcServiceTest.catchStatus;
import static dev.crosschain.pricing.grpc.PricingGrpcServiceTest.channel;
import static dev.crosschain.pricing.grpc.PricingGrpcServiceTest.detail;
import static dev.crosschain.pricing.grpc.PricingGrpcServiceTest.expiryCode;
import static dev.crosschain.pricing.grpc.PricingGrpcServiceTest.push;
import static dev.crosschain.pricing.grpc.PricingGrpcServiceTest.quote;
import static dev.crosschain.pricing.grpc.PricingGrpcServiceTest.stub;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Option quotes, SVI fits and surfaces over gRPC. BNB (index 600) has a bootstrap surface in the
 * test profile and gets fitted; LINK has an index but no surface; KSM has neither.
 *
 * <p>Quotes come from a known smile: vol(k)^2 = A + B (RHO k + sqrt(k^2 + S^2)), k = ln(K/F),
 * the same for both expiries (so total variance grows with time), bid and ask a vol point apart.
 */
@QuarkusTest
@ExtendWith(PricingChannel.class)
@QuarkusTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = PostgresTestResource.REACTIVE, value = "true"))
class SurfaceGrpcTest {

    static final String FORWARD = "600";
    static final double F = 600.0;
    static final double ATM = 0.55;
    static final double B = 0.3;
    static final double RHO = -0.4;
    static final double S = 0.1;
    static final double HALF_SPREAD = 0.005;
    static final int[] STRIKES = {444, 491, 543, 600, 663, 733, 810};
    static final LocalDate NEAR = LocalDate.now(ZoneOffset.UTC).plusDays(30);
    static final LocalDate FAR = LocalDate.now(ZoneOffset.UTC).plusDays(90);

    @Test
    void anAcceptedFitReplacesTheBootstrapSurfaceAndMarksUseItsSkew() throws Exception {
        push(quote("BNB", "coinbase", FORWARD));
        VolSurface before = surface("BNB");
        try (Watch<WatchVolSurfacesResponse> watch = watchSurfaces("BNB")) {
            assertThat(watch.next().getSurfaces(0).getVersion()).isEqualTo(before.getVersion());

            VolSurface fitted = stub().pushOptionQuotes(smile(q -> q)).getSurface();
            assertThat(fitted.getVersion()).isEqualTo(before.getVersion() + 1);
            assertThat(fitted.getSource()).isEqualTo(VolSource.VOL_SOURCE_SURFACE);
            assertThat(fitted.getSlicesList()).extracting(SviSlice::getExpiry).containsExactly(expiryCode(NEAR), expiryCode(FAR));
            for (SviSlice slice : fitted.getSlicesList()) {
                assertThat(slice.getQuoteCount()).isEqualTo(STRIKES.length);
                assertThat(slice.getForward()).isEqualTo(F);
                assertThat(slice.getRmsVolError()).as("mids are fitted within the spread").isLessThan(HALF_SPREAD);
                assertThat(slice.getAtmVol()).isCloseTo(ATM, within(HALF_SPREAD));
            }
            assertThat(surface("BNB")).isEqualTo(fitted.toBuilder().clearAgeMs().build());
            assertThat(watch.next().getSurfaces(0).getVersion()).as("watchers hear of the fit").isEqualTo(fitted.getVersion());

            // Marks: an OTM put at 480 carries more vol than the ATM call, each at the surface vol of its strike.
            String put = "BNB-" + expiryCode(NEAR) + "-480-P";
            String atm = "BNB-" + expiryCode(NEAR) + "-600-C";
            List<Mark> marks = stub().getMarks(GetMarksRequest.newBuilder().addInstruments(put).addInstruments(atm).build()).getMarksList();
            for (Mark mark : marks) {
                assertThat(mark.getVolSource()).isEqualTo(VolSource.VOL_SOURCE_SURFACE);
                assertThat(mark.getSurfaceVersion()).isEqualTo(fitted.getVersion());
                assertThat(mark.getSurfaceAgeMs()).isBetween(0L, 60_000L);
            }
            SviSlice near = fitted.getSlices(0);
            assertThat(marks.get(0).getImpliedVol()).isGreaterThan(marks.get(1).getImpliedVol() + 0.01)
                    .isCloseTo(sliceVol(near, fitted, Math.log(480 / F)), within(1e-8));
            assertThat(marks.get(1).getImpliedVol()).isCloseTo(sliceVol(near, fitted, 0.0), within(1e-8));
        }
    }

    @Test
    void anArbitrageableSetIsRefusedWithEachViolationAndThePreviousSurfaceStays() {
        push(quote("BNB", "coinbase", FORWARD));
        stub().pushOptionQuotes(smile(q -> q));
        VolSurface before = surface("BNB");
        // The far expiry quoted at a fifth of the near one's vol: its total variance falls below the near one's.
        PushOptionQuotesRequest calendar = smile(q -> q.getInstrument().contains(expiryCode(FAR))
                ? q.toBuilder().setBidVol(q.getBidVol() / 5).setAskVol(q.getAskVol() / 5).build() : q);
        StatusRuntimeException e = catchStatus(() -> stub().pushOptionQuotes(calendar));
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
        ErrorInfo info = detail(e, ErrorInfo.class);
        assertThat(info.getReason()).isEqualTo("ARBITRAGEABLE_SURFACE");
        assertThat(info.getDomain()).isEqualTo(DOMAIN);
        PreconditionFailure failure = detail(e, PreconditionFailure.class);
        assertThat(failure.getViolationsList()).isNotEmpty().allSatisfy(v -> {
            assertThat(v.getType()).isEqualTo("CALENDAR");
            assertThat(v.getSubject()).isIn(expiryCode(NEAR), expiryCode(FAR));
            assertThat(v.getDescription()).isNotBlank();
        });
        assertThat(surface("BNB")).isEqualTo(before);
    }

    @Test
    void pricesAreConvertedToVolsAgainstTheirExpirysForward() {
        push(quote("BNB", "coinbase", FORWARD));
        double farForward = 610.0;
        long version = surface("BNB").getVersion();
        double nearYears = years(NEAR);
        double farYears = years(FAR);
        PushOptionQuotesRequest prices = smile(q -> {
            boolean far = q.getInstrument().contains(expiryCode(FAR));
            OptionType type = q.getInstrument().endsWith("-C") ? OptionType.CALL : OptionType.PUT;
            double strike = Double.parseDouble(q.getInstrument().split("-")[2]);
            double forward = far ? farForward : F;
            double t = far ? farYears : nearYears;
            double vol = smileVol(Math.log(strike / forward));
            return OptionQuote.newBuilder().setInstrument(q.getInstrument())
                    .setBidPrice(Black76.DEFAULT.price(type, forward, strike, t, vol - HALF_SPREAD, 0.0))
                    .setAskPrice(Black76.DEFAULT.price(type, forward, strike, t, vol + HALF_SPREAD, 0.0)).build();
        }).toBuilder().addForwards(ExpiryForward.newBuilder().setExpiry(expiryCode(FAR)).setForward(farForward)).build();
        VolSurface fitted = stub().pushOptionQuotes(prices).getSurface();
        assertThat(fitted.getVersion()).isEqualTo(version + 1);
        assertThat(fitted.getSlices(1).getForward()).isEqualTo(farForward);
        assertThat(fitted.getSlices(0).getForward()).isEqualTo(F);
        for (SviSlice slice : fitted.getSlicesList()) {
            assertThat(slice.getAtmVol()).isCloseTo(ATM, within(HALF_SPREAD));
        }
    }

    @Test
    void theBootstrapSurfaceIsServedUntilAFitAndAnUnderlyingWithNeitherHasNoSurface() {
        VolSurface eth = surface("ETH");
        assertThat(eth.getVersion()).isZero();
        assertThat(eth.getSource()).isEqualTo(VolSource.VOL_SOURCE_CONFIGURED);
        assertThat(eth.getSlicesList()).hasSize(1);
        assertThat(eth.getSlices(0).getAtmVol()).isCloseTo(0.75, within(1e-15));
        assertThat(eth.getSlices(0).getRho()).isEqualTo(-0.3);

        push(quote("LINK", "coinbase", "15"));
        assertNotFound(() -> surface("LINK"), "NO_SURFACE");
        assertNotFound(() -> stub().getMarks(GetMarksRequest.newBuilder().addInstruments("LINK-" + expiryCode(NEAR) + "-15-C").build()),
                "NO_SURFACE");
        assertInvalid(() -> surface("bnb"), "UNKNOWN_INSTRUMENT", "underlying");
        assertInvalid(() -> PricingServiceGrpc.newBlockingStub(channel())
                .watchVolSurfaces(WatchVolSurfacesRequest.newBuilder().addUnderlyings("BNB-PERPETUAL").build()).hasNext(),
                "UNKNOWN_INSTRUMENT", "underlyings[0]");
    }

    @Test
    void badQuoteSetsAreRefusedWithTheFieldAndChangeNothing() {
        push(quote("BNB", "coinbase", FORWARD));
        VolSurface before = surface("BNB");
        String near = "BNB-" + expiryCode(NEAR) + "-";
        String yesterday = expiryCode(LocalDate.now(ZoneOffset.UTC).minusDays(1));

        assertBad(smile(q -> q).toBuilder().setUnderlying("bnb").build(), "underlying");
        assertBad(PushOptionQuotesRequest.newBuilder().setUnderlying("BNB").setQuoteSetId(newQuoteSetId()).build(), "quotes");
        assertBad(replace(3, q -> q.toBuilder().setBidVol(0.6).setAskVol(0.5).build()), "quotes[3].bid_vol");
        assertBad(replace(0, q -> q.toBuilder().setBidVol(0.0).build()), "quotes[0].bid_vol");
        assertBad(replace(0, q -> q.toBuilder().setAskVol(5.5).build()), "quotes[0].ask_vol");
        assertBad(replace(0, q -> q.toBuilder().setAskVol(Double.NaN).build()), "quotes[0].ask_vol");
        assertBad(replace(2, q -> OptionQuote.newBuilder().setInstrument(q.getInstrument()).build()), "quotes[2]");
        assertBad(replace(1, q -> q.toBuilder().setBidPrice(20).build()), "quotes[1].bid_price");
        assertBad(replace(1, q -> q.toBuilder().clearBidVol().setBidPrice(-1).build()), "quotes[1].bid_price");
        assertBad(replace(1, q -> q.toBuilder().clearAskVol().setAskPrice(Double.POSITIVE_INFINITY).build()), "quotes[1].ask_price");
        assertBad(replace(0, q -> q.toBuilder().setInstrument("BNB-PERPETUAL").build()), "quotes[0].instrument");
        assertBad(replace(0, q -> q.toBuilder().setInstrument("ETH-" + expiryCode(NEAR) + "-444-P").build()), "quotes[0].instrument");
        assertBad(replace(0, q -> q.toBuilder().setInstrument("BNB-" + yesterday + "-444-P").build()), "quotes[0].instrument");
        assertBad(replace(0, q -> q.toBuilder().setInstrument("BNB-NOPE-1-P").build()), "quotes[0].instrument");
        assertBad(replace(6, q -> q.toBuilder().setInstrument(near + "444-P").build()), "quotes[6].instrument");
        // Each expiry needs five quotes: a third expiry with three is one too few twice over.
        String mid = "BNB-" + expiryCode(NEAR.plusDays(30)) + "-";
        assertBad(smile(q -> q).toBuilder()
                .addQuotes(OptionQuote.newBuilder().setInstrument(mid + "500-P").setBidVol(0.5).setAskVol(0.6))
                .addQuotes(OptionQuote.newBuilder().setInstrument(mid + "600-C").setBidVol(0.5).setAskVol(0.6))
                .addQuotes(OptionQuote.newBuilder().setInstrument(mid + "700-C").setBidVol(0.5).setAskVol(0.6)).build(), "quotes");
        assertBad(smile(q -> q).toBuilder().addForwards(ExpiryForward.newBuilder().setExpiry(expiryCode(NEAR)).setForward(0)).build(),
                "forwards[0].forward");
        assertBad(smile(q -> q).toBuilder().addForwards(ExpiryForward.newBuilder().setExpiry("27XYZ30").setForward(600)).build(),
                "forwards[0].expiry");
        assertBad(smile(q -> q).toBuilder().addForwards(ExpiryForward.newBuilder().setExpiry("27DEC30").setForward(600)).build(),
                "forwards[0].expiry");
        assertBad(smile(q -> q).toBuilder()
                .addForwards(ExpiryForward.newBuilder().setExpiry(expiryCode(NEAR)).setForward(600))
                .addForwards(ExpiryForward.newBuilder().setExpiry(expiryCode(NEAR)).setForward(601)).build(), "forwards[1].expiry");

        assertNotFound(() -> stub().pushOptionQuotes(smile(q -> q.toBuilder()
                .setInstrument(q.getInstrument().replace("BNB", "KSM")).build()).toBuilder().setUnderlying("KSM").build()), "NO_INDEX");
        assertThat(surface("BNB")).isEqualTo(before);
    }

    @Test
    void aPriceOutsideTheNoArbitrageBoundsIsRefusedWithTheBound() {
        push(quote("BNB", "coinbase", FORWARD));
        VolSurface before = surface("BNB");
        // A call is worth less than its forward: 650 > 600 has no vol.
        StatusRuntimeException e = assertInvalid(() -> stub().pushOptionQuotes(replace(3,
                        q -> q.toBuilder().clearBidVol().clearAskVol().setBidPrice(20).setAskPrice(650).build())),
                "PRICE_OUT_OF_BOUNDS", "quotes[3].ask_price");
        assertThat(detail(e, BadRequest.class).getFieldViolations(0).getDescription()).contains("650", "600.0");
        assertThat(surface("BNB")).isEqualTo(before);
    }

    // ---- helpers ----

    /** Vol of the test smile at k; at k = 0 exactly ATM. */
    static double smileVol(double k) {
        double a = ATM * ATM - B * S;
        return Math.sqrt(a + B * (RHO * k + Math.sqrt(k * k + S * S)));
    }

    /**
     * The full quote set of BNB (puts below the forward, calls from it), each quote passed through
     * {@code edit}, under a quote set id of its own: every call is a new push, not a replay.
     */
    static PushOptionQuotesRequest smile(UnaryOperator<OptionQuote> edit) {
        PushOptionQuotesRequest.Builder request = PushOptionQuotesRequest.newBuilder().setUnderlying("BNB")
                .setQuoteSetId(newQuoteSetId());
        for (LocalDate expiry : List.of(NEAR, FAR)) {
            for (int strike : STRIKES) {
                double vol = smileVol(Math.log(strike / F));
                String name = "BNB-" + expiryCode(expiry) + "-" + strike + (strike < F ? "-P" : "-C");
                request.addQuotes(edit.apply(OptionQuote.newBuilder().setInstrument(name)
                        .setBidVol(vol - HALF_SPREAD).setAskVol(vol + HALF_SPREAD).build()));
            }
        }
        return request.build();
    }

    /** A quote set id never used before in this test run. */
    static String newQuoteSetId() {
        return "test-" + UUID.randomUUID();
    }

    static PushOptionQuotesRequest replace(int index, UnaryOperator<OptionQuote> edit) {
        PushOptionQuotesRequest request = smile(q -> q);
        return request.toBuilder().setQuotes(index, edit.apply(request.getQuotes(index))).build();
    }

    /** The vol a slice keeps at k as time passes, from its wire parameters: sqrt(w(k) / T at the fit). */
    static double sliceVol(SviSlice slice, VolSurface surface, double k) {
        double x = k - slice.getM();
        double w = slice.getA() + slice.getB() * (slice.getRho() * x + Math.sqrt(x * x + slice.getSigma() * slice.getSigma()));
        double yearsAtFit = (slice.getExpiryUnixMs() - surface.getFittedAtUnixMs()) / MILLIS_PER_YEAR;
        return Math.sqrt(w / yearsAtFit);
    }

    static double years(LocalDate expiry) {
        return (PricingGrpcServiceTest.expiryOf(expiry).toEpochMilli() - System.currentTimeMillis()) / MILLIS_PER_YEAR;
    }

    static VolSurface surface(String underlying) {
        return stub().getVolSurface(GetVolSurfaceRequest.newBuilder().setUnderlying(underlying).build()).getSurface()
                .toBuilder().clearAgeMs().build();
    }

    static void assertBad(PushOptionQuotesRequest request, String... fields) {
        assertInvalid(() -> stub().pushOptionQuotes(request), "INVALID_OPTION_QUOTE", fields);
    }

    static void assertNotFound(Executable call, String reason) {
        StatusRuntimeException e = catchStatus(call);
        assertThat(e.getStatus().getCode()).as("status of %s", e).isEqualTo(Status.Code.NOT_FOUND);
        assertThat(detail(e, ErrorInfo.class).getReason()).isEqualTo(reason);
    }

    static Watch<WatchVolSurfacesResponse> watchSurfaces(String... underlyings) {
        Watch<WatchVolSurfacesResponse> watch = new Watch<>();
        PricingServiceGrpc.newStub(channel()).watchVolSurfaces(
                WatchVolSurfacesRequest.newBuilder().addAllUnderlyings(new ArrayList<>(List.of(underlyings))).build(), watch);
        return watch;
    }
}
