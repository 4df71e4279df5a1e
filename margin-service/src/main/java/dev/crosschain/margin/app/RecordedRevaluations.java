package dev.crosschain.margin.app;

import dev.crosschain.margin.client.DependencyException;
import dev.crosschain.margin.domain.InputSnapshot;
import dev.crosschain.margin.domain.PreconditionException;
import dev.crosschain.margin.domain.portfolio.PortfolioAccount;
import dev.crosschain.margin.domain.portfolio.PositionExposure;
import dev.crosschain.margin.domain.portfolio.Scenario;
import io.grpc.Status;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;

/**
 * RevalueBook as an input of a computation: recorded call by call when Explain computes, answered from the record
 * when ReplaySnapshot recomputes. Whatever the engine asks (the scenario grid, a rescan with stale scenarios, another
 * model's scenarios) is recorded as asked, so the record is the answers the engine used, not a grid.
 */
final class RecordedRevaluations {

    /** The reason of a replay that asks RevalueBook something the snapshot did not record. */
    static final String SNAPSHOT_DIVERGED = "SNAPSHOT_DIVERGED";

    private RecordedRevaluations() {
    }

    /** {@code live}, with every call (its answer, or its {@link DependencyException}) appended to {@code calls}. */
    static PortfolioAccount.Revaluation recording(PortfolioAccount.Revaluation live, List<InputSnapshot.RevalueCall> calls) {
        return (positions, scenarios) -> {
            List<String> instruments = instruments(positions);
            List<String> ids = ids(scenarios);
            PortfolioAccount.Revalued answer;
            try {
                answer = live.revalue(positions, scenarios);
            } catch (DependencyException e) {
                calls.add(new InputSnapshot.RevalueCall(instruments, ids, new double[0][], Set.of(), e.code().name(),
                        String.valueOf(e.getMessage())));
                throw e;
            }
            calls.add(new InputSnapshot.RevalueCall(instruments, ids, copy(answer.pnl()), answer.staleUnderlyings(), null, null));
            return answer;
        };
    }

    /**
     * The recorded calls answered in order: each call must ask the recorded book (instruments in order) in the recorded
     * scenarios (ids in order), else FAILED_PRECONDITION {@link #SNAPSHOT_DIVERGED}; a recorded failure fails again as
     * it did (so the engine takes the same fallback). After the computation, {@link Replaying#requireAllAsked} refuses
     * a record the engine did not ask in full.
     */
    static Replaying replaying(String snapshotId, List<InputSnapshot.RevalueCall> recorded) {
        return new Replaying(snapshotId, recorded);
    }

    /** The recorded answers standing in for RevalueBook in one replay, and what the replay has left unasked. */
    static final class Replaying implements PortfolioAccount.Revaluation {

        private final String snapshotId;
        private final List<InputSnapshot.RevalueCall> recorded;
        private final List<InputSnapshot.RevalueCall> left;

        private Replaying(String snapshotId, List<InputSnapshot.RevalueCall> recorded) {
            this.snapshotId = snapshotId;
            this.recorded = List.copyOf(recorded);
            this.left = Collections.synchronizedList(new ArrayList<>(recorded));
        }

        @Override
        public PortfolioAccount.Revalued revalue(List<PositionExposure> positions, List<Scenario> scenarios) {
            if (left.isEmpty()) {
                throw diverged(snapshotId, "RevalueBook call " + (recorded.size() + 1) + " was not recorded");
            }
            InputSnapshot.RevalueCall call = left.remove(0);
            int at = recorded.size() - left.size();
            if (!call.instruments().equals(instruments(positions)) || !call.scenarioIds().equals(ids(scenarios))) {
                throw diverged(snapshotId, "RevalueBook call " + at + " asks " + positions.size() + " positions in "
                        + scenarios.size() + " scenarios, not the recorded " + call.instruments().size() + " in "
                        + call.scenarioIds().size());
            }
            if (call.failed()) {
                throw new DependencyException("recorded RevalueBook failure: " + call.failure(), Status.Code.valueOf(call.failureCode()), null);
            }
            return new PortfolioAccount.Revalued(copy(call.pnl()), call.staleUnderlyings());
        }

        /**
         * FAILED_PRECONDITION {@link #SNAPSHOT_DIVERGED} when recorded calls are left unasked: the recorded computation
         * used answers this one did not, so agreeing figures would be a coincidence, not a replay.
         */
        void requireAllAsked() {
            int unasked = left.size();
            if (unasked > 0) {
                throw diverged(snapshotId, unasked + " of the " + recorded.size() + " recorded RevalueBook calls were not asked");
            }
        }
    }

    static PreconditionException diverged(String snapshotId, String what) {
        return new PreconditionException(SNAPSHOT_DIVERGED, "snapshots/" + snapshotId,
                "the replay cannot be computed from snapshot " + snapshotId + ": " + what);
    }

    private static List<String> instruments(List<PositionExposure> positions) {
        return positions.stream().map(PositionExposure::instrument).toList();
    }

    private static double[][] copy(double[][] pnl) {
        double[][] copy = new double[pnl.length][];
        for (int p = 0; p < copy.length; p++) {
            copy[p] = pnl[p].clone();
        }
        return copy;
    }

    private static List<String> ids(List<Scenario> scenarios) {
        return scenarios.stream().map(Scenario::id).toList();
    }
}
