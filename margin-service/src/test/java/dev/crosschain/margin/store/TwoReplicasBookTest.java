package dev.crosschain.margin.store;

import dev.crosschain.margin.domain.Instrument;
import dev.crosschain.margin.domain.Side;
import dev.crosschain.postgres.PostgresTestResource;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two margin replicas on one database: two {@link AccountStore}s, whose in-process stripes do not see each other,
 * so only the account row locks serialize their writes of one account.
 */
@QuarkusTest
@QuarkusTestResource(PostgresTestResource.class)
class TwoReplicasBookTest {

    private static final Instrument PERP = new Instrument.Perpetual("ETH");

    @Inject
    AgroalDataSource dataSource;

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
        AccountStore one = new AccountStore(dataSource);
        AccountStore two = new AccountStore(dataSource);
        String a = "replicas-a";
        String b = "replicas-b";
        one.applyFill(new AccountStore.FillCommand("replicas-open-a", "h-a", a, PERP, Side.BUY, new BigDecimal("100"), new BigDecimal("3000")));
        one.applyFill(new AccountStore.FillCommand("replicas-open-b", "h-b", b, PERP, Side.BUY, new BigDecimal("100"), new BigDecimal("3000")));
        runAtOnce(80, i -> {
            AccountStore replica = i % 2 == 0 ? one : two;
            boolean aToB = (i / 2) % 2 == 0;
            assertThat(replica.transfer("replicas-t-" + i, "h-" + i, aToB ? a : b, aToB ? b : a,
                    List.of(new AccountStore.TransferLeg(PERP, BigDecimal.ONE)))).isFalse();
        });
        BigDecimal total = one.load(a).orElseThrow().positions().get(0).quantity()
                .add(one.load(b).orElseThrow().positions().get(0).quantity());
        assertThat(total).isEqualByComparingTo("200");
        assertThat(one.load(a).orElseThrow().positions().get(0).quantity()).isEqualByComparingTo("100");
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
