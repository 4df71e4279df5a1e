package dev.crosschain.liquidation.domain;

/**
 * A bid would move a collateral token whose decimals are not known (the chain registry could not be read
 * or does not list it): its share cannot be rounded to an amount collateral-service accepts.
 */
public class UnknownDecimalsException extends RuntimeException {

    private final String chainId;
    private final String asset;

    public UnknownDecimalsException(String chainId, String asset) {
        super("decimals of " + asset + " on " + chainId + " are unknown");
        this.chainId = chainId;
        this.asset = asset;
    }

    public String chainId() {
        return chainId;
    }

    public String asset() {
        return asset;
    }
}
