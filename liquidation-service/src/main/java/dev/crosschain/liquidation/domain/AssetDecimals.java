package dev.crosschain.liquidation.domain;

import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * How many decimals each collateral token allows, keyed "chain/asset" (collateral-service refuses amounts
 * with more). {@link #UNKNOWN} when the registry could not be read.
 */
public record AssetDecimals(Map<String, Integer> byChainAsset) {

    public static final AssetDecimals UNKNOWN = new AssetDecimals(Map.of());

    public AssetDecimals {
        byChainAsset = Map.copyOf(Objects.requireNonNull(byChainAsset, "byChainAsset"));
    }

    public static String key(String chainId, String asset) {
        return chainId + "/" + asset;
    }

    public OptionalInt of(String chainId, String asset) {
        Integer decimals = byChainAsset.get(key(chainId, asset));
        return decimals == null ? OptionalInt.empty() : OptionalInt.of(decimals);
    }

    public boolean isEmpty() {
        return byChainAsset.isEmpty();
    }
}
