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

    /** The longest an {@link #idempotent} call can take: every attempt to its deadline, with the pauses between. */
    public Duration longest() {
        int attempts = Math.max(1, config.maxAttempts());
        return config.deadline().multipliedBy(attempts).plus(config.maxBackoff().multipliedBy(attempts - 1L));
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

    /** The ErrorInfo reason an upstream service sent with its status; empty when it sent none. */
    public static java.util.Optional<String> reason(StatusRuntimeException e) {
        return detail(e, com.google.rpc.ErrorInfo.class).map(com.google.rpc.ErrorInfo::getReason);
    }

    /** The value under {@code key} in the ErrorInfo metadata an upstream service sent with its status; empty when none. */
    public static java.util.Optional<String> metadata(StatusRuntimeException e, String key) {
        return detail(e, com.google.rpc.ErrorInfo.class).map(i -> i.getMetadataMap().get(key));
    }

    /** The BadRequest field violations an upstream service sent with its status, as ours. */
    public static java.util.List<dev.crosschain.margin.domain.Violation> fieldViolations(StatusRuntimeException e) {
        return detail(e, com.google.rpc.BadRequest.class).map(b -> b.getFieldViolationsList().stream()
                .map(v -> new dev.crosschain.margin.domain.Violation(v.getField(), v.getDescription())).toList())
                .orElse(java.util.List.of());
    }

    private static <T extends com.google.protobuf.Message> java.util.Optional<T> detail(StatusRuntimeException e, Class<T> type) {
        com.google.rpc.Status status = io.grpc.protobuf.StatusProto.fromThrowable(e);
        if (status == null) {
            return java.util.Optional.empty();
        }
        for (com.google.protobuf.Any any : status.getDetailsList()) {
            if (any.is(type)) {
                try {
                    return java.util.Optional.of(any.unpack(type));
                } catch (com.google.protobuf.InvalidProtocolBufferException ignored) {
                    return java.util.Optional.empty(); // a malformed detail reads as none
                }
            }
        }
        return java.util.Optional.empty();
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
