package dev.crosschain.margin.domain.history;

import dev.crosschain.margin.domain.InvalidInputException;
import dev.crosschain.margin.domain.MarginMode;
import dev.crosschain.margin.domain.Violation;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The expected-shortfall section of a risk-parameter set: in which margin modes the requirement is
 * {@code max(scenario MM, ES MM x APC ratio)}, and the ES model's figures. Validated at construction
 * (InvalidInputException INVALID_RISK_PARAMETERS, fields named as in the proto: {@code level},
 * {@code look_back_days}, {@code holding_days}, {@code modes[i]}).
 *
 * @param modes              the modes the ES model applies to; empty = none (a set written before ES existed).
 *                           Only PORTFOLIO: the ES figure revalues the book the PORTFOLIO scan revalues, and no
 *                           other mode has that book yet
 * @param level              ES confidence level, in (0, 1)
 * @param lookBackDays       scenarios per figure (one overlapping window a day), >= holdingDays
 * @param holdingDays        the margin period of risk, days, >= 1
 * @param antiProcyclicality what the ES figure is scaled by (see {@link Apc})
 */
public record ExpectedShortfallParameters(Set<MarginMode> modes, double level, int lookBackDays, int holdingDays,
                                          Apc antiProcyclicality) {

    /** Anti-procyclicality of the ES figure. */
    public enum Apc {
        /** The raw ES figure. */
        NONE,
        /**
         * {@link Procyclicality#DEFAULT}'s stressed floor and 25% buffer, as a ratio over the raw figure taken from
         * unit linear exposures of each underlying (see {@link ApcRatios}); its rise cap needs per-account state and
         * is not applied.
         */
        FLOOR_AND_BUFFER
    }

    /** The modes the ES model can apply to. */
    public static final Set<MarginMode> SUPPORTED_MODES = Set.of(MarginMode.PORTFOLIO);

    /** {@link HistoricalSimulation#DEFAULT}'s model (97.5%, 365 days of 2-day moves) with the floor and buffer, in PORTFOLIO. */
    public static final ExpectedShortfallParameters PORTFOLIO_DEFAULT = new ExpectedShortfallParameters(
            Set.of(MarginMode.PORTFOLIO), 0.975, 365, 2, Apc.FLOOR_AND_BUFFER);

    /** The same figures applied to no mode: what a set without an ES section (rp-1) means. */
    public static final ExpectedShortfallParameters NONE = new ExpectedShortfallParameters(
            Set.of(), 0.975, 365, 2, Apc.FLOOR_AND_BUFFER);

    public ExpectedShortfallParameters {
        List<Violation> violations = new ArrayList<>();
        if (modes == null) {
            violations.add(new Violation("modes", "required (empty: ES applies to no mode)"));
            modes = Set.of();
        }
        int i = 0;
        for (MarginMode mode : modes) {
            if (mode == null || !SUPPORTED_MODES.contains(mode)) {
                violations.add(new Violation("modes[" + i + "]", "ES applies only to " + SUPPORTED_MODES + ", not " + mode));
            }
            i++;
        }
        if (!(level > 0 && level < 1)) {
            violations.add(new Violation("level", "must be in (0, 1), got " + level));
        }
        if (holdingDays < 1) {
            violations.add(new Violation("holding_days", "must be at least 1"));
        }
        if (lookBackDays < 1 || lookBackDays < holdingDays) {
            violations.add(new Violation("look_back_days", "must be at least 1 and at least holding_days (" + holdingDays + ")"));
        }
        if (lookBackDays > HistoricalScenarios.STRESSED_MAX_LOOK_BACK_DAYS) {
            violations.add(new Violation("look_back_days", "must be at most " + HistoricalScenarios.STRESSED_MAX_LOOK_BACK_DAYS));
        }
        if (antiProcyclicality == null) {
            violations.add(new Violation("anti_procyclicality", "required"));
        }
        if (!violations.isEmpty()) {
            throw new InvalidInputException("INVALID_RISK_PARAMETERS", violations);
        }
        modes = modes.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(modes));
    }

    /** Whether the requirement in {@code mode} is the larger of the scenario and ES figures. */
    public boolean appliesTo(MarginMode mode) {
        return modes.contains(mode);
    }

    /** The model: ES at {@link #level} over {@link #lookBackDays} windows of {@link #holdingDays}-day moves. */
    public HistoricalSimulation simulation() {
        return new HistoricalSimulation(new ExpectedShortfall(level), lookBackDays, holdingDays);
    }

    /** The modes in enum order (stored and shown in a stable order). */
    public List<MarginMode> orderedModes() {
        return modes.isEmpty() ? List.of() : List.copyOf(EnumSet.copyOf(modes));
    }
}
