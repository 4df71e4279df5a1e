package dev.crosschain.margin.client;

import dev.crosschain.margin.domain.MarketMark;
import dev.crosschain.margin.domain.portfolio.PositionExposure;
import dev.crosschain.margin.domain.portfolio.Scenario;
import dev.crosschain.proto.pricing.v1.BookPosition;
import dev.crosschain.proto.pricing.v1.GetMarksRequest;
import dev.crosschain.proto.pricing.v1.Mark;
import dev.crosschain.proto.pricing.v1.PricingServiceGrpc;
import dev.crosschain.proto.pricing.v1.RevalueBookRequest;
import dev.crosschain.proto.pricing.v1.RevalueBookResponse;
import dev.crosschain.proto.pricing.v1.ScenarioValue;
import dev.crosschain.proto.pricing.v1.SpotShock;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcClient;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.math.BigDecimal;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** margin-service's reads of pricing-service. */
@ApplicationScoped
public class PricingClient {

    @GrpcClient("pricing")
    PricingServiceGrpc.PricingServiceBlockingStub blocking;

    @Inject
    Calls calls;

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

    /** pricing-service's limit on scenarios x positions of one RevalueBook call (per-position figures). */
    public static final int MAX_FIGURES_PER_CALL = 400_000;

    /**
     * The book's P&L per position and scenario through RevalueBook with {@code per_position = true}:
     * pnl[position][scenario], USD, rows in {@code positions} order, columns in {@code scenarios} order. When
     * scenarios x positions exceeds {@link #MAX_FIGURES_PER_CALL} the book is sent in slices of positions (and
     * scenarios, if even one position would exceed it), each call revaluing its slice in every scenario: a
     * position's P&L does not depend on the others. No call when there are no positions.
     *
     * @throws DependencyException when pricing-service does not answer in time, refuses, or answers malformed
     */
    public double[][] revalue(List<PositionExposure> positions, List<Scenario> scenarios) {
        return sliced(positions, scenarios, MAX_FIGURES_PER_CALL, this::revalueBook);
    }

    /** One RevalueBook call's answer, checked: one value per scenario, each with one P&L per position. */
    interface Call {
        RevalueBookResponse revalue(List<PositionExposure> positions, List<Scenario> scenarios);
    }

    /** pnl[position][scenario] from calls of at most {@code maxFigures} positions x scenarios each. */
    static double[][] sliced(List<PositionExposure> positions, List<Scenario> scenarios, int maxFigures, Call call) {
        double[][] pnl = new double[positions.size()][scenarios.size()];
        if (positions.isEmpty() || scenarios.isEmpty()) {
            return pnl;
        }
        int scenarioSlice = Math.min(scenarios.size(), maxFigures);
        int positionSlice = Math.max(1, maxFigures / scenarioSlice);
        for (int s0 = 0; s0 < scenarios.size(); s0 += scenarioSlice) {
            List<Scenario> someScenarios = scenarios.subList(s0, Math.min(scenarios.size(), s0 + scenarioSlice));
            for (int p0 = 0; p0 < positions.size(); p0 += positionSlice) {
                List<PositionExposure> some = positions.subList(p0, Math.min(positions.size(), p0 + positionSlice));
                RevalueBookResponse response = call.revalue(some, someScenarios);
                for (int s = 0; s < someScenarios.size(); s++) {
                    List<Double> figures = response.getValues(s).getPositionPnlUsdList();
                    for (int p = 0; p < some.size(); p++) {
                        pnl[p0 + p][s0 + s] = figures.get(p);
                    }
                }
            }
        }
        return pnl;
    }

    private RevalueBookResponse revalueBook(List<PositionExposure> positions, List<Scenario> scenarios) {
        RevalueBookRequest.Builder request = RevalueBookRequest.newBuilder().setPerPosition(true);
        positions.forEach(p -> request.addPositions(BookPosition.newBuilder().setInstrument(p.instrument())
                .setQuantity(p.quantity().toPlainString())));
        scenarios.forEach(s -> request.addScenarios(scenario(s)));
        String what = "RevalueBook of " + positions.size() + " positions in " + scenarios.size() + " scenarios";
        RevalueBookResponse response;
        try {
            response = calls.idempotent(what, () -> blocking
                    .withDeadlineAfter(calls.deadline().toMillis(), TimeUnit.MILLISECONDS)
                    .revalueBook(request.build()));
        } catch (StatusRuntimeException e) {
            throw new DependencyException(what + ": pricing-service answered " + e.getStatus(), e.getStatus().getCode(), e);
        }
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
