package dev.crosschain.margin.app;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

/** The re-margin loop: every {@code margin.remargin.interval}, one pass at a time. */
@ApplicationScoped
public class Remargin {

    private static final Logger LOG = Logger.getLogger(Remargin.class);

    private final MarginEngine engine;
    private final ActiveRiskParameters parameters;
    private volatile boolean stopping;

    public Remargin(MarginEngine engine, ActiveRiskParameters parameters) {
        this.engine = engine;
        this.parameters = parameters;
    }

    @Scheduled(every = "${margin.remargin.interval}", delayed = "${margin.remargin.interval}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void tick() {
        if (stopping) {
            return;
        }
        try {
            // another replica's SetRiskParameters takes effect here within one interval
            parameters.refresh();
            engine.remarginAll();
        } catch (RuntimeException e) {
            LOG.warnf("re-margin pass failed: %s", e.getMessage());
        }
    }

    void onStop(@Observes ShutdownEvent event) {
        stopping = true;
    }
}
