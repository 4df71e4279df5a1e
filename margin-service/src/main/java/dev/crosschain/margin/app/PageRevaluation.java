package dev.crosschain.margin.app;

import dev.crosschain.margin.client.DependencyException;
import dev.crosschain.margin.client.PricingClient;
import dev.crosschain.margin.domain.portfolio.PortfolioAccount;
import dev.crosschain.margin.domain.portfolio.PositionExposure;
import dev.crosschain.margin.domain.portfolio.Scenario;
import org.jboss.logging.Logger;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The PORTFOLIO accounts of one re-margin page revalued together: each instrument of the page once per scenario group,
 * at quantity 1, and each account's P&L the quantity-weighted unit P&L. RevalueBook's per-position figure is linear in
 * the quantity (quantity x unit price, a put of a line with a call priced by parity) and independent of the rest of the
 * request (pricing_service.proto states it on position_pnl_usd; pricing-service's BookRevaluerTest pins it), so an
 * account's figures are those of its own RevalueBook call up to the last bits of a double, far below the cent.
 *
 * <p>Two steps: {@link #planner()} stands in for RevalueBook while each account is evaluated once and records what its
 * scan asks for (then stops the evaluation by {@link Planned}); {@link #fetch()} makes one RevalueBook call per group
 * of scenarios and underlying for every instrument asked; {@link #answers()} then answers each account's scan from
 * those figures. An account whose scan asks for anything not fetched (an instrument pricing refused, a call that
 * failed, a second scan with stale scenarios) gets {@link Missing}: its caller values it by the per-account path.
 */
final class PageRevaluation {

    private static final Logger LOG = Logger.getLogger(PageRevaluation.class);

    /** Thrown by {@link #planner()} once the scan's request is recorded: the account's evaluation goes no further. */
    static final class Planned extends RuntimeException {
        private Planned() {
            super(null, null, false, false);
        }
    }

    /** Thrown by {@link #answers()} for a scan this page's figures do not cover. */
    static final class Missing extends RuntimeException {
        private Missing(String message) {
            super(message, null, false, false);
        }
    }

    /** What pricing-service computes a position's figure from, the scenario's id and group left out. */
    private record Shock(Map<String, Double> spotMoves, double volShift, double volShiftReferenceDays,
                         double volShiftTenorPower, double volShiftMaxScale, double skewShift) {
        static Shock of(Scenario s) {
            return new Shock(Map.copyOf(s.spotMoves()), s.volShift(), s.volShiftReferenceDays(), s.volShiftTenorPower(),
                    s.volShiftMaxScale(), s.skewShift());
        }
    }

    /** One group's scenarios, in the order a scan sends them (its own, then those of every group). */
    private record GroupKey(List<Shock> shocks) {
    }

    /** A scan's positions of one group, and the columns of its scenarios in the group's order. */
    private record Group(List<Integer> positions, List<Integer> columns) {
    }

    /** One RevalueBook call of the page: a group's scenarios and the instruments of one underlying revalued in them. */
    private record CallKey(GroupKey group, String underlying) {
    }

    /** pricing-service's RevalueBook ({@link PricingClient#revalue}): the page's calls. */
    private final PortfolioAccount.Revaluation pricing;
    /** The scenarios to send for each group (the first scan's: ids unique within a scan). */
    private final Map<GroupKey, List<Scenario>> scenarios = new LinkedHashMap<>();
    private final Map<CallKey, Set<String>> asked = new LinkedHashMap<>();
    /** Unit P&L per call and instrument, USD per unit held, in the group's scenario order. */
    private final Map<CallKey, Map<String, double[]>> unitPnl = new HashMap<>();
    private final Set<CallKey> staleCalls = new HashSet<>();

    PageRevaluation(PortfolioAccount.Revaluation pricing) {
        this.pricing = pricing;
    }

    /** Records the scan's request and throws {@link Planned}. */
    PortfolioAccount.Revaluation planner() {
        return (positions, scenarioList) -> {
            for (Map.Entry<GroupKey, Group> group : groups(positions, scenarioList).entrySet()) {
                for (int p : group.getValue().positions()) {
                    PositionExposure position = positions.get(p);
                    asked.computeIfAbsent(new CallKey(group.getKey(), position.underlying()), k -> new TreeSet<>())
                            .add(position.instrument());
                }
            }
            throw new Planned();
        };
    }

    /** True when some scan was planned: {@link #fetch()} has calls to make. */
    boolean planned() {
        return !asked.isEmpty();
    }

    /**
     * One RevalueBook call (sliced within pricing's limits) per group and underlying, quantity 1 per instrument. A call
     * refused for some of its instruments by name is made again without them; any other failure leaves the call's
     * instruments out, so only their holders take the per-account path.
     */
    void fetch() {
        asked.forEach((call, instruments) -> {
            List<Scenario> sent = scenarios.get(call.group());
            List<String> names = new ArrayList<>(instruments);
            for (int attempt = 0; attempt < 2 && !names.isEmpty(); attempt++) {
                try {
                    List<PositionExposure> units = names.stream()
                            .map(n -> new PositionExposure(n, call.underlying(), BigDecimal.ONE, false, BigDecimal.ZERO)).toList();
                    PortfolioAccount.Revalued revalued = pricing.revalue(units, sent);
                    Map<String, double[]> byInstrument = unitPnl.computeIfAbsent(call, k -> new HashMap<>());
                    for (int i = 0; i < names.size(); i++) {
                        byInstrument.put(names.get(i), revalued.pnl()[i]);
                    }
                    if (!revalued.staleUnderlyings().isEmpty()) {
                        staleCalls.add(call);
                    }
                    return;
                } catch (DependencyException e) {
                    Set<String> refused = PricingClient.oneCall(names.size(), sent.size())
                            ? PricingClient.refused(e, names, "positions") : Set.of();
                    LOG.warnf("batched RevalueBook of %d %s instruments refused %s; their holders are valued one by one: %s",
                            names.size(), call.underlying(), refused.isEmpty() ? "all of them" : refused, e.getMessage());
                    if (refused.isEmpty()) {
                        return;
                    }
                    names.removeAll(refused);
                }
            }
        });
    }

    /** Answers a scan from the fetched figures, or throws {@link Missing}. */
    PortfolioAccount.Revaluation answers() {
        return (positions, scenarioList) -> {
            double[][] pnl = new double[positions.size()][scenarioList.size()];
            Set<String> stale = new TreeSet<>();
            for (Map.Entry<GroupKey, Group> group : groups(positions, scenarioList).entrySet()) {
                List<Integer> columns = group.getValue().columns();
                boolean callStale = false;
                for (int p : group.getValue().positions()) {
                    PositionExposure position = positions.get(p);
                    CallKey call = new CallKey(group.getKey(), position.underlying());
                    double[] unit = unitPnl.getOrDefault(call, Map.of()).get(position.instrument());
                    if (unit == null) {
                        throw new Missing("no batched figures of " + position.instrument());
                    }
                    double quantity = position.quantity().doubleValue();
                    for (int s = 0; s < columns.size(); s++) {
                        pnl[p][columns.get(s)] = quantity * unit[s];
                    }
                    callStale |= staleCalls.contains(call);
                }
                if (callStale) {
                    // the account's own call for the group would have been answered stale: all its underlyings
                    group.getValue().positions().forEach(p -> stale.add(positions.get(p).underlying()));
                }
            }
            return new PortfolioAccount.Revalued(pnl, stale);
        };
    }

    /**
     * The scan's positions by group, as {@link PricingClient#revalue} calls them ({@link PricingClient#groups}), each
     * group keyed by its scenarios' shocks; records the scenarios to send for a group first seen.
     */
    private Map<GroupKey, Group> groups(List<PositionExposure> positions, List<Scenario> scenarioList) {
        Map<GroupKey, Group> out = new LinkedHashMap<>();
        for (PricingClient.Group group : PricingClient.groups(positions, scenarioList)) {
            GroupKey key = new GroupKey(group.scenarios().stream().map(s -> Shock.of(scenarioList.get(s))).toList());
            scenarios.putIfAbsent(key, group.scenarios().stream().map(scenarioList::get).toList());
            out.merge(key, new Group(new ArrayList<>(group.positions()), group.scenarios()), (a, b) -> {
                a.positions().addAll(b.positions());
                return a;
            });
        }
        return out;
    }
}
