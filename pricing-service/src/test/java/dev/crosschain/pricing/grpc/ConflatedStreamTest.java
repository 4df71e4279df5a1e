package dev.crosschain.pricing.grpc;

import io.grpc.Context;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.Status;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.helpers.test.AssertSubscriber;
import io.smallrye.mutiny.operators.multi.processors.BroadcastProcessor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link ConflatedStream} against a fake call whose readiness the test sets, the test thread
 * playing the writer that announces changes. The real transport is in {@link WatchConflationTest}.
 */
class ConflatedStreamTest {

    static final Duration PATIENCE = Duration.ofSeconds(10);
    static final int CHANGES = 2_000;

    /** Not Quarkus's pool: this test runs outside the application, perhaps after it stopped. */
    private static final ExecutorService WORKERS = Executors.newFixedThreadPool(2);

    private final FakeCall call = new FakeCall();
    private final CallReadiness readiness = new CallReadiness(call);
    private final BroadcastProcessor<Set<String>> changes = BroadcastProcessor.create();
    private final CountDownLatch unsubscribed = new CountDownLatch(1);
    private final AtomicInteger reads = new AtomicInteger();
    private final List<Thread> readers = new CopyOnWriteArrayList<>();
    private volatile int version;

    @AfterAll
    static void stopWorkers() {
        WORKERS.shutdownNow();
    }

    @Test
    void whileTheCallIsNotReadyChangesOnlyMarkTheStreamThenOneMessageCarriesTheNewest() throws Exception {
        AssertSubscriber<String> client = open(this::read).subscribe().withSubscriber(AssertSubscriber.create(Long.MAX_VALUE));
        client.awaitItems(1, PATIENCE);
        assertThat(client.getItems()).containsExactly("v0");

        for (int i = 1; i <= CHANGES; i++) {
            version = i;
            changes.onNext(Set.of("SUI"));
            changes.onNext(Set.of("APT"));
        }
        assertThat(reads).as("nothing is built while the call cannot take it").hasValue(1);
        assertThat(client.getItems()).hasSize(1);

        call.ready = true;
        readiness.ready();
        client.awaitItems(2, PATIENCE);
        assertThat(client.getItems()).containsExactly("v0", "v" + CHANGES);
        assertThat(reads).hasValue(2);
        assertThat(readers).as("never built on the writer's thread").doesNotContain(Thread.currentThread());
    }

    @Test
    void aChangeDuringTheFirstReadIsNotMissed() {
        Supplier<String> racing = () -> {
            String value = read();
            if (value.equals("v0")) {
                // A write lands while the current state is being read.
                version = 1;
                changes.onNext(Set.of("SUI"));
            }
            return value;
        };
        AssertSubscriber<String> client = open(racing).subscribe().withSubscriber(AssertSubscriber.create(Long.MAX_VALUE));
        client.awaitItems(1, PATIENCE);
        call.ready = true;
        readiness.ready();
        client.awaitItems(2, PATIENCE);
        assertThat(client.getItems()).containsExactly("v0", "v1");
    }

    @Test
    void aCancelledSubscriptionStopsListeningToChanges() throws Exception {
        AssertSubscriber<String> client = open(this::read).subscribe().withSubscriber(AssertSubscriber.create(Long.MAX_VALUE));
        client.awaitItems(1, PATIENCE);
        client.cancel();
        assertThat(unsubscribed.await(PATIENCE.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
    }

    @Test
    void aClosedCallStopsListeningToChanges() throws Exception {
        AssertSubscriber<String> client = open(this::read).subscribe().withSubscriber(AssertSubscriber.create(Long.MAX_VALUE));
        client.awaitItems(1, PATIENCE);
        readiness.closed();
        assertThat(unsubscribed.await(PATIENCE.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
        call.ready = true;
        changes.onNext(Set.of("SUI"));
        assertThat(reads).hasValue(1);
    }

    @Test
    void theStreamAsksTheCallToBeReadyOnlyWhenNothingIsQueued() {
        open(this::read);
        assertThat(call.onReadyThreshold).isEqualTo(1);
    }

    private String read() {
        reads.incrementAndGet();
        readers.add(Thread.currentThread());
        return "v" + version;
    }

    /** Opened as the service method does: in the call's context. Each message fills the transport, as one does with a 1-byte threshold. */
    private Multi<String> open(Supplier<String> newest) {
        call.ready = true;
        Multi<Set<String>> observed = changes.onCancellation().invoke(unsubscribed::countDown);
        try {
            return Context.current().withValue(CallReadiness.KEY, readiness)
                    .call(() -> ConflatedStream.open(observed, "SUI"::equals, newest, WORKERS))
                    .invoke(sent -> call.ready = false);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static final class FakeCall extends ServerCall<Object, Object> {
        volatile boolean ready;
        volatile int onReadyThreshold;

        @Override
        public boolean isReady() {
            return ready;
        }

        @Override
        public void setOnReadyThreshold(int numBytes) {
            onReadyThreshold = numBytes;
        }

        @Override
        public void request(int numMessages) {
        }

        @Override
        public void sendHeaders(Metadata headers) {
        }

        @Override
        public void sendMessage(Object message) {
        }

        @Override
        public void close(Status status, Metadata trailers) {
        }

        @Override
        public boolean isCancelled() {
            return false;
        }

        @Override
        public MethodDescriptor<Object, Object> getMethodDescriptor() {
            throw new UnsupportedOperationException();
        }
    }
}
