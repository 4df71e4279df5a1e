package dev.crosschain.margin.domain.portfolio;

import dev.crosschain.margin.domain.Instrument;
import dev.crosschain.margin.domain.InvalidInputException;

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
 *   <li>EXTENDED: every extended move with the vol up-shock and its weight — {@code "BTC,ETH:+500%/vol+/w0.03"}.</li>
 * </ol>
 * Underlyings of a group move together by the same relative move; the other groups stay at their
 * index. Groups come in the parameters' order with their members in the parameters' order; an
 * underlying in no group follows as a group of its own, alphabetically. So the grid and its ids depend
 * only on the parameters and the set of underlyings, not on the order they came in.
 *
 * @param groups    the groups present in the book
 * @param scenarios every scenario, ids unique
 */
public record ScenarioGrid(PortfolioParameters parameters, List<Group> groups, List<Scenario> scenarios) {

    /** A correlation group present in the book; its id is its members joined by commas. */
    public record Group(String id, List<String> underlyings) {
        public Group {
            underlyings = List.copyOf(underlyings);
        }
    }

    public ScenarioGrid {
        groups = List.copyOf(groups);
        scenarios = List.copyOf(scenarios);
    }

    /**
     * The grid for a book whose positions and risky collateral are on {@code underlyings}; an
     * {@link InvalidInputException} INVALID_PORTFOLIO_INPUT when a symbol is not an underlying.
     */
    public static ScenarioGrid of(PortfolioParameters parameters, Collection<String> underlyings) {
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
        List<Scenario> scenarios = new ArrayList<>();
        for (int g = 0; g < groups.size(); g++) {
            addGroup(parameters, g, groups.get(g), scenarios);
        }
        return new ScenarioGrid(parameters, groups, scenarios);
    }

    /** The grid for the underlyings of these positions and of this risky collateral. */
    public static ScenarioGrid forBook(PortfolioParameters parameters, List<PositionExposure> positions,
                                       List<CollateralExposure> collateral) {
        Set<String> underlyings = new TreeSet<>();
        positions.forEach(p -> underlyings.add(p.underlying()));
        collateral.stream().filter(c -> !c.stablecoin()).forEach(c -> underlyings.add(c.underlying()));
        return of(parameters, underlyings);
    }

    /** Scenarios per group: the same for every group. */
    public static int scenariosPerGroup(PortfolioParameters p) {
        int core = p.coreMoves().size();
        return core * 3 + core * p.skewShifts().size() + p.extendedMoves().size();
    }

    /** The index in {@link #groups()} of the group holding {@code underlying}, or -1. */
    public int groupOf(String underlying) {
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

    private static void addGroup(PortfolioParameters p, int g, Group group, List<Scenario> out) {
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
    }

    /** -0.16 -> "-16%", 0.04 -> "+4%", 0 -> "0%", 0.125 -> "+12.5%". */
    static String percent(double move) {
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
