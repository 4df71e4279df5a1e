package dev.crosschain.collateral.app;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** collateral-service settings: the chain registry, credentials and the pricing-service client. */
@ConfigMapping(prefix = "collateral")
public interface CollateralConfig {

    /** Chains by id. */
    Map<String, Chain> chains();

    Pricing pricing();

    Auth auth();

    WithdrawalSettings withdrawals();

    interface WithdrawalSettings {
        /** How often each adapter stream looks for locks of other replicas (this replica's are sent at once). */
        @WithDefault("500ms")
        Duration pollInterval();
    }

    /** Credentials. Secrets: give them through the environment or a Kubernetes Secret, not a committed file. */
    interface Auth {
        /** Adapter credential per chain id; a chain without one refuses every adapter. */
        Map<String, String> adapters();

        /** Other callers by name (the name is recorded as the actor of their changes). */
        Map<String, CallerConfig> callers();
    }

    interface CallerConfig {
        /** Bearer token of the caller. */
        String token();

        /** What it may do: TRANSFER, LOCK_WITHDRAWAL, OPERATE. */
        List<String> rights();
    }

    interface Chain {
        /** Confirmations after which a deposit is final (the block itself counts as one). */
        int confirmations();

        /** Expected time between blocks. */
        @WithDefault("12s")
        Duration blockTime();

        /** Time to move or sell collateral held on the chain. */
        Duration liquidationLatency();

        /** Weight of pending deposits in collateral value, in [0, 1]. */
        @WithDefault("0")
        BigDecimal pendingWeight();

        /** Stranded-collateral add-on while the chain is DEGRADED. */
        @WithDefault("0.05")
        BigDecimal degradedAddon();

        /** DEGRADED when the last heartbeat is older. */
        @WithDefault("60s")
        Duration heartbeatLateAfter();

        /** DEGRADED when the head has not advanced for this long. */
        @WithDefault("120s")
        Duration headStallAfter();

        /** HALTED when no event arrived for this long. */
        @WithDefault("600s")
        Duration haltAfterSilence();

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
