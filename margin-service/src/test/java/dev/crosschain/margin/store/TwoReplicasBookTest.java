package dev.crosschain.margin.store;

import dev.crosschain.margin.domain.ConflictException;
import dev.crosschain.margin.domain.Instrument;
import dev.crosschain.margin.domain.Side;
import dev.crosschain.postgres.PostgresTestResource;
import io.agroal.api.AgroalDataSource;
import io.agroal.api.configuration.supplier.AgroalDataSourceConfigurationSupplier;
import io.agroal.api.security.NamePrincipal;
import io.agroal.api.security.SimplePassword;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Two margin replicas on one database: two {@link AccountStore}s, whose in-process stripes do not see each other,
 * so only the account row locks serialize their writes of one account.
 */
@QuarkusTest
@QuarkusTestResource(PostgresTestResource.class)
class TwoReplicasBookTest {

    private static final Instrument PERP = new Instrument.Perpetual("ETH");

    /** The ApplicationName of {@link #ownPool}'s connections. */
    private static final String OWN_POOL = "two-replicas-test";

    @Inject
    AgroalDataSource dataSource;
    @ConfigProperty(name = "quarkus.datasource.jdbc.url")
    String url;
    @ConfigProperty(name = "quarkus.datasource.username")
    String user;
    @ConfigProperty(name = "quarkus.datasource.password")
    java.util.Optional<String> password;

    @Test
    void fillsOfOneAccountThroughTwoReplicasAllCountOnceEach() throws Exception {
        AccountStore one = new AccountStore(dataSource);
        AccountStore two = new AccountStore(dataSource);
        String acc = "replicas-fill";
        int ids = 60;
        AtomicInteger replays = new AtomicInteger();
        // every fill id sent to both replicas at once: one applies it, the other answers the replay
        runAtOnce(ids * 2, i -> {
            AccountStore replica = i % 2 == 0 ? one : two;
            // buy 2 then sell 1, alternately: every fill reads the position the previous one left
            Side side = (i / 2) % 2 == 0 ? Side.BUY : Side.SELL;
            BigDecimal qty = side == Side.BUY ? new BigDecimal("2") : BigDecimal.ONE;
            AccountStore.FillResult r = replica.applyFill(new AccountStore.FillCommand("replicas-" + i / 2,
                    "hash-" + i / 2, acc, PERP, side, qty, new BigDecimal(side == Side.BUY ? "3000" : "3100")));
            if (r.replayed()) {
                replays.incrementAndGet();
            }
        });
        assertThat(replays.get()).isEqualTo(ids);
        AccountStore.AccountState state = one.load(acc).orElseThrow();
        // 30 buys of 2 at 3000 and 30 sells of 1 at 3100: 30 left, every sale realized 100
        assertThat(state.positions()).singleElement()
                .satisfies(p -> assertThat(p.quantity()).isEqualByComparingTo("30"));
        assertThat(state.realizedPnl()).isEqualByComparingTo("3000");
    }

    @Test
    void transfersBothWaysBetweenTwoAccountsThroughTwoReplicasNeitherLoseNorDeadlock() throws Exception {
        String a = "replicas-a";
        String b = "replicas-b";
        long deadlocksBefore = deadlocks();
        AtomicInteger replays = new AtomicInteger();
        // the stores on a pool of their own: closed, its backends flush their counts (deadlocks) as they exit
        try (AgroalDataSource own = ownPool()) {
            AccountStore one = new AccountStore(own);
            AccountStore two = new AccountStore(own);
            one.applyFill(new AccountStore.FillCommand("replicas-open-a", "h-a", a, PERP, Side.BUY, new BigDecimal("100"), new BigDecimal("3000")));
            one.applyFill(new AccountStore.FillCommand("replicas-open-b", "h-b", b, PERP, Side.BUY, new BigDecimal("100"), new BigDecimal("3000")));
            // every transfer id sent to both replicas at once: one moves it, the other answers the replay
            runAtOnce(80, i -> {
                AccountStore replica = i % 2 == 0 ? one : two;
                boolean aToB = (i / 2) % 2 == 0;
                if (replica.transfer("replicas-t-" + i / 2, "h-" + i / 2, aToB ? a : b, aToB ? b : a,
                        List.of(new AccountStore.TransferLeg(PERP, BigDecimal.ONE)))) {
                    replays.incrementAndGet();
                }
            });
        }
        awaitNoBackendOfOwnPool();
        assertThat(replays.get()).isEqualTo(40);
        AccountStore store = new AccountStore(dataSource);
        // 20 moves each way
        assertThat(store.load(a).orElseThrow().positions().get(0).quantity()).isEqualByComparingTo("100");
        assertThat(store.load(b).orElseThrow().positions().get(0).quantity()).isEqualByComparingTo("100");
        // a deadlock would have been retried silently (40P01); PostgreSQL still counts it. The module's tests run
        // one at a time and nothing else of this test's database locks two account rows
        assertThat(deadlocks()).isEqualTo(deadlocksBefore);
    }

