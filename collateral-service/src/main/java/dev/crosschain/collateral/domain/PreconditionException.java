package dev.crosschain.collateral.domain;

/** The request is well formed but the current state refuses it; nothing changed. Maps to FAILED_PRECONDITION. */
public class PreconditionException extends RuntimeException {

    private final String reason;
    private final String subject;

    public PreconditionException(String reason, String subject, String message) {
        super(message);
        this.reason = reason;
        this.subject = subject;
    }

    public String reason() {
        return reason;
    }

    /** What the precondition is about, e.g. "legs[0]". */
    public String subject() {
        return subject;
    }
}
