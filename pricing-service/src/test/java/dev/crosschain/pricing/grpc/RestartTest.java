package dev.crosschain.pricing.grpc;

import dev.crosschain.pricing.app.MarketState;
import dev.crosschain.pricing.app.PricingConfig;
import dev.crosschain.pricing.domain.MarkCalculator;
import dev.crosschain.pricing.domain.MarketSnapshot;
import dev.crosschain.pricing.domain.SviSlice;
import dev.crosschain.pricing.domain.VolSurface;
import dev.crosschain.pricing.store.MarketStore;
import dev.crosschain.postgres.PostgresTestResource;
import dev.crosschain.proto.pricing.v1.IndexQuote;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.vertx.VertxContextSupport;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.stream.Collectors;

import static dev.crosschain.pricing.grpc.PricingGrpcServiceTest.push;
import static dev.crosschain.pricing.grpc.PricingGrpcServiceTest.quote;
import static dev.crosschain.pricing.grpc.PricingGrpcServiceTest.stub;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A restarted replica serves the last state at once: a market state built anew from nothing but
 * the database equals the one this replica built from its writes, the bases of expiries included.
 * Assets FIL and XLM.
 */
@QuarkusTest
@ExtendWith(PricingChannel.class)
@QuarkusTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = PostgresTestResource.REACTIVE, value = "true"))
class RestartTest {

    @Inject
    MarketState live;

    @Inject
    MarketStore store;

    @Inject
    PricingConfig config;

    @Test
    void aStateLoadedFromTheDatabaseServesTheSameIndicesAndSurfacesWithTheirAge() throws Throwable {
        // A fitted surface of its own, so the comparison below has one whatever other classes stored.
        push(quote("BNB", "coinbase", SurfaceGrpcTest.FORWARD));
        long fittedVersion = stub().pushOptionQuotes(SurfaceGrpcTest.smile(q -> q)).getSurface().getVersion();
        ForwardsGrpcTest.pushWithBasis();
        // Median 0.111, 5% of it 0.00555: 0.5 is dropped, the index is (0.110 + 0.111) / 2.
        push(quote("XLM", "coinbase", "0.110"), quote("XLM", "kraken", "0.111"), quote("XLM", "bitstamp", "0.5"));
        long longAgo = System.currentTimeMillis() - 300_000;
        push(IndexQuote.newBuilder().setAsset("FIL").setSource("kraken").setPrice("4.2").setObservedAtUnixMs(longAgo).build());

        MarketState restarted = new MarketState(config);
        restarted.load(VertxContextSupport.subscribeAndAwait(store::loadAll));

        Instant now = Instant.now();
        MarketSnapshot before = live.snapshot(now);
        MarketSnapshot after = restarted.snapshot(now);
        assertThat(after.indices()).isEqualTo(before.indices());
        assertThat(fitted(after)).isEqualTo(fitted(before));
        assertThat(fitted(after).get("BNB").version()).isEqualTo(fittedVersion);
        Instant far = PricingGrpcServiceTest.expiryOf(SurfaceGrpcTest.FAR);
        assertThat(fitted(after).get("ALGO").slices().get(1).indexAtFit()).isEqualTo(ForwardsGrpcTest.INDEX);
        SviSlice farSlice = fitted(after).get("ALGO").slices().get(1);
        assertThat(after.basis("ALGO", far, now)).isEqualTo(before.basis("ALGO", far, now))
                .isCloseTo(Math.pow(ForwardsGrpcTest.FAR_FORWARD / ForwardsGrpcTest.INDEX,
                        // The surface counts time in whole milliseconds.
                        MarkCalculator.yearsUntil(far, now.truncatedTo(ChronoUnit.MILLIS)) / farSlice.years()),
                        org.assertj.core.api.Assertions.within(1e-15));

        assertThat(after.index("XLM").price()).isEqualByComparingTo("0.1105");
        assertThat(after.index("XLM").droppedSources()).containsExactly("bitstamp");
        assertThat(after.index("FIL").stale()).isTrue();
        assertThat(after.index("FIL").price()).isEqualByComparingTo("4.2");
        assertThat(after.index("FIL").age(now)).isGreaterThanOrEqualTo(Duration.ofMinutes(5));
    }

    static Map<String, VolSurface> fitted(MarketSnapshot market) {
        return market.surfaces().entrySet().stream().filter(e -> !e.getValue().configured())
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
    }
}
