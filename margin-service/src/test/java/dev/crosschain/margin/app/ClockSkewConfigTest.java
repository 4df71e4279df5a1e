package dev.crosschain.margin.app;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** margin.withdrawals.clock-skew: a negative allowance would settle a lock before its not_after; refused. */
class ClockSkewConfigTest {

    @Test
    void aNegativeClockSkewIsRefusedAndZeroOrMoreIsKept() {
        assertThatThrownBy(() -> Withdrawals.requireClockSkew(Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("margin.withdrawals.clock-skew");
        assertThat(Withdrawals.requireClockSkew(Duration.ZERO)).isEqualTo(Duration.ZERO);
        assertThat(Withdrawals.requireClockSkew(Duration.ofSeconds(2))).isEqualTo(Duration.ofSeconds(2));
    }
}
