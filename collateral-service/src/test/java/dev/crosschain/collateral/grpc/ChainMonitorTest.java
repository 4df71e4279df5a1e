package dev.crosschain.collateral.grpc;

import dev.crosschain.collateral.app.ChainHealth;
import dev.crosschain.collateral.app.ChainMonitor;
import dev.crosschain.collateral.app.Registry;
import dev.crosschain.collateral.domain.ChainCondition;
import dev.crosschain.collateral.domain.ChainStatus;
import dev.crosschain.postgres.PostgresTestResource;
import dev.crosschain.proto.collateral.v1.AckOutcome;
import dev.crosschain.proto.collateral.v1.Chain;
import dev.crosschain.proto.collateral.v1.CollateralAdminServiceGrpc;
import dev.crosschain.proto.collateral.v1.CollateralServiceGrpc;
import dev.crosschain.proto.collateral.v1.CollateralView;
import dev.crosschain.proto.collateral.v1.ConnectAdapterRequest;
import dev.crosschain.proto.collateral.v1.Heartbeat;
import dev.crosschain.proto.collateral.v1.ListChainsRequest;
import dev.crosschain.proto.collateral.v1.SetChainHaltRequest;
import dev.crosschain.proto.collateral.v1.WatchCollateralRequest;
import dev.crosschain.proto.collateral.v1.WatchCollateralResponse;
import dev.crosschain.proto.collateral.v1.Welcome;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.stub.StreamObserver;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static dev.crosschain.collateral.grpc.CollateralGrpcServiceTest.bearer;
import static dev.crosschain.collateral.grpc.CollateralGrpcServiceTest.nextView;
import static dev.crosschain.proto.collateral.v1.ChainStatus.CHAIN_STATUS_DEGRADED;
import static dev.crosschain.proto.collateral.v1.ChainStatus.CHAIN_STATUS_HALTED;
import static dev.crosschain.proto.collateral.v1.ChainStatus.CHAIN_STATUS_HEALTHY;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The chain status monitor: a status change reaches the watchers of the accounts holding on the chain, the log and
 * the gauge. Time is the health's clock, moved by the test; each step calls {@link ChainMonitor#check()} itself
 * (the 1 s timer may get there first: either way the change is announced once). Runs on its own application and
 * database: moving the clock or halting a chain must not touch the other classes' chains.
 */
@QuarkusTest
@TestProfile(ChainMonitorTest.OwnApplication.class)
@QuarkusTestResource(PostgresTestResource.class)
class ChainMonitorTest {

    /**
     * A profile of its own gives this class its own application and database. Its pricing client points at a port
     * nothing listens on: the fake pricing-service other classes start would otherwise re-publish the watched
     * account's view every second, and a view would arrive even with the monitor broken.
     */
    public static class OwnApplication implements QuarkusTestProfile {
        @Override
        public java.util.Map<String, String> getConfigOverrides() {
            // Hysteresis on (the other classes run without): back from DEGRADED or silence after 30 s clear.
            return java.util.Map.of("quarkus.grpc.clients.pricing.test-port", "19199",
                    "collateral.health.recovery-factor", "0.5");
        }
    }

    static ManagedChannel channel;
    static CollateralServiceGrpc.CollateralServiceBlockingStub collateral;
    static CollateralServiceGrpc.CollateralServiceStub async;
    static CollateralAdminServiceGrpc.CollateralAdminServiceBlockingStub admin;

    @Inject
    ChainMonitor monitor;
    @Inject
    ChainHealth health;
    @Inject
    Registry registry;
    @Inject
    MeterRegistry meters;

    @BeforeAll
    static void connect() {
        channel = ManagedChannelBuilder.forAddress("localhost", 19101).usePlaintext().build();
        collateral = CollateralServiceGrpc.newBlockingStub(channel);
        async = CollateralServiceGrpc.newStub(channel);
        admin = CollateralAdminServiceGrpc.newBlockingStub(channel).withInterceptors(bearer("test-operator-token"));
    }

    @AfterAll
    static void disconnect() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    @AfterEach
    void realTimeAndNoHalts() {
        for (String chain : registry.current().haltedChains()) {
            admin.setChainHalt(halt(chain, false));
        }
        health.useClock(Clock.systemUTC());
        health.forgetHolds();
    }

