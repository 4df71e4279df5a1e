package dev.crosschain.collateral.grpc;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.smallrye.mutiny.subscription.BackPressureStrategy;
import io.smallrye.mutiny.subscription.Cancellable;
import io.smallrye.mutiny.subscription.MultiEmitter;

import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * A server stream of the newest view of each changed account, never a backlog of notices. A change notice only adds
 * the account id to a set of dirty accounts (on the publisher's thread, O(1)), so what waits for a slow reader is
 * bounded by the number of accounts, not by the number of notices. A view is built from the ledger as it is then, on
 * a worker, and only while the call can take it (the transport's readiness: Quarkus 3.34's Mutiny stubs subscribe
 * with unbounded demand and write whatever they are given, quarkusio/quarkus#46475). A reader that stalls loses the
 * intermediate views of an account, never the newest, and the stream never fails for volume.
 *
 * <p>Dirty accounts are sent in the order they first became dirty since their last view, so a busy account cannot
 * starve the others.
 *
 * @param <R> the message
 */
final class ConflatedViews<R> {

    private final CallReadiness call;
    /** Accounts dirty from the start (read on a worker by the first drain pass, after the subscription to changes). */
    private final Supplier<? extends Collection<String>> current;
    /** The message for one account, built from its state now. */
    private final Function<String, R> view;
    private final MultiEmitter<? super R> emitter;
    private final Executor workers;
    /** Accounts changed since their last view was sent; guarded by itself. */
    private final LinkedHashSet<String> dirty = new LinkedHashSet<>();
    /** Whether the first drain pass has read the current accounts; only touched by the drain (one at a time). */
    private boolean seeded;
    /** Wake-ups not yet seen by the drain; the drain runs while it is not zero, one at a time. */
    private final AtomicInteger wakeUps = new AtomicInteger();
    private volatile boolean stopped;
    private volatile Cancellable subscription = () -> {
    };

    private ConflatedViews(CallReadiness call, Supplier<? extends Collection<String>> current, Function<String, R> view,
                           MultiEmitter<? super R> emitter, Executor workers) {
        this.call = call;
        this.current = current;
        this.view = view;
        this.emitter = emitter;
        this.workers = workers;
    }

    /**
     * The stream of the current call: first a view of each of the {@code current} accounts, then one of each account
     * among {@code changes} that is {@code wanted}, conflated per account. Must be called in the service method, where
     * the call's context is attached. {@code oneAtATime}: the call counts as ready only while nothing of it waits in
     * the transport (for a stream of one account, so at most one outdated view is queued); otherwise gRPC's default
     * threshold (32 KiB queued) bounds what the transport holds, which keeps the throughput of a stream of every
     * account.
     */
    static <R> Multi<R> open(Multi<String> changes, Predicate<String> wanted, Supplier<? extends Collection<String>> current,
                             Function<String, R> view, boolean oneAtATime) {
        return open(changes, wanted, current, view, oneAtATime, Infrastructure.getDefaultWorkerPool());
    }

    static <R> Multi<R> open(Multi<String> changes, Predicate<String> wanted, Supplier<? extends Collection<String>> current,
                             Function<String, R> view, boolean oneAtATime, Executor workers) {
        CallReadiness call = CallReadiness.current();
        if (oneAtATime) {
            call.readyOnlyWhenNothingQueued();
        }
        return Multi.createFrom().<R>emitter(
                emitter -> new ConflatedViews<R>(call, current, view, emitter, workers).start(changes, wanted),
                // Items are only emitted on demand, so no buffer is ever needed.
                BackPressureStrategy.ERROR);
    }

    private void start(Multi<String> changes, Predicate<String> wanted) {
        emitter.onTermination(this::stop);
        emitter.onRequest(n -> wakeUp());
        call.onReady(this::wakeUp);
        call.onClosed(this::stop);
        // Subscribed before the current accounts are read, so that no change between the two is missed.
        subscription = changes.subscribe().with(changed -> {
            if (wanted.test(changed)) {
                synchronized (dirty) {
                    dirty.add(changed);
                }
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

    /** Sends while the call is ready and an account is dirty; a wake-up during a pass makes another pass. */
    private void drain() {
        int seen = 1;
        do {
            try {
                if (!seeded && !stopped) {
                    Collection<String> accounts = current.get();
                    synchronized (dirty) {
                        dirty.addAll(accounts);
                    }
                    seeded = true;
                }
                String account;
                while (!stopped && emitter.requested() > 0 && call.isReady() && (account = nextDirty()) != null) {
                    R message = view.apply(account);
                    if (message != null) {
                        emitter.emit(message);
                    }
                }
            } catch (RuntimeException e) {
                stop();
                emitter.fail(e);
                return;
            }
            seen = wakeUps.addAndGet(-seen);
        } while (seen != 0);
    }

    private String nextDirty() {
        synchronized (dirty) {
            Iterator<String> first = dirty.iterator();
            if (!first.hasNext()) {
                return null;
            }
            String account = first.next();
            first.remove();
            return account;
        }
    }

    private void stop() {
        stopped = true;
        subscription.cancel();
    }
}
