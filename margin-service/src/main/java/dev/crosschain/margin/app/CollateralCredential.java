package dev.crosschain.margin.app;

import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.util.Optional;

/**
 * margin-service's bearer token at collateral-service must be set in production: without it every
 * withdrawal would fail at collateral-service, which is better found at start than by a customer.
 * Tests set their own; dev mode may run without (withdrawals then fail INTERNAL).
 */
@ApplicationScoped
public class CollateralCredential {

    void onStart(@Observes StartupEvent event, MarginConfig config) {
        require(LaunchMode.current(), config.collateral().token());
    }

    /** Throws when {@code mode} is production and no token is configured. */
    static void require(LaunchMode mode, Optional<String> token) {
        if (mode == LaunchMode.NORMAL && token.filter(t -> !t.isBlank()).isEmpty()) {
            throw new IllegalStateException("margin.collateral.token (MARGIN_COLLATERAL_TOKEN) is required in production: "
                    + "collateral-service refuses LockWithdrawal and GetWithdrawal without it");
        }
    }
}
