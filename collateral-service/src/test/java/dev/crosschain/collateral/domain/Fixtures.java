package dev.crosschain.collateral.domain;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The default registry of application.properties, as named fixtures. */
final class Fixtures {

    static final AssetSpec ETH_ON_ETHEREUM = new AssetSpec("ETH", "ETH", 18, new BigDecimal("0.10"), new BigDecimal("0.05"));
    static final AssetSpec USDC_ON_ETHEREUM = new AssetSpec("USDC", "USDC", 6, new BigDecimal("0.02"), new BigDecimal("0.01"));
    static final AssetSpec ETH_ON_ARBITRUM = new AssetSpec("ETH", "ETH", 18, new BigDecimal("0.12"), new BigDecimal("0.06"));
    static final AssetSpec SOL_ON_SOLANA = new AssetSpec("SOL", "SOL", 9, new BigDecimal("0.20"), new BigDecimal("0.10"));

    static final ChainSpec ETHEREUM = new ChainSpec("ethereum", 3, Duration.ofSeconds(600), BigDecimal.ZERO, Optional.empty(),
            Map.of("ETH", ETH_ON_ETHEREUM, "USDC", USDC_ON_ETHEREUM));
    static final ChainSpec ARBITRUM = new ChainSpec("arbitrum", 2, Duration.ofSeconds(900), BigDecimal.ZERO, Optional.empty(),
            Map.of("ETH", ETH_ON_ARBITRUM));
    static final ChainSpec SOLANA = new ChainSpec("solana", 32, Duration.ofSeconds(300), BigDecimal.ZERO, Optional.empty(),
            Map.of("SOL", SOL_ON_SOLANA));

    static final ChainRegistry REGISTRY = new ChainRegistry(List.of(ETHEREUM, ARBITRUM, SOLANA));

    private Fixtures() {
    }
}
