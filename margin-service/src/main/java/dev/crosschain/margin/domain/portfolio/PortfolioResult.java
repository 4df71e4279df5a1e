package dev.crosschain.margin.domain.portfolio;

import dev.crosschain.margin.domain.Decimals;
import dev.crosschain.margin.domain.history.ShortfallResult;

import java.math.BigDecimal;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Portfolio margin of one book, every figure named for Explain. USD amounts are rounded to the cent
 * (requirements up, contributions HALF_EVEN) and carried at the service's USD scale 8 so they add to the other figures. The parts add
 * up exactly: {@code scenario MM = scanLoss + sum of contingencies}, {@code scanLoss = sum of group losses - groupOffsetCredit},
 * and {@code maintenanceMargin} is the scenario MM, or where the parameter set applies expected shortfall
 * {@code max(scenario MM, expectedShortfall.requirement())}.
 *
 * @param parametersVersion the {@link PortfolioParameters#version()} that produced it
 * @param maintenanceMargin MM: combined scan loss + contingencies
 * @param initialMargin     IM: MM x the IM factor
 * @param scanLoss          the groups' worst weighted losses combined by the offset rule
 * @param groupOffsetCredit sum of the group losses minus {@code scanLoss}
 * @param contingencyTotal  sum of {@code contingencies}
 * @param groups            one per group of the grid, in grid order
 * @param contingencies     the non-zero add-ons, in a stable order
 * @param expectedShortfall the ES figure where the parameter set applies ES to PORTFOLIO (or why there is none);
 *                          null where it does not
 */
public record PortfolioResult(String parametersVersion, BigDecimal maintenanceMargin, BigDecimal initialMargin,
                              BigDecimal scanLoss, BigDecimal groupOffsetCredit, BigDecimal contingencyTotal,
                              List<GroupResult> groups, List<Contingency> contingencies, ShortfallResult expectedShortfall) {

    public PortfolioResult {
        groups = List.copyOf(groups);
        contingencies = List.copyOf(contingencies);
    }

    /** The scenario model's result alone (no expected shortfall). */
    public PortfolioResult(String parametersVersion, BigDecimal maintenanceMargin, BigDecimal initialMargin,
                           BigDecimal scanLoss, BigDecimal groupOffsetCredit, BigDecimal contingencyTotal,
                           List<GroupResult> groups, List<Contingency> contingencies) {
        this(parametersVersion, maintenanceMargin, initialMargin, scanLoss, groupOffsetCredit, contingencyTotal, groups,
                contingencies, null);
    }

    /** {@link #drivingModel()} when the scenario MM stands (also on a tie, and without an ES figure). */
    public static final String SCENARIO = "scenario";
    /** {@link #drivingModel()} when the ES figure exceeds the scenario MM. */
    public static final String EXPECTED_SHORTFALL = "expected_shortfall";

    /**
     * This scenario result with the ES figure {@code es}: MM = max(scenario MM, ES requirement), IM = MM x
     * {@code imFactor} rounded up to the cent. An unavailable ES leaves the figures as they are (never lowers them).
     */
    public PortfolioResult withExpectedShortfall(ShortfallResult es, double imFactor) {
        BigDecimal mm = maintenanceMargin;
        BigDecimal im = initialMargin;
        if (es.available() && es.requirement().compareTo(mm) > 0) {
            mm = es.requirement();
            im = Decimals.requirement(mm.multiply(BigDecimal.valueOf(imFactor)));
        }
        return new PortfolioResult(parametersVersion, mm, im, scanLoss, groupOffsetCredit, contingencyTotal, groups,
                contingencies, es);
    }

    /** Which model set MM: {@link #EXPECTED_SHORTFALL} when the ES figure exceeds the scenario MM, else {@link #SCENARIO}. */
    public String drivingModel() {
        return expectedShortfall != null && expectedShortfall.available()
                && expectedShortfall.requirement().compareTo(scanLoss.add(contingencyTotal)) > 0 ? EXPECTED_SHORTFALL : SCENARIO;
    }

    /**
     * One group's scan.
     *
     * @param drivingScenarioId the scenario of the largest weighted loss (the first in grid order among those
     *                          within half a cent of it)
     * @param worstLoss         that loss, floored at 0: a group's gains never pay for another group's losses
     * @param positions         per position of the group, its share of the driving scenario's weighted loss
     *                          (positive adds to the loss), named by instrument, by instrument
     * @param chains            per chain holding risky collateral of the group, the same, by chain id
     *                          (the shares are rounded one by one, so their sum may differ from
     *                          {@code worstLoss} by a few cents, or by more when the loss was floored)
     */
    public record GroupResult(String groupId, List<String> underlyings, String drivingScenarioId, BigDecimal worstLoss,
                              List<Contribution> positions, List<Contribution> chains) {
        public GroupResult {
            underlyings = List.copyOf(underlyings);
            positions = List.copyOf(positions);
            chains = List.copyOf(chains);
        }
    }

    /**
     * The contingency kind of a fallback: the book could not be revalued, so there is no scan and the whole
     * requirement is this add-on (see {@link PortfolioAccount#fallback}).
     */
    public static final String REVALUATION_UNAVAILABLE = "revaluation_unavailable";

    /** Whether this is the conservative fallback of an account whose book could not be revalued. */
    public boolean fallback() {
        return contingencies.stream().anyMatch(c -> c.kind().equals(REVALUATION_UNAVAILABLE));
    }

    /** A share of a driving scenario's loss, USD (positive = adds to the loss). */
    public record Contribution(String name, BigDecimal loss) {
    }

    /**
     * An add-on.
     *
     * @param kind    net_short_option, linear (per underlying), stablecoin_depeg, or {@link #REVALUATION_UNAVAILABLE}
     * @param subject the underlying, the group id, {@code chain/asset} for a stablecoin line, or for a fallback
     *                what its amount is: {@code cross} or {@code last_portfolio}
     */
    public record Contingency(String kind, String subject, BigDecimal amount) {
        public String name() {
            return kind + ":" + subject;
        }
    }

    /** Every money figure by a stable name, in reading order, e.g. {@code group[BTC,ETH].chain[arbitrum]}. */
    public Map<String, BigDecimal> figures() {
        Map<String, BigDecimal> out = new LinkedHashMap<>();
        out.put("mm", maintenanceMargin);
        out.put("im", initialMargin);
        out.put("scan_loss", scanLoss);
        out.put("group_offset_credit", groupOffsetCredit);
        for (GroupResult g : groups) {
            String prefix = "group[" + g.groupId() + "]";
            out.put(prefix + ".loss", g.worstLoss());
            for (Contribution c : g.positions()) {
                out.put(prefix + ".position[" + c.name() + "]", c.loss());
            }
            for (Contribution c : g.chains()) {
                out.put(prefix + ".chain[" + c.name() + "]", c.loss());
            }
        }
        out.put("contingencies", contingencyTotal);
        for (Contingency c : contingencies) {
            out.put("contingency[" + c.name() + "]", c.amount());
        }
        if (expectedShortfall != null && expectedShortfall.available()) {
            out.put("es_loss", expectedShortfall.loss());
            out.put("es_requirement", expectedShortfall.requirement());
        }
        return Collections.unmodifiableMap(out);
    }
}
