package dev.crosschain.collateral.app;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/** collateral-service settings: the chain registry and the pricing-service client. */
@ConfigMapping(prefix = "collateral")
public interface CollateralConfig {

    /** Chains by id. */
    Map<String, Chain> chains();

    Pricing pricing();

    interface Chain {
        /** Confirmations after which a deposit is final (the block itself counts as one). */
        int confirmations();

        /** Time to move or sell collateral held on the chain. */
        Duration liquidationLatency();

        /** Weight of pending deposits in collateral value, in [0, 1]. */
        @WithDefault("0")
        BigDecimal pendingWeight();

        /** When set, an adapter's hello must carry this credential. */
        Optional<String> credential();

        /** Assets by their symbol on this chain. */
        Map<String, Asset> assets();
    }

    interface Asset {
        /** Canonical priced asset (pricing-service index), e.g. USDC. */
        String canonical();

        /** Token decimals: amounts may not have more. */
        int decimals();

        /** Flat haircut for initial margin, fraction of market value. */
        BigDecimal haircutIm();

        /** Flat haircut for maintenance margin, fraction of market value. */
        BigDecimal haircutMm();
    }

    interface Pricing {
        /** Deadline of each GetIndexPrices call. */
        @WithDefault("2s")
        Duration deadline();

        /** Attempts of a call that failed with UNAVAILABLE. */
        @WithDefault("3")
        int maxAttempts();

        /** Backoff before the second attempt, doubled after each. */
        @WithDefault("50ms")
        Duration initialBackoff();
    }
}
