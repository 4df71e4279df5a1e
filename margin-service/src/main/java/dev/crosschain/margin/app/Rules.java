package dev.crosschain.margin.app;

import dev.crosschain.margin.domain.MarginRules;
import dev.crosschain.margin.domain.RiskParameters;
import dev.crosschain.margin.domain.portfolio.PortfolioParameters;

/** The configured risk-parameter set: the seed recorded at start (see {@link ActiveRiskParameters}). */
final class Rules {

    private Rules() {
    }

    /**
     * The standard rules from margin.linear.*, margin.option.*, margin.stale.*, the PORTFOLIO set "pm-1" (it has
     * no configuration keys), under margin.parameters.version. A malformed set fails the start, naming every bad key.
     */
    static RiskParameters configured(MarginConfig config) {
        return RiskParameters.of(config.parameters().version(), MarginRules.parseTiers(config.linear().tiers()),
                config.option().imBase(), config.option().imMin(), config.option().mm(), config.stale().scanRange(),
                () -> PortfolioParameters.DEFAULT);
    }
}
