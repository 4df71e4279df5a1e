package dev.crosschain.collateral.app;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.math.BigDecimal;
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

    Valuation valuation();

    Auth auth();

    WithdrawalSettings withdrawals();

    AdapterSettings adapters();

    HealthSettings health();

    interface HealthSettings {
        /**
         * Hysteresis of chain statuses: a chain that was DEGRADED (or HALTED by silence) is HEALTHY again only after
         * its cause has been clear for the limit it crossed (heartbeat_late_after or head_stall_after of the registry)
         * times this factor; until then it stays DEGRADED. At 1 or more a chain whose heartbeats arrive right at the
         * limit stays DEGRADED instead of flapping; 0 turns hysteresis off. Operator halts are never delayed.
         */
        @WithDefault("1")
        double recoveryFactor();
    }

    interface AdapterSettings {
        /**
         * How long a chain stays owned by an adapter stream after its hello or its last event (heartbeats keep an
         * idle stream's lease). A cleanly ended stream releases it at once; after a crash the next adapter of the
         * chain waits at most this long.
         */
        @WithDefault("15s")
        Duration lease();
    }

    interface WithdrawalSettings {
        /** How often each adapter stream looks for locks of other replicas (this replica's are sent at once). */
        @WithDefault("500ms")
        Duration pollInterval();

        /**
         * GetWithdrawal's longest wait for a LockWithdrawal of the same id that holds its lock (taken before it judges
         * its not_after, held to its commit or rollback); past it GetWithdrawal answers UNAVAILABLE WITHDRAWAL_LOCK_BUSY. Well under the caller's
         * call deadline (margin-service's is 2 s), so the caller gets an answer it can retry rather than none.
         */
        @WithDefault("500ms")
        Duration getLockWait();
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
        /** An index older than this counts as stale for collateral, whatever pricing-service said. */
        @WithDefault("30s")
        Duration maxPriceAge();

        /** Wait before reopening a pricing stream that failed or ended; doubled after each failure. */
        @WithDefault("100ms")
        Duration initialBackoff();

        /** The longest wait before reopening a pricing stream. */
        @WithDefault("5s")
        Duration maxBackoff();

        /**
         * How often the views of accounts holding an asset are re-published after its index (or its staleness)
         * changed: at most one re-publication per asset per interval.
         */
        @WithDefault("1s")
        Duration republishInterval();
    }

    /** Valuation settings. */
    interface Valuation {
        /** Haircut add-on while an asset's price is stale, fraction of the counted value. */
        @WithDefault("0.10")
        BigDecimal staleAddon();
    }
}
