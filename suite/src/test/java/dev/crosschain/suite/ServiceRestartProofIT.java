package dev.crosschain.suite;

import dev.crosschain.postgres.PostgresServer;
import dev.crosschain.proto.collateral.v1.Ack;
import dev.crosschain.proto.collateral.v1.AckOutcome;
import dev.crosschain.proto.collateral.v1.AdapterHello;
import dev.crosschain.proto.collateral.v1.BlockHeader;
import dev.crosschain.proto.collateral.v1.CollateralServiceGrpc;
import dev.crosschain.proto.collateral.v1.ConnectAdapterRequest;
import dev.crosschain.proto.collateral.v1.ConnectAdapterResponse;
import dev.crosschain.proto.collateral.v1.Deposit;
import dev.crosschain.proto.collateral.v1.Heartbeat;
import dev.crosschain.proto.collateral.v1.Welcome;
import io.grpc.stub.StreamObserver;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * The randomized proof across service crashes: collateral-service runs alone as the packaged jar; three adapters
 * stream random pipelined events (headers, reorgs of depth 1-4, new, duplicate and conflicting deposits, deposits
 * naming unknown blocks, heartbeats) and the service is SIGKILLed a few times at random points with events sent
 * and not acked. After each restart every adapter resumes from its welcome's cursor, which must be its last acked
 * event or one sent after it, and re-sends what follows. Each ack received must be the outcome the
 * {@link ReferenceLedger} gave the event; at the end the database (read-only JDBC) must hold exactly the model's
 * balances and deposits, each balance equal to the sum of its ledger entries.
 *
 * <p>Seeded: the seed is printed; {@code -Dproof.seed=N} replays the event sequence (the kill points depend on
 * timing too).
 */
class ServiceRestartProofIT {

    /** Away from the end-to-end test (20000), the benchmarks (30000, 32000) and the Quarkus tests. */
    private static final int PORT_BASE = 21000;
    private static final int KILLS = 3;
    private static final int EVENTS_PER_ROUND = 60;
    private static final long PATIENCE_MS = 30_000;
    /**
     * The service's adapter lease in this test (collateral.adapters.lease), short so that an adapter refused
     * CHAIN_OWNED after a kill (the dead process's stream still holds the lease) gets in soon.
     */
    private static final java.time.Duration LEASE = java.time.Duration.ofSeconds(2);
    private static final Map<String, Integer> CONFIRMATIONS = Map.of("ethereum", 3, "arbitrum", 2, "solana", 32);
    private static final Map<String, Map<String, Integer>> DECIMALS = Map.of(
            "ethereum", Map.of("ETH", 18, "USDC", 6),
            "arbitrum", Map.of("ETH", 18, "USDC", 6),
            "solana", Map.of("SOL", 9, "USDC", 6));

    private final ReferenceLedger model = new ReferenceLedger();
    private Random random;
    private String run;
    private final List<String> accounts = new ArrayList<>();
    /** Every deposit key the model applied: {chain, tx, log}. */
    private final List<Object[]> deposits = new ArrayList<>();
    private int acksChecked;

    /** One event as generated, with the model's verdict. */
    record Event(ConnectAdapterRequest request, ReferenceLedger.Verdict verdict) {
    }

    /** One chain's adapter: its stream and the events sent (or to send) that it does not know to be durable. */
    final class Adapter {
        final String chain;
        final String credential;
        final Deque<Event> unconfirmed = new ArrayDeque<>();
        /** Answers of the current stream (a new queue per stream, so a dead stream's late error cannot leak in). */
        BlockingQueue<Object> answers = new LinkedBlockingQueue<>();
        StreamObserver<ConnectAdapterRequest> requests;
        String lastAcked = "";
        int sent;

        Adapter(String chain, String credential) {
            this.chain = chain;
            this.credential = credential;
        }

