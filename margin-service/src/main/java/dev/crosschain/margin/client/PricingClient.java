package dev.crosschain.margin.client;

import dev.crosschain.margin.domain.MarketMark;
import dev.crosschain.margin.domain.Violation;
import dev.crosschain.margin.domain.portfolio.PortfolioAccount;
import dev.crosschain.margin.domain.portfolio.PositionExposure;
import dev.crosschain.margin.domain.portfolio.Scenario;
import dev.crosschain.proto.pricing.v1.BookPosition;
import dev.crosschain.proto.pricing.v1.GetMarksRequest;
import dev.crosschain.proto.pricing.v1.Mark;
import dev.crosschain.proto.pricing.v1.MutinyPricingServiceGrpc;
import dev.crosschain.proto.pricing.v1.PricingServiceGrpc;
import dev.crosschain.proto.pricing.v1.RevalueBookRequest;
import dev.crosschain.proto.pricing.v1.RevalueBookResponse;
import dev.crosschain.proto.pricing.v1.ScenarioValue;
import dev.crosschain.proto.pricing.v1.SpotShock;
import dev.crosschain.proto.pricing.v1.WatchIndexPricesRequest;
import dev.crosschain.proto.pricing.v1.WatchIndexPricesResponse;
import io.grpc.Deadline;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcClient;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** margin-service's reads of pricing-service. */
@ApplicationScoped
public class PricingClient {

    @GrpcClient("pricing")
    PricingServiceGrpc.PricingServiceBlockingStub blocking;

    @GrpcClient("pricing")
    MutinyPricingServiceGrpc.MutinyPricingServiceStub mutiny;

    @Inject
    Calls calls;

    /**
     * One item when the stream opens (every index now) and one per move (conflated): how many indices it carried. No
     * deadline: it is long-lived.
     */
    public Multi<Integer> indexMoves() {
        return mutiny.watchIndexPrices(WatchIndexPricesRequest.getDefaultInstance()).map(WatchIndexPricesResponse::getIndicesCount);
    }

    /**
     * Marks of the named instruments, by name; no call when there are none.
     *
     * @throws DependencyException when pricing-service does not answer in time, or cannot mark an instrument
     */
    public Map<String, MarketMark> marks(Collection<String> instruments) {
        if (instruments.isEmpty()) {
            return Map.of();
        }
        List<String> names = List.copyOf(instruments);
        GetMarksRequest request = GetMarksRequest.newBuilder().addAllInstruments(names).build();
        List<Mark> marks;
        try {
            marks = calls.idempotent("GetMarks " + instruments, () -> blocking
                    .withDeadlineAfter(calls.deadline().toMillis(), TimeUnit.MILLISECONDS)
                    .getMarks(request)).getMarksList();
        } catch (StatusRuntimeException e) {
            throw new DependencyException("GetMarks " + instruments + ": pricing-service answered " + e.getStatus(),
                    e.getStatus().getCode(), e);
        }
        if (marks.size() != names.size()) {
            throw new DependencyException("pricing-service sent " + marks.size() + " marks for " + names.size() + " instruments",
                    Status.Code.INTERNAL, null);
        }
        Map<String, MarketMark> result = new HashMap<>();
        try {
            for (int i = 0; i < names.size(); i++) {
                Mark m = marks.get(i); // one mark per instrument, in order: keyed by the name we asked for
                double delta = m.getKind() == dev.crosschain.proto.pricing.v1.InstrumentKind.INSTRUMENT_KIND_OPTION
                        ? m.getGreeks().getDelta() : 1.0;
                result.put(names.get(i), new MarketMark(names.get(i), m.getUnderlying(), new BigDecimal(m.getMarkPrice()),
                        new BigDecimal(m.getIndexPrice()), delta, m.getStale(), m.getAsOfUnixMs()));
            }
        } catch (RuntimeException e) {
            throw new DependencyException("pricing-service sent a malformed mark: " + e.getMessage(), Status.Code.INTERNAL, e);
        }
        return result;
    }

