package dev.crosschain.liquidation.app;

import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs tasks on a bounded pool of threads, one lane per account: tasks of one account run one at a time, in the order
 * they were submitted; tasks of different accounts run at once, up to the pool's size. A task submitted while the
 * account's lane holds the same kind of task, not started yet, as its last is dropped (the queued one does the same).
 */
final class PerAccountLanes {

    private static final Logger LOG = Logger.getLogger(PerAccountLanes.class);

    /** A task, and its kind: two tasks of one kind queued back to back for an account do the same work. */
    record Task(Object kind, Runnable work) {
        Task {
            Objects.requireNonNull(kind);
            Objects.requireNonNull(work);
        }
    }

    private final ExecutorService pool;
    /** Accounts with a task running or queued, and their tasks not started yet. Guarded by itself. */
    private final Map<String, ArrayDeque<Task>> lanes = new HashMap<>();
    private volatile boolean stopped;
    /** Tasks run or dropped as a repeat, since the start. */
    private final AtomicLong done = new AtomicLong();

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

    /** Queues the task in the account's lane; nothing once {@link #stop} was called. */
    void submit(String accountId, Task task) {
        synchronized (lanes) {
            if (stopped) {
                return;
            }
            ArrayDeque<Task> lane = lanes.get(accountId);
            if (lane != null) {
                Task last = lane.peekLast();
                if (last == null || !last.kind().equals(task.kind())) {
                    lane.addLast(task);
                } else {
                    done.incrementAndGet();
                }
                return;
            }
            lane = new ArrayDeque<>();
            lane.addLast(task);
            lanes.put(accountId, lane);
        }
        pool.execute(() -> drain(accountId));
    }

    /** Runs the account's tasks until its lane is empty, then frees the lane (under the same lock as submit). */
    private void drain(String accountId) {
        while (true) {
            Task next;
            synchronized (lanes) {
                ArrayDeque<Task> lane = lanes.get(accountId);
                next = stopped ? null : lane.pollFirst();
                if (next == null) {
                    lanes.remove(accountId);
                    return;
                }
            }
            try {
                next.work().run();
            } catch (Throwable e) {
                // an Error too: leaving the loop would keep the account's lane registered with nothing draining it,
                // and every later event of the account would queue behind it until a restart
                LOG.errorf(e, "a task of %s failed", accountId);
            } finally {
                done.incrementAndGet();
            }
        }
    }

    /** Tasks run (or failed) or dropped as a repeat of the one queued before them, since the start. */
    long done() {
        return done.get();
    }

    /** Accounts with a task running or queued. */
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
     * Takes no more tasks and drops the queued ones; waits up to {@code grace} for the running ones to end, then
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
