package dev.crosschain.pricing.grpc;

import com.google.rpc.BadRequest;
import com.google.rpc.ErrorInfo;
import com.google.rpc.PreconditionFailure;
import dev.crosschain.postgres.PostgresTestResource;
import dev.crosschain.proto.pricing.v1.ExpiryForward;
import dev.crosschain.proto.pricing.v1.IndexQuote;
import dev.crosschain.proto.pricing.v1.PushOptionQuotesRequest;
import dev.crosschain.proto.pricing.v1.VolSurface;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static dev.crosschain.pricing.grpc.PricingGrpcServiceTest.DOMAIN;
import static dev.crosschain.pricing.grpc.PricingGrpcServiceTest.assertInvalid;
import static dev.crosschain.pricing.grpc.PricingGrpcServiceTest.catchStatus;
import static dev.crosschain.pricing.grpc.PricingGrpcServiceTest.detail;
import static dev.crosschain.pricing.grpc.PricingGrpcServiceTest.expiryCode;
import static dev.crosschain.pricing.grpc.PricingGrpcServiceTest.push;
import static dev.crosschain.pricing.grpc.PricingGrpcServiceTest.quote;
import static dev.crosschain.pricing.grpc.PricingGrpcServiceTest.stub;
import static dev.crosschain.pricing.grpc.SurfaceGrpcTest.FAR;
import static dev.crosschain.pricing.grpc.SurfaceGrpcTest.NEAR;
import static dev.crosschain.pricing.grpc.SurfaceGrpcTest.smile;
import static dev.crosschain.pricing.grpc.SurfaceGrpcTest.surface;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Pushed forwards are bounded around a fresh index: |ln(F / index)| <= 1.0 x T + 0.02 (the
 * defaults), and none at all over a stale index. Refused pushes store nothing.
 */
@QuarkusTest
@ExtendWith(PricingChannel.class)
@QuarkusTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = PostgresTestResource.REACTIVE, value = "true"))
class ForwardBoundsGrpcTest {

    @Test
    void aFatFingeredForwardIsRefusedWithItsAllowedRange() {
        push(quote("BNB", "coinbase", SurfaceGrpcTest.FORWARD));
        VolSurface before = surface("BNB");

        // Ten times the index, on the near expiry (30 days: at most exp(1.0 x 0.082 + 0.02) = 1.108 x 600).
        StatusRuntimeException e = assertInvalid(() -> stub().pushOptionQuotes(smile(q -> q).toBuilder()
                        .addForwards(forward(FAR, 610))
                        .addForwards(forward(NEAR, 6000)).build()),
                "INVALID_OPTION_QUOTE", "forwards[1].forward");
        assertThat(detail(e, BadRequest.class).getFieldViolations(0).getDescription())
                .contains("6000", expiryCode(NEAR), "allowed range [54", ", 66", "index 600");
        // Just below the index by more than the band for an expiry about to come: the bound shrinks with T.
        assertInvalid(() -> stub().pushOptionQuotes(smile(q -> q).toBuilder().addForwards(forward(NEAR, 520)).build()),
                "INVALID_OPTION_QUOTE", "forwards[0].forward");
        assertThat(surface("BNB")).isEqualTo(before);

        // Inside the range it is accepted.
        VolSurface fitted = stub().pushOptionQuotes(smile(q -> q).toBuilder().addForwards(forward(NEAR, 630)).build()).getSurface();
        assertThat(fitted.getVersion()).isGreaterThan(before.getVersion());
        assertThat(fitted.getSlices(0).getForward()).isEqualTo(630);
    }

    @Test
    void forwardsOverAStaleIndexAreRefusedAndNothingIsStored() {
        long fiveMinutesAgo = System.currentTimeMillis() - 300_000;
        push(IndexQuote.newBuilder().setAsset("XTZ").setSource("kraken").setPrice("600").setObservedAtUnixMs(fiveMinutesAgo).build());
        VolSurface before = surface("XTZ");
        PushOptionQuotesRequest xtz = onXtz(smile(q -> q).toBuilder().addForwards(forward(NEAR, 603)).build());

        StatusRuntimeException e = catchStatus(() -> stub().pushOptionQuotes(xtz));

        assertThat(e.getStatus().getCode()).as("status of %s", e).isEqualTo(Status.Code.FAILED_PRECONDITION);
        ErrorInfo info = detail(e, ErrorInfo.class);
        assertThat(info.getReason()).isEqualTo("INDEX_STALE");
        assertThat(info.getDomain()).isEqualTo(DOMAIN);
        PreconditionFailure.Violation violation = detail(e, PreconditionFailure.class).getViolations(0);
        assertThat(violation.getType()).isEqualTo("INDEX_STALE");
        assertThat(violation.getSubject()).isEqualTo("XTZ");
        assertThat(violation.getDescription()).contains("stale");
        assertThat(surface("XTZ")).isEqualTo(before);
        assertThat(before.getVersion()).as("still the bootstrap surface").isZero();
    }

    /** The BNB quote set of SurfaceGrpcTest moved to XTZ. */
    private static PushOptionQuotesRequest onXtz(PushOptionQuotesRequest bnb) {
        PushOptionQuotesRequest.Builder xtz = bnb.toBuilder().setUnderlying("XTZ");
        for (int i = 0; i < xtz.getQuotesCount(); i++) {
            xtz.setQuotes(i, xtz.getQuotes(i).toBuilder().setInstrument(xtz.getQuotes(i).getInstrument().replace("BNB", "XTZ")));
        }
        return xtz.build();
    }

    private static ExpiryForward forward(java.time.LocalDate expiry, double forward) {
        return ExpiryForward.newBuilder().setExpiry(expiryCode(expiry)).setForward(forward).build();
    }
}
