package dev.crosschain.pricing.grpc;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.smallrye.mutiny.subscription.BackPressureStrategy;
import io.smallrye.mutiny.subscription.Cancellable;
import io.smallrye.mutiny.subscription.MultiEmitter;

import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * A server stream of the newest state, never a backlog: a change only marks the stream dirty (on
 * the writer's thread, O(1)); the message is built from the newest state on a worker, and only
 * when the call can take it without queueing. A client that does not read holds at most one
 * message on the server, whatever the rate of changes, and the service never waits for it.
 *
 * @param <R> the message
 */
final class ConflatedStream<R> {

    private final CallReadiness call;
    /** The message to send now, or null when there is nothing new to say; called by one drain at a time. */
    private final Supplier<R> newest;
    private final MultiEmitter<? super R> emitter;
    private final Executor workers;
    /** True at start: the first message is the current state. */
    private final AtomicBoolean dirty = new AtomicBoolean(true);
    /** Wake-ups not yet seen by the drain; the drain runs while it is not zero, one at a time. */
    private final AtomicInteger wakeUps = new AtomicInteger();
    private volatile boolean stopped;
    private volatile Cancellable subscription = () -> {
    };

    private ConflatedStream(CallReadiness call, Supplier<R> newest, MultiEmitter<? super R> emitter, Executor workers) {
        this.call = call;
        this.newest = newest;
        this.emitter = emitter;
        this.workers = workers;
    }

    /**
     * The stream of the current call, which hears of {@code changes} touching a {@code wanted}
     * symbol. Must be called in the service method, where the call's context is attached.
     */
    static <R> Multi<R> open(Multi<Set<String>> changes, Predicate<String> wanted, Supplier<R> newest) {
        return open(changes, wanted, newest, Infrastructure.getDefaultWorkerPool());
    }

    static <R> Multi<R> open(Multi<Set<String>> changes, Predicate<String> wanted, Supplier<R> newest, Executor workers) {
        CallReadiness call = CallReadiness.current();
        call.readyOnlyWhenNothingQueued();
        return Multi.createFrom().<R>emitter(
                emitter -> new ConflatedStream<R>(call, newest, emitter, workers).start(changes, wanted),
                // Items are only emitted on demand, so no buffer is ever needed.
                BackPressureStrategy.ERROR);
    }

    private void start(Multi<Set<String>> changes, Predicate<String> wanted) {
        emitter.onTermination(this::stop);
        emitter.onRequest(n -> wakeUp());
        call.onReady(this::wakeUp);
        call.onClosed(this::stop);
        // Subscribed before the first read, so that no change between the two is missed.
        subscription = changes.subscribe().with(changed -> {
            if (changed.stream().anyMatch(wanted)) {
                dirty.set(true);
                wakeUp();
            }
        }, failure -> {
            stop();
            emitter.fail(failure);
        });
        if (stopped) {
            subscription.cancel();
        }
        wakeUp();
    }

    private void wakeUp() {
        if (wakeUps.getAndIncrement() == 0) {
            try {
                workers.execute(this::drain);
            } catch (RejectedExecutionException shuttingDown) {
                stop();
            }
        }
    }

    /** Sends while the call is ready and something changed; a wake-up during a pass makes another pass. */
    private void drain() {
        int seen = 1;
        do {
            while (!stopped && emitter.requested() > 0 && call.isReady() && dirty.getAndSet(false)) {
                R message;
                try {
                    message = newest.get();
                } catch (RuntimeException e) {
                    stop();
                    emitter.fail(e);
                    return;
                }
                if (message != null) {
                    emitter.emit(message);
                }
            }
            seen = wakeUps.addAndGet(-seen);
        } while (seen != 0);
    }

    private void stop() {
        stopped = true;
        subscription.cancel();
    }
}
