package dev.crosschain.pricing.grpc;

import com.google.rpc.ErrorInfo;
import dev.crosschain.pricing.app.PricingConfig;
import dev.crosschain.postgres.PostgresTestResource;
import dev.crosschain.proto.pricing.v1.GetIndexPricesRequest;
import dev.crosschain.proto.pricing.v1.IndexPrice;
import dev.crosschain.proto.pricing.v1.IndexQuote;
import dev.crosschain.proto.pricing.v1.PricingServiceGrpc;
import dev.crosschain.proto.pricing.v1.PushIndexPricesResponse;
import dev.crosschain.proto.pricing.v1.WatchIndexPricesRequest;
import dev.crosschain.proto.pricing.v1.WatchIndexPricesResponse;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.Locale;

import static dev.crosschain.pricing.grpc.PricingGrpcServiceTest.STREAM_PATIENCE_MS;
import static dev.crosschain.pricing.grpc.PricingGrpcServiceTest.Watch;
import static dev.crosschain.pricing.grpc.PricingGrpcServiceTest.assertInvalid;
import static dev.crosschain.pricing.grpc.PricingGrpcServiceTest.catchStatus;
import static dev.crosschain.pricing.grpc.PricingGrpcServiceTest.channel;
import static dev.crosschain.pricing.grpc.PricingGrpcServiceTest.detail;
import static dev.crosschain.pricing.grpc.PricingGrpcServiceTest.index;
import static dev.crosschain.pricing.grpc.PricingGrpcServiceTest.push;
import static dev.crosschain.pricing.grpc.PricingGrpcServiceTest.quote;
import static dev.crosschain.pricing.grpc.PricingGrpcServiceTest.stub;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * The multi-source index over gRPC: median and deviation filter, configured sources, staleness
 * judged when read, and WatchIndexPrices. Assets: LINK (several sources), AVAX (sources
 * restricted to binance, coinbase, kraken in the test profile), ADA (ages into staleness), ATOM
 * (watched).
 */
@QuarkusTest
@ExtendWith(PricingChannel.class)
@QuarkusTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = PostgresTestResource.REACTIVE, value = "true"))
class IndexGrpcTest {

    /**
     * How long a quote pushed to age out is still fresh: the time the test has to push it and see
     * it fresh on a new watch. Generous, so a loaded machine does not see it stale already.
     */
    static final long FRESH_FOR_MS = 10_000;

    @Inject
    PricingConfig config;

    @Test
    void theIndexIsTheMedianOfTheSourcesLeftAfterDroppingTheOneTooFarFromTheMedian() {
        // Median of 15.00, 15.10, 15.20, 17 = 15.15; 5% of it = 0.7575; 17 is 1.85 away: dropped.
        // The rest: median(15.00, 15.10, 15.20) = 15.10.
        PushIndexPricesResponse pushed = push(quote("LINK", "coinbase", "15.00"), quote("LINK", "kraken", "15.10"),
                quote("LINK", "binance", "15.20"), quote("LINK", "broken", "17"));
        assertThat(pushed.getIndicesList()).hasSize(1);
        IndexPrice link = pushed.getIndices(0);
        assertThat(link.getPrice()).isEqualTo("15.10");
        assertThat(link.getSourcesList()).containsExactly("binance", "coinbase", "kraken");
        assertThat(link.getDroppedSourcesList()).containsExactly("broken");
        assertThat(link.getStale()).isFalse();
        assertThat(index("LINK")).isEqualTo(link.toBuilder().clearAgeMs().build());

        // The broken source comes back in line: 4 sources, exact mean of the middle two.
        push(quote("LINK", "broken", "15.16"));
        IndexPrice healed = index("LINK");
        assertThat(healed.getPrice()).isEqualTo("15.13");
        assertThat(healed.getDroppedSourcesList()).isEmpty();
        assertThat(healed.getSourcesList()).containsExactly("binance", "broken", "coinbase", "kraken");
    }

    @Test
    void aSourceNotConfiguredForItsAssetIsRefusedAndChangesNothing() {
        push(quote("AVAX", "coinbase", "35.5"));
        IndexPrice before = index("AVAX");
        StatusRuntimeException e = assertInvalid(() -> push(quote("AVAX", "kraken", "35.6"), quote("AVAX", "pyth", "99")),
                "UNKNOWN_SOURCE", "quotes[1].source");
        assertThat(detail(e, com.google.rpc.BadRequest.class).getFieldViolations(0).getDescription())
                .contains("pyth", "binance", "coinbase", "kraken");
        assertThat(index("AVAX")).as("the good quote of the batch was not applied either").isEqualTo(before);
        // A malformed quote before the unknown source gives that quote's reason; both are named.
        assertInvalid(() -> push(quote("AVAX", "kraken", "-1"), quote("AVAX", "pyth", "99")),
                "INVALID_QUOTE", "quotes[0].price", "quotes[1].source");
        assertThat(push(quote("AVAX", "kraken", "35.7")).getIndices(0).getPrice()).isEqualTo("35.6");
    }

