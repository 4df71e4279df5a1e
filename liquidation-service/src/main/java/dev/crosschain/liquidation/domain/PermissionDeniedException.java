package dev.crosschain.liquidation.domain;

/** The caller may not make this call (here: the admin RPCs while they are disabled). Maps to PERMISSION_DENIED. */
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
