package dev.crosschain.collateral.domain;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class ChainStatusChangeTest {

    static final ChainCondition LATE_61 = new ChainCondition(ChainStatus.DEGRADED, "last heartbeat 61000 ms ago (late after 60000 ms)");
    static final ChainCondition LATE_75 = new ChainCondition(ChainStatus.DEGRADED, "last heartbeat 75001 ms ago (late after 60000 ms)");
    static final ChainCondition STALLED = new ChainCondition(ChainStatus.DEGRADED, "head not advanced for 130000 ms (stalled after 120000 ms)");
    static final ChainCondition SILENT = new ChainCondition(ChainStatus.HALTED, "no event for 601000 ms (halt after 600000 ms)");

    static Map<String, ChainCondition> of(Object... chainAndCondition) {
        Map<String, ChainCondition> m = new LinkedHashMap<>();
        for (int i = 0; i < chainAndCondition.length; i += 2) {
            m.put((String) chainAndCondition[i], (ChainCondition) chainAndCondition[i + 1]);
        }
        return m;
    }

    @Test
    void aReasonWhoseNumbersGrewIsNoChange() {
        assertThat(ChainStatusChange.between(of("eth", LATE_61), of("eth", LATE_75))).isEmpty();
        assertThat(ChainStatusChange.between(of("eth", ChainCondition.HEALTHY), of("eth", ChainCondition.HEALTHY))).isEmpty();
    }

    @Test
    void anotherStatusOrAnotherCauseIsAChange() {
        var worse = ChainStatusChange.between(of("eth", ChainCondition.HEALTHY, "sol", LATE_61), of("eth", LATE_61, "sol", LATE_75));
        assertThat(worse).containsExactly(new ChainStatusChange("eth", Optional.of(ChainCondition.HEALTHY), LATE_61));
        assertThat(worse.get(0).worse()).isTrue();
        assertThat(worse.get(0).recovered()).isFalse();

        var cause = ChainStatusChange.between(of("eth", LATE_61), of("eth", STALLED));
        assertThat(cause).hasSize(1);
        assertThat(cause.get(0).worse()).isFalse();
        assertThat(cause.get(0).recovered()).isFalse();

        var halted = ChainStatusChange.between(of("eth", LATE_61), of("eth", SILENT)).get(0);
        assertThat(halted.worse()).isTrue();

        var recovered = ChainStatusChange.between(of("eth", SILENT), of("eth", ChainCondition.HEALTHY)).get(0);
        assertThat(recovered.recovered()).isTrue();
        assertThat(recovered.worse()).isFalse();
    }

    @Test
    void aNewChainIsAChangeAndAChainGoneIsNot() {
        var added = ChainStatusChange.between(of("eth", ChainCondition.HEALTHY), of("eth", ChainCondition.HEALTHY, "new", SILENT));
        assertThat(added).containsExactly(new ChainStatusChange("new", Optional.empty(), SILENT));
        assertThat(added.get(0).worse()).isTrue();
        var healthyNew = ChainStatusChange.between(of(), of("new", ChainCondition.HEALTHY)).get(0);
        assertThat(healthyNew.worse()).isFalse();
        assertThat(healthyNew.recovered()).isFalse();
        assertThat(ChainStatusChange.between(of("eth", SILENT, "gone", LATE_61), of("eth", SILENT))).isEmpty();
    }

    @Test
    void gaugeCodes() {
        assertThat(ChainStatusChange.code(ChainStatus.HEALTHY)).isZero();
        assertThat(ChainStatusChange.code(ChainStatus.DEGRADED)).isEqualTo(1);
        assertThat(ChainStatusChange.code(ChainStatus.HALTED)).isEqualTo(2);
    }
}
