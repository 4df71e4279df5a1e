package dev.crosschain.liquidation.client;

import com.google.rpc.ErrorInfo;
import dev.crosschain.liquidation.app.LiquidationConfig;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;

/** Retry policy of idempotent upstream calls: only on UNAVAILABLE, bounded attempts, exponential backoff. */
@ApplicationScoped
public class Calls {

    private static final Logger LOG = Logger.getLogger(Calls.class);

    private final LiquidationConfig.Client config;

    public Calls(LiquidationConfig config) {
        this.config = config.client();
    }

    public Duration deadline() {
        return config.deadline();
    }

    /**
     * Runs an idempotent call, retried on UNAVAILABLE. Other statuses are thrown as they came
     * (StatusRuntimeException) for the caller to interpret; UNAVAILABLE after the last attempt becomes a
     * {@link DependencyException}.
     */
    public <T> T idempotent(String what, Supplier<T> call) {
        long backoff = config.initialBackoff().toMillis();
        StatusRuntimeException last = null;
        for (int attempt = 1; attempt <= Math.max(1, config.maxAttempts()); attempt++) {
            try {
                return call.get();
            } catch (StatusRuntimeException e) {
                if (e.getStatus().getCode() != Status.Code.UNAVAILABLE) {
                    throw e;
                }
                last = e;
                LOG.debugf("%s: UNAVAILABLE (attempt %d)", what, attempt);
                if (attempt < config.maxAttempts()) {
                    pause(backoff);
                    backoff = Math.min(backoff * 2, config.maxBackoff().toMillis());
                }
            }
        }
        throw new DependencyException(what + ": upstream unavailable", Status.Code.UNAVAILABLE, last);
    }

    /** The ErrorInfo reason carried by a status, if any. */
    /**
     * The subject of the first PreconditionFailure violation (collateral-service names the refused leg "legs[i]").
     */
    public static Optional<String> preconditionSubject(StatusRuntimeException e) {
        com.google.rpc.Status status = StatusProto.fromThrowable(e);
        if (status == null) {
            return Optional.empty();
        }
        return status.getDetailsList().stream().filter(d -> d.is(com.google.rpc.PreconditionFailure.class)).findFirst()
                .flatMap(d -> {
                    try {
                        return d.unpack(com.google.rpc.PreconditionFailure.class).getViolationsList().stream().findFirst()
                                .map(com.google.rpc.PreconditionFailure.Violation::getSubject);
                    } catch (com.google.protobuf.InvalidProtocolBufferException x) {
                        return Optional.empty();
                    }
                });
    }

    public static Optional<String> reason(StatusRuntimeException e) {
        com.google.rpc.Status status = StatusProto.fromThrowable(e);
        if (status == null) {
            return Optional.empty();
        }
        return status.getDetailsList().stream().filter(d -> d.is(ErrorInfo.class)).findFirst().map(d -> {
            try {
                return d.unpack(ErrorInfo.class).getReason();
            } catch (com.google.protobuf.InvalidProtocolBufferException x) {
                return "";
            }
        });
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DependencyException("interrupted while retrying", Status.Code.CANCELLED, e);
        }
    }
}
