package dev.crosschain.margin.client;

/**
 * An upstream service refused margin-service's own credentials (UNAUTHENTICATED, PERMISSION_DENIED):
 * a deployment error, not an outage, so the caller is not told to retry (maps to INTERNAL).
 */
public class MisconfiguredException extends RuntimeException {

    public MisconfiguredException(String message, Throwable cause) {
        super(message, cause);
    }
}
