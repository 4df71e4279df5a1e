package dev.crosschain.margin.domain;

/** The named thing does not exist. Maps to NOT_FOUND. */
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
