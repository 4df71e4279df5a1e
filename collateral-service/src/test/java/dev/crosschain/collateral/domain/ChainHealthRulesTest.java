package dev.crosschain.collateral.domain;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class ChainHealthRulesTest {

    // Fixtures.ETHEREUM: heartbeat late after 60 s, head stall after 120 s, halt after 600 s of silence
    static final ChainSpec CHAIN = Fixtures.ETHEREUM;
    static final Instant NOW = Instant.parse("2026-11-23T12:00:00Z");

    static ChainHealthRules.Activity activity(long eventSecondsAgo, Long heartbeatSecondsAgo, Long headSecondsAgo) {
        return new ChainHealthRules.Activity(Optional.of(NOW.minusSeconds(eventSecondsAgo)),
                Optional.ofNullable(heartbeatSecondsAgo).map(NOW::minusSeconds),
                Optional.ofNullable(headSecondsAgo).map(NOW::minusSeconds));
    }

    static ChainCondition at(ChainHealthRules.Activity a) {
        return ChainHealthRules.condition(CHAIN, false, a, NOW);
    }

    @Test
    void freshHeartbeatAndAdvancingHeadIsHealthy() {
        assertThat(at(activity(1, 5L, 10L))).isEqualTo(ChainCondition.HEALTHY);
        // exactly at the thresholds is still within them
        assertThat(at(activity(0, 60L, 120L))).isEqualTo(ChainCondition.HEALTHY);
    }

    @Test
    void aLateHeartbeatOrAStalledHeadIsDegraded() {
        ChainCondition late = at(activity(1, 61L, 10L));
        assertThat(late.status()).isEqualTo(ChainStatus.DEGRADED);
        assertThat(late.reason()).contains("heartbeat");
        ChainCondition stalled = at(activity(1, 5L, 121L));
        assertThat(stalled.status()).isEqualTo(ChainStatus.DEGRADED);
        assertThat(stalled.reason()).contains("head not advanced");
    }

    @Test
    void silenceLongerThanTheHaltThresholdIsHalted() {
        assertThat(at(activity(600, 600L, 600L)).status()).isEqualTo(ChainStatus.DEGRADED);
        ChainCondition silent = at(activity(601, 601L, 601L));
        assertThat(silent.status()).isEqualTo(ChainStatus.HALTED);
        assertThat(silent.reason()).contains("no event");
    }

    @Test
    void anOperatorHaltWinsOverEverything() {
        ChainCondition halted = ChainHealthRules.condition(CHAIN, true, activity(0, 0L, 0L), NOW);
        assertThat(halted.status()).isEqualTo(ChainStatus.HALTED);
        assertThat(halted.reason()).contains("operator");
    }

    @Test
    void aChainNeverSeenIsHaltedAndMissingHeartbeatsOrHeadsCountFromTheLastEvent() {
        ChainCondition never = at(new ChainHealthRules.Activity(Optional.empty(), Optional.empty(), Optional.empty()));
        assertThat(never.status()).isEqualTo(ChainStatus.HALTED);
        assertThat(never.reason()).contains("no adapter");
        assertThat(at(activity(30, null, null))).isEqualTo(ChainCondition.HEALTHY);
        assertThat(at(activity(61, null, null)).reason()).contains("no heartbeat yet");
    }

    @Test
    void anInstantInTheFutureCountsAsNow() {
        assertThat(at(activity(-5, -5L, -5L))).isEqualTo(ChainCondition.HEALTHY);
    }
}
