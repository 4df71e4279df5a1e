package dev.crosschain.pricing.domain;

/**
 * An idempotency key was used before with a different payload; nothing was changed. Maps to
 * ALREADY_EXISTS.
 */
public class ConflictException extends RuntimeException {

    private final String reason;
    private final Violation violation;

    public ConflictException(String reason, String field, String description) {
        super(reason + ": " + field + ": " + description);
        this.reason = reason;
        this.violation = new Violation(field, description);
    }

    /** Stable reason from the catalogue in the proto, e.g. QUOTE_SET_ID_REUSED. */
    public String reason() {
        return reason;
    }

    /** The request field holding the reused key, and what it was used for first. */
    public Violation violation() {
        return violation;
    }
}
