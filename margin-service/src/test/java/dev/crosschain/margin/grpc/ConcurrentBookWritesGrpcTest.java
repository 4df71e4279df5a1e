package dev.crosschain.margin.grpc;

import dev.crosschain.postgres.PostgresTestResource;
import dev.crosschain.proto.margin.v1.Side;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static dev.crosschain.margin.grpc.MarginGrpcServiceTest.PERP;
import static dev.crosschain.margin.grpc.MarginGrpcServiceTest.fill;
import static dev.crosschain.margin.grpc.MarginGrpcServiceTest.transfer;
import static dev.crosschain.margin.grpc.MarginGrpcServiceTest.view;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Book writes of different accounts at once, as a venue sends them (a fill per account from several threads) and as
 * settlements send them (several auctions' transfers into the same bidder accounts): none may fail for want of
 * retries. Issue 6's benchmark saw "database unavailable, retry" for one fill in 1,000: SERIALIZABLE writes of
 * unrelated accounts conflicted through predicate locks of the idempotency probe and index pages.
 */
@QuarkusTest
@QuarkusTestResource(PostgresTestResource.class)
class ConcurrentBookWritesGrpcTest {

    private static final int THREADS = 16;
    /**
     * Accounts of each test. Run once each against main's SERIALIZABLE writers (08aa45d's AccountStore and
     * Transactions), 120 failed 10 of 240 fills and 13 of 240 transfers UNAVAILABLE; 50 failed only 3 of 100 fills.
     */
    private static final int ACCOUNTS = 120;
    /**
     * One bidder per thread. With 3 bidders main failed none of 240 transfers (each bidder's transfers queue on its
     * in-process stripe, so at most 3 ran at once), with 8 it failed 2.
     */
    private static final int BIDDERS = THREADS;

    @BeforeAll
    static void connect() {
        MarginGrpcServiceTest.connect();
    }

    @AfterAll
    static void disconnect() {
        MarginGrpcServiceTest.disconnect();
    }

    @Test
    void fillsOfDifferentAccountsAtOnceAllLand() throws Exception {
        int accounts = ACCOUNTS;
        try {
            // two fills per account, submitted next to each other: the second one queues behind the first
            List<String> failures = run(accounts * 2, i -> fill("race-fill-" + i, "race-fill-" + i / 2, PERP,
                    Side.SIDE_BUY, "1", "3000"));
            assertThat(failures).isEmpty();
            for (int a = 0; a < accounts; a += 7) {
                assertThat(view("race-fill-" + a).getPositions(0).getQuantity()).isEqualTo("2");
            }
        } finally {
            for (int a = 0; a < accounts; a++) {
                setupFill("race-fill-close-" + a, "race-fill-" + a, Side.SIDE_SELL, "2");
            }
        }
    }

    @Test
    void transfersOfManySourcesIntoSharedDestinationsAllLand() throws Exception {
        int sources = ACCOUNTS;
        for (int i = 0; i < sources; i++) { // one by one, retried: only the transfers race here
            setupFill("race-src-open-" + i, "race-src-" + i, Side.SIDE_BUY, "2");
        }
        try {
            // each source moves its position in two transfers, into two of the bidders, all at once
            List<String> failures = run(sources * 2, i -> {
                int source = i / 2;
                String bidder = "race-bidder-" + (i % BIDDERS);
                assertThat(MarginGrpcServiceTest.margin
                        .transferPositions(transfer("race-t-" + i, "race-src-" + source, bidder, PERP, "1")).getReplayed()).isFalse();
            });
            assertThat(failures).isEmpty();
            BigDecimal moved = BigDecimal.ZERO;
            for (int b = 0; b < BIDDERS; b++) {
                moved = moved.add(new BigDecimal(view("race-bidder-" + b).getPositions(0).getQuantity()));
            }
            assertThat(moved).isEqualByComparingTo(BigDecimal.valueOf(sources * 2L));
            assertThat(view("race-src-0").getPositionsList()).isEmpty();
        } finally {
            for (int b = 0; b < BIDDERS; b++) {
                String quantity = positionOf("race-bidder-" + b);
                if (quantity != null) {
                    setupFill("race-bidder-close-" + b, "race-bidder-" + b, Side.SIDE_SELL, quantity);
                }
            }
        }
    }

    /**
     * A fill around the race, not part of it: retried while margin answers UNAVAILABLE (main's SERIALIZABLE writes
     * failed sequential fills too, against the re-margin pass), so only the race itself can fail a test. The later
     * fills close what the test opened: its many unhealthy accounts would otherwise be valued by every later re-margin
     * pass of the module's shared database.
     */
    private static void setupFill(String fillId, String account, Side side, String quantity) {
        for (int attempt = 1; ; attempt++) {
            try {
                fill(fillId, account, PERP, side, quantity, "3000");
                return;
            } catch (StatusRuntimeException e) {
                if (e.getStatus().getCode() != Status.Code.UNAVAILABLE || attempt == 20) {
                    throw e;
                }
            }
        }
    }

    /** The account's ETH-PERPETUAL quantity, null when none. */
    private static String positionOf(String account) {
        return view(account).getPositionsList().stream().filter(p -> p.getInstrument().equals(PERP))
                .map(p -> p.getQuantity()).findFirst().orElse(null);
    }

    @FunctionalInterface
    private interface Call {
        void run(int i);
    }

    /** Runs calls 0..n-1 on {@link #THREADS} threads; the failures, one line each. */
    private static List<String> run(int n, Call call) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int index = i;
                done.add(pool.submit(() -> {
                    try {
                        call.run(index);
                    } catch (StatusRuntimeException e) {
                        failures.add(index + ": " + e.getStatus());
                    }
                }));
            }
            for (Future<?> f : done) {
                f.get(120, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        return failures;
    }
}
