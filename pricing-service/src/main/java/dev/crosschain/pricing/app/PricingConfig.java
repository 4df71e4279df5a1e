package dev.crosschain.pricing.app;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Map;

@ConfigMapping(prefix = "pricing")
public interface PricingConfig {

    Index index();

    Surface surface();

    Idempotency idempotency();

    interface Idempotency {
        /** PushOptionQuotes quote set ids older than this are forgotten (at least 24 hours). */
        @WithDefault("P7D")
        Duration retention();
    }

    interface Index {
        /** A source quote older than this is not fresh; an index with no fresh source is stale. */
        @WithDefault("60s")
        Duration staleAfter();

        /** A fresh source further than this share from the median of all fresh sources is dropped. */
        @WithDefault("0.05")
        BigDecimal maxDeviation();

        /** Accepted sources per asset; an asset not named here takes quotes from any source. */
        Map<String, List<String>> sources();
    }

    interface Surface {
        /** The surface of each underlying until its first accepted fit (see BootstrapSurface). */
        Map<String, Bootstrap> bootstrap();

        /**
         * A pushed forward F of an expiry T years away must have |ln(F / index)| at most
         * maxCarryPerYear x T + maxBasisBand: a carry of 100% a year is far beyond any funding
         * market, so anything further is a typo (a forward keyed 10x the index).
         */
        @WithDefault("1.0")
        double maxCarryPerYear();

        /** The part of the allowed basis that does not shrink with T (fees, funding noise near expiry). */
        @WithDefault("0.02")
        double maxBasisBand();
    }

    interface Bootstrap {
        /** At-the-money annualised vol, e.g. 0.75. */
        double atmVol();

        /** SVI rho: negative for a put skew. */
        @WithDefault("-0.3")
        double rho();

        /** SVI b, the slope of the wings (annual variance per unit of log-moneyness). */
        @WithDefault("0.2")
        double b();

        /** SVI sigma, how round the smile is at the money. */
        @WithDefault("0.1")
        double sigma();
    }
}
