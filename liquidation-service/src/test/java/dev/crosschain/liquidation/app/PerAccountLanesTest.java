package dev.crosschain.liquidation.app;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

class PerAccountLanesTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void oneAccountsTasksRunOneAtATimeInOrderWhileOtherAccountsRunAlongside() throws Exception {
        PerAccountLanes lanes = new PerAccountLanes("test", 8);
        int accounts = 8;
        int perAccount = 50;
        Map<String, List<Integer>> ran = new ConcurrentHashMap<>();
        Map<String, AtomicInteger> running = new ConcurrentHashMap<>();
        AtomicInteger overlapsWithinAccount = new AtomicInteger();
        // every account's first task waits until all eight run at once: only a pool running accounts side by side gets past
        CountDownLatch allStarted = new CountDownLatch(accounts);
        CountDownLatch done = new CountDownLatch(accounts * perAccount);
        for (int n = 0; n < perAccount; n++) {
            for (int a = 0; a < accounts; a++) {
                String account = "acc-" + a;
                int seq = n;
                lanes.submit(account, new PerAccountLanes.Task(seq, () -> {
                    if (running.computeIfAbsent(account, k -> new AtomicInteger()).incrementAndGet() > 1) {
                        overlapsWithinAccount.incrementAndGet();
                    }
                    if (seq == 0) {
                        allStarted.countDown();
                        await(allStarted);
                    }
                    ran.computeIfAbsent(account, k -> new CopyOnWriteArrayList<>()).add(seq);
                    running.get(account).decrementAndGet();
                    done.countDown();
                }));
            }
        }
        assertThat(done.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        List<Integer> inOrder = new ArrayList<>();
        for (int n = 0; n < perAccount; n++) {
            inOrder.add(n);
        }
        for (int a = 0; a < accounts; a++) {
            assertThat(ran.get("acc-" + a)).as("acc-" + a).isEqualTo(inOrder);
        }
        assertThat(overlapsWithinAccount).hasValue(0);
        assertThat(lanes.stop(WAIT)).isTrue();
    }

    @Test
    void queuedTasksDrainInOrderAndAKindRepeatedAfterAnotherRuns() throws Exception {
        PerAccountLanes lanes = new PerAccountLanes("test", 2);
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(3);
        List<String> ran = new CopyOnWriteArrayList<>();
        lanes.submit("acc", new PerAccountLanes.Task("hold", () -> await(release)));
        for (String kind : List.of("L", "L", "H", "H", "L")) {
            lanes.submit("acc", new PerAccountLanes.Task(kind, () -> {
                ran.add(kind);
                done.countDown();
            }));
        }
        release.countDown();
        assertThat(done.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        assertThat(lanes.stop(WAIT)).isTrue();
        assertThat(ran).containsExactly("L", "H", "L");
        assertThat(lanes.busyAccounts()).isZero();
    }

    @Test
    void aTaskThrowingAnErrorLeavesTheAccountsLaneDraining() throws Exception {
        PerAccountLanes lanes = new PerAccountLanes("test", 1);
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch nextRan = new CountDownLatch(1);
        lanes.submit("acc", new PerAccountLanes.Task("fail", () -> {
            await(release);
            throw new AssertionError("thrown on purpose by the test");
        }));
        lanes.submit("acc", new PerAccountLanes.Task("next", nextRan::countDown));
        release.countDown();
        assertThat(nextRan.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        CountDownLatch laterRan = new CountDownLatch(1);
        lanes.submit("acc", new PerAccountLanes.Task("later", laterRan::countDown));
        assertThat(laterRan.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        assertThat(lanes.stop(WAIT)).isTrue();
    }

    @Test
    void stopWaitsForTheRunningTaskDropsTheQueuedOnesAndTakesNoMore() throws Exception {
        PerAccountLanes lanes = new PerAccountLanes("test", 1);
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<String> ran = new CopyOnWriteArrayList<>();
        lanes.submit("a", new PerAccountLanes.Task("run", () -> {
            started.countDown();
            await(release);
            ran.add("a");
        }));
        lanes.submit("a", new PerAccountLanes.Task("next", () -> ran.add("a-next")));
        lanes.submit("b", new PerAccountLanes.Task("run", () -> ran.add("b")));
        assertThat(started.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        AtomicInteger stoppedCleanly = new AtomicInteger(-1);
        Thread stopper = new Thread(() -> stoppedCleanly.set(lanes.stop(WAIT) ? 1 : 0));
        stopper.start();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!lanes.stopped() && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertThat(lanes.stopped()).isTrue();
        release.countDown();
        stopper.join(WAIT.toMillis());
        lanes.submit("c", new PerAccountLanes.Task("run", () -> ran.add("c")));
        assertThat(stoppedCleanly).hasValue(1);
        assertThat(ran).containsExactly("a");
    }

    @Test
    void stopInterruptsATaskStillRunningAfterTheGrace() throws Exception {
        PerAccountLanes lanes = new PerAccountLanes("test", 1);
        CountDownLatch started = new CountDownLatch(1);
        List<String> ran = new CopyOnWriteArrayList<>();
        lanes.submit("a", new PerAccountLanes.Task("run", () -> {
            started.countDown();
            await(new CountDownLatch(1));
            ran.add("a");
        }));
        assertThat(started.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        assertThat(lanes.stop(Duration.ofMillis(50))).isFalse();
        assertThat(ran).isEmpty();
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(WAIT.toSeconds(), TimeUnit.SECONDS)) {
                throw new IllegalStateException("latch not released in " + WAIT);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
