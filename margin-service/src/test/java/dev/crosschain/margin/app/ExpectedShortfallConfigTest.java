package dev.crosschain.margin.app;

import dev.crosschain.margin.domain.InvalidInputException;
import dev.crosschain.margin.domain.Violation;
import dev.crosschain.margin.domain.history.ExpectedShortfallParameters;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** margin.expected-shortfall.*: the defaults are rp-1's section (ES in no mode: the rolling-deploy rule), PORTFOLIO turns it on. */
class ExpectedShortfallConfigTest {

    record Keys(String modes, double level, int lookBackDays, int holdingDays, String antiProcyclicality)
            implements MarginConfig.ExpectedShortfall {
    }

    /** The @WithDefault values of MarginConfig.ExpectedShortfall, as application.properties repeats them. */
    static final Keys DEFAULTS = new Keys("none", 0.975, 365, 2, "FLOOR_AND_BUFFER");

    @Test
    void theDefaultsApplyEsToNoModeAndPortfolioTurnsItOn() {
        assertThat(Rules.expectedShortfall(DEFAULTS)).isEqualTo(ExpectedShortfallParameters.NONE);
        assertThat(Rules.expectedShortfall(new Keys("PORTFOLIO", 0.975, 365, 2, "FLOOR_AND_BUFFER")))
                .isEqualTo(ExpectedShortfallParameters.PORTFOLIO_DEFAULT);
    }

    @Test
    void aBadKeyFailsTheStartNamingIt() {
        assertThatThrownBy(() -> Rules.expectedShortfall(new Keys("PORTFOLIO,SPOT", 0.975, 365, 2, "FLOOR_AND_BUFFER")))
                .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.violations()).extracting(Violation::description)
                        .singleElement().asString().contains("margin.expected-shortfall.modes"));
        assertThatThrownBy(() -> Rules.expectedShortfall(new Keys("CROSS", 0.975, 365, 2, "FLOOR_AND_BUFFER")))
                .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.violations()).extracting(Violation::field)
                        .containsExactly("modes[0]"));
        assertThatThrownBy(() -> Rules.expectedShortfall(new Keys("PORTFOLIO", 0.975, 365, 2, "CAP")))
                .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.violations()).extracting(Violation::field)
                        .containsExactly("anti_procyclicality"));
    }
}
