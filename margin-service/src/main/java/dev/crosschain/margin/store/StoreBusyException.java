package dev.crosschain.margin.store;

/** This replica has too many withdrawals waiting for account locks: retry later (RESOURCE_EXHAUSTED). */
public class StoreBusyException extends StoreException {

    public StoreBusyException(String message) {
        super(message, null);
    }
}
