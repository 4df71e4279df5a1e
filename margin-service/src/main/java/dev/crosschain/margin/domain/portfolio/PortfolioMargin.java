package dev.crosschain.margin.domain.portfolio;

import dev.crosschain.margin.domain.Decimals;
import dev.crosschain.margin.domain.InvalidInputException;
import dev.crosschain.margin.domain.Violation;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Portfolio margin from scenario P&L. Stateless: the scenario P&L of the positions comes from
 * pricing-service's RevalueBook (per position), the parameters from the grid.
 *
 * <ol>
 *   <li>Per scenario of group g: P&L = the P&L of the positions on g's underlyings + risky collateral of g
 *       revalued (value after MM haircut x the move of its underlying, 0 when a MEMBER scenario moves
 *       another member); weighted P&L = weight x P&L; loss = -weighted P&L.
 *       Positions of other groups count 0 there, even if pricing moved their vols: each group is scanned
 *       on its own and the groups meet only in the offset rule.</li>
 *   <li>EXTENDED scenarios charge options in full and linear exposure to the core edge: when the group's
 *       linear exposure (perps, futures, risky collateral) loses on that side, each linear line gives back its
 *       exposure x the part of the move beyond the core edge (see {@code GroupDelta}); then the weight applies.</li>
 *   <li>Group loss = max(0, largest loss); driving scenario = the first in grid order within half a cent of it.</li>
 *   <li>Scan loss = largest group loss + (1 - offset) x the other group losses.</li>
 *   <li>Contingencies: per underlying the net short option and linear add-ons, per stablecoin line the
 *       de-peg. A stale oracle is no add-on: its underlying's widened STALE scenarios are in the grid and
 *       enter its group's worst loss like any other scenario.</li>
 *   <li>MM = scan loss + contingencies; IM = MM x IM factor.</li>
 * </ol>
 * Sums run in double in a fixed order, positions by instrument and collateral by chain and asset, so the
 * same book gives the same figures bit for bit whatever order it is listed in. Requirement figures (group
 * losses, scan loss, contingencies, IM) are rounded up to the cent; contributions to the nearest cent.
 */
public final class PortfolioMargin {

    public static final PortfolioMargin DEFAULT = new PortfolioMargin();

    private static final String REASON = "INVALID_PORTFOLIO_INPUT";
    /** No book P&L is near this (10^15 USD); beyond it the sums could overflow to infinity. */
    private static final double MAX_PNL_USD = 1e15;
    private static final BigDecimal MAX_USD = BigDecimal.valueOf(MAX_PNL_USD);
    private static final double HALF_CENT = 0.005;
    static final Comparator<CollateralExposure> COLLATERAL_ORDER = Comparator.comparing(CollateralExposure::chainId)
            .thenComparing(CollateralExposure::asset).thenComparing(CollateralExposure::amount)
            .thenComparing(CollateralExposure::price).thenComparing(CollateralExposure::mmHaircut)
            .thenComparing(CollateralExposure::imHaircut);