    /**
     * The same fill id sent for another account, while the first account's fill of that id is not committed yet:
     * the other account's row lock does not stop it, its insert waits on the fill id's unique index, and once the first
     * commits it fails there (23505), is retried, and its probe answers IDEMPOTENCY_CONFLICT with nothing of it kept
     * (the cross-account case of the class Javadoc of {@link AccountStore}).
     */
    @Test
    void aFillIdRacingInForAnotherAccountWaitsForTheFirstAndConflicts() throws Exception {
        AccountStore store = new AccountStore(dataSource);
        String first = "replicas-key-a";
        String other = "replicas-key-b";
        store.applyFill(new AccountStore.FillCommand("replicas-key-open", "h-open", first, PERP, Side.BUY, BigDecimal.ONE, new BigDecimal("3000")));
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (Connection raw = dataSource.getConnection()) {
            raw.setAutoCommit(false);
            try (PreparedStatement s = raw.prepareStatement("""
                    INSERT INTO fill (fill_id, request_hash, account_id, instrument, side, quantity, price, realized_pnl,
                                      after_quantity, after_avg_entry) VALUES ('replicas-key', 'h-first', ?, ?, 'BUY', 1, 3000, 0, 2, 3000)""")) {
                s.setString(1, first);
                s.setString(2, PERP.name());
                s.executeUpdate();
            }
            Future<AccountStore.FillResult> racing = pool.submit(() -> store.applyFill(new AccountStore.FillCommand("replicas-key",
                    "h-other", other, PERP, Side.BUY, BigDecimal.ONE, new BigDecimal("3000"))));
            awaitAFillInsertWaiting(racing);
            raw.commit();
            assertThatThrownBy(() -> racing.get(30, TimeUnit.SECONDS)).hasCauseInstanceOf(ConflictException.class)
                    .satisfies(e -> assertThat(((ConflictException) e.getCause()).reason()).isEqualTo("IDEMPOTENCY_CONFLICT"));
        } finally {
            pool.shutdownNow();
        }
        // its whole transaction rolled back, the account row it created too: no position, no realized PnL
        assertThat(store.load(other)).isEmpty();
    }

    /** Polls pg_stat_activity until a backend other than this one waits on a lock in an INSERT INTO fill. */
    private void awaitAFillInsertWaiting(Future<?> racing) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (count("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
                + " AND pid <> pg_backend_pid() AND query LIKE '%INSERT INTO fill %'") == 0) {
            if (racing.isDone()) {
                throw new AssertionError("the racing fill did not wait for the first: " + racing.get());
            }
            assertThat(System.nanoTime()).as("awaiting the racing fill's insert to wait").isLessThan(deadline);
            Thread.sleep(10);
        }
    }

    private AgroalDataSource ownPool() throws SQLException {
        return AgroalDataSource.from(new AgroalDataSourceConfigurationSupplier().connectionPoolConfiguration(p -> p
                .maxSize(8).connectionFactoryConfiguration(f -> {
                    password.ifPresent(secret -> f.credential(new SimplePassword(secret)));
                    return f.jdbcUrl(url).principal(new NamePrincipal(user)).jdbcProperty("ApplicationName", OWN_POOL);
                })));
    }

    /** Waits until every backend of {@link #ownPool} has exited (and so flushed its statistics). */
    private void awaitNoBackendOfOwnPool() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (count("SELECT count(*) FROM pg_stat_activity WHERE application_name = '" + OWN_POOL + "'") > 0) {
            assertThat(System.nanoTime()).as("awaiting the own pool's backends to exit").isLessThan(deadline);
            Thread.sleep(10);
        }
    }

    private long deadlocks() throws Exception {
        return count("SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()");
    }

    private long count(String query) throws Exception {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(query)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @FunctionalInterface
    private interface Call {
        void run(int i);
    }

    private static void runAtOnce(int n, Call call) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int index = i;
                done.add(pool.submit(() -> call.run(index)));
            }
            for (Future<?> f : done) {
                f.get(120, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
