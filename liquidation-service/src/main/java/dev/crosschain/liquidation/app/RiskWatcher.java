package dev.crosschain.liquidation.app;

import dev.crosschain.liquidation.client.MarginClient;
import dev.crosschain.proto.margin.v1.AccountStatus;
import dev.crosschain.proto.margin.v1.RiskEvent;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.time.Duration;

/**
 * Keeps a subscription to margin-service's WatchRisk from startup on; re-subscribes after a failure or
 * an end of stream with exponential backoff (reconnect-min .. reconnect-max). On every (re)subscribe
 * margin-service first sends every account not HEALTHY, so nothing is missed while disconnected.
 * Events are handled on {@code liquidation.open.parallelism} threads, one account's events one at a time, an event
 * waiting for the account's running one replaced by a later event (an account's latest status is what counts; a breach
 * is never handled after its end): opening an auction waits on margin-service twice and on the database, so one account
 * at a time made a breach of many accounts open one after another. At most one event waits per account, so a stream
 * faster than the openings holds no more than one event per account.
 */
@ApplicationScoped
public class RiskWatcher {

    private static final Logger LOG = Logger.getLogger(RiskWatcher.class);

    private final MarginClient margin;
    private final Breaches breaches;
    private final Duration minBackoff;
    private final Duration maxBackoff;
    private volatile Duration backoff;
    private final Resubscription<RiskEvent> subscription;
    private final PerAccountLanes lanes;
    /** How long a shutdown waits for the openings under way: one left unfinished stays OPENING for recovery. */
    private final Duration drainGrace;

    /**
     * @param connections the database connections, which bound the parallelism ({@link LiquidationConfig.Open#parallelism});
     *                    no default of ours: Quarkus' own changed between releases (50 in quarkus-agroal 3.34.2's
     *                    DataSourceJdbcRuntimeConfig, not the 20 once copied here), and application.properties sets it
     */
    public RiskWatcher(MarginClient margin, Breaches breaches, LiquidationConfig config,
                       @ConfigProperty(name = "quarkus.datasource.jdbc.max-size") int connections) {
        this.margin = margin;
        this.breaches = breaches;
        this.minBackoff = config.risk().reconnectMin();
        this.maxBackoff = config.risk().reconnectMax();
        this.backoff = minBackoff;
        this.lanes = new PerAccountLanes("liquidation-open", config.open().validatedParallelism(connections));
        this.drainGrace = config.client().deadline();
        this.subscription = new Resubscription<>(() -> margin.watchRisk().emitOn(Infrastructure.getDefaultWorkerPool()),
                this::handle, this::nextDelay);
    }

    void onStart(@Observes StartupEvent event) {
        subscription.subscribe();
    }

    void onStop(@Observes ShutdownEvent event) {
        subscription.stop();
        // events not started are dropped: margin-service sends every account not HEALTHY again on the next subscribe
        if (!lanes.stop(drainGrace)) {
            LOG.warnf("openings still running %s after shutdown began were interrupted; recovery drives their claims on",
                    drainGrace);
        }
    }

    private void handle(RiskEvent event) {
        backoff = minBackoff;
        String accountId = event.getAccountId();
        if (event.getStatus() == AccountStatus.ACCOUNT_STATUS_LIQUIDATION) {
            lanes.submit(accountId, () -> breaches.onLiquidation(accountId));
        } else {
            lanes.submit(accountId, () -> breaches.onNotLiquidation(accountId));
        }
    }

    /** Events handled (or replaced by a later event of the account while they waited) since the start: for tests. */
    public long eventsHandled() {
        return lanes.done();
    }

    private Duration nextDelay(Throwable failure) {
        Duration delay = backoff;
        backoff = maxBackoff.compareTo(delay.multipliedBy(2)) < 0 ? maxBackoff : delay.multipliedBy(2);
        if (failure != null && delay.equals(minBackoff)) {
            LOG.warnf("WatchRisk failed (%s), re-subscribing in %s (backoff up to %s)", failure.getMessage(), delay, maxBackoff);
        } else if (failure != null) {
            LOG.debugf("WatchRisk failed (%s), re-subscribing in %s", failure.getMessage(), delay);
        } else {
            LOG.infof("WatchRisk ended, re-subscribing in %s", delay);
        }
        return delay;
    }
}
