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
 * back-to-back passes. An ask during a pass is kept for the next one (the running pass may have read its marks before
 * the tick). A pass starts no sooner than {@code gap} after the previous one ended: that much time is left to the
 * services' other work between passes.
 */
final class PassTrigger {

    private static final Logger LOG = Logger.getLogger(PassTrigger.class);

    private final Runnable pass;
    private final long gapNanos;
    /** One thread: what keeps passes one at a time. */
    private final ScheduledExecutorService runner;
    /** A pass is asked and not started yet. */
    private final AtomicBoolean asked = new AtomicBoolean();
    /** Only the runner's thread writes them. */
    private volatile boolean ran;
    private volatile long lastEndNanos;

    PassTrigger(Runnable pass, Duration gap, ScheduledExecutorService runner) {
        this.pass = pass;
        this.gapNanos = gap.toNanos();
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
        long wait = ran ? lastEndNanos + gapNanos - System.nanoTime() : 0;
        if (wait > 0) {
            try {
                runner.schedule(this::run, wait, TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException e) {
                asked.set(false);
            }
            return;
        }
        asked.set(false);
        try {
            pass.run();
        } catch (RuntimeException e) {
            LOG.warnf(e, "re-margin pass failed");
        } finally {
            lastEndNanos = System.nanoTime();
            ran = true;
        }
    }
}
