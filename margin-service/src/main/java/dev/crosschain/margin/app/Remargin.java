package dev.crosschain.margin.app;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
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
    /** Whole passes (/q/metrics: margin_remargin_pass_seconds): what the re-margin benchmark reads. */
    private final Timer passes;
    /** Accounts valued by the passes (margin_remargin_accounts_total). */
    private final Counter accounts;

    public Remargin(MarginEngine engine, ActiveRiskParameters parameters, MeterRegistry meters, MarginConfig config) {
        requireWithin("margin.remargin.page-size", config.remargin().pageSize(), 1, dev.crosschain.margin.client.CollateralClient.MAX_ACCOUNTS);
        requireWithin("margin.remargin.workers", config.remargin().workers(), 1, 16);
        this.engine = engine;
        this.parameters = parameters;
        this.passes = Timer.builder("margin.remargin.pass").description("one re-margin pass over every account to re-margin")
                .register(meters);
        this.accounts = Counter.builder("margin.remargin.accounts").description("accounts valued by re-margin passes")
                .register(meters);
    }

    private static void requireWithin(String key, int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(key + " = " + value + " is not in [" + min + ", " + max + "]");
        }
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
            long start = System.nanoTime();
            int valued = engine.remarginAll();
            passes.record(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS);
            accounts.increment(valued);
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
