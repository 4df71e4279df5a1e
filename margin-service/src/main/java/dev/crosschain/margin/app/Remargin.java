package dev.crosschain.margin.app;

import dev.crosschain.margin.client.CollateralClient;
import dev.crosschain.margin.client.PricingClient;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The re-margin loop: a pass every {@code margin.remargin.interval} and, while {@code margin.remargin.on-index-tick},
 * one when pricing-service's index moves (WatchIndexPrices); the asks coalesced, one pass at a time, each at least the
 * longer of {@code margin.remargin.min-gap} and the previous pass's duration after it ({@link PassTrigger}). A breach
 * is so reported up to two passes plus that gap after the move (the pass running at the move may have read its marks
 * before it) rather than up to an interval later.
 */
@ApplicationScoped
public class Remargin {

    private static final Logger LOG = Logger.getLogger(Remargin.class);
    /** The longest wait before subscribing to the index again after failures in a row. */
    private static final Duration MAX_RESUBSCRIBE = Duration.ofSeconds(30);

    private final MarginEngine engine;
    private final ActiveRiskParameters parameters;
    private final PricingClient pricing;
    private final MarginConfig config;
    private volatile boolean stopping;
    /** Whole passes (/q/metrics: margin_remargin_pass_seconds): what the re-margin benchmark reads. */
    private final Timer passes;
    /** Accounts valued by the passes (margin_remargin_accounts_total). */
    private final Counter accounts;
    private final ScheduledExecutorService runner = Executors.newSingleThreadScheduledExecutor(MarginEngine.daemonThreads("remargin-pass-"));
    private final PassTrigger trigger;
    /** The index subscription; guarded by this. */
    private Cancellable ticks;
    /** Subscription failures in a row: the wait before the next attempt doubles with each. */
    private int failures;

    public Remargin(MarginEngine engine, ActiveRiskParameters parameters, MeterRegistry meters, MarginConfig config,
                    PricingClient pricing) {
        requireWithin("margin.remargin.page-size", config.remargin().pageSize(), 1, CollateralClient.MAX_ACCOUNTS);
        requireWithin("margin.remargin.workers", config.remargin().workers(), 1, 16);
        this.engine = engine;
        this.parameters = parameters;
        this.pricing = pricing;
        this.config = config;
        this.passes = Timer.builder("margin.remargin.pass").description("one re-margin pass over every account to re-margin")
                .register(meters);
        this.accounts = Counter.builder("margin.remargin.accounts").description("accounts valued by re-margin passes")
                .register(meters);
        this.trigger = new PassTrigger(this::pass, config.remargin().minGap(), runner);
    }

    private static void requireWithin(String key, int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(key + " = " + value + " is not in [" + min + ", " + max + "]");
        }
    }

    @Scheduled(every = "${margin.remargin.interval}", delayed = "${margin.remargin.interval}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void tick() {
        if (!stopping) {
            trigger.ask();
        }
    }

    private void pass() {
        if (stopping) {
            return;
        }
        // the pass starts with the newest set even between two refreshParameters ticks
        parameters.refresh();
        long start = System.nanoTime();
        int valued = engine.remarginAll();
        passes.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        accounts.increment(valued);
    }

    /**
     * Another replica's SetRiskParameters reaches this one within one interval even when a re-margin pass overruns
     * the interval (its ticks are then coalesced): one cheap seq probe on its own schedule.
     */
    @Scheduled(every = "${margin.remargin.interval}", delayed = "${margin.remargin.interval}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void refreshParameters() {
        if (!stopping) {
            parameters.refresh();
        }
    }

    void onStart(@Observes StartupEvent event) {
        if (config.remargin().onIndexTick()) {
            subscribe();
        }
    }

    private synchronized void subscribe() {
        if (stopping) {
            return;
        }
        ticks = pricing.indexMoves().subscribe().with(moved -> {
            synchronized (this) {
                failures = 0;
            }
            trigger.ask();
        }, this::resubscribe, () -> resubscribe(null));
    }

    /** The index stream failed or ended: subscribed again after a wait that grows with failures in a row. */
    private synchronized void resubscribe(Throwable failure) {
        if (stopping) {
            return;
        }
        Duration wait = Duration.ofSeconds(1L << Math.min(failures++, 5));
        wait = wait.compareTo(MAX_RESUBSCRIBE) > 0 ? MAX_RESUBSCRIBE : wait;
        if (failures == 1 || failures % 10 == 0) {
            LOG.warnf("index stream from pricing-service %s; re-margin on the %s timer only, subscribing again in %d s",
                    failure == null ? "ended" : "failed: " + failure.getMessage(), config.remargin().interval(), wait.toSeconds());
        }
        Uni.createFrom().voidItem().onItem().delayIt().by(wait).subscribe().with(x -> subscribe(), x -> subscribe());
    }

    synchronized void onStop(@Observes ShutdownEvent event) {
        stopping = true;
        if (ticks != null) {
            ticks.cancel();
        }
        runner.shutdown();
    }
}
