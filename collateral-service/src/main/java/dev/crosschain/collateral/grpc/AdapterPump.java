package dev.crosschain.collateral.grpc;

import dev.crosschain.proto.collateral.v1.ConnectAdapterRequest;
import dev.crosschain.proto.collateral.v1.ConnectAdapterResponse;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.smallrye.mutiny.subscription.MultiEmitter;
import java.util.concurrent.Flow.Subscription;

import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Group commit of an adapter stream: the requests that arrived while the previous batch was being applied are
 * taken together (at most {@link #MAX_BATCH}, without waiting for more: an idle stream adds no latency) and handed
 * to the handler as one batch on a worker thread; its answers are emitted in order before the next batch starts.
 * The handler's failure fails the stream after the answers it passed on before failing. At most 2 x MAX_BATCH requests are
 * asked of the client ahead of their answers.
 */
final class AdapterPump {

    static final int MAX_BATCH = 256;

    /** Handles one batch, passing each answer to the consumer once it may leave (after its commit). */
    interface Handler {
        void handle(List<ConnectAdapterRequest> batch, Consumer<ConnectAdapterResponse> answer);
    }

    private final Handler handler;
    private final Queue<ConnectAdapterRequest> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger work = new AtomicInteger();
    private volatile MultiEmitter<? super ConnectAdapterResponse> emitter;
    private volatile Subscription upstream;
    private volatile boolean upstreamDone;
    private volatile Throwable upstreamFailure;
    private volatile boolean stopped;

    private AdapterPump(Handler handler) {
        this.handler = handler;
    }

    /** The answers to {@code requests}, each batch of queued requests handled by {@code handler} in one call. */
    static Multi<ConnectAdapterResponse> answers(Multi<ConnectAdapterRequest> requests,
                                                 Handler handler) {
        return Multi.createFrom().emitter(emitter -> {
            AdapterPump pump = new AdapterPump(handler);
            pump.emitter = emitter;
            emitter.onTermination(pump::stop);
            requests.subscribe().with(subscription -> {
                pump.upstream = subscription;
                if (pump.stopped) {
                    subscription.cancel();
                } else {
                    subscription.request(2L * MAX_BATCH);
                }
            }, request -> {
                pump.queue.add(request);
                pump.signal();
            }, failure -> {
                pump.upstreamFailure = failure;
                pump.upstreamDone = true;
                pump.signal();
            }, () -> {
                pump.upstreamDone = true;
                pump.signal();
            });
        });
    }

    private void stop() {
        stopped = true;
        Subscription s = upstream;
        if (s != null) {
            s.cancel();
        }
    }

    /** Something arrived: drain on a worker thread unless a drain is running (it will see it). */
    private void signal() {
        if (work.getAndIncrement() == 0) {
            Infrastructure.getDefaultWorkerPool().execute(this::drain);
        }
    }

    private void drain() {
        int missed = 1;
        while (true) {
            if (stopped) {
                queue.clear();
                return;
            }
            List<ConnectAdapterRequest> batch = new ArrayList<>();
            ConnectAdapterRequest next;
            while (batch.size() < MAX_BATCH && (next = queue.poll()) != null) {
                batch.add(next);
            }
            if (!batch.isEmpty()) {
                try {
                    handler.handle(batch, emitter::emit);
                } catch (RuntimeException e) {
                    stop();
                    emitter.fail(e);
                    return;
                }
                upstream.request(batch.size());
                continue; // more may have queued meanwhile
            }
            if (upstreamDone) {
                stopped = true;
                Throwable failure = upstreamFailure;
                if (failure != null) {
                    emitter.fail(failure);
                } else {
                    emitter.complete();
                }
                return;
            }
            missed = work.addAndGet(-missed);
            if (missed == 0) {
                return;
            }
        }
    }
}
