package dev.crosschain.pricing.grpc;

import dev.crosschain.postgres.PostgresTestResource;
import dev.crosschain.proto.pricing.v1.PricingServiceGrpc;
import dev.crosschain.proto.pricing.v1.WatchIndexPricesRequest;
import dev.crosschain.proto.pricing.v1.WatchIndexPricesResponse;
import dev.crosschain.proto.pricing.v1.WatchMarksRequest;
import dev.crosschain.proto.pricing.v1.WatchMarksResponse;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import static dev.crosschain.pricing.grpc.PricingGrpcServiceTest.GRPC_TEST_PORT;
import static dev.crosschain.pricing.grpc.PricingGrpcServiceTest.STREAM_PATIENCE_MS;
import static dev.crosschain.pricing.grpc.PricingGrpcServiceTest.Watch;
import static dev.crosschain.pricing.grpc.PricingGrpcServiceTest.push;
import static dev.crosschain.pricing.grpc.PricingGrpcServiceTest.quote;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * The watches are conflated: a client that stops reading costs the server at most a message and
 * later gets the newest state, while a client that reads promptly sees every change. The slow
 * client is plain grpc-java with manual flow control and a tiny receive window, so that what it
 * receives after reading again is what the server had queued for it plus the newest state.
 * Assets: SUI (slow client), APT (prompt client), never pushed by other tests.
 */
@QuarkusTest
@ExtendWith(PricingChannel.class)
@QuarkusTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = PostgresTestResource.REACTIVE, value = "true"))
class WatchConflationTest {

    static final String SLOW = "SUI";
    static final String PROMPT = "APT";
    static final int PUSHES = 1_000;
    /** HTTP/2 receive window of the slow client's streams: a few small messages at most. */
    static final int CLIENT_WINDOW_BYTES = 64;
    /** gRPC's length-prefixed framing: compression flag and length. */
    static final int GRPC_FRAME_HEADER_BYTES = 5;

    @Test
    void aClientThatStopsReadingGetsTheNewestStateNotABacklogAndNeverHoldsPushesBack() throws Exception {
        push(quote(SLOW, "coinbase", price(0)));
        ManagedChannel tight = NettyChannelBuilder.forAddress("localhost", GRPC_TEST_PORT).usePlaintext()
                .flowControlWindow(CLIENT_WINDOW_BYTES).build();
        try (SlowWatch<WatchIndexPricesResponse> index = new SlowWatch<>();
             SlowWatch<WatchMarksResponse> marks = new SlowWatch<>()) {
            PricingServiceGrpc.newStub(tight).watchIndexPrices(WatchIndexPricesRequest.newBuilder().addAssets(SLOW).build(), index);
            PricingServiceGrpc.newStub(tight).watchMarks(WatchMarksRequest.newBuilder().addInstruments(SLOW + "-PERPETUAL").build(), marks);
            assertThat(index.next().getIndices(0).getPrice()).as("the current index first").isEqualTo(price(0));
            assertThat(marks.next().getMarks(0).getMarkPrice()).as("the current mark first").isEqualTo(price(0));

            // Neither client asks for more: every push must still complete (each waits for its commit only).
            long started = System.nanoTime();
            for (int i = 1; i <= PUSHES; i++) {
                push(quote(SLOW, "coinbase", price(i)));
            }
            System.out.printf("%d pushes with two stalled watchers took %d ms%n", PUSHES, (System.nanoTime() - started) / 1_000_000);

            String newest = price(PUSHES);
            index.requestAll();
            marks.requestAll();
            List<WatchIndexPricesResponse> indexAfter = index.until(r -> r.getIndices(0).getPrice(), newest);
            List<WatchMarksResponse> marksAfter = marks.until(r -> r.getMarks(0).getMarkPrice(), newest);
            System.out.printf("after %d pushes the stalled clients received %d index and %d mark messages%n",
                    PUSHES, indexAfter.size(), marksAfter.size());

            // What can reach the client after it stalled: the messages its window let in (the last
            // perhaps in part), one more queued on the server (the call is ready only when nothing
            // is queued), then the newest state once it reads. A message is at least its frame
            // header, the asset and the price.
            int smallest = GRPC_FRAME_HEADER_BYTES + SLOW.length() + newest.length();
            int bound = CLIENT_WINDOW_BYTES / smallest + 1 + 1 + 1;
            assertThat(indexAfter).as("index messages after %d pushes", PUSHES).hasSizeLessThanOrEqualTo(bound);
            assertThat(marksAfter).as("mark messages after %d pushes", PUSHES).hasSizeLessThanOrEqualTo(bound);
        } finally {
            tight.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void aClientThatReadsPromptlyGetsTheCurrentStateFirstThenEveryChange() throws Exception {
        push(quote(PROMPT, "coinbase", price(0)));
        try (Watch<WatchIndexPricesResponse> index = IndexGrpcTest.watchIndex(PROMPT);
             Watch<WatchMarksResponse> marks = PricingGrpcServiceTest.watch(PROMPT + "-PERPETUAL")) {
            assertThat(index.next().getIndices(0).getPrice()).isEqualTo(price(0));
            assertThat(marks.next().getMarks(0).getMarkPrice()).isEqualTo(price(0));
            for (int i = 1; i <= 50; i++) {
                push(quote(PROMPT, "coinbase", price(i)));
                assertThat(index.next().getIndices(0).getPrice()).as("index after push %d", i).isEqualTo(price(i));
                assertThat(marks.next().getMarks(0).getMarkPrice()).as("mark after push %d", i).isEqualTo(price(i));
            }
        }
    }

    /** Prices of the same length, so that every message of a stream has about the same size. */
    static String price(int i) {
        return Integer.toString(10_000 + i);
    }

    /** A server stream read only when the test asks: one message at first, then as requested. */
    static final class SlowWatch<T> implements ClientResponseObserver<Object, T>, AutoCloseable {
        private final BlockingQueue<Object> events = new LinkedBlockingQueue<>();
        private volatile ClientCallStreamObserver<Object> call;

        @Override
        public void beforeStart(ClientCallStreamObserver<Object> requestStream) {
            call = requestStream;
            requestStream.disableAutoRequestWithInitial(1);
        }

        @Override
        public void onNext(T value) {
            events.add(value);
        }

        @Override
        public void onError(Throwable t) {
            events.add(t);
        }

        @Override
        public void onCompleted() {
            events.add("completed");
        }

        void requestAll() {
            call.request(Integer.MAX_VALUE);
        }

        @SuppressWarnings("unchecked")
        T next() throws InterruptedException {
            Object event = events.poll(STREAM_PATIENCE_MS, TimeUnit.MILLISECONDS);
            if (event instanceof Throwable t) {
                return fail("the stream failed", t);
            }
            if (event == null || event.equals("completed")) {
                return fail("expected a message within " + STREAM_PATIENCE_MS + " ms, got " + event);
            }
            return (T) event;
        }

        /** The messages received up to the first whose {@code field} is {@code value}, that one included. */
        List<T> until(Function<T, String> field, String value) throws InterruptedException {
            List<T> received = new ArrayList<>();
            String seen = null;
            while (!value.equals(seen)) {
                T message = next();
                received.add(message);
                seen = field.apply(message);
            }
            return received;
        }

        @Override
        public void close() {
            if (call != null) {
                call.cancel("test done", null);
            }
        }
    }
}
