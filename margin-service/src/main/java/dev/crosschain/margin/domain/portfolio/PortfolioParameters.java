package dev.crosschain.margin.domain.portfolio;

import dev.crosschain.margin.domain.InvalidInputException;
import dev.crosschain.margin.domain.Violation;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The portfolio-margin risk-parameter set: one versioned value, validated at construction
 * (an {@link InvalidInputException} INVALID_RISK_PARAMETERS listing every bad field).
 *
 * <p>Units: spot moves are relative (-0.16 = -16%); vol shifts are absolute vol points as a fraction
 * (0.15 = +15 vol points); skew shifts are absolute vol per unit of log-moneyness ln(K/F), as
 * pricing-service's RevalueBook applies them; rates are fractions of USD amounts.
 *
 * @param version             the parameter set's version, echoed in every result so a figure names its rules
 * @param coreMoves           core spot moves, strictly ascending, including 0; each combined with vol up, flat, down
 * @param volUpShift          vol up-shock at {@code tenorReferenceDays}, > 0; each option's shock is
 *                            {@code volUpShift x min(tenorMaxScale, (tenorReferenceDays / T_days)^tenorPower)}
 * @param volDownShift        vol down-shock, <= 0, applied flat to every option (pricing floors vols at 1%)
 * @param tenorReferenceDays  the tenor at which the up-shock applies unscaled, days, > 0
 * @param tenorPower          exponent of the tenor scaling, >= 0
 * @param tenorMaxScale       cap of the tenor scaling, >= 1: (ref/T)^p is unbounded as T -> 0, so a cap is required
 * @param extendedMoves       moves beyond the core range, each with the weight applied to its charged loss; they
 *                            carry the vol up-shock (crypto crashes and squeezes both come with vol spikes). The
 *                            charged loss counts options in full and perps, futures and risky collateral only to the
 *                            core edge (PortfolioMargin), so a linear book is margined by the core range and a
 *                            short-option book pays its crash loss. On each side of 0 a weight never increases with |move|.
 * @param skewShifts          skew shocks, each combined with every core move at flat vol; may be empty
 * @param correlationGroups   underlyings shocked jointly by the same relative move; an underlying in no group is
 *                            a group of its own
 * @param groupOffset         credit between groups, in [0, 1): combined loss = largest group loss
 *                            + (1 - groupOffset) x the sum of the others (0 = plain sum, no diversification)
 * @param imFactor            IM = MM x imFactor, >= 1
 * @param netShortOptionRate  add-on per underlying: rate x max(0, -sum of option quantity x index), USD
 * @param linearRate          add-on per perpetual/future: rate x |quantity| x index (basis and funding risk the
 *                            spot grid does not see), USD
 * @param staleOracleWidening a stale or low-confidence underlying is also scanned alone (the others at their index)
 *                            over every non-zero core move x this factor, with the vol up-shock and weight 1
 *                            (DESIGN: "last price shocked by the full scan range"); finite and > 1. Full revaluation
 *                            at the widened moves charges a short-gamma book its convex loss, not a linear guess.
 * @param stablecoinDepeg     relative loss of stablecoin collateral (after its MM haircut) assumed in a de-peg
 * @param stablecoins         canonical assets treated as USD stablecoins (no grid move, the de-peg add-on instead)
 */