    @Test
    void anIndexTurnsStaleWhenItsLastSourceAgesOutWithoutAnyPushAndWatchersAreTold() throws Exception {
        long staleAfterMs = config.index().staleAfter().toMillis();
        long almostStale = System.currentTimeMillis() - staleAfterMs + FRESH_FOR_MS;
        push(IndexQuote.newBuilder().setAsset("ADA").setSource("kraken").setPrice("0.71").setObservedAtUnixMs(almostStale).build());
        try (Watch<WatchIndexPricesResponse> watch = watchIndex("ADA")) {
            IndexPrice first = watch.next().getIndices(0);
            assertThat(first.getStale()).as("seen within %d ms of the push", FRESH_FOR_MS).isFalse();
            assertThat(first.getPrice()).isEqualTo("0.71");
            // Nothing is pushed: the next message can only come from the index ageing out.
            IndexPrice next = watch.next(FRESH_FOR_MS + STREAM_PATIENCE_MS).getIndices(0);
            assertThat(next.getStale()).isTrue();
            assertThat(next.getPrice()).as("the last good price").isEqualTo("0.71");
            assertThat(next.getUpdatedAtUnixMs()).isEqualTo(almostStale);
            assertThat(next.getAgeMs()).isGreaterThan(staleAfterMs);
        }
        IndexPrice read = index("ADA");
        assertThat(read.getStale()).isTrue();
        assertThat(read.getSourcesList()).containsExactly("kraken");

        // A fresh quote makes it fresh again.
        push(quote("ADA", "coinbase", "0.72"));
        assertThat(index("ADA").getStale()).isFalse();
        assertThat(index("ADA").getPrice()).isEqualTo("0.72");
    }

    @Test
    void watchIndexPricesSendsTheCurrentIndexFirstThenEachChangeConflated() throws Exception {
        push(quote("ATOM", "coinbase", "8.00"));
        try (Watch<WatchIndexPricesResponse> watch = watchIndex("ATOM")) {
            WatchIndexPricesResponse first = watch.next();
            assertThat(first.getIndicesList()).extracting(IndexPrice::getAsset).containsExactly("ATOM");
            assertThat(first.getIndices(0).getPrice()).isEqualTo("8.00");

            push(quote("LTC", "coinbase", "90"));
            push(quote("ATOM", "coinbase", "8.01"));
            WatchIndexPricesResponse second = watch.next();
            assertThat(second.getIndicesList()).as("only the watched asset").extracting(IndexPrice::getAsset).containsExactly("ATOM");
            assertThat(second.getIndices(0).getPrice()).isEqualTo("8.01");

            int pushes = 30;
            for (int i = 1; i <= pushes; i++) {
                push(quote("ATOM", "coinbase", "9." + String.format(Locale.ROOT, "%02d", i)));
            }
            String newest = "9." + pushes;
            long deadline = System.currentTimeMillis() + STREAM_PATIENCE_MS;
            String seen = "";
            while (!seen.equals(newest)) {
                long left = deadline - System.currentTimeMillis();
                if (left <= 0) {
                    fail("the stream never delivered the newest index " + newest + ", last seen " + seen);
                }
                seen = watch.next(left).getIndices(0).getPrice();
            }
        }
    }

    @Test
    void watchingEveryAssetStartsWithAllOfThemAndHearsOfAnAssetFirstPushedLater() throws Exception {
        push(quote("ATOM", "coinbase", "8.5"));
        try (Watch<WatchIndexPricesResponse> watch = watchIndex()) {
            assertThat(watch.next().getIndicesList()).extracting(IndexPrice::getAsset).contains("ATOM");
            push(quote("ICP", "coinbase", "12.25"));
            IndexPrice icp = watch.next().getIndicesList().stream().filter(i -> i.getAsset().equals("ICP")).findFirst()
                    .orElseThrow(() -> new AssertionError("ICP not announced"));
            assertThat(icp.getPrice()).isEqualTo("12.25");
        }
    }

    @Test
    void badAssetNamesFailTheWatchWithInvalidArgument() {
        assertInvalid(() -> PricingServiceGrpc.newBlockingStub(channel())
                        .watchIndexPrices(WatchIndexPricesRequest.newBuilder().addAssets("ATOM").addAssets("atom").build()).hasNext(),
                "UNKNOWN_INSTRUMENT", "assets[1]");
        StatusRuntimeException e = catchStatus(() -> stub().getIndexPrices(GetIndexPricesRequest.newBuilder().addAssets("NEAR").build()));
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
        assertThat(detail(e, ErrorInfo.class).getReason()).isEqualTo("NO_INDEX");
    }

    static Watch<WatchIndexPricesResponse> watchIndex(String... assets) {
        Watch<WatchIndexPricesResponse> watch = new Watch<>();
        PricingServiceGrpc.newStub(channel()).watchIndexPrices(
                WatchIndexPricesRequest.newBuilder().addAllAssets(List.of(assets)).build(), watch);
        return watch;
    }
}
