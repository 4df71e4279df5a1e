package dev.crosschain.collateral.domain;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link ChainHealthRules#judge}: recovering from DEGRADED (or a silent HALTED) waits until the cause has been clear
 * for the crossed limit times the recovery factor, so heartbeats right at the limit do not flap the status.
 */
class ChainHealthHysteresisTest {

    // Fixtures.ETHEREUM: heartbeat late after 60 s, head stall after 120 s, halt after 600 s of silence
    static final ChainSpec CHAIN = Fixtures.ETHEREUM;
    static final Instant T0 = Instant.parse("2026-11-23T12:00:00Z");

    /** The statuses judged once a second for {@code seconds}, the adapter's heartbeats (each with a new head) every {@code everyMs}. */
    static List<ChainCondition> judgedEverySecond(long everyMs, int seconds, double factor) {
        List<ChainCondition> judged = new ArrayList<>();
        Optional<ChainHealthRules.Held> held = Optional.empty();
        for (int s = 0; s <= seconds; s++) {
            Instant now = T0.plusSeconds(s);
            long lastBeatMs = (s * 1000L / everyMs) * everyMs; // a heartbeat at 0, everyMs, 2 everyMs, ...
            Instant beat = T0.plusMillis(lastBeatMs);
            ChainHealthRules.Activity activity = new ChainHealthRules.Activity(Optional.of(beat), Optional.of(beat), Optional.of(beat));
            ChainHealthRules.Judged j = ChainHealthRules.judge(CHAIN, false, activity, held, factor, now);
            held = j.held();
            judged.add(j.condition());
        }
        return judged;
    }

    static int statusChanges(List<ChainCondition> judged) {
        int changes = 0;
        for (int i = 1; i < judged.size(); i++) {
            if (judged.get(i).status() != judged.get(i - 1).status()) {
                changes++;
            }
        }
        return changes;
    }

    @Test
    void heartbeatsRightAtTheLimitDegradeOnceAndDoNotFlap() {
        // every 61.5 s: about 1.5 s late each time, for half an hour
        List<ChainCondition> judged = judgedEverySecond(61_500, 1800, 1.0);
        int firstLate = judged.indexOf(judged.stream().filter(c -> c.status() != ChainStatus.HEALTHY).findFirst().orElseThrow());
        assertThat(firstLate).isEqualTo(61);
        assertThat(judged.subList(0, firstLate)).allMatch(c -> c.status() == ChainStatus.HEALTHY);
        assertThat(judged.subList(firstLate, judged.size())).allMatch(c -> c.status() == ChainStatus.DEGRADED);
        assertThat(statusChanges(judged)).isEqualTo(1);
        assertThat(judged.get(firstLate + 5).reason()).startsWith("recovering: clear for").contains("last heartbeat");
    }

    @Test
    void withoutHysteresisTheSameHeartbeatsFlap() {
        List<ChainCondition> judged = judgedEverySecond(61_500, 1800, 0.0);
        assertThat(statusChanges(judged)).isGreaterThan(40); // twice per heartbeat
    }

    @Test
    void heartbeatsWellWithinTheLimitStayHealthy() {
        assertThat(judgedEverySecond(30_000, 1800, 1.0)).allMatch(c -> c.equals(ChainCondition.HEALTHY));
    }

    @Test
    void aChainBackOnTimeIsHealthyOnceClearForTheLimitTimesTheFactor() {
        ChainHealthRules.Activity late = activity(T0.minusSeconds(61));
        ChainHealthRules.Judged degraded = ChainHealthRules.judge(CHAIN, false, late, Optional.empty(), 0.5, T0);
        assertThat(degraded.condition().status()).isEqualTo(ChainStatus.DEGRADED);
        assertThat(degraded.held()).isPresent();
        assertThat(degraded.held().get().recovery()).isEqualTo(Duration.ofSeconds(30)); // 0.5 x 60 s

        // a heartbeat at T0 + 1 s; clear from the first look that sees it
        ChainHealthRules.Activity back = activity(T0.plusSeconds(1));
        ChainHealthRules.Judged first = ChainHealthRules.judge(CHAIN, false, back, degraded.held(), 0.5, T0.plusSeconds(2));
        assertThat(first.condition().status()).isEqualTo(ChainStatus.DEGRADED);
        assertThat(first.condition().reason()).isEqualTo("recovering: clear for 0 ms of 30000 ms after "
                + degraded.condition().reason());
        ChainHealthRules.Judged almost = ChainHealthRules.judge(CHAIN, false, back, first.held(), 0.5, T0.plusSeconds(32));
        assertThat(almost.condition().status()).as("clear for exactly the period").isEqualTo(ChainStatus.DEGRADED);
        ChainHealthRules.Judged healthy = ChainHealthRules.judge(CHAIN, false, back, almost.held(), 0.5, T0.plusMillis(32_001));
        assertThat(healthy.condition()).isEqualTo(ChainCondition.HEALTHY);
        assertThat(healthy.held()).isEmpty();
    }

