package dev.crosschain.suite;

import dev.crosschain.proto.collateral.v1.AssetCollateral;
import dev.crosschain.proto.collateral.v1.ChainCollateral;
import dev.crosschain.proto.collateral.v1.CollateralView;

import java.math.BigDecimal;
import java.util.Map;
import java.util.TreeMap;

/** Available token amounts of an account by "chain/asset", exact. */
public record Holdings(Map<String, BigDecimal> available) {

    public Holdings {
        available = Map.copyOf(available);
    }

    public static Holdings of(CollateralView view) {
        Map<String, BigDecimal> amounts = new TreeMap<>();
        for (ChainCollateral chain : view.getChainsList()) {
            for (AssetCollateral asset : chain.getAssetsList()) {
                amounts.put(chain.getChainId() + "/" + asset.getAsset(), new BigDecimal(asset.getAvailable()));
            }
        }
        return new Holdings(amounts);
    }

    /** Amount held of a chain's asset; zero if the account never held it. */
    public BigDecimal of(String chain, String asset) {
        return available.getOrDefault(chain + "/" + asset, BigDecimal.ZERO);
    }

    /** Sum of two holdings, key by key. */
    public Holdings plus(Holdings other) {
        Map<String, BigDecimal> sum = new TreeMap<>(available);
        other.available.forEach((key, amount) -> sum.merge(key, amount, BigDecimal::add));
        return new Holdings(sum);
    }

    /** Same amounts, ignoring keys held at zero and trailing zeros. */
    public boolean sameAmounts(Holdings other) {
        return normalized().equals(other.normalized());
    }

    private Map<String, BigDecimal> normalized() {
        Map<String, BigDecimal> result = new TreeMap<>();
        available.forEach((key, amount) -> {
            if (amount.signum() != 0) {
                result.put(key, amount.stripTrailingZeros());
            }
        });
        return result;
    }

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder();
        new TreeMap<>(available).forEach((key, amount) -> text.append(text.length() == 0 ? "" : ", ")
                .append(key).append(' ').append(amount.stripTrailingZeros().toPlainString()));
        return text.length() == 0 ? "nothing" : text.toString();
    }
}