    /**
     * Margins a book; an {@link InvalidInputException} INVALID_PORTFOLIO_INPUT listing every bad field
     * (nothing is computed from a partly bad input).
     *
     * @param pnl              pnl[position][scenario]: USD P&L of each position in each scenario of the grid
     * @param staleUnderlyings underlyings whose oracle is stale or of low confidence; each one on the grid must be
     *                         one of the grid's {@link ScenarioGrid#staleUnderlyings()} (a grid built without
     *                         its stale scenarios is refused, never silently optimistic)
     */
    public PortfolioResult evaluate(ScenarioGrid grid, List<PositionExposure> positions, double[][] pnl,
                                    List<CollateralExposure> collateral, Set<String> staleUnderlyings) {
        validate(grid, positions, pnl, collateral, staleUnderlyings);
        // A fixed summation order (positions by instrument, collateral by chain and asset): double sums
        // depend on their order, and the figures must not depend on the order the caller listed things in.
        Integer[] order = new Integer[positions.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        List<PositionExposure> given = positions;
        Arrays.sort(order, Comparator.comparing(i -> given.get(i).instrument()));
        double[][] rows = new double[order.length][];
        List<PositionExposure> sorted = new ArrayList<>();
        for (int i = 0; i < order.length; i++) {
            sorted.add(positions.get(order[i]));
            rows[i] = pnl[order[i]];
        }
        positions = sorted;
        pnl = rows;
        collateral = collateral.stream().sorted(COLLATERAL_ORDER).toList();
        PortfolioParameters params = grid.parameters();
        int[] positionGroup = positions.stream().mapToInt(p -> grid.groupOf(p.underlying())).toArray();
        int[] collateralGroup = collateral.stream().mapToInt(c -> c.stablecoin() ? -1 : grid.groupOf(c.underlying())).toArray();

        List<PortfolioResult.GroupResult> groups = new ArrayList<>();
        for (int g = 0; g < grid.groups().size(); g++) {
            groups.add(scanGroup(grid, g, positions, pnl, positionGroup, collateral, collateralGroup));
        }
        BigDecimal sumOfLosses = BigDecimal.ZERO;
        BigDecimal largest = BigDecimal.ZERO;
        for (PortfolioResult.GroupResult group : groups) {
            sumOfLosses = sumOfLosses.add(group.worstLoss());
            largest = largest.max(group.worstLoss());
        }
        BigDecimal keep = BigDecimal.ONE.subtract(BigDecimal.valueOf(params.groupOffset()));
        BigDecimal scanLoss = Decimals.requirement(largest.add(keep.multiply(sumOfLosses.subtract(largest))));

        List<PortfolioResult.Contingency> contingencies = contingencies(params, positions, collateral);
        BigDecimal contingencyTotal = Decimals.usd(BigDecimal.ZERO);
        for (PortfolioResult.Contingency c : contingencies) {
            contingencyTotal = contingencyTotal.add(c.amount());
        }
        BigDecimal mm = Decimals.usd(scanLoss.add(contingencyTotal));
        BigDecimal im = Decimals.requirement(mm.multiply(BigDecimal.valueOf(params.imFactor())));
        return new PortfolioResult(params.version(), mm, im, scanLoss, Decimals.usd(sumOfLosses.subtract(scanLoss)),
                contingencyTotal, groups, contingencies);
    }

    private static PortfolioResult.GroupResult scanGroup(ScenarioGrid grid, int g, List<PositionExposure> positions,
                                                         double[][] pnl, int[] positionGroup,
                                                         List<CollateralExposure> collateral, int[] collateralGroup) {
        List<Scenario> scenarios = grid.scenarios();
        GroupDelta delta = GroupDelta.of(g, positions, positionGroup, collateral, collateralGroup);
        double[] losses = new double[scenarios.size()];
        double worst = Double.NEGATIVE_INFINITY;
        for (int s = 0; s < scenarios.size(); s++) {
            Scenario scenario = scenarios.get(s);
            if (scenario.group() != g) {
                continue;
            }
            double linearShare = delta.linearShareBeyondCore(grid.parameters(), scenario);
            double total = 0;
            for (int p = 0; p < positions.size(); p++) {
                if (positionGroup[p] == g) {
                    total += pnl[p][s] - linearShare * delta.position(p);
                }
            }
            for (int c = 0; c < collateral.size(); c++) {
                if (collateralGroup[c] == g) {
                    CollateralExposure line = collateral.get(c);
                    total += line.valueMm() * scenario.moveOf(line.underlying()) - linearShare * line.valueMm();
                }
            }
            losses[s] = -scenario.weight() * total;
            worst = Math.max(worst, losses[s]);
        }
        int driver = driver(scenarios, g, losses, worst);
        Scenario driving = scenarios.get(driver);
        double linearShare = delta.linearShareBeyondCore(grid.parameters(), driving);
        List<PortfolioResult.Contribution> byPosition = new ArrayList<>();
        for (int p = 0; p < positions.size(); p++) {
            if (positionGroup[p] == g) {
                byPosition.add(new PortfolioResult.Contribution(positions.get(p).instrument(),
                        cents(-driving.weight() * (pnl[p][driver] - linearShare * delta.position(p)))));
            }
        }
        Map<String, Double> chainLoss = new TreeMap<>();
        for (int c = 0; c < collateral.size(); c++) {
            if (collateralGroup[c] == g) {
                CollateralExposure line = collateral.get(c);
                double charged = line.valueMm() * driving.moveOf(line.underlying()) - linearShare * line.valueMm();
                chainLoss.merge(line.chainId(), -driving.weight() * charged, Double::sum);
            }
        }
        List<PortfolioResult.Contribution> byChain = new ArrayList<>();
        chainLoss.forEach((chain, loss) -> byChain.add(new PortfolioResult.Contribution(chain, cents(loss))));
        ScenarioGrid.Group group = grid.groups().get(g);
        return new PortfolioResult.GroupResult(group.id(), group.underlyings(), driving.id(), Decimals.requirement(BigDecimal.valueOf(Math.max(0, worst))),
                byPosition, byChain);
    }

    /**
     * A group's linear exposure, USD P&L per unit of joint relative move: each perpetual/future's
     * quantity x index, each risky collateral line's value after the MM haircut; options count 0.
     *
     * <p>Why: in an EXTENDED move the linear instruments are charged only up to the core edge (a perp or
     * collateral is liquidated in the core range: it trades in any market), while options are charged their
     * whole P&L (they cannot be liquidated into a crash). So a linear book's extended charge is its core-edge
     * loss and never exceeds the core scan, and a short straddle pays its full crash loss. Options count no
     * delta on purpose: the charge only ever gives back linear loss, so adding an option that loses in every
     * scenario never lowers the requirement, and a covered call (whose perp gains in a squeeze) is not
     * charged as a naked one.
     */
    private record GroupDelta(double[] positions, double total) {

        double position(int p) {
            return positions[p];
        }

        static GroupDelta of(int g, List<PositionExposure> positions, int[] positionGroup,
                             List<CollateralExposure> collateral, int[] collateralGroup) {
            double[] deltas = new double[positions.size()];
            double total = 0;
            for (int p = 0; p < positions.size(); p++) {
                PositionExposure position = positions.get(p);
                if (positionGroup[p] == g && !position.option()) {
                    deltas[p] = position.quantity().doubleValue() * position.index().doubleValue();
                    total += deltas[p];
                }
            }
            for (int c = 0; c < collateral.size(); c++) {
                if (collateralGroup[c] == g) {
                    total += collateral.get(c).valueMm();
                }
            }
            return new GroupDelta(deltas, total);
        }

        /**
         * For an EXTENDED scenario of move m in which the group's linear exposure loses ({@code -total x m > 0}):
         * {@code m x (1 - c / |m|)}, the part of the move beyond the core edge c on m's side; each linear
         * position and collateral line gives back its exposure times this, so its loss is charged to the core
         * edge only. Else 0 (a linear exposure that gains is counted in full against the options).
         */
        double linearShareBeyondCore(PortfolioParameters p, Scenario s) {
            if (s.kind() != Scenario.Kind.EXTENDED || -total * s.spotMove() <= 0) {
                return 0;
            }
            List<Double> core = p.coreMoves();
            double edge = s.spotMove() < 0 ? -core.get(0) : core.get(core.size() - 1);
            return s.spotMove() * (1 - edge / Math.abs(s.spotMove()));
        }
    }

    /**
     * The first scenario of group {@code g} in grid order whose loss is within half a cent of the worst.
     * Scenarios that tie to the cent (a linear book loses the same at vol+, vol0 and vol-) differ only
     * by rounding noise, which depends on the order positions were summed in; the tolerance keeps the
     * driver the same whatever that order.
     */
    private static int driver(List<Scenario> scenarios, int g, double[] losses, double worst) {
        for (int s = 0; s < scenarios.size(); s++) {
            if (scenarios.get(s).group() == g && losses[s] >= worst - HALF_CENT) {
                return s;
            }
        }
        throw new IllegalStateException("group " + g + " has no scenario");
    }

    /**
     * Add-ons per underlying (alphabetical: net short option, linear), then per stablecoin line.
     */
    private static List<PortfolioResult.Contingency> contingencies(PortfolioParameters params, List<PositionExposure> positions,
                                                                   List<CollateralExposure> collateral) {
        Map<String, double[]> perUnderlying = new TreeMap<>(); // [net option USD, linear gross USD]
        for (PositionExposure p : positions) {
            double[] sums = perUnderlying.computeIfAbsent(p.underlying(), u -> new double[2]);
            double signedNotional = p.quantity().doubleValue() * p.index().doubleValue();
            if (p.option()) {
                sums[0] += signedNotional;
            } else {
                sums[1] += Math.abs(signedNotional);
            }
        }
        List<PortfolioResult.Contingency> out = new ArrayList<>();
        perUnderlying.forEach((underlying, sums) -> {
            add(out, "net_short_option", underlying, params.netShortOptionRate() * Math.max(0, -sums[0]));
            add(out, "linear", underlying, params.linearRate() * sums[1]);
        });
        for (CollateralExposure c : collateral) {
            if (c.stablecoin()) {
                add(out, "stablecoin_depeg", c.chainId() + "/" + c.asset(), params.stablecoinDepeg() * c.valueMm());
            }
        }
        return out;
    }

    private static void add(List<PortfolioResult.Contingency> out, String kind, String subject, double amount) {
        BigDecimal rounded = Decimals.requirement(BigDecimal.valueOf(amount));
        if (rounded.signum() != 0) {
            out.add(new PortfolioResult.Contingency(kind, subject, rounded));
        }
    }


    /** A share or a credit (contributions) rounded to the nearest cent, HALF_EVEN, at the service's USD scale. */
    static BigDecimal cents(double usd) {
        return cents(BigDecimal.valueOf(usd));
    }

    static BigDecimal cents(BigDecimal usd) {
        return Decimals.usd(usd.setScale(2, RoundingMode.HALF_EVEN));
    }

    private static void validate(ScenarioGrid grid, List<PositionExposure> positions, double[][] pnl,
                                 List<CollateralExposure> collateral, Set<String> staleUnderlyings) {
        List<Violation> violations = new ArrayList<>();
        if (staleUnderlyings == null) {
            violations.add(new Violation("stale_underlyings", "required (may be empty)"));
        } else {
            new java.util.TreeSet<>(staleUnderlyings).forEach(u -> {
                if (grid.groupOf(u) >= 0 && !grid.staleUnderlyings().contains(u)) {
                    violations.add(new Violation("stale_underlyings", u + " is stale but the grid has no stale scenarios for it:"
                            + " build it with ScenarioGrid.forBook(parameters, positions, collateral, stale)"));
                }
            });
        }
        int scenarios = grid.scenarios().size();
        Set<String> instruments = new HashSet<>();
        if (positions == null || collateral == null) {
            violations.add(new Violation(positions == null ? "positions" : "collateral", "required (may be empty)"));
            throw new InvalidInputException(REASON, violations);
        }
        for (int i = 0; i < positions.size(); i++) {
            PositionExposure p = positions.get(i);
            String field = "positions[" + i + "]";
            if (p == null) {
                violations.add(new Violation(field, "required"));
                continue;
            }
            if (p.instrument() == null || p.instrument().isBlank()) {
                violations.add(new Violation(field + ".instrument", "required"));
            } else if (!instruments.add(p.instrument())) {
                violations.add(new Violation(field + ".instrument", "duplicate instrument " + p.instrument()));
            }
            if (grid.groupOf(p.underlying()) < 0) {
                violations.add(new Violation(field + ".underlying", "not an underlying of the grid: " + p.underlying()));
            }
            if (p.quantity() == null || p.quantity().signum() == 0) {
                violations.add(new Violation(field + ".quantity", "must be non-zero"));
            }
            if (p.index() == null || p.index().signum() <= 0) {
                violations.add(new Violation(field + ".index", "must be positive"));
            } else if (p.quantity() != null && p.quantity().abs().multiply(p.index()).compareTo(MAX_USD) > 0) {
                violations.add(new Violation(field + ".quantity", "notional |quantity x index| must be at most 1e15 USD"));
            }
        }
        if (pnl == null || pnl.length != positions.size()) {
            violations.add(new Violation("pnl", "must have one row per position (" + positions.size() + ")"));
        } else {
            for (int i = 0; i < pnl.length; i++) {
                validateRow(pnl[i], scenarios, "pnl[" + i + "]", violations);
            }
        }
        for (int i = 0; i < collateral.size(); i++) {
            if (collateral.get(i) == null) {
                violations.add(new Violation("collateral[" + i + "]", "required"));
            } else {
                validateCollateral(grid, collateral.get(i), "collateral[" + i + "]", violations);
            }
        }
        if (!violations.isEmpty()) {
            throw new InvalidInputException(REASON, violations);
        }
    }

    private static void validateRow(double[] row, int scenarios, String field, List<Violation> violations) {
        if (row == null || row.length != scenarios) {
            violations.add(new Violation(field, "must have one P&L per scenario (" + scenarios + ")"));
            return;
        }
        for (int s = 0; s < row.length; s++) {
            if (!(Math.abs(row[s]) <= MAX_PNL_USD)) {
                violations.add(new Violation(field + "[" + s + "]", "must be finite and at most 1e15 USD in size, got " + row[s]));
                return;
            }
        }
    }

    private static void validateCollateral(ScenarioGrid grid, CollateralExposure c, String field, List<Violation> violations) {
        if (c.chainId() == null || c.chainId().isBlank()) {
            violations.add(new Violation(field + ".chain_id", "required"));
        }
        if (c.asset() == null || c.asset().isBlank()) {
            violations.add(new Violation(field + ".asset", "required"));
        }
        if (c.stablecoin() && c.underlying() != null) {
            violations.add(new Violation(field + ".underlying", "a stablecoin has no underlying"));
        } else if (!c.stablecoin() && grid.groupOf(c.underlying()) < 0) {
            violations.add(new Violation(field + ".underlying", "not an underlying of the grid: " + c.underlying()));
        }
        if (c.amount() == null || c.amount().signum() < 0) {
            violations.add(new Violation(field + ".amount", "must be >= 0"));
        }
        if (c.price() == null || c.price().signum() <= 0) {
            violations.add(new Violation(field + ".price", "must be positive"));
        } else if (c.amount() != null && c.amount().multiply(c.price()).compareTo(MAX_USD) > 0) {
            violations.add(new Violation(field + ".amount", "value amount x price must be at most 1e15 USD"));
        }
        boolean mmOk = fraction(c.mmHaircut());
        if (!mmOk) {
            violations.add(new Violation(field + ".mm_haircut", "must be in [0, 1]"));
        }
        if (!fraction(c.imHaircut()) || (mmOk && c.imHaircut().compareTo(c.mmHaircut()) < 0)) {
            violations.add(new Violation(field + ".im_haircut", "must be in [mm_haircut, 1]"));
        }
    }

    private static boolean fraction(BigDecimal value) {
        return value != null && value.signum() >= 0 && value.compareTo(BigDecimal.ONE) <= 0;
    }
}
