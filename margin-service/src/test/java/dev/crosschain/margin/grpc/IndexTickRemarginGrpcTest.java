package dev.crosschain.margin.grpc;

import dev.crosschain.postgres.PostgresTestResource;
import io.grpc.Status;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The re-margin loop's index trigger as deployed (margin.remargin.on-index-tick=true) with a one-hour timer, so only
 * index moves ask passes. Its own Quarkus start (and fresh database) reaches its own fake upstream on
 * {@link #PORT}: the default profile's classes hold {@link FakeUpstream#PORT} from another class loader.
 */
@QuarkusTest
@QuarkusTestResource(PostgresTestResource.class)
@TestProfile(IndexTickRemarginGrpcTest.OnIndexTick.class)
class IndexTickRemarginGrpcTest {

    static final int PORT = 19195; // not 19194: liquidation-service's fake upstream holds that one
    private static final Duration AWAIT = Duration.ofSeconds(30);

    public static class OnIndexTick implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("margin.remargin.on-index-tick", "true", "margin.remargin.interval", "1h",
                    "quarkus.grpc.clients.pricing.test-port", String.valueOf(PORT),
                    "quarkus.grpc.clients.collateral.test-port", String.valueOf(PORT));
        }
    }

    static FakeUpstream upstream;

    @Inject
    MeterRegistry meters;

    @BeforeAll
    static void start() {
        upstream = FakeUpstream.on(PORT);
    }

    @AfterAll
    static void stop() {
        upstream.stop();
    }

    private long passes() {
        Timer pass = meters.find("margin.remargin.pass").timer();
        return pass == null ? 0 : pass.count();
    }

    @Test
    void anIndexMoveAsksAPassAndAFailedStreamIsSubscribedAgain() {
        // the service subscribed at start; this server may have come up after its first attempt (then retried in 1 s)
        awaitAtLeast(upstream.pricing.indexWatches::get, 1, "a WatchIndexPrices subscription");
        awaitAtLeast(this::passes, 1, "the pass asked by the stream's first response (every index now)");
        long before = passes();

        upstream.pricing.pushIndex("BTC", "50000");
        awaitAtLeast(this::passes, before + 1, "a pass asked by the index move");

        int watches = upstream.pricing.indexWatches.get();
        long beforeFailure = passes();
        upstream.pricing.failIndexWatchers(Status.UNAVAILABLE.withDescription("pricing restarting"));
        awaitAtLeast(upstream.pricing.indexWatches::get, watches + 1, "a subscription again after the stream failed");
        awaitAtLeast(this::passes, beforeFailure + 1, "the pass asked by the new stream's first response");
        long resubscribed = passes();
        upstream.pricing.pushIndex("BTC", "49000");
        awaitAtLeast(this::passes, resubscribed + 1, "a pass asked by a move on the new subscription");
    }

    /** Waits until {@code value} reaches {@code least}; fails after {@link #AWAIT}. */
    private static void awaitAtLeast(LongSupplier value, long least, String what) {
        long deadline = System.nanoTime() + AWAIT.toNanos();
        while (value.getAsLong() < least) {
            assertThat(System.nanoTime()).as("awaiting " + what + ": " + value.getAsLong() + " < " + least).isLessThan(deadline);
            LockSupport.parkNanos(10_000_000L);
        }
    }
}
