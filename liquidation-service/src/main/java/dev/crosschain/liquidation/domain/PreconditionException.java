package dev.crosschain.liquidation.domain;

import java.util.Map;

/** The request is well formed but the state refuses it; nothing was changed. Maps to FAILED_PRECONDITION. */
public class PreconditionException extends RuntimeException {

    private final String reason;
    private final String subject;
    private final Map<String, String> metadata;

    public PreconditionException(String reason, String subject, String message) {
        this(reason, subject, message, Map.of());
    }

    /** @param metadata figures a client needs to act on the refusal (sent in the ErrorInfo metadata) */
    public PreconditionException(String reason, String subject, String message, Map<String, String> metadata) {
        super(message);
        this.reason = reason;
        this.subject = subject;
        this.metadata = Map.copyOf(metadata);
    }

    public Map<String, String> metadata() {
        return metadata;
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
