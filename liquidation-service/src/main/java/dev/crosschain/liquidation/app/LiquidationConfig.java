package dev.crosschain.liquidation.app;

import dev.crosschain.liquidation.domain.PriceCurve;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Optional;

@ConfigMapping(prefix = "liquidation")
public interface LiquidationConfig {

    Curve curve();

    Settlement settlement();

    Client client();

    Risk risk();

    Recovery recovery();

    Collateral collateral();

    interface Curve {
        /** Start price as a fraction of the lot's mark value. */
        @WithDefault("0.95")
        BigDecimal buf();

        /** End price as a fraction of the lot's mark value. */
        @WithDefault("0.50")
        BigDecimal floor();

        /** Time from start to floor. */
        @WithDefault("600s")
        Duration duration();

        default PriceCurve toCurve() {
            return new PriceCurve(buf(), floor(), duration());
        }
    }

    interface Settlement {
        /** Chain of the cash leg (bidder pays the liquidated account). */
        @WithDefault("ethereum")
        String chain();

        /** Token of the cash leg. */
        @WithDefault("USDC")
        String asset();
    }

    interface Client {
        /** Deadline of every unary call to margin-service and collateral-service. */
        @WithDefault("2s")
        Duration deadline();

        /** Attempts of an idempotent call that answers UNAVAILABLE. */
        @WithDefault("5")
        int maxAttempts();

        @WithDefault("100ms")
        Duration initialBackoff();

        @WithDefault("1s")
        Duration maxBackoff();
    }

    interface Collateral {
        /** liquidation-service's bearer token at collateral-service, which refuses Transfer without it. */
        Optional<String> token();

        /**
         * How long the chain registry read from collateral-service (token decimals) is used before it is read again
         * (operators change it at run time); a chain or token missing from it is looked up at once.
         */
        @WithDefault("60s")
        Duration registryRefresh();
    }

    interface Risk {
        /** First delay before re-subscribing to WatchRisk after a failure; doubles up to reconnect-max. */
        @WithDefault("1s")
        Duration reconnectMin();

        @WithDefault("10s")
        Duration reconnectMax();
    }

    interface Recovery {
        /** How often unfinished settlements, freezes and unfreezes are retried. */
        @WithDefault("2s")
        Duration every();

        /** How long one settler owns a bid before recovery may take it over. */
        @WithDefault("30s")
        Duration lease();

        /** Age after which a missing freeze/unfreeze is retried by recovery rather than left to its caller. */
        @WithDefault("5s")
        Duration grace();
    }
}
