package dev.crosschain.margin.app;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.subscription.BackPressureStrategy;
import io.smallrye.mutiny.subscription.MultiEmitter;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * In-process fan-out of events to stream subscribers, with a snapshot handed over without a gap:
 * publishing and registering a subscriber (after its snapshot) are serialized on the hub, so an
 * event committed after the snapshot was read is always delivered (at worst twice, never lost).
 * (A BroadcastProcessor subscribed after the snapshot could miss events in between.)
 */
public final class Hub<T> {

    private record Subscriber<T>(Predicate<T> filter, MultiEmitter<? super T> emitter) {
    }

    private final List<Subscriber<T>> subscribers = new CopyOnWriteArrayList<>();

    /** Delivers an event to every subscriber it interests. */
    public synchronized void publish(T event) {
        for (Subscriber<T> s : subscribers) {
            if (s.filter().test(event)) {
                s.emitter().emit(event);
            }
        }
    }

    /**
     * A stream: the snapshot, then every published event that passes {@code filter}.
     *
     * @param snapshotUnderLock read the snapshot while publishing is held (cheap snapshots); otherwise read it
     *                          before (an event published meanwhile may be missed until the next one)
     * @param strategy          BUFFER to deliver every event, LATEST to conflate for slow readers
     */
    public Multi<T> stream(Supplier<List<T>> snapshot, Predicate<T> filter, boolean snapshotUnderLock, BackPressureStrategy strategy) {
        return Multi.createFrom().<T>emitter(emitter -> {
            Subscriber<T> subscriber = new Subscriber<>(filter, emitter);
            try {
                List<T> first = snapshotUnderLock ? null : snapshot.get();
                synchronized (this) {
                    if (first == null) {
                        first = snapshot.get();
                    }
                    first.forEach(emitter::emit);
                    subscribers.add(subscriber);
                }
            } catch (RuntimeException e) {
                emitter.fail(e);
                return;
            }
            emitter.onTermination(() -> subscribers.remove(subscriber));
        }, strategy);
    }

    public int subscriberCount() {
        return subscribers.size();
    }
}
