package dev.crosschain.margin.app;

import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs the re-margin pass when asked (the timer, an index tick), one pass at a time on {@code runner}'s one thread, the
 * asks coalesced: however many arrive while a pass runs or waits, one pass follows, so a tick storm costs at most
 * one pass after another. An ask during a pass is kept for the next one (the running pass may have read its marks
 * before the tick). A pass starts no sooner than the longer of {@code minGap} and the previous pass's own duration
 * after that pass ended: however fast the asks come (an index moving every 100 ms), passes take at most about half of
 * a thread's time and of the calls to collateral-service and pricing-service, the rest is left to the RPCs.
 */
final class PassTrigger {

    private static final Logger LOG = Logger.getLogger(PassTrigger.class);

    private final Runnable pass;
    private final long minGapNanos;
    /** One thread: what keeps passes one at a time. */
    private final ScheduledExecutorService runner;
    /** A pass is asked and not started yet. */
    private final AtomicBoolean asked = new AtomicBoolean();
    /** Only the runner's thread writes them. */
    private volatile boolean ran;
    private volatile long lastEndNanos;
    private volatile long lastDurationNanos;
    /** A pass failing fast (the store down) would otherwise log a stack trace per pass. */
    private final WarnEvery failureWarning = new WarnEvery(10_000);

    PassTrigger(Runnable pass, Duration minGap, ScheduledExecutorService runner) {
        if (minGap.isNegative()) {
            throw new IllegalArgumentException("margin.remargin.min-gap = " + minGap + " is negative");
        }
        this.pass = pass;
        this.minGapNanos = minGap.toNanos();
        this.runner = runner;
    }

    /** Asks for a pass: it starts once the running one (if any) ended and the gap passed; nothing more when one is asked. */
    void ask() {
        if (asked.compareAndSet(false, true)) {
            try {
                runner.execute(this::run);
            } catch (RejectedExecutionException e) {
                asked.set(false); // the runner is shut down: the service is stopping
            }
        }
    }

    private void run() {
        long wait = ran ? lastEndNanos + Math.max(minGapNanos, lastDurationNanos) - System.nanoTime() : 0;
        if (wait > 0) {
            try {
                runner.schedule(this::run, wait, TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException e) {
                asked.set(false);
            }
            return;
        }
        asked.set(false);
        long start = System.nanoTime();
        try {
            pass.run();
        } catch (RuntimeException e) {
            if (failureWarning.due()) {
                LOG.warnf(e, "re-margin pass failed (further failures for %d s not logged)", failureWarning.seconds());
            }
        } catch (Error e) {
            // a task scheduled on the runner keeps what it throws in its Future, which nobody reads
            LOG.errorf(e, "re-margin pass failed");
            throw e;
        } finally {
            lastEndNanos = System.nanoTime();
            lastDurationNanos = lastEndNanos - start;
            ran = true;
        }
    }
}
