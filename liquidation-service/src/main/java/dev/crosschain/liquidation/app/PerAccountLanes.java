package dev.crosschain.liquidation.app;

import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs tasks on a bounded pool of threads, one lane per account: tasks of one account run one at a time; tasks of
 * different accounts run at once, up to the pool's size. An account holds at most one task waiting behind its running
 * one: a task submitted while another waits replaces it (each task acts on the account's latest state, so the latest
 * one does all the waiting one would have done). The running task is never dropped. Waiting tasks are therefore bounded
 * by the number of accounts, however fast events come.
 */
final class PerAccountLanes {

    private static final Logger LOG = Logger.getLogger(PerAccountLanes.class);

    private final ExecutorService pool;
    /**
     * Accounts with a task running or waiting, and the task waiting behind the running one (null when none waits).
     * Guarded by itself.
     */
    private final Map<String, Lane> lanes = new HashMap<>();
    private volatile boolean stopped;
    /** Tasks run or replaced by a later one, since the start. */
    private final AtomicLong done = new AtomicLong();

    /** An account's lane: the task waiting to run after the running one. */
    private static final class Lane {
        private Runnable waiting;
    }

    PerAccountLanes(String name, int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        AtomicInteger count = new AtomicInteger();
        ThreadFactory factory = r -> {
            Thread t = new Thread(r, name + "-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
        this.pool = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(), factory);
    }

    /**
     * Runs the task after the account's running one, in place of any task still waiting for it; nothing once
     * {@link #stop} was called.
     */
    void submit(String accountId, Runnable task) {
        Objects.requireNonNull(task);
        synchronized (lanes) {
            if (stopped) {
                return;
            }
            Lane lane = lanes.get(accountId);
            if (lane != null) {
                if (lane.waiting != null) {
                    done.incrementAndGet();
                }
                lane.waiting = task;
                return;
            }
            lanes.put(accountId, new Lane());
        }
        try {
            // handed to the drain, not left waiting in the lane: a task submitted before the drain starts cannot replace it
            pool.execute(() -> drain(accountId, task));
        } catch (RejectedExecutionException e) {
            // stop() shut the pool between the check above and here: dropped like the waiting ones (margin-service
            // sends every account not HEALTHY again on the next subscribe)
            synchronized (lanes) {
                lanes.remove(accountId);
            }
            LOG.debugf("a task of %s dropped: the lanes stopped", accountId);
        }
    }

    /** Runs the first task, then the account's waiting ones until none waits; then frees the lane (under submit's lock). */
    private void drain(String accountId, Runnable first) {
        Runnable next = first;
        while (true) {
            synchronized (lanes) {
                Lane lane = lanes.get(accountId);
                if (next == null) {
                    next = stopped ? null : lane.waiting;
                    lane.waiting = null;
                }
                if (next == null || stopped) {
                    lanes.remove(accountId);
                    return;
                }
            }
            try {
                next.run();
            } catch (Throwable e) {
                // an Error too: leaving the loop would keep the account's lane registered with nothing draining it,
                // and every later event of the account would queue behind it until a restart
                LOG.errorf(e, "a task of %s failed", accountId);
            } finally {
                done.incrementAndGet();
                next = null;
            }
        }
    }

    /** Tasks run (or failed) or replaced by a later one while they waited, since the start. */
    long done() {
        return done.get();
    }

    /** Accounts with a task running or waiting. */
    int busyAccounts() {
        synchronized (lanes) {
            return lanes.size();
        }
    }

    /** Whether {@link #stop} was called. */
    boolean stopped() {
        return stopped;
    }

    /**
     * Takes no more tasks and drops the waiting ones; waits up to {@code grace} for the running ones to end, then
     * interrupts them. True when every running task ended.
     */
    boolean stop(Duration grace) {
        synchronized (lanes) {
            stopped = true;
        }
        pool.shutdown();
        try {
            if (pool.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                return true;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        pool.shutdownNow();
        return false;
    }
}