        /**
         * Opens a stream, checks the welcome's cursor, forgets the events it says are durable, re-sends the rest.
         * After a SIGKILL the chain's lease is still held by the killed process's stream (a restarted replica cannot
         * know that stream is dead): the hello is refused CHAIN_OWNED until the lease expires, and is retried, as a
         * real adapter does. The wait is bounded by the lease.
         */
        void connect(CollateralServiceGrpc.CollateralServiceStub stub) throws InterruptedException {
            long start = System.nanoTime();
            int refusals = 0;
            while (true) {
                Object first = hello(stub);
                if (first instanceof ConnectAdapterResponse && ((ConnectAdapterResponse) first).hasWelcome()) {
                    if (refusals > 0) {
                        long waitedMs = (System.nanoTime() - start) / 1_000_000;
                        System.out.printf("ServiceRestartProofIT: %s let in after %d CHAIN_OWNED refusal(s), %d ms%n",
                                chain, refusals, waitedMs);
                        assertThat(waitedMs).as("wait for the dead stream's lease on " + chain)
                                .isLessThan(LEASE.toMillis() + PATIENCE_MS);
                    }
                    welcomed(((ConnectAdapterResponse) first).getWelcome());
                    return;
                }
                if (!chainOwned(first)) {
                    fail("expected a welcome on " + chain + ", got " + first);
                }
                refusals++;
                Thread.sleep(Math.max(50, LEASE.toMillis() / 10)); // a refused adapter backs off, then says hello again
            }
        }

        private static boolean chainOwned(Object answer) {
            return answer instanceof Throwable failure && ChainOwned.is(failure);
        }

        private Object hello(CollateralServiceGrpc.CollateralServiceStub stub) {
            BlockingQueue<Object> answers = new LinkedBlockingQueue<>();
            this.answers = answers;
            requests = stub.connectAdapter(new StreamObserver<>() {
                @Override
                public void onNext(ConnectAdapterResponse value) {
                    if (!value.hasWithdrawalInstruction()) {
                        answers.add(value);
                    }
                }

                @Override
                public void onError(Throwable t) {
                    answers.add(t);
                }

                @Override
                public void onCompleted() {
                    answers.add("completed");
                }
            });
            requests.onNext(ConnectAdapterRequest.newBuilder().setHello(AdapterHello.newBuilder()
                    .setChainId(chain).setAdapterId("restart-proof-" + chain).setCredential(credential)).build());
            return next();
        }

        private void welcomed(Welcome welcome) {
            String resume = welcome.getResumeCursor();
            if (!resume.equals(lastAcked)) {
                boolean sentAfterLastAck = unconfirmed.stream().anyMatch(e -> e.request().getCursor().equals(resume));
                assertThat(sentAfterLastAck).as("resume cursor " + resume + " of " + chain + " is the last acked ("
                        + lastAcked + ") or an event sent after it").isTrue();
                while (!unconfirmed.isEmpty()) {
                    String cursor = unconfirmed.removeFirst().request().getCursor();
                    if (cursor.equals(resume)) {
                        break;
                    }
                }
                lastAcked = resume;
            }
            ReferenceLedger.Chain expected = model.chain(chain);
            if (unconfirmed.isEmpty()) {
                assertThat(welcome.getTipHash()).as("welcome tip of " + chain).isEqualTo(expected.tipHash());
            }
            unconfirmed.forEach(e -> requests.onNext(e.request()));
        }

        void send(Event event) {
            ConnectAdapterRequest request = event.request().toBuilder().setCursor(run + ":" + chain + ":" + (++sent)).build();
            Event withCursor = new Event(request, event.verdict());
            unconfirmed.addLast(withCursor);
            requests.onNext(request);
        }

        /** Takes one answer if there is one: an ack must be for the oldest unconfirmed event, with its verdict. */
        boolean takeAck(long waitMs) throws InterruptedException {
            Object answer = answers.poll(waitMs, TimeUnit.MILLISECONDS);
            if (answer == null) {
                return false;
            }
            if (!(answer instanceof ConnectAdapterResponse)) {
                answers.add(answer); // the end of the stream stays the last answer
                return false;
            }
            Ack ack = ((ConnectAdapterResponse) answer).getAck();
            Event event = unconfirmed.removeFirst();
            assertThat(ack.getCursor()).as("ack order on " + chain).isEqualTo(event.request().getCursor());
            assertThat(outcome(ack.getOutcome())).as("ack of " + describe(event.request()) + ": " + ack.getRejection().getMessage())
                    .isEqualTo(event.verdict().outcome());
            if (event.verdict().outcome() == ReferenceLedger.Outcome.REJECTED) {
                assertThat(ack.getRejection().getReason()).isEqualTo(event.verdict().reason());
            }
            lastAcked = ack.getCursor();
            acksChecked++;
            return true;
        }

