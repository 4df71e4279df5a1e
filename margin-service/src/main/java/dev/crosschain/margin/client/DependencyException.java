package dev.crosschain.margin.client;

import io.grpc.Status;

/** An upstream service did not answer (UNAVAILABLE after retries, deadline) or refused unexpectedly. */
public class DependencyException extends RuntimeException {

    /** The reason when nothing more precise is known: the caller may simply retry. */
    public static final String UNAVAILABLE = "DEPENDENCY_UNAVAILABLE";

    private final Status.Code code;
    private final String reason;

    public DependencyException(String message, Status.Code code, Throwable cause) {
        this(message, code, cause, UNAVAILABLE);
    }

    /** @param reason the ErrorInfo reason margin-service answers with, e.g. WITHDRAWAL_IN_DOUBT */
    public DependencyException(String message, Status.Code code, Throwable cause, String reason) {
        super(message, cause);
        this.code = code;
        this.reason = reason;
    }

    /** The upstream status code. */
    public Status.Code code() {
        return code;
    }

    /** margin-service's reason for the caller (UNAVAILABLE: retryable). */
    public String reason() {
        return reason;
    }
}
