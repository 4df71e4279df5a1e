package dev.crosschain.suite;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Supplier;

/** Waits for a condition on the running services by asking again until it holds or time is up. */
public final class Await {

    private static final long POLL_MILLIS = 200;

    private Await() {
    }

    /** Polls {@code probe} until it yields a value; fails naming {@code what} after {@code timeout}. */
    public static <T> T until(String what, Duration timeout, Supplier<Optional<T>> probe) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        while (true) {
            Optional<T> value = probe.get();
            if (value.isPresent()) {
                return value.get();
            }
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("timed out after " + timeout + " waiting for " + what);
            }
            Thread.sleep(POLL_MILLIS);
        }
    }
}