    @Test
    void aLateHeartbeatDegradesLongSilenceHaltsAndWatchersGetNewViews() throws Exception {
        String account = "monitor-" + UUID.randomUUID();
        Instant lastEvent = holdOn("arbitrum", account);
        at(lastEvent);
        assertThat(monitor.check().get("arbitrum")).isEqualTo(ChainCondition.HEALTHY);
        assertThat(gauge("arbitrum")).isZero();

        try (Watch watch = new Watch(account)) {
            // registry thresholds (test-chains.json): heartbeat late after 60 s, silence halts after 600 s
            at(lastEvent.plusSeconds(61));
            ChainCondition late = monitor.check().get("arbitrum");
            assertThat(late.status()).isEqualTo(ChainStatus.DEGRADED);
            assertThat(late.reason()).contains("last heartbeat");
            watch.awaitStatus("arbitrum", CHAIN_STATUS_DEGRADED);
            assertThat(gauge("arbitrum")).isEqualTo(1);

            at(lastEvent.plusSeconds(601));
            ChainCondition silent = monitor.check().get("arbitrum");
            assertThat(silent.status()).isEqualTo(ChainStatus.HALTED);
            assertThat(silent.reason()).contains("no event for");
            watch.awaitStatus("arbitrum", CHAIN_STATUS_HALTED);
            assertThat(gauge("arbitrum")).isEqualTo(2);
            assertThat(listed("arbitrum").getStatus()).isEqualTo(dev.crosschain.proto.collateral.v1.ChainStatus.CHAIN_STATUS_HALTED);
            assertThat(listed("arbitrum").getOperatorHalted()).isFalse();

            // as scraped: the Prometheus name and label operators alert on
            assertThat(scrape()).contains("collateral_chain_status{chain=\"arbitrum\"} 2.0");

            // back (the clock at a time of fresh events): recovering for 30 s (0.5 x the 60 s heartbeat limit)
            at(lastEvent.plusSeconds(1));
            ChainCondition recovering = monitor.check().get("arbitrum");
            assertThat(recovering.status()).isEqualTo(ChainStatus.DEGRADED);
            assertThat(recovering.reason()).startsWith("recovering: clear for 0 ms of 30000 ms after no event for");
            watch.awaitStatus("arbitrum", CHAIN_STATUS_DEGRADED);
            at(lastEvent.plusSeconds(31));
            assertThat(monitor.check().get("arbitrum").status()).isEqualTo(ChainStatus.DEGRADED);
            at(lastEvent.plusSeconds(32));
            assertThat(monitor.check().get("arbitrum")).isEqualTo(ChainCondition.HEALTHY);
            watch.awaitStatus("arbitrum", CHAIN_STATUS_HEALTHY);
            assertThat(gauge("arbitrum")).isZero();
        }
    }

    @Test
    void anOperatorHaltHaltsAtTheNextCheckAndLiftingItRestores() throws Exception {
        String account = "monitor-" + UUID.randomUUID();
        Instant lastEvent = holdOn("solana", account);
        at(lastEvent);
        assertThat(monitor.check().get("solana")).isEqualTo(ChainCondition.HEALTHY);

        try (Watch watch = new Watch(account)) {
            admin.setChainHalt(halt("solana", true));
            ChainCondition halted = monitor.check().get("solana");
            assertThat(halted).isEqualTo(new ChainCondition(ChainStatus.HALTED, "halted by an operator"));
            watch.awaitStatus("solana", CHAIN_STATUS_HALTED);
            assertThat(gauge("solana")).isEqualTo(2);
            Chain listed = listed("solana");
            assertThat(listed.getOperatorHalted()).isTrue();
            assertThat(listed.getStatus()).isEqualTo(dev.crosschain.proto.collateral.v1.ChainStatus.CHAIN_STATUS_HALTED);
            assertThat(listed.getStatusReason()).isEqualTo("halted by an operator");
            // the other chains go on
            assertThat(monitor.check().get("arbitrum").reason()).isNotEqualTo("halted by an operator");

            admin.setChainHalt(halt("solana", false));
            assertThat(monitor.check().get("solana")).isEqualTo(ChainCondition.HEALTHY);
            watch.awaitStatus("solana", CHAIN_STATUS_HEALTHY);
            assertThat(gauge("solana")).isZero();
            assertThat(listed("solana").getOperatorHalted()).isFalse();
            assertThat(listed("solana").getStatus()).isEqualTo(dev.crosschain.proto.collateral.v1.ChainStatus.CHAIN_STATUS_HEALTHY);
        }
    }

