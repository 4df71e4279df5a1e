package dev.crosschain.liquidation.app;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;

import java.time.Duration;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * An upstream stream kept subscribed from {@link #subscribe()} to {@link #stop()}: whenever it fails or ends, its owner
 * is told (the failure, or null for an end) and answers how long to wait before subscribing again. Stopping cancels
 * it for good, also when it comes while a re-subscription is under way.
 */
final class Resubscription<T> {

    private final Supplier<Multi<T>> stream;
    private final Consumer<T> onItem;
    private final Function<Throwable, Duration> onEnd;
    /** Guarded by this. */
    private Cancellable subscription;
    private volatile boolean stopped;

    Resubscription(Supplier<Multi<T>> stream, Consumer<T> onItem, Function<Throwable, Duration> onEnd) {
        this.stream = stream;
        this.onItem = onItem;
        this.onEnd = onEnd;
    }

    synchronized void subscribe() {
        if (!stopped) {
            subscription = stream.get().subscribe().with(onItem, this::ended, () -> ended(null));
        }
    }

    synchronized void stop() {
        stopped = true;
        if (subscription != null) {
            subscription.cancel();
        }
    }

    private void ended(Throwable failure) {
        if (stopped) {
            return;
        }
        Duration delay = onEnd.apply(failure);
        Uni.createFrom().voidItem().onItem().delayIt().by(delay).subscribe().with(x -> subscribe(), e -> subscribe());
    }
}
