package dev.crosschain.margin.store;

import dev.crosschain.margin.domain.MarginRules;
import dev.crosschain.margin.domain.RiskParameters;
import dev.crosschain.margin.domain.portfolio.PortfolioParameters;
import dev.crosschain.postgres.PostgresTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What a start does with the configured set (ActiveRiskParameters.seed on the real store): a configured version is
 * recorded once; a newer admin set stays active over an older configured version; a configured version recorded with
 * other contents refuses the start. Every set recorded here has the configured contents (only the version differs),
 * so the other test classes of this run compute with today's figures whichever set is newest.
 */
@QuarkusTest
@QuarkusTestResource(PostgresTestResource.class)
class RiskParameterRestartTest {

    @Inject
    RiskParameterStore store;

    static RiskParameters configured(String version) {
        return RiskParameters.of(version, MarginRules.DEFAULT.linearTiers(), new BigDecimal("0.15"), new BigDecimal("0.10"),
                new BigDecimal("0.075"), new BigDecimal("0.15"), () -> PortfolioParameters.DEFAULT);
    }

    @Test
    void aConfiguredVersionIsRecordedOnceAndANewerAdminSetOutlivesAnOlderConfiguredVersion() {
        RiskParameters first = configured("restart-cfg-1");
        RiskParameterStore.Change seeded = dev.crosschain.margin.app.ActiveRiskParametersAccess.seed(store, first);
        assertThat(seeded.parameters().version()).isEqualTo("restart-cfg-1");
        assertThat(seeded.changedBy()).isEqualTo("config");
        long rows = store.changes(Long.MAX_VALUE, 1000).size();

        // a second start (or replica) with the same configuration records nothing
        assertThat(dev.crosschain.margin.app.ActiveRiskParametersAccess.seed(store, first)).isEqualTo(seeded);
        assertThat(store.changes(Long.MAX_VALUE, 1000)).hasSize((int) rows);

        // an admin change, then a restart still configured with restart-cfg-1: the admin set stays active
        RiskParameterStore.Recorded admin = store.record(configured("restart-admin"), "alice", "admin change");
        assertThat(admin.replayed()).isFalse();
        RiskParameterStore.Change afterRestart = dev.crosschain.margin.app.ActiveRiskParametersAccess.seed(store, first);
        assertThat(afterRestart.parameters().version()).isEqualTo("restart-admin");
        assertThat(afterRestart.changedBy()).isEqualTo("alice");
        assertThat(store.changes(Long.MAX_VALUE, 1000)).hasSize((int) rows + 1);

        // a new configured version is recorded and becomes active
        RiskParameterStore.Change next = dev.crosschain.margin.app.ActiveRiskParametersAccess.seed(store, configured("restart-cfg-2"));
        assertThat(next.parameters().version()).isEqualTo("restart-cfg-2");
        assertThat(next.seq()).isGreaterThan(afterRestart.seq());
        assertThat(store.latestSeq()).isEqualTo(next.seq());
    }

    @Test
    void aConfiguredVersionRecordedWithOtherContentsRefusesTheStart() {
        store.record(configured("restart-taken"), "alice", "taken");
        RiskParameters other = RiskParameters.of("restart-taken", MarginRules.DEFAULT.linearTiers(), new BigDecimal("0.15"),
                new BigDecimal("0.10"), new BigDecimal("0.075"), new BigDecimal("0.2"), () -> PortfolioParameters.DEFAULT);
        long newest = store.latestSeq();
        assertThatThrownBy(() -> dev.crosschain.margin.app.ActiveRiskParametersAccess.seed(store, other))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("margin.parameters.version restart-taken is recorded")
                .hasMessageContaining("a version names one set forever");
        assertThat(store.latestSeq()).isEqualTo(newest);
    }
}
