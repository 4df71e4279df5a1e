package dev.crosschain.collateral.domain;

import java.util.List;

/** Input that can never be right; nothing was changed. Maps to INVALID_ARGUMENT. */
public class InvalidInputException extends RuntimeException {

    private final String reason;
    private final List<Violation> violations;

    public InvalidInputException(String reason, List<Violation> violations) {
        super(reason + ": " + violations);
        this.reason = reason;
        this.violations = List.copyOf(violations);
    }

    public InvalidInputException(String reason, String field, String description) {
        this(reason, List.of(new Violation(field, description)));
    }

    /** Stable reason from the catalogue in the proto, e.g. INVALID_AMOUNT. */
    public String reason() {
        return reason;
    }

    public List<Violation> violations() {
        return violations;
    }
}