        Object next() {
            try {
                Object answer = answers.poll(PATIENCE_MS, TimeUnit.MILLISECONDS);
                if (answer == null) {
                    fail("no answer on " + chain + " within " + PATIENCE_MS + " ms");
                }
                return answer;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    @Test
    void balancesMatchTheModelAcrossServiceKills() throws Exception {
        long seed = Long.getLong("proof.seed", System.nanoTime());
        System.out.printf("ServiceRestartProofIT: seed %d (replay: -Dproof.seed=%d)%n", seed, seed);
        random = new Random(seed);
        run = "rp" + Long.toString(seed & 0xffffffffL, 36);
        for (int i = 0; i < 5; i++) {
            accounts.add(run + "-a" + i);
        }
        long started = System.nanoTime();
        String prefix = "restart_proof_" + Long.toString(System.nanoTime() & 0xffffff, 36) + "_";
        Path root = Path.of("").toAbsolutePath().getParent();
        try (PostgresServer db = PostgresServer.forTests()) {
            String database = prefix + ServiceSpec.COLLATERAL.database();
            try (Suite suite = Suite.start(db, prefix, root, root.resolve("suite/target/restart-proof-logs"), PORT_BASE,
                    List.of(ServiceSpec.COLLATERAL), Map.of("COLLATERAL_ADAPTERS_LEASE", LEASE.getSeconds() + "s"));
                 Endpoints endpoints = suite.endpoints()) {
                Map<String, Adapter> adapters = new TreeMap<>();
                for (String chain : SuiteCredentials.CHAINS) {
                    model.addChain(chain, CONFIRMATIONS.get(chain), 0, "");
                    adapters.put(chain, new Adapter(chain, endpoints.credentials().adapter(chain)));
                }
                for (int round = 0; round <= KILLS; round++) {
                    for (Adapter adapter : adapters.values()) {
                        adapter.connect(endpoints.collateralStreams());
                    }
                    for (int i = 0; i < EVENTS_PER_ROUND * adapters.size(); i++) {
                        List<Adapter> all = new ArrayList<>(adapters.values());
                        Adapter adapter = all.get(random.nextInt(all.size()));
                        adapter.send(generate(adapter.chain));
                    }
                    if (round < KILLS) {
                        // Kill after a random number of acks: the events after them are in flight or not yet read.
                        int acks = random.nextInt(EVENTS_PER_ROUND);
                        for (int taken = 0; taken < acks; ) {
                            boolean any = false;
                            for (Adapter adapter : adapters.values()) {
                                if (adapter.takeAck(2)) {
                                    taken++;
                                    any = true;
                                }
                            }
                            if (!any && adapters.values().stream().allMatch(a -> a.unconfirmed.isEmpty())) {
                                break;
                            }
                        }
                        System.out.printf("ServiceRestartProofIT: SIGKILL %d after %d acks; unacked per chain %s%n", round + 1,
                                acksChecked, unackedCounts(adapters));
                        suite.killAndRestart(ServiceSpec.COLLATERAL, round + 1);
                        for (Adapter adapter : adapters.values()) {
                            while (adapter.takeAck(0)) {
                                // acks that arrived before the kill: their events are durable
                            }
                        }
                    } else {
                        for (Adapter adapter : adapters.values()) {
                            while (!adapter.unconfirmed.isEmpty()) {
                                if (!adapter.takeAck(PATIENCE_MS)) {
                                    fail("no ack on " + adapter.chain + " within " + PATIENCE_MS + " ms: " + adapter.answers.peek());
                                }
                            }
                            adapter.requests.onCompleted();
                        }
                    }
                }
                checkDatabase(db, database);
            } finally {
                db.dropDatabase(database);
            }
        }
        System.out.printf("ServiceRestartProofIT: seed %d, %d kills, %d acks checked, %d deposits in %d ms%n",
                seed, KILLS, acksChecked, deposits.size(), (System.nanoTime() - started) / 1_000_000);
    }

    private static String unackedCounts(Map<String, Adapter> adapters) {
        StringBuilder text = new StringBuilder();
        adapters.values().forEach(a -> text.append(a.chain).append('=').append(a.unconfirmed.size()).append(' '));
        return text.toString().trim();
    }

    // ---- the generator ----

    private Event generate(String chainId) {
        ReferenceLedger.Chain chain = model.chain(chainId);
        if (!chain.hasBlocks()) {
            return header(chainId, 1, hash(chainId), "");
        }
        long tip = chain.tipHeight();
        int roll = random.nextInt(100);
        if (roll < 40) {
            return header(chainId, tip + 1, hash(chainId), chain.tipHash());
        }
        if (roll < 47) {
            long height = tip - random.nextInt(4);
            if (height - 1 >= chain.floor) {
                return header(chainId, height, hash(chainId), chain.canonical.get(height - 1));
            }
            return header(chainId, tip + 1, hash(chainId), chain.tipHash());
        }
        if (roll < 50) {
            return header(chainId, tip + 1, hash(chainId), "0xnowhere");
        }
        if (roll < 53) {
            return new Event(ConnectAdapterRequest.newBuilder().setHeartbeat(Heartbeat.newBuilder().setHeadHeight(tip)).build(),
                    new ReferenceLedger.Verdict(ReferenceLedger.Outcome.APPLIED, "", java.util.Set.of()));
        }
        List<Object[]> onChain = deposits.stream().filter(d -> d[0].equals(chainId)).toList();
        if (roll < 68 && !onChain.isEmpty()) {
            Object[] d = onChain.get(random.nextInt(onChain.size()));
            ReferenceLedger.Deposit m = chain.deposits.get(d[1] + ":" + d[2]);
            String block = random.nextBoolean() ? m.block : recentCanonical(chain);
            BigDecimal amount = random.nextInt(5) == 0 ? m.amount.add(BigDecimal.ONE) : m.amount;
            return deposit(chainId, (String) d[1], (Integer) d[2], block, m.account, m.asset, amount);
        }
        String asset = new ArrayList<>(new java.util.TreeSet<>(DECIMALS.get(chainId).keySet())).get(random.nextInt(2));
        String block = roll < 72 ? "0xunknown" + random.nextInt(100) : recentCanonical(chain);
        String tx = "0x" + run + "-t" + random.nextInt(1 << 30);
        BigDecimal amount = BigDecimal.valueOf(1 + random.nextInt(1_000_000), random.nextInt(7));
        return deposit(chainId, tx, random.nextInt(3), block, accounts.get(random.nextInt(accounts.size())), asset, amount);
    }

    private Event header(String chainId, long height, String hash, String parent) {
        ReferenceLedger.Verdict verdict = model.header(chainId, height, hash, parent);
        return new Event(ConnectAdapterRequest.newBuilder().setHeader(BlockHeader.newBuilder().setHeight(height).setHash(hash)
                .setParentHash(parent)).build(), verdict);
    }

    private Event deposit(String chainId, String tx, int log, String block, String account, String asset, BigDecimal amount) {
        boolean known = model.chain(chainId).deposits.containsKey(tx + ":" + log);
        ReferenceLedger.Verdict verdict = model.deposit(chainId, tx, log, block, account, asset, amount,
                DECIMALS.get(chainId).get(asset));
        if (!known && verdict.outcome() == ReferenceLedger.Outcome.APPLIED) {
            deposits.add(new Object[]{chainId, tx, log});
        }
        return new Event(ConnectAdapterRequest.newBuilder().setDeposit(Deposit.newBuilder().setTxHash(tx).setLogIndex(log)
                .setBlockHash(block).setAccountId(account).setAsset(asset).setAmount(amount.toPlainString())).build(), verdict);
    }

    private String recentCanonical(ReferenceLedger.Chain chain) {
        long height = Math.max(chain.floor, chain.tipHeight() - random.nextInt(Math.min(8, chain.confirmations + 3)));
        return chain.canonical.get(height);
    }

    private String hash(String chain) {
        return "0x" + run + "-" + chain + "-" + Long.toString(random.nextLong() & Long.MAX_VALUE, 36);
    }

    private static ReferenceLedger.Outcome outcome(AckOutcome outcome) {
        switch (outcome) {
            case ACK_OUTCOME_APPLIED:
                return ReferenceLedger.Outcome.APPLIED;
            case ACK_OUTCOME_DUPLICATE:
                return ReferenceLedger.Outcome.DUPLICATE;
            case ACK_OUTCOME_REJECTED:
                return ReferenceLedger.Outcome.REJECTED;
            default:
                throw new AssertionError("ack without outcome: " + outcome);
        }
    }

    private static String describe(ConnectAdapterRequest r) {
        return r.getCursor() + " " + r.getEventCase() + " " + (r.hasHeader() ? r.getHeader().getHeight() + " " + r.getHeader().getHash()
                : r.hasDeposit() ? r.getDeposit().getTxHash() + ":" + r.getDeposit().getLogIndex() + " in " + r.getDeposit().getBlockHash() : "");
    }

    // ---- the final check ----

    /** Balances == model, none negative, each == its ledger entries; every deposit's status and block == model. */
    private void checkDatabase(PostgresServer db, String database) throws SQLException {
        Map<String, Map<String, String>> stored = new TreeMap<>();
        try (Connection c = DriverManager.getConnection(db.jdbcUrl(database), db.user(), db.password())) {
            c.setReadOnly(true);
            try (ResultSet rs = c.createStatement().executeQuery("""
                    SELECT b.account_id, b.chain_id, b.asset, b.pending, b.available, b.locked,
                           coalesce(sum(l.delta_pending), 0), coalesce(sum(l.delta_available), 0), coalesce(sum(l.delta_locked), 0)
                    FROM balance b LEFT JOIN ledger_entry l
                      ON l.account_id = b.account_id AND l.chain_id = b.chain_id AND l.asset = b.asset
                    GROUP BY b.account_id, b.chain_id, b.asset, b.pending, b.available, b.locked""")) {
                while (rs.next()) {
                    String key = rs.getString(1) + " " + rs.getString(2) + "/" + rs.getString(3);
                    assertThat(rs.getBigDecimal(4).signum()).as("pending of " + key).isGreaterThanOrEqualTo(0);
                    assertThat(rs.getBigDecimal(5).signum()).as("available of " + key).isGreaterThanOrEqualTo(0);
                    assertThat(rs.getBigDecimal(6)).as("locked of " + key).isEqualByComparingTo("0");
                    assertThat(rs.getBigDecimal(4)).as("pending of " + key + " == ledger").isEqualByComparingTo(rs.getBigDecimal(7));
                    assertThat(rs.getBigDecimal(5)).as("available of " + key + " == ledger").isEqualByComparingTo(rs.getBigDecimal(8));
                    assertThat(rs.getBigDecimal(6)).as("locked of " + key + " == ledger").isEqualByComparingTo(rs.getBigDecimal(9));
                    if (rs.getBigDecimal(4).signum() != 0 || rs.getBigDecimal(5).signum() != 0) {
                        stored.computeIfAbsent(rs.getString(1), k -> new TreeMap<>()).put(rs.getString(2) + "/" + rs.getString(3),
                                ReferenceLedger.plain(rs.getBigDecimal(4)) + "/" + ReferenceLedger.plain(rs.getBigDecimal(5)));
                    }
                }
            }
            Map<String, Map<String, String>> expected = new TreeMap<>();
            for (String account : model.balances.keySet()) {
                Map<String, String> b = model.balancesOf(account);
                if (!b.isEmpty()) {
                    expected.put(account, b);
                }
            }
            assertThat(stored).as("every balance after %d kills", KILLS).isEqualTo(expected);
            Map<String, String> storedDeposits = new TreeMap<>();
            try (ResultSet rs = c.createStatement().executeQuery("SELECT chain_id, tx_hash, log_index, status, block_hash FROM deposit")) {
                while (rs.next()) {
                    storedDeposits.put(rs.getString(1) + "/" + rs.getString(2) + ":" + rs.getLong(3), rs.getString(4) + " " + rs.getString(5));
                }
            }
            Map<String, String> expectedDeposits = new TreeMap<>();
            for (Object[] d : deposits) {
                ReferenceLedger.Deposit m = model.chain((String) d[0]).deposits.get(d[1] + ":" + d[2]);
                expectedDeposits.put(d[0] + "/" + d[1] + ":" + d[2], m.status + " " + m.block);
            }
            assertThat(storedDeposits).as("every deposit after %d kills", KILLS).isEqualTo(expectedDeposits);
            System.out.printf(Locale.ROOT, "ServiceRestartProofIT: %d balances, %d deposits match the model%n",
                    stored.values().stream().mapToInt(Map::size).sum(), storedDeposits.size());
        }
    }
}