    /** A field violation's path {@code field[i]} or {@code field[i].part}; at most 9 digits, so i always parses. */
    private static final Pattern INDEXED_FIELD = Pattern.compile("(\\w+)\\[(\\d{1,9})](\\..*)?");

    /**
     * The names of {@code names} pricing-service refused one by one in the BadRequest of {@code e}: field violations
     * {@code <field>[i]} or {@code <field>[i].<part>}, i an index into {@code names} (GetMarks' {@code instruments[3]},
     * RevalueBook's {@code positions[3].instrument}). Empty when it named none: the failure is then not about
     * particular instruments.
     */
    public static Set<String> refused(DependencyException e, List<String> names, String field) {
        Set<String> out = new TreeSet<>();
        if (!(e.getCause() instanceof StatusRuntimeException status)) {
            return out;
        }
        for (Violation v : Calls.fieldViolations(status)) {
            Matcher m = INDEXED_FIELD.matcher(v.field());
            if (m.matches() && m.group(1).equals(field) && Integer.parseInt(m.group(2)) < names.size()) {
                out.add(names.get(Integer.parseInt(m.group(2))));
            }
        }
        return out;
    }

    /**
     * pricing-service's limits on one RevalueBook call with per-position figures (PricingGrpcService):
     * positions x (scenarios + 1) <= 400,000 (the base value of each position is a figure too), at most
     * 1,000 scenarios and 10,000 positions. A call over any of them is refused INVALID_ARGUMENT.
     */
    public static final Limits LIMITS = new Limits(400_000, 1_000, 10_000);

    /**
     * @param maxFigures   most positions x (scenarios + 1) per call
     * @param maxScenarios most scenarios per call
     * @param maxPositions most positions per call
     */
    record Limits(long maxFigures, int maxScenarios, int maxPositions) {
    }

    /**
     * The book's P&L per position and scenario through RevalueBook with {@code per_position = true}:
     * pnl[position][scenario], USD, rows in {@code positions} order, columns in {@code scenarios} order.
     * One call per correlation group of the grid with only that group's positions and scenarios (the engine
     * reads a position's P&L only in its own group's scenarios; the other cells stay 0), split further into
     * slices within {@link #LIMITS}. A {@link Scenario#ALL_GROUPS} scenario (a day of history for expected
     * shortfall) goes into every group's calls, so each position has its P&L there: with a book's grid it is one
     * call while within the limits. No call when there are no positions.
     *
     * @throws DependencyException when pricing-service does not answer in time, answers malformed or with a
     *                             non-finite figure (INTERNAL), or refuses the request (INVALID_ARGUMENT is
     *                             margin-service's bug: INTERNAL, not retryable)
     */
    public PortfolioAccount.Revalued revalue(List<PositionExposure> positions, List<Scenario> scenarios) {
        return sliced(positions, scenarios, LIMITS, this::revalueBook);
    }

    /** One RevalueBook call's answer, checked: one value per scenario, each with one finite P&L per position. */
    interface Call {
        RevalueBookResponse revalue(List<PositionExposure> positions, List<Scenario> scenarios);
    }

