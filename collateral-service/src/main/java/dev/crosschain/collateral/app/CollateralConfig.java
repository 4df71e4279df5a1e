package dev.crosschain.collateral.app;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** collateral-service settings: the chain registry file, credentials and the pricing-service client. */
@ConfigMapping(prefix = "collateral")
public interface CollateralConfig {

    /** Where the chain registry comes from at start and how replicas follow its changes. */
    RegistrySettings registry();

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

    interface RegistrySettings {
        /**
         * The versioned registry file: "classpath:<resource>" or a file system path. At start it is applied as a
         * new registry revision when its version is greater than the last file version applied; otherwise the
         * database's registry stays in force.
         */
        @WithDefault("classpath:registry/chains.json")
        String file();

        /** How often a replica checks the database for a registry revision another replica made. */
        @WithDefault("1s")
        Duration pollInterval();
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
