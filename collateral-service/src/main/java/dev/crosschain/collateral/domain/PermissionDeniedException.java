package dev.crosschain.collateral.domain;

/** A known caller asked for something its credential does not allow. Maps to PERMISSION_DENIED. */
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
