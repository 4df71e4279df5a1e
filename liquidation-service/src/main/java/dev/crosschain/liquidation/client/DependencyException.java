package dev.crosschain.liquidation.client;

import io.grpc.Status;

/** An upstream service did not answer (UNAVAILABLE after retries, deadline) or refused unexpectedly. */
public class DependencyException extends RuntimeException {

    private final Status.Code code;

    public DependencyException(String message, Status.Code code, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    /** The upstream status code. */
    public Status.Code code() {
        return code;
    }

    /** True when the upstream may answer later (UNAVAILABLE, DEADLINE_EXCEEDED...). */
    public boolean transientFailure() {
        return code == Status.Code.UNAVAILABLE || code == Status.Code.DEADLINE_EXCEEDED
                || code == Status.Code.RESOURCE_EXHAUSTED || code == Status.Code.ABORTED
                || code == Status.Code.CANCELLED || code == Status.Code.UNKNOWN;
    }
}
