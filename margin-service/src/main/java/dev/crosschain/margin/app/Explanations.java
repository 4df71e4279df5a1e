package dev.crosschain.margin.app;

import dev.crosschain.margin.client.PricingClient;
import dev.crosschain.margin.domain.AccountRisk;
import dev.crosschain.margin.domain.Explanation;
import dev.crosschain.margin.domain.InputSnapshot;
import dev.crosschain.margin.domain.NotFoundException;
import dev.crosschain.margin.domain.history.AccountShortfall;
import dev.crosschain.margin.store.RiskParameterStore;
import dev.crosschain.margin.store.SnapshotStore;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;

/**
 * Explain and ReplaySnapshot: an account's figures computed as its view is, why they are what they are, and the
 * input snapshot that reproduces them bit for bit; snapshots are kept {@code margin.explain.retention}.
 */
@ApplicationScoped
public class Explanations {

    private static final Logger LOG = Logger.getLogger(Explanations.class);

    /** An account's figures now, their explanation, and the id of the stored snapshot of their inputs. */
    public record Explained(AccountRisk risk, UUID snapshotId, Explanation explanation) {
    }

    /**
     * A snapshot's figures recomputed.
     *
     * @param recorded  the figures stored with the snapshot
     * @param identical whether {@code risk} reproduces {@code recorded} exactly
     */
    public record Replayed(AccountRisk risk, InputSnapshot.Figures recorded, boolean identical, long takenAtMs) {
    }

    private final MarginEngine engine;
    private final PricingClient pricing;
    private final SnapshotStore snapshots;
    private final RiskParameterStore sets;
    private final MarginConfig config;
    private final ShortfallModels shortfalls;

    public Explanations(MarginEngine engine, PricingClient pricing, SnapshotStore snapshots, RiskParameterStore sets,
                        MarginConfig config, ShortfallModels shortfalls) {
        this.engine = engine;
        this.pricing = pricing;
        this.shortfalls = shortfalls;
        this.snapshots = snapshots;
        this.sets = sets;
        this.config = config;
    }

    /**
     * The account valued now as GetAccountView values it (NOT_FOUND UNKNOWN_ACCOUNT, UNAVAILABLE and the PORTFOLIO
     * fallback alike), explained, with its inputs stored. Nothing is stored when the computation fails.
     */
    public Explained explain(String accountId) {
        MarginEngine.Inputs in = engine.inputs(accountId, List.of());
        if (in.mode() == dev.crosschain.margin.domain.MarginMode.ISOLATED) {
            // a snapshot does not record the buckets' allocations yet, so it would not replay: refused, nothing stored
            throw new dev.crosschain.margin.domain.PreconditionException("MODE_NOT_AVAILABLE", "accounts/" + accountId,
                    "Explain does not cover ISOLATED accounts yet: their input snapshots would lack the buckets");
        }
        long nowMs = System.currentTimeMillis();
        List<InputSnapshot.RevalueCall> calls = Collections.synchronizedList(new ArrayList<>());
        List<AccountShortfall.Plan> plans = Collections.synchronizedList(new ArrayList<>());
        AccountRisk risk = engine.viewWith(accountId, in, nowMs, RecordedRevaluations.recording(pricing::revalue, calls),
                RecordedShortfalls.recording(shortfalls, plans));
        InputSnapshot inputs = new InputSnapshot(accountId, in.mode(), in.frozen(), in.realized(), in.positions(), in.marks(),
                in.collateral(), in.portfolioIm(), in.portfolioMm(), in.parameters().version(), nowMs, calls, plans);
        UUID id = snapshots.save(inputs, InputSnapshot.Figures.of(risk));
        return new Explained(risk, id, Explanation.of(risk, in.parameters().cross().rules()));
    }

    /**
     * The snapshot's figures recomputed from its inputs alone: the recorded set (read by version, never the active
     * one), marks, collateral and instant, the recorded RevalueBook answers (no upstream call) and ES plans (no
     * stored history). NOT_FOUND
     * UNKNOWN_SNAPSHOT when it is unknown or past its retention; FAILED_PRECONDITION SNAPSHOT_DIVERGED when the
     * computation asks RevalueBook otherwise than recorded, or leaves recorded calls unasked.
     */
    public Replayed replay(UUID snapshotId) {
        long notBefore = System.currentTimeMillis() - config.explain().retention().toMillis();
        SnapshotStore.Stored stored = snapshots.find(snapshotId, notBefore).orElseThrow(() -> new NotFoundException(
                "UNKNOWN_SNAPSHOT", "no input snapshot " + snapshotId + " (unknown, or older than its retention)"));
        InputSnapshot s = stored.inputs();
        RiskParameterStore.Change set = sets.find(s.parametersVersion()).orElseThrow(() -> new IllegalStateException(
                "snapshot " + snapshotId + " names risk parameters " + s.parametersVersion() + ", which are not recorded"));
        MarginEngine.Inputs in = new MarginEngine.Inputs(s.frozen(), s.realizedPnl(), s.positions(), s.marks(), s.collateral(),
                s.mode(), s.portfolioIm(), s.portfolioMm(), ActiveRiskParameters.Active.of(set));
        RecordedRevaluations.Replaying recorded = RecordedRevaluations.replaying(snapshotId.toString(), s.revaluations());
        RecordedShortfalls.Replaying plans = RecordedShortfalls.replaying(snapshotId.toString(), s.shortfallPlans());
        AccountRisk risk = engine.viewWith(s.accountId(), in, s.nowMs(), recorded, plans);
        recorded.requireAllAsked();
        plans.requireAllAsked();
        InputSnapshot.Figures again = InputSnapshot.Figures.of(risk);
        boolean identical = again.identical(stored.figures());
        if (!identical) {
            // a computation that does not reproduce from its own inputs is a bug (or a tampered row): say so loudly
            LOG.errorf("snapshot %s of %s does not replay: recorded %s, recomputed %s", snapshotId, s.accountId(),
                    stored.figures(), again);
        }
        return new Replayed(risk, stored.figures(), identical, s.nowMs());
    }

    /** Deletes the snapshots older than the retention at {@code nowMs}; answers how many. */
    public int purge(long nowMs) {
        return snapshots.purge(nowMs - config.explain().retention().toMillis());
    }

    @Scheduled(every = "${margin.explain.purge-interval}", delayed = "${margin.explain.purge-interval}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void purgeExpired() {
        try {
            int purged = purge(System.currentTimeMillis());
            if (purged > 0) {
                LOG.infof("purged %d input snapshots older than %s", purged, config.explain().retention());
            }
        } catch (RuntimeException e) {
            LOG.warnf("input snapshots not purged: %s", e.getMessage());
        }
    }
}
