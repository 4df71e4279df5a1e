package dev.crosschain.margin.domain.portfolio;

import dev.crosschain.margin.domain.Instrument;
import dev.crosschain.margin.domain.InvalidInputException;
import dev.crosschain.margin.domain.Violation;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The scenarios of a book under a {@link PortfolioParameters}: per correlation group present in the
 * book, in this order,
 * <ol>
 *   <li>CORE: every core move x vol up (tenor-scaled), flat, down — {@code "BTC,ETH:-16%/vol+"};</li>
 *   <li>SKEW: every skew shift x every core move at flat vol — {@code "BTC,ETH:-16%/skew-0.1"};</li>
 *   <li>EXTENDED: every extended move with the vol up-shock and its weight — {@code "BTC,ETH:+500%/vol+/w0.03"};</li>
 *   <li>MEMBER (groups of two or more): each member alone, the others at their index, over every non-zero
 *       core move x vol up, flat, down — {@code "BTC,ETH:BTC-16%/vol+"};</li>
 *   <li>STALE, per member whose oracle is stale or of low confidence: it alone, the others at their index,
 *       over every non-zero core move x the stale widening, vol up, weight 1 — {@code "BTC,ETH:BTC-24%/vol+/stale"}.
 *       A stale member widens its group's scan whatever the rest of the group hedges.</li>
 * </ol>
 * In CORE, SKEW and EXTENDED scenarios the underlyings of a group move together by the same relative
 * move; the other groups stay at their index. The MEMBER scenarios are the decorrelation: without them
 * a dollar-neutral long BTC / short ETH book, or a short BTC perp "hedged" by ETH collateral, would show
 * no loss at all. A member moving by the full core move while the others stay is a relative move of
 * 16% between them: the 99th percentile of the daily |ln(ETH/BTC)| change is about 10.7% (2018-2026),
 * about 15% over the two-day liquidation horizon the core range is meant for (x sqrt 2), so the core range
 * itself is the matching spread move and needs no parameter of its own. A group's loss is the worst over
 * all its scenarios, joint and alone. Groups come in the parameters' order with their members in the parameters' order; an
 * underlying in no group follows as a group of its own, alphabetically. So the grid and its ids depend
 * only on the parameters and the set of underlyings, not on the order they came in.
 *
 * @param groups           the groups present in the book
 * @param staleUnderlyings the underlyings of the book scanned as stale, alphabetical
 * @param scenarios        every scenario, ids unique
 */
