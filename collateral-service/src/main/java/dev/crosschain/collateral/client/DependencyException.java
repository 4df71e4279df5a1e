package dev.crosschain.collateral.client;

/** An upstream service did not answer in time or at all. Maps to UNAVAILABLE DEPENDENCY_UNAVAILABLE. */
public class DependencyException extends RuntimeException {
    public DependencyException(String message, Throwable cause) {
        super(message, cause);
    }
}
