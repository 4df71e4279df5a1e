package dev.crosschain.collateral.domain;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A chain in the registry: confirmations after which a deposit is final, liquidation latency, the weight of
 * pending deposits for valuation, the adapter credential (if one is required) and its assets by symbol.
 */
public record ChainSpec(String id, int confirmations, Duration liquidationLatency, BigDecimal pendingWeight,
                        Optional<String> credential, Map<String, AssetSpec> assets) {

    public ChainSpec {
        Objects.requireNonNull(id, "id");
        if (id.isBlank()) {
            throw new IllegalArgumentException("chain id is required");
        }
        if (confirmations < 1) {
            throw new IllegalArgumentException(id + ": confirmations must be at least 1, got " + confirmations);
        }
        if (liquidationLatency == null || liquidationLatency.isNegative()) {
            throw new IllegalArgumentException(id + ": liquidation latency must be >= 0");
        }
        if (pendingWeight == null || pendingWeight.signum() < 0 || pendingWeight.compareTo(BigDecimal.ONE) > 0) {
            throw new IllegalArgumentException(id + ": pending weight must be in [0, 1], got " + pendingWeight);
        }
        credential = credential == null ? Optional.empty() : credential.filter(c -> !c.isBlank());
        assets = Collections.unmodifiableMap(new TreeMap<>(assets));
    }

    public Optional<AssetSpec> asset(String symbol) {
        return Optional.ofNullable(assets.get(symbol));
    }

    /** True when a deposit in the block at {@code blockHeight} is final with the chain's head at {@code headHeight}. */
    public boolean isFinal(long blockHeight, long headHeight) {
        return Finality.isFinal(blockHeight, confirmations, headHeight);
    }
}
