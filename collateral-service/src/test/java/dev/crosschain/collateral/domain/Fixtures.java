package dev.crosschain.collateral.domain;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** The default registry of application.properties, as named fixtures. */
final class Fixtures {

    static final AssetSpec ETH_ON_ETHEREUM = AssetSpec.flat("ETH", "ETH", 18, new BigDecimal("0.10"), new BigDecimal("0.05"));
    static final AssetSpec USDC_ON_ETHEREUM = AssetSpec.flat("USDC", "USDC", 6, new BigDecimal("0.02"), new BigDecimal("0.01"));
    static final AssetSpec ETH_ON_ARBITRUM = AssetSpec.flat("ETH", "ETH", 18, new BigDecimal("0.12"), new BigDecimal("0.06"));
    static final AssetSpec SOL_ON_SOLANA = AssetSpec.flat("SOL", "SOL", 9, new BigDecimal("0.20"), new BigDecimal("0.10"));

    static final ChainSpec ETHEREUM = chain("ethereum", 3, Duration.ofSeconds(600),
            Map.of("ETH", ETH_ON_ETHEREUM, "USDC", USDC_ON_ETHEREUM));
    static final ChainSpec ARBITRUM = chain("arbitrum", 2, Duration.ofSeconds(900),
            Map.of("ETH", ETH_ON_ARBITRUM));
    static final ChainSpec SOLANA = chain("solana", 32, Duration.ofSeconds(300),
            Map.of("SOL", SOL_ON_SOLANA));

    static final ChainRegistry REGISTRY = new ChainRegistry(List.of(ETHEREUM, ARBITRUM, SOLANA));

    private Fixtures() {
    }

    /** A confirmations chain with the default block time, status thresholds and add-ons of CollateralConfig. */
    static ChainSpec chain(String id, int confirmations, Duration liquidationLatency, Map<String, AssetSpec> assets) {
        return new ChainSpec(id, FinalityRule.CONFIRMATIONS, confirmations, Duration.ofSeconds(12), liquidationLatency,
                BigDecimal.ZERO, new BigDecimal("0.05"), Duration.ofSeconds(60), Duration.ofSeconds(120),
                Duration.ofSeconds(600), assets);
    }
}
