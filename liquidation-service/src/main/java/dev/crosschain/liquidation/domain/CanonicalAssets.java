package dev.crosschain.liquidation.domain;

import java.util.Map;
import java.util.Objects;

/**
 * The canonical priced asset of each collateral token, keyed "chain/asset" as collateral-service's registry lists
 * them (a wrapped or bridged token is priced as its canonical asset, e.g. WBTC as BTC). A token the registry does not
 * list counts under its own symbol; {@link #NONE} when the registry could not be read.
 */
public record CanonicalAssets(Map<String, String> byChainAsset) {

    public static final CanonicalAssets NONE = new CanonicalAssets(Map.of());

    public CanonicalAssets {
        byChainAsset = Map.copyOf(Objects.requireNonNull(byChainAsset, "byChainAsset"));
    }

    /** The token's canonical asset, or its symbol when the registry names none. */
    public String of(String chainId, String asset) {
        String canonical = byChainAsset.get(AssetDecimals.key(chainId, asset));
        return canonical == null || canonical.isBlank() ? asset : canonical;
    }
}
