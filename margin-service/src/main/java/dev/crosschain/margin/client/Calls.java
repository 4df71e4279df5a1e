package dev.crosschain.margin.client;

import dev.crosschain.margin.app.MarginConfig;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.util.function.Supplier;

/** Deadline and retry policy of upstream reads: retried only on UNAVAILABLE, bounded, exponential backoff. */
@ApplicationScoped
public class Calls {

    private final MarginConfig.Client config;

    public Calls(MarginConfig config) {
        this.config = config.client();
    }

    public Duration deadline() {
        return config.deadline();
    }

    /**
     * Runs an idempotent call. Statuses other than UNAVAILABLE are thrown as they came for the caller
     * to interpret; UNAVAILABLE after the last attempt becomes a {@link DependencyException}.
     */
    public <T> T idempotent(String what, Supplier<T> call) {
        long backoff = config.initialBackoff().toMillis();
        StatusRuntimeException last = null;
        int attempts = Math.max(1, config.maxAttempts());
        for (int attempt = 1; attempt <= attempts; attempt++) {
            try {
                return call.get();
            } catch (StatusRuntimeException e) {
                if (e.getStatus().getCode() != Status.Code.UNAVAILABLE) {
                    throw e;
                }
                last = e;
                if (attempt < attempts) {
                    pause(backoff);
                    backoff = Math.min(backoff * 2, config.maxBackoff().toMillis());
                }
            }
        }
        throw new DependencyException(what + ": upstream unavailable", Status.Code.UNAVAILABLE, last);
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis); // retry backoff, not a test wait
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DependencyException("interrupted while retrying", Status.Code.CANCELLED, e);
        }
    }
}
