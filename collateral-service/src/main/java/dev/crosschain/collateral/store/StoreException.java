package dev.crosschain.collateral.store;

/** The database failed; maps to UNAVAILABLE. */
public class StoreException extends RuntimeException {
    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
