package dev.crosschain.collateral.store;

/**
 * An adapter batch's deposits were checked against a registry entry of their chain whose assets (or decimals) have
 * changed since: nothing of the batch commits and nothing of it is acknowledged. Maps to UNAVAILABLE
 * REGISTRY_CHANGED: the adapter reconnects and resends, and its deposits are judged by the new entry.
 */
public class RegistryChangedException extends RuntimeException {

    public static final String REASON = "REGISTRY_CHANGED";

    private final String chainId;

    public RegistryChangedException(String chainId, String message) {
        super(message);
        this.chainId = chainId;
    }

    public String chainId() {
        return chainId;
    }
}