    /**
     * pnl[position][scenario], and the underlyings of the positions of every call answered stale: per group of the grid ({@link Scenario#group()}; a position belongs to the
     * group whose scenarios move its underlying), that group's positions in that group's scenarios, in calls
     * of at most {@code limits.maxScenarios()} scenarios and {@code min(maxPositions, maxFigures / (scenarios + 1))}
     * positions. Cells of a position in another group's scenario are 0 (never read).
     */
    static PortfolioAccount.Revalued sliced(List<PositionExposure> positions, List<Scenario> scenarios, Limits limits, Call call) {
        double[][] pnl = new double[positions.size()][scenarios.size()];
        Set<String> stale = new TreeSet<>();
        if (positions.isEmpty() || scenarios.isEmpty()) {
            return new PortfolioAccount.Revalued(pnl, stale);
        }
        int scenarioSlice = (int) Math.max(1, Math.min(limits.maxScenarios(), limits.maxFigures() - 1));
        for (Group group : groups(positions, scenarios)) {
            List<Integer> ps = group.positions();
            List<Integer> ss = group.scenarios();
            for (int s0 = 0; s0 < ss.size(); s0 += scenarioSlice) {
                List<Integer> sIdx = ss.subList(s0, Math.min(ss.size(), s0 + scenarioSlice));
                int positionSlice = (int) Math.max(1, Math.min(limits.maxPositions(), limits.maxFigures() / (sIdx.size() + 1)));
                List<Scenario> someScenarios = sIdx.stream().map(scenarios::get).toList();
                for (int p0 = 0; p0 < ps.size(); p0 += positionSlice) {
                    List<Integer> pIdx = ps.subList(p0, Math.min(ps.size(), p0 + positionSlice));
                    List<PositionExposure> some = pIdx.stream().map(positions::get).toList();
                    RevalueBookResponse response = call.revalue(some, someScenarios);
                    if (response.getStale()) {
                        some.forEach(x -> stale.add(x.underlying()));
                    }
                    for (int s = 0; s < sIdx.size(); s++) {
                        List<Double> figures = response.getValues(s).getPositionPnlUsdList();
                        for (int p = 0; p < pIdx.size(); p++) {
                            pnl[pIdx.get(p)][sIdx.get(s)] = figures.get(p);
                        }
                    }
                }
            }
        }
        return new PortfolioAccount.Revalued(pnl, stale);
    }

    /** One group's calls: its positions and its scenarios (its own, then those of {@link Scenario#ALL_GROUPS}), as indexes. */
    public record Group(List<Integer> positions, List<Integer> scenarios) {
    }

    /**
     * How {@link #revalue} splits a book into calls: a position goes to the group of the first scenario moving its
     * underlying and is revalued in that group's scenarios, then in every {@link Scenario#ALL_GROUPS} one (a day of
     * history). In group order; groups without positions are left out.
     *
     * @throws IllegalArgumentException when no scenario moves a position's underlying
     */
    public static List<Group> groups(List<PositionExposure> positions, List<Scenario> scenarios) {
        Map<Integer, List<Integer>> scenariosOf = new TreeMap<>();
        Map<String, Integer> groupOf = new HashMap<>();
        List<Integer> everyGroup = new ArrayList<>();
        for (int s = 0; s < scenarios.size(); s++) {
            Scenario scenario = scenarios.get(s);
            if (scenario.group() == Scenario.ALL_GROUPS) {
                everyGroup.add(s); // a historical scenario: in every group's calls, after the group's own
                continue;
            }
            scenariosOf.computeIfAbsent(scenario.group(), g -> new ArrayList<>()).add(s);
            scenario.underlyings().forEach(u -> groupOf.putIfAbsent(u, scenario.group()));
        }
        Map<Integer, List<Integer>> positionsOf = new TreeMap<>();
        for (int p = 0; p < positions.size(); p++) {
            Integer g = groupOf.get(positions.get(p).underlying());
            if (g == null) {
                throw new IllegalArgumentException("no scenario moves " + positions.get(p).underlying()
                        + " of position " + positions.get(p).instrument());
            }
            positionsOf.computeIfAbsent(g, x -> new ArrayList<>()).add(p);
        }
        List<Group> out = new ArrayList<>();
        positionsOf.forEach((g, ps) -> {
            List<Integer> ss = new ArrayList<>(scenariosOf.get(g));
            ss.addAll(everyGroup);
            out.add(new Group(ps, ss));
        });
        return out;
    }

