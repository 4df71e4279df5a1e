package dev.crosschain.margin.app;

import dev.crosschain.margin.domain.MarginMode;
import dev.crosschain.margin.domain.history.AccountShortfall;
import dev.crosschain.margin.domain.history.ExpectedShortfallParameters;
import dev.crosschain.margin.domain.history.ShortfallModel;
import dev.crosschain.margin.domain.history.ShortfallResult;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;

/**
 * The expected-shortfall plan as an input of a computation, like {@link RecordedRevaluations}: Explain records the
 * plan each ES model made (as-of date, historical scenarios and their moves, excluded underlyings, APC ratios), and
 * ReplaySnapshot answers the recorded plan instead of building one from the histories stored on the day of the
 * replay (which a returns feed or a reseed may have changed).
 */
final class RecordedShortfalls {

    private RecordedShortfalls() {
    }

    /** {@code live}, with every plan its models make appended to {@code plans}. */
    static ShortfallSource recording(ShortfallSource live, List<AccountShortfall.Plan> plans) {
        return (parameters, mode) -> {
            ShortfallModel model = live.of(parameters, mode);
            if (model == null) {
                return null;
            }
            return new ShortfallModel() {
                @Override
                public AccountShortfall.Plan plan(Collection<String> underlyings) {
                    AccountShortfall.Plan plan = model.plan(underlyings);
                    plans.add(plan);
                    return plan;
                }

                @Override
                public ShortfallResult result(AccountShortfall.Plan plan, double[] bookPnl) {
                    return model.result(plan, bookPnl);
                }
            };
        };
    }

    /**
     * The recorded plans answered in order, each only for the underlyings it was made for, else FAILED_PRECONDITION
     * {@link RecordedRevaluations#SNAPSHOT_DIVERGED}; the figure is computed from the plan alone
     * ({@link AccountShortfall#result(ExpectedShortfallParameters, AccountShortfall.Plan, double[])}).
     */
    static Replaying replaying(String snapshotId, List<AccountShortfall.Plan> recorded) {
        return new Replaying(snapshotId, recorded);
    }

    static final class Replaying implements ShortfallSource {

        private final String snapshotId;
        private final int recorded;
        private final List<AccountShortfall.Plan> left;

        private Replaying(String snapshotId, List<AccountShortfall.Plan> recorded) {
            this.snapshotId = snapshotId;
            this.recorded = recorded.size();
            this.left = Collections.synchronizedList(new ArrayList<>(recorded));
        }

        @Override
        public ShortfallModel of(ExpectedShortfallParameters parameters, MarginMode mode) {
            if (!parameters.appliesTo(mode)) {
                return null;
            }
            return new ShortfallModel() {
                @Override
                public AccountShortfall.Plan plan(Collection<String> underlyings) {
                    if (left.isEmpty()) {
                        throw RecordedRevaluations.diverged(snapshotId, "ES plan " + (recorded + 1) + " was not recorded");
                    }
                    AccountShortfall.Plan plan = left.remove(0);
                    List<String> asked = underlyings.stream().sorted().distinct().toList();
                    if (!plan.underlyings().equals(asked)) {
                        throw RecordedRevaluations.diverged(snapshotId, "the ES plan is asked for " + asked
                                + ", recorded for " + plan.underlyings());
                    }
                    return plan;
                }

                @Override
                public ShortfallResult result(AccountShortfall.Plan plan, double[] bookPnl) {
                    return AccountShortfall.result(parameters, plan, bookPnl);
                }
            };
        }

        /** FAILED_PRECONDITION SNAPSHOT_DIVERGED when recorded plans are left unasked (as for RevalueBook calls). */
        void requireAllAsked() {
            if (!left.isEmpty()) {
                throw RecordedRevaluations.diverged(snapshotId, left.size() + " of the " + recorded
                        + " recorded ES plans were not asked");
            }
        }
    }
}
