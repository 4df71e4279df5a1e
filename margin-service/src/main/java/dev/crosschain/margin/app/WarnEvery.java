package dev.crosschain.margin.app;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Lets a repeated warning through at most once a period, so that a failure repeating many times a second (a store
 * down, an upstream refusing) neither floods the log nor hides its first occurrence.
 */
final class WarnEvery {

    private final long periodMs;
    private final AtomicLong last = new AtomicLong();

    WarnEvery(long periodMs) {
        this.periodMs = periodMs;
    }

    /** True for the first call of a period: that caller logs; whoever else races for it does not. */
    boolean due() {
        long now = System.currentTimeMillis();
        long before = last.get();
        return now - before >= periodMs && last.compareAndSet(before, now);
    }

    long seconds() {
        return periodMs / 1000;
    }
}
