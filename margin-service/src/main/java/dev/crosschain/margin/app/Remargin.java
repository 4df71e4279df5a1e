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
            // the pass starts with the newest set even between two refreshParameters ticks
            parameters.refresh();
            engine.remarginAll();
        } catch (RuntimeException e) {
            LOG.warnf("re-margin pass failed: %s", e.getMessage());
        }
    }

    /**
     * Another replica's SetRiskParameters reaches this one within one interval even when a re-margin pass overruns
     * the interval (its ticks are then skipped): one cheap seq probe on its own schedule.
     */
    @Scheduled(every = "${margin.remargin.interval}", delayed = "${margin.remargin.interval}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void refreshParameters() {
        if (!stopping) {
            parameters.refresh();
        }
    }

    void onStop(@Observes ShutdownEvent event) {
        stopping = true;
    }
}
