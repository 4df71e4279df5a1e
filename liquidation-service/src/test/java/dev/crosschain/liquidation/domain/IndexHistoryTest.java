package dev.crosschain.liquidation.domain;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The breaker of one underlying on a hand-made timeline: max-age 30 s, max-move 10 %, window 60 s. */
class IndexHistoryTest {

    static final IndexHistory.Rules RULES = new IndexHistory.Rules(Duration.ofSeconds(30), 0.10, Duration.ofSeconds(60));
    static final Instant T0 = Instant.parse("2026-12-07T00:00:00Z");

    private final IndexHistory eth = new IndexHistory("ETH");

    private void at(int seconds, String price) {
        eth.observe(T0.plusSeconds(seconds), new BigDecimal(price), false, RULES);
    }

    private Optional<BreakerTrip.Kind> kindAt(int seconds) {
        return eth.trip(T0.plusSeconds(seconds), RULES).map(BreakerTrip::kind);
    }

    @Test
    void aMoveAboveMaxMoveTripsUntilTheWindowNoLongerHoldsIt() {
        at(0, "100");
        at(10, "105");
        assertThat(kindAt(10)).as("5 %").isEmpty();
        at(20, "111");
        assertThat(kindAt(20)).as("11 % from the window's lowest").contains(BreakerTrip.Kind.MOVED);
        at(50, "111");
        assertThat(kindAt(59)).as("100 at t=0 is still the level the window starts from").contains(BreakerTrip.Kind.MOVED);
        at(75, "111");
        // at t=81 the window starts at 21: the level then is 111 (from t=20); 105 -> 111 (5.7 %) left with t=10
        assertThat(kindAt(81)).isEmpty();
    }

    @Test
    void aJumpAfterAQuietSpellCountsFromTheLevelBeforeIt() {
        at(0, "100");
        at(25, "100");
        at(50, "100");
        at(75, "100");
        at(100, "89");
        assertThat(kindAt(100)).as("-11 % from the level at the window's start").contains(BreakerTrip.Kind.MOVED);
        at(125, "89");
        at(150, "89");
        assertThat(kindAt(159)).contains(BreakerTrip.Kind.MOVED);
        at(161, "89");
        assertThat(kindAt(161)).as("the window (101..161) starts at 89").isEmpty();
    }

    @Test
    void staleWhenFlaggedOrSilentForMaxAge() {
        at(0, "100");
        assertThat(kindAt(30)).isEmpty();
        assertThat(kindAt(31)).contains(BreakerTrip.Kind.STALE);
        eth.observe(T0.plusSeconds(40), new BigDecimal("100"), true, RULES);
        assertThat(kindAt(40)).contains(BreakerTrip.Kind.STALE);
        // a price flagged stale is no point of the history: the 50 makes no move once the index is fresh again
        eth.observe(T0.plusSeconds(45), new BigDecimal("50"), true, RULES);
        at(46, "100");
        assertThat(kindAt(46)).isEmpty();
    }

    @Test
    void rulesRefuseNonPositiveSettings() {
        assertThatThrownBy(() -> new IndexHistory.Rules(Duration.ZERO, 0.1, Duration.ofSeconds(1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new IndexHistory.Rules(Duration.ofSeconds(1), 0, Duration.ofSeconds(1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new IndexHistory.Rules(Duration.ofSeconds(1), Double.NaN, Duration.ofSeconds(1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new IndexHistory.Rules(Duration.ofSeconds(1), 0.1, Duration.ofSeconds(-1))).isInstanceOf(IllegalArgumentException.class);
    }
}