public record ScenarioGrid(PortfolioParameters parameters, List<Group> groups, List<String> staleUnderlyings,
                           List<Scenario> scenarios) {

    /** A correlation group present in the book; its id is its members joined by commas. */
    public record Group(String id, List<String> underlyings) {
        public Group {
            underlyings = List.copyOf(underlyings);
        }
    }

    public ScenarioGrid {
        groups = List.copyOf(groups);
        staleUnderlyings = List.copyOf(staleUnderlyings);
        scenarios = List.copyOf(scenarios);
        checkConsistent(parameters, groups, staleUnderlyings, scenarios);
    }

    /**
     * The grid for a book whose positions and risky collateral are on {@code underlyings}; an
     * {@link InvalidInputException} INVALID_PORTFOLIO_INPUT when a symbol is not an underlying.
     */
    public static ScenarioGrid of(PortfolioParameters parameters, Collection<String> underlyings) {
        return of(parameters, underlyings, Set.of());
    }

    /**
     * The grid for a book on {@code underlyings} of which {@code stale} have a stale or low-confidence
     * index (stale symbols not in the book are ignored).
     */
    public static ScenarioGrid of(PortfolioParameters parameters, Collection<String> underlyings, Collection<String> stale) {
        Set<String> remaining = new TreeSet<>();
        int i = 0;
        for (String u : underlyings) {
            if (!validUnderlying(u)) {
                throw new InvalidInputException("INVALID_PORTFOLIO_INPUT", "underlyings[" + i + "]", "not an underlying symbol: " + u);
            }
            remaining.add(u);
            i++;
        }
        List<Group> groups = new ArrayList<>();
        for (List<String> members : parameters.correlationGroups()) {
            List<String> present = members.stream().filter(remaining::contains).toList();
            if (!present.isEmpty()) {
                groups.add(new Group(String.join(",", present), present));
                present.forEach(remaining::remove);
            }
        }
        for (String alone : remaining) {
            groups.add(new Group(alone, List.of(alone)));
        }
        Set<String> staleInBook = new TreeSet<>();
        int j = 0;
        for (String u : stale) {
            if (!validUnderlying(u)) {
                throw new InvalidInputException("INVALID_PORTFOLIO_INPUT", "stale_underlyings[" + j + "]", "not an underlying symbol: " + u);
            }
            if (groups.stream().anyMatch(group -> group.underlyings().contains(u))) {
                staleInBook.add(u);
            }
            j++;
        }
        List<Scenario> scenarios = new ArrayList<>();
        for (int g = 0; g < groups.size(); g++) {
            addGroup(parameters, g, groups.get(g), staleInBook, scenarios);
        }
        return new ScenarioGrid(parameters, groups, List.copyOf(staleInBook), scenarios);
    }

    /** The grid for the underlyings of these positions and of this risky collateral. */
    public static ScenarioGrid forBook(PortfolioParameters parameters, List<PositionExposure> positions,
                                       List<CollateralExposure> collateral) {
        return forBook(parameters, positions, collateral, Set.of());
    }

    /** The grid for this book when the underlyings {@code stale} have a stale or low-confidence index. */
    public static ScenarioGrid forBook(PortfolioParameters parameters, List<PositionExposure> positions,
                                       List<CollateralExposure> collateral, Collection<String> stale) {
        List<Violation> violations = new ArrayList<>();
        Set<String> underlyings = new TreeSet<>();
        for (int i = 0; i < positions.size(); i++) {
            PositionExposure p = positions.get(i);
            if (p == null || !validUnderlying(p.underlying())) {
                violations.add(new Violation("positions[" + i + "].underlying", "not an underlying symbol: " + (p == null ? null : p.underlying())));
            } else {
                underlyings.add(p.underlying());
            }
        }
        for (int i = 0; i < collateral.size(); i++) {
            CollateralExposure c = collateral.get(i);
            if (c != null && c.stablecoin()) {
                continue;
            }
            if (c == null || !validUnderlying(c.underlying())) {
                violations.add(new Violation("collateral[" + i + "].underlying", "not an underlying symbol: " + (c == null ? null : c.underlying())));
            } else {
                underlyings.add(c.underlying());
            }
        }
        if (!violations.isEmpty()) {
            throw new InvalidInputException("INVALID_PORTFOLIO_INPUT", violations);
        }
        return of(parameters, underlyings, stale);
    }

    /**
     * A grid built by hand must hold together like one from {@link #of}: parameters given, every scenario
     * in a group of the grid and moving only that group's members, ids unique, stale underlyings on the grid.
     */
    private static void checkConsistent(PortfolioParameters parameters, List<Group> groups, List<String> stale,
                                        List<Scenario> scenarios) {
        List<Violation> violations = new ArrayList<>();
        if (parameters == null) {
            violations.add(new Violation("parameters", "required"));
        }
        Set<String> members = new java.util.HashSet<>();
        for (int g = 0; g < groups.size(); g++) {
            for (String u : groups.get(g).underlyings()) {
                if (!members.add(u)) {
                    violations.add(new Violation("groups[" + g + "]", u + " is already in a group"));
                }
            }
        }
        for (int i = 0; i < stale.size(); i++) {
            if (!members.contains(stale.get(i))) {
                violations.add(new Violation("stale_underlyings[" + i + "]", "not an underlying of the grid: " + stale.get(i)));
            }
        }
        Set<String> ids = new java.util.HashSet<>();
        for (int i = 0; i < scenarios.size(); i++) {
            Scenario s = scenarios.get(i);
            String field = "scenarios[" + i + "]";
            if (!ids.add(s.id())) {
                violations.add(new Violation(field + ".id", "duplicate id " + s.id()));
            }
            if (s.group() < 0 || s.group() >= groups.size()) {
                violations.add(new Violation(field + ".group", "no group " + s.group() + " in the grid"));
            } else if (!groups.get(s.group()).underlyings().containsAll(s.underlyings())) {
                violations.add(new Violation(field + ".underlyings", "moves underlyings outside its group"));
            }
        }
        if (!violations.isEmpty()) {
            throw new InvalidInputException("INVALID_SCENARIO_GRID", violations);
        }
    }

    /** Scenarios of a group of {@code members} underlyings of which {@code stale} are stale. */
    public static int scenariosPerGroup(PortfolioParameters p, int members, int stale) {
        int core = p.coreMoves().size();
        int memberScenarios = members < 2 ? 0 : members * nonZero(p.coreMoves()).size() * 3;
        return core * 3 + core * p.skewShifts().size() + p.extendedMoves().size() + memberScenarios
                + stale * nonZero(p.coreMoves()).size();
    }

    private static List<Double> nonZero(List<Double> moves) {
        return moves.stream().filter(m -> m != 0).toList();
    }

    /** The index in {@link #groups()} of the group holding {@code underlying}, or -1. */
    public int groupOf(String underlying) {
        if (underlying == null) {
            return -1;
        }
        for (int g = 0; g < groups.size(); g++) {
            if (groups.get(g).underlyings().contains(underlying)) {
                return g;
            }
        }
        return -1;
    }

    static boolean validUnderlying(String symbol) {
        return symbol != null && Instrument.UNDERLYING.matcher(symbol).matches();
    }

    private static void addGroup(PortfolioParameters p, int g, Group group, Set<String> stale, List<Scenario> out) {
        String prefix = group.id() + ":";
        List<String> members = group.underlyings();
        double ref = p.tenorReferenceDays();
        for (double move : p.coreMoves()) {
            out.add(new Scenario(prefix + percent(move) + "/vol+", g, Scenario.Kind.CORE, members, move,
                    p.volUpShift(), ref, p.tenorPower(), p.tenorMaxScale(), 0, 1));
            out.add(new Scenario(prefix + percent(move) + "/vol0", g, Scenario.Kind.CORE, members, move,
                    0, 0, 0, 0, 0, 1));
            out.add(new Scenario(prefix + percent(move) + "/vol-", g, Scenario.Kind.CORE, members, move,
                    p.volDownShift(), 0, 0, 0, 0, 1));
        }
        for (double skew : p.skewShifts()) {
            for (double move : p.coreMoves()) {
                out.add(new Scenario(prefix + percent(move) + "/skew" + signed(skew), g, Scenario.Kind.SKEW, members, move,
                        0, 0, 0, 0, skew, 1));
            }
        }
        for (PortfolioParameters.ExtendedMove e : p.extendedMoves()) {
            out.add(new Scenario(prefix + percent(e.move()) + "/vol+/w" + plain(e.weight()), g, Scenario.Kind.EXTENDED,
                    members, e.move(), p.volUpShift(), ref, p.tenorPower(), p.tenorMaxScale(), 0, e.weight()));
        }
        if (members.size() >= 2) {
            addMembersAlone(p, g, group, out);
        }
        for (String member : members) {
            if (stale.contains(member)) {
                for (double core : nonZero(p.coreMoves())) {
                    double move = BigDecimal.valueOf(core).multiply(BigDecimal.valueOf(p.staleOracleWidening())).doubleValue();
                    out.add(new Scenario(prefix + member + percent(move) + "/vol+/stale", g, Scenario.Kind.STALE, List.of(member),
                            move, p.volUpShift(), ref, p.tenorPower(), p.tenorMaxScale(), 0, 1));
                }
            }
        }
    }

    private static void addMembersAlone(PortfolioParameters p, int g, Group group, List<Scenario> out) {
        String prefix = group.id() + ":";
        double ref = p.tenorReferenceDays();
        for (String member : group.underlyings()) {
            for (double move : nonZero(p.coreMoves())) {
                String id = prefix + member + percent(move);
                List<String> alone = List.of(member);
                out.add(new Scenario(id + "/vol+", g, Scenario.Kind.MEMBER, alone, move,
                        p.volUpShift(), ref, p.tenorPower(), p.tenorMaxScale(), 0, 1));
                out.add(new Scenario(id + "/vol0", g, Scenario.Kind.MEMBER, alone, move, 0, 0, 0, 0, 0, 1));
                out.add(new Scenario(id + "/vol-", g, Scenario.Kind.MEMBER, alone, move, p.volDownShift(), 0, 0, 0, 0, 1));
            }
        }
    }

    /** -0.16 -> "-16%", 0.04 -> "+4%", 0 -> "0%", 0.125 -> "+12.5%". */
    public static String percent(double move) {
        return signed(BigDecimal.valueOf(move).movePointRight(2).doubleValue()) + "%";
    }

    private static String signed(double value) {
        String text = plain(value);
        return value > 0 ? "+" + text : text;
    }

    private static String plain(double value) {
        if (value == 0) {
            return "0";
        }
        return BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
    }
}
