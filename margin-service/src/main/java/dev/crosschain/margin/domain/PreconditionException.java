package dev.crosschain.margin.domain;

import java.util.Map;

/** The request is well formed but the state refuses it; nothing was changed. Maps to FAILED_PRECONDITION. */
public class PreconditionException extends RuntimeException {

    private final String reason;
    private final String subject;
    private final Map<String, String> figures;

    public PreconditionException(String reason, String subject, String message) {
        this(reason, subject, message, Map.of());
    }

    /**
     * @param figures machine-readable figures of the refusal (sent as ErrorInfo metadata), e.g.
     *                "shortfall_usd" -> "120.5"
     */
    public PreconditionException(String reason, String subject, String message, Map<String, String> figures) {
        super(message);
        this.reason = reason;
        this.subject = subject;
        this.figures = Map.copyOf(figures);
    }

    public String reason() {
        return reason;
    }

    /** What the precondition is about, e.g. "accounts/alice". */
    public String subject() {
        return subject;
    }

    /** Figures of the refusal, by name; empty when it has none. */
    public Map<String, String> figures() {
        return figures;
    }
}
