package dev.crosschain.margin.app;

import dev.crosschain.margin.domain.MarginCalculator;
import dev.crosschain.margin.domain.MarginRules;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;

/** Builds the standard rules from configuration (fails the start on a malformed tier list). */
@ApplicationScoped
public class Rules {

    @Produces
    @jakarta.inject.Singleton
    MarginCalculator calculator(MarginConfig config) {
        MarginRules rules = new MarginRules(MarginRules.parseTiers(config.linear().tiers()), config.option().imBase(),
                config.option().imMin(), config.option().mm(), config.stale().scanRange());
        return new MarginCalculator(rules);
    }
}