    @Test
    void gettingWorseIsNeverDelayed() {
        Optional<ChainHealthRules.Held> recovering = ChainHealthRules.judge(CHAIN, false, activity(T0.minusSeconds(1)),
                ChainHealthRules.judge(CHAIN, false, activity(T0.minusSeconds(61)), Optional.empty(), 1.0, T0).held(), 1.0, T0).held();
        assertThat(recovering.flatMap(ChainHealthRules.Held::clearSince)).isPresent();
        // silent for longer than the halt limit: HALTED at once, whatever was held
        ChainHealthRules.Judged silent = ChainHealthRules.judge(CHAIN, false, activity(T0.minusSeconds(601)), recovering, 1.0, T0);
        assertThat(silent.condition().status()).isEqualTo(ChainStatus.HALTED);
        // late again: the raw cause, and the clear time starts over
        ChainHealthRules.Judged lateAgain = ChainHealthRules.judge(CHAIN, false, activity(T0.minusSeconds(61)), recovering, 1.0, T0);
        assertThat(lateAgain.condition().reason()).startsWith("last heartbeat");
        assertThat(lateAgain.held().orElseThrow().clearSince()).isEmpty();
    }

    @Test
    void aChainBackFromSilenceRecoversOverTheHeartbeatLimit() {
        ChainHealthRules.Judged silent = ChainHealthRules.judge(CHAIN, false, activity(T0.minusSeconds(601)), Optional.empty(), 1.0, T0);
        assertThat(silent.condition().status()).isEqualTo(ChainStatus.HALTED);
        assertThat(silent.held().orElseThrow().recovery()).isEqualTo(Duration.ofSeconds(60));
        ChainHealthRules.Judged back = ChainHealthRules.judge(CHAIN, false, activity(T0), silent.held(), 1.0, T0);
        assertThat(back.condition().status()).isEqualTo(ChainStatus.DEGRADED);
        assertThat(back.condition().reason()).contains("recovering").contains("no event for");
    }

    @Test
    void anOperatorHaltAndItsLiftingActAtOnceAndLiftingDropsTheHold() {
        Optional<ChainHealthRules.Held> held = ChainHealthRules.judge(CHAIN, false, activity(T0.minusSeconds(61)), Optional.empty(), 1.0, T0).held();
        ChainHealthRules.Judged halted = ChainHealthRules.judge(CHAIN, true, activity(T0), held, 1.0, T0);
        assertThat(halted.condition()).isEqualTo(new ChainCondition(ChainStatus.HALTED, "halted by an operator"));
        assertThat(halted.held()).isEmpty();
        ChainHealthRules.Judged lifted = ChainHealthRules.judge(CHAIN, false, activity(T0), halted.held(), 1.0, T0.plusSeconds(1));
        assertThat(lifted.condition()).isEqualTo(ChainCondition.HEALTHY);
    }

    @Test
    void aChainNeverSeenIsHealthyAtItsFirstEvent() {
        ChainHealthRules.Activity never = new ChainHealthRules.Activity(Optional.empty(), Optional.empty(), Optional.empty());
        ChainHealthRules.Judged unseen = ChainHealthRules.judge(CHAIN, false, never, Optional.empty(), 1.0, T0);
        assertThat(unseen.condition().status()).isEqualTo(ChainStatus.HALTED);
        assertThat(unseen.held()).isEmpty();
        assertThat(ChainHealthRules.judge(CHAIN, false, activity(T0), unseen.held(), 1.0, T0).condition()).isEqualTo(ChainCondition.HEALTHY);
    }

    /** A heartbeat (with a new head) at {@code beat}, the last event. */
    static ChainHealthRules.Activity activity(Instant beat) {
        return new ChainHealthRules.Activity(Optional.of(beat), Optional.of(beat), Optional.of(beat));
    }
}