    /**
     * The book's P&L per position and scenario (as {@link #revalue}) for an answer that can do without it (liquidation
     * prices): each call ONE attempt (no retry), every call ending by {@code deadline}. One call when the whole request
     * is within {@link #LIMITS}; otherwise one per underlying (its positions in the scenarios that move it), in
     * parallel, each sliced within the limits.
     *
     * @throws DependencyException when a call fails or is late (DEADLINE_EXCEEDED), or is answered malformed
     */
    public PortfolioAccount.Revalued revalueOnce(List<PositionExposure> positions, List<Scenario> scenarios, Deadline deadline) {
        Call once = (p, s) -> revalueBook(p, s, stub -> stub.withDeadline(deadline).revalueBook(request(p, s)));
        if (within(positions.size(), scenarios.size(), LIMITS)) {
            return sliced(positions, scenarios, LIMITS, once);
        }
        Map<String, List<Integer>> positionsOf = new TreeMap<>();
        for (int p = 0; p < positions.size(); p++) {
            positionsOf.computeIfAbsent(positions.get(p).underlying(), u -> new ArrayList<>()).add(p);
        }
        Map<String, CompletableFuture<PortfolioAccount.Revalued>> calls = new TreeMap<>();
        Map<String, List<Integer>> scenariosOf = new TreeMap<>();
        positionsOf.forEach((u, ps) -> {
            List<Integer> ss = new ArrayList<>();
            for (int s = 0; s < scenarios.size(); s++) {
                if (scenarios.get(s).underlyings().contains(u)) {
                    ss.add(s);
                }
            }
            scenariosOf.put(u, ss);
            List<PositionExposure> some = ps.stream().map(positions::get).toList();
            List<Scenario> theirs = ss.stream().map(scenarios::get).toList();
            // detached from the caller's gRPC context: the calls carry their own deadline
            calls.put(u, CompletableFuture.supplyAsync(() -> sliced(some, theirs, LIMITS, once),
                    io.grpc.Context.ROOT.fixedContextExecutor(Infrastructure.getDefaultWorkerPool())));
        });
        double[][] pnl = new double[positions.size()][scenarios.size()];
        Set<String> stale = new TreeSet<>();
        for (Map.Entry<String, CompletableFuture<PortfolioAccount.Revalued>> call : calls.entrySet()) {
            PortfolioAccount.Revalued part = joined(call.getValue(), deadline);
            stale.addAll(part.staleUnderlyings());
            List<Integer> ps = positionsOf.get(call.getKey());
            List<Integer> ss = scenariosOf.get(call.getKey());
            for (int p = 0; p < ps.size(); p++) {
                for (int s = 0; s < ss.size(); s++) {
                    pnl[ps.get(p)][ss.get(s)] = part.pnl()[p][s];
                }
            }
        }
        return new PortfolioAccount.Revalued(pnl, stale);
    }

    /** True when {@link #revalue} makes one RevalueBook call of {@code positions} in {@code scenarios} of one group. */
    public static boolean oneCall(int positions, int scenarios) {
        return within(positions, scenarios, LIMITS);
    }

    /** True when one call of {@code positions} in {@code scenarios} is within {@code limits}. */
    static boolean within(int positions, int scenarios, Limits limits) {
        return scenarios <= limits.maxScenarios() && positions <= limits.maxPositions()
                && (long) positions * (scenarios + 1) <= limits.maxFigures();
    }

