package dev.crosschain.margin.store;

import dev.crosschain.margin.app.ActiveRiskParameters;
import dev.crosschain.margin.domain.MarginRules;
import dev.crosschain.margin.domain.RiskParameters;
import dev.crosschain.margin.domain.portfolio.PortfolioParameters;
import dev.crosschain.postgres.PostgresTestResource;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

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
    @Inject
    ActiveRiskParameters active;
    @Inject
    AgroalDataSource dataSource;

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

    @Test
    void twoReplicasStartingTogetherWithOneConfiguredVersionRecordItOnce() throws Exception {
        long rows = store.changes(Long.MAX_VALUE, 1000).size();
        RiskParameters same = configured("restart-race");
        List<Object> outcomes = startTogether(same, same);
        assertThat(outcomes).allSatisfy(o -> assertThat(o).isInstanceOf(RiskParameterStore.Change.class));
        RiskParameterStore.Change a = (RiskParameterStore.Change) outcomes.get(0);
        assertThat(outcomes.get(1)).isEqualTo(a);
        assertThat(a.parameters().version()).isEqualTo("restart-race");
        assertThat(store.changes(Long.MAX_VALUE, 1000)).hasSize((int) rows + 1);
    }

    @Test
    void twoReplicasStartingTogetherWithOtherContentsUnderOneVersionStartOnlyOne() throws Exception {
        long rows = store.changes(Long.MAX_VALUE, 1000).size();
        RiskParameters mine = configured("restart-race-2");
        RiskParameters theirs = RiskParameters.of("restart-race-2", MarginRules.DEFAULT.linearTiers(), new BigDecimal("0.15"),
                new BigDecimal("0.10"), new BigDecimal("0.075"), new BigDecimal("0.2"), () -> PortfolioParameters.DEFAULT);
        List<Object> outcomes = startTogether(mine, theirs);
        assertThat(outcomes).filteredOn(o -> o instanceof RiskParameterStore.Change).hasSize(1);
        assertThat(outcomes).filteredOn(o -> o instanceof IllegalStateException).hasSize(1);
        RiskParameterStore.Change started = (RiskParameterStore.Change) outcomes.stream()
                .filter(o -> o instanceof RiskParameterStore.Change).findFirst().orElseThrow();
        RiskParameters winner = outcomes.get(0) instanceof RiskParameterStore.Change ? mine : theirs;
        assertThat(started.parameters().sameContents(winner)).isTrue();
        assertThat(store.changes(Long.MAX_VALUE, 1000)).hasSize((int) rows + 1);
        // theirs may have won: the classes that run after this one compute with the configured contents again
        store.record(configured("restart-race-restored"), "test", "restore the configured contents");
    }

    @Test
    void anUnreadableNewestRowKeepsTheSetInUse() throws Exception {
        active.refresh();
        ActiveRiskParameters.Active before = active.current();
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.executeUpdate("INSERT INTO risk_parameter_set (version, parameters, changed_by, reason) "
                    + "VALUES ('restart-unreadable', 'not json', 'test', 'an unreadable row')");
        }
        try {
            assertThat(store.latestSeq()).isGreaterThan(before.record().seq());
            active.refresh(); // logs and keeps the set in use, never throws
            assertThat(active.current()).isSameAs(before);
        } finally {
            // the table is append-only by convention; a test may remove the row it broke
            try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
                s.executeUpdate("DELETE FROM risk_parameter_set WHERE version = 'restart-unreadable'");
            }
        }
        active.refresh();
        assertThat(active.current()).isSameAs(before);
    }

    /** Seeds each set on its own thread, both released by one latch; each outcome is the Change or the failure. */
    private List<Object> startTogether(RiskParameters first, RiskParameters second) throws Exception {
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try {
            List<Future<Object>> futures = new ArrayList<>();
            for (RiskParameters configured : List.of(first, second)) {
                futures.add(threads.submit(() -> {
                    go.await();
                    try {
                        return (Object) dev.crosschain.margin.app.ActiveRiskParametersAccess.seed(store, configured);
                    } catch (IllegalStateException e) {
                        return e;
                    }
                }));
            }
            go.countDown();
            List<Object> outcomes = new ArrayList<>();
            for (Future<Object> f : futures) {
                outcomes.add(f.get(30, TimeUnit.SECONDS));
            }
            return outcomes;
        } finally {
            threads.shutdownNow();
        }
    }
}
