package dev.crosschain.pricing.app;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.Map;

@ConfigMapping(prefix = "pricing")
public interface PricingConfig {

    Index index();

    Volatility volatility();

    interface Index {
        /** An index with no quote newer than this is stale. */
        @WithDefault("60s")
        Duration staleAfter();
    }

    interface Volatility {
        /** Annualised vol for underlyings without their own entry. */
        @WithDefault("0.80")
        double defaultVol();

        /** Annualised vol per underlying symbol. */
        Map<String, Double> byUnderlying();
    }
}