    /** The parallel call's answer, waited for no longer than its deadline (and a little for the answer to arrive). */
    private static PortfolioAccount.Revalued joined(CompletableFuture<PortfolioAccount.Revalued> call, Deadline deadline) {
        try {
            return call.get(deadline.timeRemaining(TimeUnit.MILLISECONDS) + 50, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof DependencyException d) {
                throw d;
            }
            throw new DependencyException("RevalueBook failed: " + e.getCause(), Status.Code.INTERNAL, e.getCause());
        } catch (TimeoutException e) {
            call.cancel(true);
            throw new DependencyException("RevalueBook not answered by its deadline", Status.Code.DEADLINE_EXCEEDED, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DependencyException("interrupted waiting for RevalueBook", Status.Code.CANCELLED, e);
        }
    }

    private RevalueBookResponse revalueBook(List<PositionExposure> positions, List<Scenario> scenarios) {
        return revalueBook(positions, scenarios, stub -> calls.idempotent(what(positions, scenarios), () -> stub
                .withDeadlineAfter(calls.deadline().toMillis(), TimeUnit.MILLISECONDS)
                .revalueBook(request(positions, scenarios))));
    }

    /** {@code call}'s answer checked; a refusal or failure as a {@link DependencyException}. */
    private RevalueBookResponse revalueBook(List<PositionExposure> positions, List<Scenario> scenarios,
                                            Function<PricingServiceGrpc.PricingServiceBlockingStub, RevalueBookResponse> call) {
        RevalueBookResponse response;
        try {
            response = call.apply(blocking);
        } catch (StatusRuntimeException e) {
            // INVALID_ARGUMENT: pricing-service refused what margin-service built (limits, names): a bug
            // here, which a retry repeats; INTERNAL, not the retryable UNAVAILABLE
            Status.Code code = e.getStatus().getCode() == Status.Code.INVALID_ARGUMENT ? Status.Code.INTERNAL : e.getStatus().getCode();
            throw new DependencyException(what(positions, scenarios) + ": pricing-service answered " + e.getStatus(), code, e);
        }
        return checked(response, positions, scenarios);
    }

    private static String what(List<PositionExposure> positions, List<Scenario> scenarios) {
        return "RevalueBook of " + positions.size() + " positions in " + scenarios.size() + " scenarios";
    }

    private static RevalueBookRequest request(List<PositionExposure> positions, List<Scenario> scenarios) {
        RevalueBookRequest.Builder request = RevalueBookRequest.newBuilder().setPerPosition(true);
        positions.forEach(p -> request.addPositions(BookPosition.newBuilder().setInstrument(p.instrument())
                .setQuantity(p.quantity().toPlainString())));
        scenarios.forEach(s -> request.addScenarios(scenario(s)));
        return request.build();
    }

    /** {@code response} if it has one value per scenario, in order, each with one finite P&L per position; else INTERNAL. */
    static RevalueBookResponse checked(RevalueBookResponse response, List<PositionExposure> positions, List<Scenario> scenarios) {
        if (response.getValuesCount() != scenarios.size()) {
            throw new DependencyException("pricing-service sent " + response.getValuesCount() + " scenario values for "
                    + scenarios.size() + " scenarios", Status.Code.INTERNAL, null);
        }
        for (int s = 0; s < scenarios.size(); s++) {
            ScenarioValue value = response.getValues(s);
            if (!value.getScenarioId().equals(scenarios.get(s).id()) || value.getPositionPnlUsdCount() != positions.size()) {
                throw new DependencyException("pricing-service sent scenario " + value.getScenarioId() + " with "
                        + value.getPositionPnlUsdCount() + " position figures where " + scenarios.get(s).id() + " with "
                        + positions.size() + " was asked", Status.Code.INTERNAL, null);
            }
            for (int p = 0; p < positions.size(); p++) {
                if (!Double.isFinite(value.getPositionPnlUsd(p))) {
                    throw new DependencyException("pricing-service sent a non-finite P&L " + value.getPositionPnlUsd(p) + " for "
                            + positions.get(p).instrument() + " in scenario " + value.getScenarioId(), Status.Code.INTERNAL, null);
                }
            }
        }
        return response;
    }

    /** A grid scenario in RevalueBook's terms: one spot shock per moving underlying, the tenor-scaled vol shift, the skew shift. */
    static dev.crosschain.proto.pricing.v1.Scenario scenario(Scenario s) {
        dev.crosschain.proto.pricing.v1.Scenario.Builder out = dev.crosschain.proto.pricing.v1.Scenario.newBuilder()
                .setScenarioId(s.id())
                .setVolShift(s.volShift())
                .setSkewShift(s.skewShift())
                .setVolShiftReferenceDays(s.volShiftReferenceDays())
                .setVolShiftTenorPower(s.volShiftTenorPower())
                .setVolShiftMaxScale(s.volShiftMaxScale());
        s.spotMoves().forEach((underlying, move) -> out.addSpotShocks(SpotShock.newBuilder().setUnderlying(underlying)
                .setRelativeMove(move)));
        return out.build();
    }
}
