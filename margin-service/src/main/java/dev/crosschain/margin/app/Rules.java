package dev.crosschain.margin.app;

import dev.crosschain.margin.domain.InvalidInputException;
import dev.crosschain.margin.domain.MarginMode;
import dev.crosschain.margin.domain.MarginRules;
import dev.crosschain.margin.domain.RiskParameters;
import dev.crosschain.margin.domain.history.ExpectedShortfallParameters;
import dev.crosschain.margin.domain.portfolio.PortfolioParameters;

import java.util.EnumSet;
import java.util.Set;

/** The configured risk-parameter set: the seed recorded at start (see {@link ActiveRiskParameters}). */
final class Rules {

    private Rules() {
    }

    /**
     * The standard rules from margin.linear.*, margin.option.*, margin.stale.*, the PORTFOLIO set "pm-1" (it has
     * no configuration keys) and the ES section from margin.expected-shortfall.*, under margin.parameters.version.
     * A malformed set fails the start, naming every bad key.
     */
    static RiskParameters configured(MarginConfig config) {
        return RiskParameters.of(config.parameters().version(), MarginRules.parseTiers(config.linear().tiers()),
                config.option().imBase(), config.option().imMin(), config.option().mm(), config.stale().scanRange(),
                () -> PortfolioParameters.DEFAULT, () -> expectedShortfall(config.expectedShortfall()));
    }

    static ExpectedShortfallParameters expectedShortfall(MarginConfig.ExpectedShortfall es) {
        Set<MarginMode> modes = EnumSet.noneOf(MarginMode.class);
        String listed = es.modes().trim();
        if (!listed.equalsIgnoreCase("none")) {
            for (String mode : listed.split(",")) {
                try {
                    modes.add(MarginMode.valueOf(mode.trim()));
                } catch (IllegalArgumentException e) {
                    throw new InvalidInputException(RiskParameters.INVALID, "modes",
                            "margin.expected-shortfall.modes: not a margin mode: " + mode.trim());
                }
            }
        }
        ExpectedShortfallParameters.Apc apc;
        try {
            apc = ExpectedShortfallParameters.Apc.valueOf(es.antiProcyclicality().trim());
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException(RiskParameters.INVALID, "anti_procyclicality",
                    "margin.expected-shortfall.anti-procyclicality: NONE or FLOOR_AND_BUFFER, not " + es.antiProcyclicality());
        }
        return new ExpectedShortfallParameters(modes, es.level(), es.lookBackDays(), es.holdingDays(), apc);
    }
}
