package dev.crosschain.margin.domain;

/** A caller is known (or no caller can be) but may not do this. Maps to PERMISSION_DENIED. */
public class PermissionDeniedException extends RuntimeException {

    private final String reason;

    public PermissionDeniedException(String reason, String message) {
        super(message);
        this.reason = reason;
    }

    public String reason() {
        return reason;
    }
}
