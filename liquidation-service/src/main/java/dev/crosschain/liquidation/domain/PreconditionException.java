package dev.crosschain.liquidation.domain;

/** The request is well formed but the state refuses it; nothing was changed. Maps to FAILED_PRECONDITION. */
public class PreconditionException extends RuntimeException {

    private final String reason;
    private final String subject;

    public PreconditionException(String reason, String subject, String message) {
        super(message);
        this.reason = reason;
        this.subject = subject;
    }

    /** Stable reason, e.g. AUCTION_CLOSED. */
    public String reason() {
        return reason;
    }

    /** What the failed condition is about, e.g. "auctions/a-1". */
    public String subject() {
        return subject;
    }
}
