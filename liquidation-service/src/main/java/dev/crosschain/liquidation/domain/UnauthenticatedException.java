package dev.crosschain.liquidation.domain;

/** A caller could not prove who it is: no credential, or one the service does not know. Maps to UNAUTHENTICATED. */
public class UnauthenticatedException extends RuntimeException {

    private final String reason;

    public UnauthenticatedException(String reason, String message) {
        super(message);
        this.reason = reason;
    }

    public String reason() {
        return reason;
    }
}
