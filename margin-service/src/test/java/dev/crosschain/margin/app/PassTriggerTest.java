package dev.crosschain.margin.app;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

class PassTriggerTest {

    private static final long AWAIT_S = 10;
    private final ScheduledThreadPoolExecutor runner = new ScheduledThreadPoolExecutor(1);

    @AfterEach
    void stop() {
        runner.shutdownNow();
    }

    /** Waits until every task the runner had queued so far ran (the runner runs them in order). */
    private void drained() throws InterruptedException {
        CountDownLatch done = new CountDownLatch(1);
        runner.execute(done::countDown);
        assertThat(done.await(AWAIT_S, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void asksDuringAPassAreCoalescedIntoOneNextPass() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger passes = new AtomicInteger();
        Semaphore ended = new Semaphore(0);
        PassTrigger trigger = new PassTrigger(() -> {
            if (passes.incrementAndGet() == 1) {
                started.countDown();
                try {
                    release.await(AWAIT_S, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            ended.release();
        }, Duration.ZERO, runner);

        trigger.ask();
        assertThat(started.await(AWAIT_S, TimeUnit.SECONDS)).isTrue();
        for (int i = 0; i < 1_000; i++) {
            trigger.ask(); // a tick storm while the first pass runs
        }
        release.countDown();
        // the second starts a gap (the first's duration) after the first: awaited, not drained
        assertThat(ended.tryAcquire(2, AWAIT_S, TimeUnit.SECONDS)).isTrue();
        drained();
        assertThat(passes.get()).as("the first pass and one for all the asks made during it").isEqualTo(2);
        assertThat(runner.getQueue()).as("no further pass waiting, now or later").isEmpty();

        trigger.ask();
        assertThat(ended.tryAcquire(AWAIT_S, TimeUnit.SECONDS)).isTrue();
        assertThat(passes.get()).as("an ask after the passes ended gets its own pass").isEqualTo(3);
    }

    @Test
    void aPassStartsNoSoonerThanTheGapAfterThePreviousEnded() throws Exception {
        Duration gap = Duration.ofMillis(200);
        List<long[]> spans = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch two = new CountDownLatch(2);
        PassTrigger trigger = new PassTrigger(() -> {
            spans.add(new long[]{System.nanoTime(), 0});
            spans.get(spans.size() - 1)[1] = System.nanoTime();
            two.countDown();
        }, gap, runner);

        trigger.ask();
        drained();
        trigger.ask(); // at once after the first ended
        assertThat(two.await(AWAIT_S, TimeUnit.SECONDS)).isTrue();
        assertThat(spans.get(1)[0] - spans.get(0)[1]).isGreaterThanOrEqualTo(gap.toNanos());
    }

    @Test
    void aPassStartsNoSoonerThanThePreviousPassLastedAfterItEnded() throws Exception {
        Duration took = Duration.ofMillis(300);
        List<long[]> spans = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch two = new CountDownLatch(2);
        PassTrigger trigger = new PassTrigger(() -> {
            long start = System.nanoTime();
            while (spans.isEmpty() && System.nanoTime() - start < took.toNanos()) {
                java.util.concurrent.locks.LockSupport.parkNanos(took.toNanos()); // a slow first pass: the work itself
            }
            spans.add(new long[]{start, System.nanoTime()});
            two.countDown();
        }, Duration.ZERO, runner);

        trigger.ask();
        drained();
        trigger.ask(); // at once after the first ended
        assertThat(two.await(AWAIT_S, TimeUnit.SECONDS)).isTrue();
        long firstLasted = spans.get(0)[1] - spans.get(0)[0];
        assertThat(spans.get(1)[0] - spans.get(0)[1]).as("the gap after a pass is at least its duration")
                .isGreaterThanOrEqualTo(firstLasted);
    }

    @Test
    void aNegativeMinGapIsRefused() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new PassTrigger(() -> { }, Duration.ofMillis(-1), runner))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("min-gap");
    }
}
