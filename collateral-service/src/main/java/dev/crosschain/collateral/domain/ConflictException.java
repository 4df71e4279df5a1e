package dev.crosschain.collateral.domain;

/** An idempotency key was used before with another payload. Maps to ALREADY_EXISTS. */
public class ConflictException extends RuntimeException {

    private final String reason;

    public ConflictException(String reason, String message) {
        super(message);
        this.reason = reason;
    }

    public String reason() {
        return reason;
    }
}
