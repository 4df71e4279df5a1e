package dev.crosschain.margin.client;

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
}