    /**
     * A read of the chain activity that hangs (here: chain_state locked by another transaction) stalls the caller
     * that refreshes, not every valuation: while it waits, the others judge on the activity read before.
     */
    @Test
    void aHangingActivityReadStallsOnlyTheCallerThatRefreshes() throws Exception {
        Instant lastEvent = holdOn("arbitrum", "monitor-" + UUID.randomUUID());
        // one clock moved by hand: useClock would drop the cached activity
        java.util.concurrent.atomic.AtomicReference<Instant> now = new java.util.concurrent.atomic.AtomicReference<>(lastEvent);
        health.useClock(new Clock() {
            @Override
            public java.time.ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return now.get();
            }
        });
        assertThat(health.current().get("arbitrum")).isEqualTo(ChainCondition.HEALTHY); // activity read and cached
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        try (java.sql.Connection holder = dataSource.getConnection()) {
            holder.setAutoCommit(false);
            try (java.sql.Statement lock = holder.createStatement()) {
                lock.execute("LOCK TABLE chain_state IN ACCESS EXCLUSIVE MODE");
            }
            now.set(lastEvent.plusSeconds(1)); // the cache (250 ms) has expired
            // this caller or the monitor's 1 s timer, whichever comes first, refreshes and hangs on the lock
            java.util.concurrent.Future<ChainCondition> first = pool.submit(() -> health.current().get("arbitrum"));
            LockWaiters.await(dataSource, 1, "%FROM chain_state%");
            java.util.concurrent.Future<ChainCondition> other = pool.submit(() -> health.current().get("arbitrum"));
            assertThat(other.get(AdapterConnection.PATIENCE_MS, TimeUnit.MILLISECONDS))
                    .as("judged on the cached activity while the refresh hangs").isEqualTo(ChainCondition.HEALTHY);
            holder.rollback();
            java.util.concurrent.Future<ChainCondition> refresher = first;
            assertThat(refresher.get(AdapterConnection.PATIENCE_MS, TimeUnit.MILLISECONDS)).isEqualTo(ChainCondition.HEALTHY);
        } finally {
            pool.shutdownNow();
        }
    }

    @Inject
    io.agroal.api.AgroalDataSource dataSource;

    // ---- helpers ----

    /** Gives the account a pending deposit on the chain, then a heartbeat; returns a time after the last event. */
    static Instant holdOn(String chain, String account) {
        try (AdapterConnection adapter = new AdapterConnection(async, chain)) {
            Welcome welcome = adapter.hello();
            long height = welcome.getTipHeight() + 1;
            String block = chain + "-m" + height + "-" + UUID.randomUUID().toString().substring(0, 8);
            assertThat(adapter.header(height, block, welcome.getTipHash()).getOutcome()).isEqualTo(AckOutcome.ACK_OUTCOME_APPLIED);
            assertThat(adapter.deposit("tx-" + UUID.randomUUID(), 0, block, account, "USDC", "10").getOutcome())
                    .isEqualTo(AckOutcome.ACK_OUTCOME_APPLIED);
            assertThat(adapter.send(ConnectAdapterRequest.newBuilder().setCursor(adapter.nextCursor())
                    .setHeartbeat(Heartbeat.newBuilder().setHeadHeight(height))).getOutcome()).isEqualTo(AckOutcome.ACK_OUTCOME_APPLIED);
        }
        // the events were stamped by the database's now() before their acks arrived
        return Instant.now();
    }

    void at(Instant instant) {
        health.useClock(Clock.fixed(instant, ZoneOffset.UTC));
    }

    double gauge(String chain) {
        Gauge gauge = meters.find("collateral.chain.status").tag("chain", chain).gauge();
        assertThat(gauge).as("gauge of " + chain).isNotNull();
        return gauge.value();
    }

    /** The service's Prometheus endpoint (quarkus.http.test-port). */
    static String scrape() throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://localhost:18101/q/metrics")).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return response.body();
    }

    static Chain listed(String chain) {
        return collateral.listChains(ListChainsRequest.getDefaultInstance()).getChainsList().stream()
                .filter(c -> c.getChainId().equals(chain)).findFirst().orElseThrow();
    }

    static SetChainHaltRequest halt(String chain, boolean halted) {
        return SetChainHaltRequest.newBuilder().setChangeId("monitor-test-" + UUID.randomUUID()).setChainId(chain)
                .setHalted(halted).setReason("chain monitor test").build();
    }

    /** A WatchCollateral stream of one account; its first view is taken on opening. */
    static final class Watch implements AutoCloseable {

        private final String account;
        private final BlockingQueue<Object> views = new LinkedBlockingQueue<>();
        private final Context.CancellableContext context = Context.current().withCancellation();

        Watch(String account) throws InterruptedException {
            this.account = account;
            context.run(() -> async.watchCollateral(WatchCollateralRequest.newBuilder().setAccountId(account).build(),
                    new StreamObserver<>() {
                        @Override
                        public void onNext(WatchCollateralResponse value) {
                            views.add(value.getView());
                        }

                        @Override
                        public void onError(Throwable t) {
                            views.add(t);
                        }

                        @Override
                        public void onCompleted() {
                        }
                    }));
            assertThat(nextView(views).getAccountId()).isEqualTo(account);
        }

        /**
         * Views until one shows the chain with this status, within AdapterConnection.PATIENCE_MS. Not only the
         * monitor's announcement sends views here: the price re-publisher re-values the holders of repriced
         * assets every second while a pricing stream is up, and a view valued before the clock moved shows the old
         * status.
         */
        void awaitStatus(String chain, dev.crosschain.proto.collateral.v1.ChainStatus status) throws InterruptedException {
            long deadline = System.currentTimeMillis() + AdapterConnection.PATIENCE_MS;
            while (true) {
                CollateralView view = nextView(views);
                assertThat(view.getAccountId()).isEqualTo(account);
                List<dev.crosschain.proto.collateral.v1.ChainStatus> shown = view.getChainsList().stream()
                        .filter(c -> c.getChainId().equals(chain)).map(c -> c.getStatus()).toList();
                if (shown.equals(List.of(status))) {
                    return;
                }
                assertThat(System.currentTimeMillis()).as("a view with " + chain + " " + status + "; last: " + view).isLessThan(deadline);
            }
        }

        @Override
        public void close() {
            context.cancel(null);
        }
    }
}
