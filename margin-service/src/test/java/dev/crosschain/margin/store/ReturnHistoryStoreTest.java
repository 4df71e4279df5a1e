package dev.crosschain.margin.store;

import dev.crosschain.margin.app.ReturnHistoryLoader;
import dev.crosschain.margin.domain.history.MalformedHistoryException;
import dev.crosschain.margin.domain.history.PriceHistory;
import dev.crosschain.postgres.PostgresTestResource;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** V2 migration, the store and the start-up loader against the real PostgreSQL. */
@QuarkusTest
@QuarkusTestResource(PostgresTestResource.class)
class ReturnHistoryStoreTest {

    static final int BTC_DAYS = 3540;
    static final int ETH_DAYS = 2391;
    static final int SOL_DAYS = 1508;

    @Inject
    ReturnHistoryStore store;
    @Inject
    ReturnHistoryLoader loader;
    @Inject
    AgroalDataSource dataSource;

    @Test
    void theServiceStartsWithTheShippedHistoriesStoredExactly() throws Exception {
        assertThat(store.underlyings()).contains("BTC", "ETH", "SOL");
        assertThat(store.count("BTC")).isEqualTo(BTC_DAYS);
        assertThat(store.count("ETH")).isEqualTo(ETH_DAYS);
        assertThat(store.count("SOL")).isEqualTo(SOL_DAYS);
        PriceHistory stored = store.load("BTC").orElseThrow();
        PriceHistory shipped = shipped("BTC");
        assertThat(stored.firstDate()).isEqualTo(LocalDate.of(2014, 9, 17)).isEqualTo(shipped.firstDate());
        assertThat(stored.lastDate()).isEqualTo(LocalDate.of(2024, 5, 26));
        for (int i = 0; i < shipped.size(); i++) {
            assertThat(stored.closes().get(i)).as("close %d", i).isEqualByComparingTo(shipped.closes().get(i));
        }
        assertThat(stored.close(LocalDate.of(2020, 3, 12))).isEqualTo(4970.788086);
        // a second start inserts nothing
        assertThat(loader.seed()).isZero();
        assertThat(store.count("BTC")).isEqualTo(BTC_DAYS);
    }

    /**
     * Two replicas seeding the same underlying at once, made deterministic: the first replica's seed is held
     * uncommitted on its own connection; the second seed must wait (observed in pg_stat_activity: a backend
     * of this database waiting on a lock, no sleep), and once the first commits it inserts nothing.
     */
    @Test
    void replicasStartingAtOnceSeedEachDayOnce() throws Exception {
        PriceHistory history = new PriceHistory("TSTR", LocalDate.of(2022, 1, 1),
                List.of(new BigDecimal("10"), new BigDecimal("11"), new BigDecimal("12"), new BigDecimal("13")));
        execute("DELETE FROM history_close WHERE underlying = 'TSTR'");
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (Connection first = dataSource.getConnection()) {
            first.setAutoCommit(false);
            assertThat(store.seedIfEmpty(first, history, "replica 1")).isEqualTo(4);
            Future<Integer> second = pool.submit(() -> store.seedIfEmpty(history, "replica 2"));
            awaitAWaiterOnTheSeedLock(second);
            assertThat(second).isNotDone();
            first.commit();
            assertThat(second.get(30, TimeUnit.SECONDS)).isZero();
        } finally {
            pool.shutdownNow();
        }
        assertThat(store.count("TSTR")).isEqualTo(4);
        assertThat(countWhere("underlying = 'TSTR' AND source = 'replica 1'")).isEqualTo(4);
    }

    /** Polls pg_stat_activity until a backend of this database waits on a lock (the second seed). */
    private void awaitAWaiterOnTheSeedLock(Future<Integer> second) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        String waiting = "datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()";
        while (countIn("pg_stat_activity", waiting) == 0) {
            if (second.isDone()) {
                throw new AssertionError("the second seed did not wait for the first: returned " + second.get());
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the second seed never waited for the first");
            }
            Thread.onSpinWait();
        }
    }

    private int countWhere(String condition) throws Exception {
        return countIn("history_close", condition);
    }

    private int countIn(String table, String condition) throws Exception {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
             java.sql.ResultSet rs = s.executeQuery("SELECT count(*) FROM " + table + " WHERE " + condition)) {
            rs.next();
            return rs.getInt(1);
        }
    }

    @Test
    void anUnderlyingWithRowsIsNotSeededAgain() {
        PriceHistory small = new PriceHistory("TSTA", LocalDate.of(2022, 1, 1),
                List.of(new BigDecimal("1.5"), new BigDecimal("1.25"), new BigDecimal("2")));
        assertThat(store.seedIfEmpty(small, "test")).isEqualTo(3);
        PriceHistory other = new PriceHistory("TSTA", LocalDate.of(2023, 1, 1), List.of(BigDecimal.TEN));
        assertThat(store.seedIfEmpty(other, "test")).isZero();
        PriceHistory loaded = store.load("TSTA").orElseThrow();
        assertThat(loaded.firstDate()).isEqualTo(LocalDate.of(2022, 1, 1));
        assertThat(loaded.closes()).usingElementComparator(BigDecimal::compareTo)
                .containsExactly(new BigDecimal("1.5"), new BigDecimal("1.25"), new BigDecimal("2"));
        assertThat(store.load("NONE")).isEmpty();
    }

    @Test
    void aStoredHistoryWithAGapIsRefusedNotUsed() throws Exception {
        execute("INSERT INTO history_close (underlying, day, close, source) VALUES "
                + "('GAPX', '2022-01-01', 1, 'test'), ('GAPX', '2022-01-02', 1, 'test'), ('GAPX', '2022-01-04', 1, 'test')");
        assertThatThrownBy(() -> store.load("GAPX")).isInstanceOfSatisfying(MalformedHistoryException.class,
                e -> assertThat(e.line()).isEqualTo(3)).hasMessageContaining("gap: 2022-01-04 follows 2022-01-02");
    }

    @Test
    void theMigrationRefusesANonPositiveClose() {
        assertThatThrownBy(() -> execute("INSERT INTO history_close (underlying, day, close, source) VALUES ('NEG', '2022-01-01', 0, 'test')"))
                .hasMessageContaining("history_close_close_check");
    }

    private void execute(String sql) throws Exception {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private static PriceHistory shipped(String underlying) throws Exception {
        String resource = "/history/" + underlying + "-USD.csv";
        try (InputStream in = ReturnHistoryStoreTest.class.getResourceAsStream(resource)) {
            return PriceHistory.parse(underlying, resource, new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }
}
