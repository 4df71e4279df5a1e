package dev.crosschain.liquidation.app;

import org.junit.jupiter.api.Test;

import java.time.Duration;
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
    void oneAccountsTasksRunOneAtATimeLatestLastWhileOtherAccountsRunAlongside() throws Exception {
        PerAccountLanes lanes = new PerAccountLanes("test", 8);
        int accounts = 8;
        int perAccount = 50;
        Map<String, List<Integer>> ran = new ConcurrentHashMap<>();
        Map<String, AtomicInteger> running = new ConcurrentHashMap<>();
        AtomicInteger overlapsWithinAccount = new AtomicInteger();
        // every account's first task waits until all eight run at once: only a pool running accounts side by side gets past
        CountDownLatch allStarted = new CountDownLatch(accounts);
        CountDownLatch lastRan = new CountDownLatch(accounts);
        for (int n = 0; n < perAccount; n++) {
            for (int a = 0; a < accounts; a++) {
                String account = "acc-" + a;
                int seq = n;
                lanes.submit(account, () -> {
                    if (running.computeIfAbsent(account, k -> new AtomicInteger()).incrementAndGet() > 1) {
                        overlapsWithinAccount.incrementAndGet();
                    }
                    if (seq == 0) {
                        allStarted.countDown();
                        await(allStarted);
                    }
                    ran.computeIfAbsent(account, k -> new CopyOnWriteArrayList<>()).add(seq);
                    running.get(account).decrementAndGet();
                    if (seq == perAccount - 1) {
                        lastRan.countDown();
                    }
                });
            }
        }
        assertThat(lastRan.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        assertThat(lanes.stop(WAIT)).isTrue();
        for (int a = 0; a < accounts; a++) {
            List<Integer> seqs = ran.get("acc-" + a);
            // the first ran at once, the last is never replaced; those between may be replaced, never swapped
            assertThat(seqs).as("acc-" + a).startsWith(0).endsWith(perAccount - 1).isSorted().doesNotHaveDuplicates();
        }
        assertThat(overlapsWithinAccount).hasValue(0);
        assertThat(lanes.done()).isEqualTo((long) accounts * perAccount);
    }

    @Test
    void aWaitingTaskIsReplacedByTheLatestAndTheRunningOneIsNeverDropped() throws Exception {
        assertThat(ranAfterAHeldTask("L", "L", "H", "H", "L")).containsExactly("hold", "L");
        assertThat(ranAfterAHeldTask("L", "H")).containsExactly("hold", "H");
        assertThat(ranAfterAHeldTask("H", "L")).containsExactly("hold", "L");
    }

    /** The tasks that ran when these were submitted, in this order, while the account's first task ("hold") ran. */
    private static List<String> ranAfterAHeldTask(String... kinds) throws Exception {
        PerAccountLanes lanes = new PerAccountLanes("test", 2);
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch lastRan = new CountDownLatch(1);
        List<String> ran = new CopyOnWriteArrayList<>();
        lanes.submit("acc", () -> {
            started.countDown();
            await(release);
            ran.add("hold");
        });
        assertThat(started.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        for (int i = 0; i < kinds.length; i++) {
            String kind = kinds[i];
            boolean last = i == kinds.length - 1;
            lanes.submit("acc", () -> {
                ran.add(kind);
                if (last) {
                    lastRan.countDown();
                }
            });
        }
        release.countDown();
        assertThat(lastRan.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        assertThat(lanes.stop(WAIT)).isTrue();
        assertThat(lanes.busyAccounts()).isZero();
        assertThat(lanes.done()).isEqualTo(1 + kinds.length);
        return ran;
    }

    @Test
    void aTaskThrowingAnErrorLeavesTheAccountsLaneDraining() throws Exception {
        PerAccountLanes lanes = new PerAccountLanes("test", 1);
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch nextRan = new CountDownLatch(1);
        lanes.submit("acc", () -> {
            await(release);
            throw new AssertionError("thrown on purpose by the test");
        });
        lanes.submit("acc", nextRan::countDown);
        release.countDown();
        assertThat(nextRan.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        CountDownLatch laterRan = new CountDownLatch(1);
        lanes.submit("acc", laterRan::countDown);
        assertThat(laterRan.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        assertThat(lanes.stop(WAIT)).isTrue();
    }

    @Test
    void stopWaitsForTheRunningTaskDropsTheQueuedOnesAndTakesNoMore() throws Exception {
        PerAccountLanes lanes = new PerAccountLanes("test", 1);
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<String> ran = new CopyOnWriteArrayList<>();
        lanes.submit("a", () -> {
            started.countDown();
            await(release);
            ran.add("a");
        });
        lanes.submit("a", () -> ran.add("a-next"));
        lanes.submit("b", () -> ran.add("b"));
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
        lanes.submit("c", () -> ran.add("c"));
        assertThat(stoppedCleanly).hasValue(1);
        assertThat(ran).containsExactly("a");
    }

    @Test
    void stopInterruptsATaskStillRunningAfterTheGrace() throws Exception {
        PerAccountLanes lanes = new PerAccountLanes("test", 1);
        CountDownLatch started = new CountDownLatch(1);
        List<String> ran = new CopyOnWriteArrayList<>();
        lanes.submit("a", () -> {
            started.countDown();
            await(new CountDownLatch(1));
            ran.add("a");
        });
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
