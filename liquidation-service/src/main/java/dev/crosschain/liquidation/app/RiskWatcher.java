package dev.crosschain.liquidation.app;

import dev.crosschain.liquidation.client.MarginClient;
import dev.crosschain.proto.margin.v1.AccountStatus;
import dev.crosschain.proto.margin.v1.RiskEvent;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.time.Duration;

/**
 * Keeps a subscription to margin-service's WatchRisk from startup on; re-subscribes after a failure or
 * an end of stream with exponential backoff (reconnect-min .. reconnect-max). On every (re)subscribe
 * margin-service first sends every account not HEALTHY, so nothing is missed while disconnected.
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

    public RiskWatcher(MarginClient margin, Breaches breaches, LiquidationConfig config) {
        this.margin = margin;
        this.breaches = breaches;
        this.minBackoff = config.risk().reconnectMin();
        this.maxBackoff = config.risk().reconnectMax();
        this.backoff = minBackoff;
        this.subscription = new Resubscription<>(() -> margin.watchRisk().emitOn(Infrastructure.getDefaultWorkerPool()),
                this::handle, this::nextDelay);
    }

    void onStart(@Observes StartupEvent event) {
        subscription.subscribe();
    }

    void onStop(@Observes ShutdownEvent event) {
        subscription.stop();
    }

    private void handle(RiskEvent event) {
        backoff = minBackoff;
        if (event.getStatus() == AccountStatus.ACCOUNT_STATUS_LIQUIDATION) {
            breaches.onLiquidation(event.getAccountId());
        } else {
            breaches.onNotLiquidation(event.getAccountId());
        }
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
