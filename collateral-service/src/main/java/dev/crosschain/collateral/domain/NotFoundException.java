package dev.crosschain.collateral.domain;

/** Something named does not exist (yet). Maps to NOT_FOUND. */
public class NotFoundException extends RuntimeException {

    private final String reason;

    public NotFoundException(String reason, String message) {
        super(message);
        this.reason = reason;
    }

    public String reason() {
        return reason;
    }
}
