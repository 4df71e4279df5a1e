package dev.crosschain.margin.app;

import dev.crosschain.margin.domain.MarginCalculator;
import dev.crosschain.margin.domain.PreconditionException;
import dev.crosschain.margin.domain.RiskParameters;
import dev.crosschain.margin.domain.portfolio.PortfolioAccount;
import dev.crosschain.margin.store.RiskParameterStore;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.util.List;

/**
 * The risk-parameter set this replica computes with: the newest recorded set. Seeded at start from configuration
 * (recorded with changed_by "config" unless its version is recorded already), switched at once after this replica's
 * own {@link #set}, and after another replica's within one re-margin interval ({@link #refresh} on every tick). A
 * computation takes {@link #current()} once and uses that one set from start to end.
 */
@ApplicationScoped
public class ActiveRiskParameters {

    private static final Logger LOG = Logger.getLogger(ActiveRiskParameters.class);
    static final String CONFIG = "config";

    /** A recorded set with the calculators built from it. */
    public record Active(RiskParameterStore.Change record, MarginCalculator cross, PortfolioAccount portfolio) {

        static Active of(RiskParameterStore.Change record) {
            MarginCalculator cross = new MarginCalculator(record.parameters().rules());
            return new Active(record, cross, new PortfolioAccount(cross, record.parameters().portfolio()));
        }

        public String version() {
            return record.parameters().version();
        }
    }

    private final RiskParameterStore store;
    private final RiskParameters configured;
    private volatile Active active;

    public ActiveRiskParameters(RiskParameterStore store, MarginConfig config) {
        this.store = store;
        this.configured = Rules.configured(config);
    }

    void onStart(@Observes StartupEvent event) {
        current();
    }

    /** The active set; on first use records the configured seed (refusing a reused version) and loads the newest. */
    public Active current() {
        Active now = active;
        if (now == null) {
            synchronized (this) {
                if (active == null) {
                    active = Active.of(seed(store, configured));
                }
                now = active;
            }
        }
        return now;
    }

    /**
     * Records the configured set unless its version is recorded, then answers the newest recorded set.
     *
     * @throws IllegalStateException when the configured version was recorded with other contents (the start fails)
     */
    static RiskParameterStore.Change seed(RiskParameterStore store, RiskParameters configured) {
        var recorded = store.find(configured.version());
        if (recorded.isPresent() && !recorded.get().parameters().sameContents(configured)) {
            throw new IllegalStateException("margin.parameters.version " + configured.version()
                    + " is recorded (seq " + recorded.get().seq() + ", by " + recorded.get().changedBy()
                    + ") with other contents than configured: a version names one set forever; give the configured set a new version");
        }
        if (recorded.isEmpty()) {
            try {
                store.record(configured, CONFIG, "configured at start");
            } catch (dev.crosschain.margin.domain.ConflictException e) {
                // another replica recorded the version with other contents between the read and the insert
                throw new IllegalStateException(e.getMessage(), e);
            }
        }
        return store.latest().orElseThrow(() -> new IllegalStateException("no risk parameters recorded after the seed"));
    }

    /** The reason of a replay of a version that is no longer the newest (FAILED_PRECONDITION). */
    public static final String VERSION_NOT_ACTIVE = "VERSION_NOT_ACTIVE";

    /**
     * What {@link #set} recorded, and the version active on this replica afterwards: the recorded one, unless
     * another replica recorded a newer set between this insert and the activation (then that newer one is active).
     */
    public record SetOutcome(RiskParameterStore.Recorded recorded, String activeVersion) {
    }

    /**
     * Records and activates a new set. A replay of the same version and contents records nothing; it is answered
     * only while that version is the newest row: a replay of an older version would answer "active" while a newer
     * set stays active (a false rollback), so it is refused FAILED_PRECONDITION VERSION_NOT_ACTIVE.
     */
    public SetOutcome set(RiskParameters parameters, String changedBy, String reason) {
        current();
        RiskParameterStore.Recorded recorded = store.record(parameters, changedBy, reason);
        if (recorded.replayed()) {
            long newest = store.latestSeq();
            if (newest != recorded.change().seq()) {
                throw new PreconditionException(VERSION_NOT_ACTIVE, "risk_parameters/" + parameters.version(),
                        "risk parameters " + parameters.version() + " were recorded before (seq " + recorded.change().seq()
                                + ") and a newer set (seq " + newest + ") is active; nothing changed: to return to these"
                                + " contents, record them under a new version");
            }
        }
        activateNewest();
        return new SetOutcome(recorded, current().version());
    }

    /**
     * Picks up a newer set recorded by any replica. A database failure (or a newest row that cannot be read) keeps
     * the set in use and never stops the re-margin pass that calls this.
     */
    public void refresh() {
        Active now = current();
        try {
            if (store.latestSeq() != now.record().seq()) {
                activateNewest();
            }
        } catch (RuntimeException e) {
            LOG.warnf("risk parameters not refreshed, %s stays active: %s", now.version(), e.getMessage());
        }
    }

    private synchronized void activateNewest() {
        store.latest().ifPresent(newest -> {
            if (active == null || newest.seq() > active.record().seq()) {
                LOG.infof("risk parameters %s active (seq %d, by %s: %s)", newest.parameters().version(), newest.seq(),
                        newest.changedBy(), newest.reason());
                active = Active.of(newest);
            }
        });
    }

    /** The newest recorded sets below {@code beforeSeq}, newest first. */
    public List<RiskParameterStore.Change> changes(long beforeSeq, int limit) {
        return store.changes(beforeSeq, limit);
    }
}
