package dev.crosschain.pricing.domain;

/**
 * The request is well-formed but the state it needs does not hold (e.g. the index it is measured
 * against is stale); nothing was changed. Maps to FAILED_PRECONDITION with one violation.
 *
 * @see #reason() the reason from the catalogue in the proto, e.g. INDEX_STALE
 */
public class PreconditionFailedException extends RuntimeException {

    private final String reason;
    private final String type;
    private final String subject;
    private final String description;

    public PreconditionFailedException(String reason, String type, String subject, String description) {
        super(reason + ": " + subject + ": " + description);
        this.reason = reason;
        this.type = type;
        this.subject = subject;
        this.description = description;
    }

    public String reason() {
        return reason;
    }

    /** What kind of precondition failed, e.g. INDEX_STALE. */
    public String type() {
        return type;
    }

    /** What it failed on, e.g. the underlying. */
    public String subject() {
        return subject;
    }

    public String description() {
        return description;
    }
}