public record PortfolioParameters(String version, List<Double> coreMoves, double volUpShift, double volDownShift,
                                  double tenorReferenceDays, double tenorPower, double tenorMaxScale,
                                  List<ExtendedMove> extendedMoves, List<Double> skewShifts,
                                  List<List<String>> correlationGroups, double groupOffset, double imFactor,
                                  double netShortOptionRate, double linearRate, double staleOracleWidening,
                                  double stablecoinDepeg, List<String> stablecoins) {

    /** An extended spot move and the weight (0, 1] applied to its P&L. */
    public record ExtendedMove(double move, double weight) {
    }

    /**
     * The venue default, version "pm-1".
     * <ul>
     *   <li>Core moves -16%..+16% in 4% steps (9 moves): 4% rather than 8% because a book of short
     *       options at several strikes (a butterfly, a ratio spread) can lose most between two 8% nodes.
     *       16% is about 3 daily standard deviations of BTC/ETH at 80% annual vol, a 1-2 day
     *       liquidation horizon.</li>
     *   <li>Vol up +15 points at 30 days, scaled (30/T)^0.3 and capped at 3x (reached below about 0.8 days):
     *       a 7-day option takes +23 points, a 1-day option +41. Vol down -10 points flat (long options lose
     *       at most their premium, so no tenor scaling is needed there).</li>
     *   <li>Extended moves -20%, -25%, -33%, -42%, -50%, +20%, +25%, +33%, +50% at weight 1: every 2-day move of
     *       BTC and ETH in the daily closes 2014-2026 lies inside -50% .. +50% (worst ETH -44% to
     *       2020-03-12, best BTC +50% to 2017-12-07), and a short option book cannot be liquidated into such a crash, so its
     *       loss there is charged in full (a linear book's charge stays its core-edge loss). Nodes every
     *       5-9 points because a short spread or strangle can lose most between two nodes. Beyond, -66%, +100%,
     *       +200%, +500% with weight 0.5/|move| rounded up (0.76, 0.5, 0.25, 0.1): never seen over two days, so
     *       dampened, and so that a move beyond anything seen charges a unit of exposure no more than the largest
     *       one seen (weight x |move| = 0.5, its value at the +-50% edge). Consequence: a naked short option is
     *       charged up to about half the spot (its loss at the +50% node), far above the cross rule.</li>
     *   <li>Skew shocks +-0.10 vol per unit ln(K/F): a put struck at half the forward gains or loses
     *       about 7 vol points relative to the money.</li>
     *   <li>Groups {BTC, ETH} (daily return correlation about 0.8-0.9 since 2018) and {SOL} alone, with a
     *       20% offset: SOL has decoupled in its own crises (November 2022), so the credit is small.</li>
     *   <li>A stale oracle widens its underlying's scan 1.5x (to +-24%): the last price may be one more
     *       liquidation horizon old, and the range over two horizons is sqrt(2) = 1.41x the range over one,
     *       rounded up because a stale price comes with disorderly markets.</li>
     *   <li>IM = 1.3 x MM. Add-ons: 1% of index per net short option unit, 0.5% of perpetual/future
     *       notional, 10% stablecoin de-peg (USDC traded near 0.88 on
     *       11 March 2023).</li>
     * </ul>
     */
    public static final PortfolioParameters DEFAULT = new PortfolioParameters("pm-1",
            List.of(-0.16, -0.12, -0.08, -0.04, 0.0, 0.04, 0.08, 0.12, 0.16),
            0.15, -0.10, 30, 0.3, 3,
            List.of(new ExtendedMove(-0.66, 0.76), new ExtendedMove(-0.50, 1), new ExtendedMove(-0.42, 1),
                    new ExtendedMove(-0.33, 1), new ExtendedMove(-0.25, 1), new ExtendedMove(-0.20, 1),
                    new ExtendedMove(0.20, 1), new ExtendedMove(0.25, 1), new ExtendedMove(0.33, 1),
                    new ExtendedMove(0.50, 1), new ExtendedMove(1.00, 0.5), new ExtendedMove(2.00, 0.25),
                    new ExtendedMove(5.00, 0.1)),
            List.of(0.10, -0.10),
            List.of(List.of("BTC", "ETH"), List.of("SOL")),
            0.20, 1.3, 0.01, 0.005, 1.5, 0.10, List.of("USDC", "USDT", "DAI"));

    public PortfolioParameters {
        List<Violation> violations = new ArrayList<>();
        if (version == null || version.isBlank()) {
            violations.add(new Violation("version", "required"));
        }
        coreMoves = present(coreMoves, "core_moves", violations);
        extendedMoves = present(extendedMoves, "extended_moves", violations);
        skewShifts = present(skewShifts, "skew_shifts", violations);
        List<List<String>> groups = new ArrayList<>();
        List<List<String>> listed = present(correlationGroups, "correlation_groups", violations);
        for (int g = 0; g < listed.size(); g++) {
            groups.add(present(listed.get(g), "correlation_groups[" + g + "]", violations));
        }
        correlationGroups = List.copyOf(groups);
        stablecoins = present(stablecoins, "stablecoins", violations);
        checkCoreMoves(coreMoves, violations);
        check(violations, "vol_up_shift", Double.isFinite(volUpShift) && volUpShift > 0,
                "must be finite and > 0 (crypto crashes and squeezes come with vol spikes; the extended and stale scans use it)");
        check(violations, "vol_down_shift", Double.isFinite(volDownShift) && volDownShift <= 0 && volDownShift > -1,
                "must be finite, <= 0 and > -1");
        check(violations, "tenor_reference_days", Double.isFinite(tenorReferenceDays) && tenorReferenceDays > 0, "must be finite and > 0");
        check(violations, "tenor_power", Double.isFinite(tenorPower) && tenorPower >= 0, "must be finite and >= 0");
        check(violations, "tenor_max_scale", Double.isFinite(tenorMaxScale) && tenorMaxScale >= 1,
                "must be finite and >= 1 (a cap is required)");
        checkExtendedMoves(extendedMoves, coreMoves, violations);
        if (!coreMoves.isEmpty() && Double.isFinite(staleOracleWidening)) {
            check(violations, "stale_oracle_widening", coreMoves.get(0) * staleOracleWidening > -1,
                    "widens the lowest core move to -100% or below");
        }
        checkSkewShifts(skewShifts, violations);
        checkGroups(correlationGroups, violations);
        check(violations, "group_offset", groupOffset >= 0 && groupOffset < 1, "must be in [0, 1)");
        check(violations, "im_factor", Double.isFinite(imFactor) && imFactor >= 1, "must be finite and >= 1");
        checkRate(violations, "net_short_option_rate", netShortOptionRate);
        checkRate(violations, "linear_rate", linearRate);
        check(violations, "stale_oracle_widening", Double.isFinite(staleOracleWidening) && staleOracleWidening > 1,
                "must be finite and > 1 (a stale price is never scanned narrower than a fresh one)");
        checkRate(violations, "stablecoin_depeg", stablecoinDepeg);
        checkStablecoins(stablecoins, correlationGroups, violations);
        if (!violations.isEmpty()) {
            throw new InvalidInputException("INVALID_RISK_PARAMETERS", violations);
        }
    }

    /**
     * An immutable copy without the nulls, each null reported as {@code field[i]} required (null inside
     * a parameter set is a bad input, never a NullPointerException); a null list reads as empty.
     */
    private static <T> List<T> present(List<T> list, String field, List<Violation> violations) {
        if (list == null) {
            violations.add(new Violation(field, "required"));
            return List.of();
        }
        List<T> out = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            if (list.get(i) == null) {
                violations.add(new Violation(field + "[" + i + "]", "required"));
            } else {
                out.add(list.get(i));
            }
        }
        return List.copyOf(out);
    }

    private static void checkCoreMoves(List<Double> moves, List<Violation> violations) {
        if (moves.stream().noneMatch(m -> m == 0)) {
            violations.add(new Violation("core_moves", "must include 0"));
        }
        if (moves.stream().noneMatch(m -> m < 0) || moves.stream().noneMatch(m -> m > 0)) {
            violations.add(new Violation("core_moves", "must include a negative and a positive move (both directions are scanned)"));
        }
        for (int i = 0; i < moves.size(); i++) {
            double m = moves.get(i);
            check(violations, "core_moves[" + i + "]", Double.isFinite(m) && m > -1, "must be finite and > -1");
            if (i > 0) {
                check(violations, "core_moves[" + i + "]", m > moves.get(i - 1), "must be strictly ascending");
            }
        }
    }

    /** Extended moves lie beyond the core range, on their side, so their ids never collide with core ones. */
    private static void checkExtendedMoves(List<ExtendedMove> moves, List<Double> core, List<Violation> violations) {
        double low = core.isEmpty() ? 0 : core.get(0);
        double high = core.isEmpty() ? 0 : core.get(core.size() - 1);
        Set<Double> seen = new HashSet<>();
        for (int i = 0; i < moves.size(); i++) {
            ExtendedMove e = moves.get(i);
            String field = "extended_moves[" + i + "]";
            check(violations, field + ".move", Double.isFinite(e.move()) && e.move() > -1 && (e.move() < low || e.move() > high),
                    "must be finite, > -1 and outside the core range [" + low + ", " + high + "]");
            check(violations, field + ".move", seen.add(e.move()), "duplicate move " + e.move());
            check(violations, field + ".weight", e.weight() > 0 && e.weight() <= 1, "must be in (0, 1]");
            for (int j = 0; j < i; j++) {
                ExtendedMove other = moves.get(j);
                boolean sameSide = Math.signum(other.move()) == Math.signum(e.move());
                boolean farther = Math.abs(e.move()) > Math.abs(other.move());
                if (sameSide && (farther ? e.weight() > other.weight() : other.weight() > e.weight())
                        && Math.abs(e.move()) != Math.abs(other.move())) {
                    violations.add(new Violation(field + ".weight", "a larger move must not weigh more than a smaller one on its side"
                            + " (extended_moves[" + j + "])"));
                    break;
                }
            }
        }
    }

    private static void checkSkewShifts(List<Double> shifts, List<Violation> violations) {
        Set<Double> seen = new HashSet<>();
        for (int i = 0; i < shifts.size(); i++) {
            double s = shifts.get(i);
            check(violations, "skew_shifts[" + i + "]", Double.isFinite(s) && s != 0, "must be finite and non-zero");
            check(violations, "skew_shifts[" + i + "]", seen.add(s), "duplicate shift " + s);
        }
    }

    private static void checkGroups(List<List<String>> groups, List<Violation> violations) {
        Set<String> seen = new HashSet<>();
        for (int g = 0; g < groups.size(); g++) {
            List<String> group = groups.get(g);
            check(violations, "correlation_groups[" + g + "]", !group.isEmpty(), "must name at least one underlying");
            for (int i = 0; i < group.size(); i++) {
                String u = group.get(i);
                String field = "correlation_groups[" + g + "][" + i + "]";
                if (!ScenarioGrid.validUnderlying(u)) {
                    violations.add(new Violation(field, "not an underlying symbol: " + u));
                } else if (!seen.add(u)) {
                    violations.add(new Violation(field, u + " is already in a group"));
                }
            }
        }
    }

    /** A stablecoin never moves with the grid, so it cannot be in a correlation group. */
    private static void checkStablecoins(List<String> stablecoins, List<List<String>> groups, List<Violation> violations) {
        Set<String> grouped = new HashSet<>();
        groups.forEach(grouped::addAll);
        for (int i = 0; i < stablecoins.size(); i++) {
            String coin = stablecoins.get(i);
            if (!ScenarioGrid.validUnderlying(coin)) {
                violations.add(new Violation("stablecoins[" + i + "]", "not an asset symbol: " + coin));
            } else if (grouped.contains(coin)) {
                violations.add(new Violation("stablecoins[" + i + "]", coin + " is in a correlation group"));
            }
        }
    }

    private static void checkRate(List<Violation> violations, String field, double rate) {
        check(violations, field, rate >= 0 && rate <= 1, "must be in [0, 1]");
    }

    private static void check(List<Violation> violations, String field, boolean ok, String description) {
        if (!ok) {
            violations.add(new Violation(field, description));
        }
    }
}
