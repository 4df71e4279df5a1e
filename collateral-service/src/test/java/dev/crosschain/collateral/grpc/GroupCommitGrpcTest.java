package dev.crosschain.collateral.grpc;

import dev.crosschain.postgres.PostgresTestResource;
import dev.crosschain.proto.collateral.v1.Ack;
import dev.crosschain.proto.collateral.v1.AckOutcome;
import dev.crosschain.proto.collateral.v1.CollateralServiceGrpc;
import dev.crosschain.proto.collateral.v1.ConnectAdapterRequest;
import dev.crosschain.proto.collateral.v1.Welcome;
import io.agroal.api.AgroalDataSource;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Group commit on the adapter stream: events sent in a burst (without awaiting acks) are applied several per
 * transaction; each is still acked once, in order, after its commit, and a rejected one changes nothing.
 */
@QuarkusTest
@QuarkusTestResource(PostgresTestResource.class)
class GroupCommitGrpcTest {

    private static final String CHAIN = "ethereum";
    private static final int CONFIRMATIONS = 3;

    static ManagedChannel channel;
    static CollateralServiceGrpc.CollateralServiceStub async;

    @Inject
    AgroalDataSource dataSource;

    @BeforeAll
    static void connect() {
        channel = ManagedChannelBuilder.forAddress("localhost", 19101).usePlaintext().build();
        async = CollateralServiceGrpc.newStub(channel);
    }

    @AfterAll
    static void disconnect() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    /** The events of a burst, and what they should credit once final: account -> amount. */
    private static final class Burst {
        final List<ConnectAdapterRequest> requests = new ArrayList<>();
        final Map<String, BigDecimal> expected = new HashMap<>();
        int deposits;
        long height;
        String tip;
    }

    /** {@code blocks} headers extending the known tip, each followed by {@code perBlock} deposits to the accounts. */
    private static Burst burst(AdapterConnection adapter, Random random, List<String> accounts, int blocks, int perBlock) {
        Burst burst = new Burst();
        burst.height = AdapterConnection.tipHeight(CHAIN);
        burst.tip = AdapterConnection.tipHash(CHAIN);
        for (int b = 0; b < blocks; b++) {
            String hash = CHAIN + "-gc" + (burst.height + 1) + "-" + UUID.randomUUID().toString().substring(0, 8);
            burst.requests.add(adapter.headerRequest(burst.height + 1, hash, burst.tip));
            burst.height++;
            burst.tip = hash;
            for (int d = 0; d < perBlock; d++) {
                String account = accounts.get(random.nextInt(accounts.size()));
                BigDecimal amount = BigDecimal.valueOf(1 + random.nextInt(100_000), 2);
                burst.requests.add(adapter.depositRequest(tx(), d, hash, account, "USDC", amount.toPlainString()));
                burst.expected.merge(account, amount, BigDecimal::add);
                burst.deposits++;
            }
        }
        return burst;
    }

    @Test
    void aBurstOfDepositsAndHeadersGetsOneAckEachInOrderAndEachIsAppliedOnce() {
        long seed = System.nanoTime();
        System.out.println("GroupCommitGrpcTest burst seed " + seed);
        Random random = new Random(seed);
        List<String> accounts = accounts(5);
        Burst burst;
        try (AdapterConnection eth = new AdapterConnection(async, CHAIN)) {
            eth.hello();
            burst = burst(eth, random, accounts, 50, 9); // 500 events
            List<Ack> acks = eth.sendAll(burst.requests);
            AdapterConnection.tipIs(CHAIN, burst.height, burst.tip);

            assertThat(acks).extracting(Ack::getCursor).containsExactlyElementsOf(
                    burst.requests.stream().map(ConnectAdapterRequest::getCursor).toList());
            assertThat(acks).allSatisfy(a -> assertThat(a.getOutcome()).as(a.getRejection().getMessage())
                    .isEqualTo(AckOutcome.ACK_OUTCOME_APPLIED));
            confirm(eth);
        }
        assertCreditedOnce(accounts, burst.expected, 450);
    }

    @Test
    void inABurstOnlyTheConflictingDuplicateAndTheDepositOnAnUnknownBlockAreRejected() {
        long seed = System.nanoTime();
        System.out.println("GroupCommitGrpcTest rejections seed " + seed);
        Random random = new Random(seed);
        List<String> accounts = accounts(3);
        String earlierTx = tx();
        Burst burst;
        try (AdapterConnection eth = new AdapterConnection(async, CHAIN)) {
            eth.hello();
            String block = eth.extend();
            assertThat(eth.deposit(earlierTx, 0, block, accounts.get(0), "USDC", "5").getOutcome())
                    .isEqualTo(AckOutcome.ACK_OUTCOME_APPLIED);

            burst = burst(eth, random, accounts, 4, 10);
            List<ConnectAdapterRequest> requests = new ArrayList<>(burst.requests);
            // a conflicting duplicate of the earlier deposit, a deposit on a block never sent and, after them, the
            // first deposit of the burst again (same payload: a duplicate of an event of the same burst)
            int conflicting = 7;
            requests.add(conflicting, eth.depositRequest(earlierTx, 0, block, accounts.get(0), "USDC", "6"));
            int unknownBlock = 23;
            requests.add(unknownBlock, eth.depositRequest(tx(), 0, "no-such-block-" + UUID.randomUUID(), accounts.get(1), "USDC", "7"));
            int duplicate = 30;
            ConnectAdapterRequest first = burst.requests.get(1);
            requests.add(duplicate, ConnectAdapterRequest.newBuilder(first).setCursor(eth.nextCursor()).build());

            List<Ack> acks = eth.sendAll(requests);
            AdapterConnection.tipIs(CHAIN, burst.height, burst.tip);

            assertThat(acks).extracting(Ack::getCursor).containsExactlyElementsOf(
                    requests.stream().map(ConnectAdapterRequest::getCursor).toList());
            for (int i = 0; i < acks.size(); i++) {
                AckOutcome expected = i == conflicting || i == unknownBlock ? AckOutcome.ACK_OUTCOME_REJECTED
                        : i == duplicate ? AckOutcome.ACK_OUTCOME_DUPLICATE : AckOutcome.ACK_OUTCOME_APPLIED;
                assertThat(acks.get(i).getOutcome()).as("ack " + i + ": " + acks.get(i).getRejection().getMessage())
                        .isEqualTo(expected);
            }
            assertThat(acks.get(conflicting).getRejection().getReason()).isEqualTo("CONFLICTING_DEPOSIT");
            assertThat(acks.get(unknownBlock).getRejection().getReason()).isEqualTo("UNKNOWN_BLOCK");
            assertThat(count("SELECT count(*) FROM alert WHERE kind = 'CONFLICTING_DEPOSIT' AND account_id = '"
                    + accounts.get(0) + "' AND dedup_key LIKE 'deposit:ethereum:" + earlierTx + ":0:%'")).isEqualTo(1);
            assertThat(count("SELECT count(*) FROM deposit WHERE account_id = '" + accounts.get(1) + "' AND amount = 7"
                    + " AND block_hash LIKE 'no-such-block-%'")).isZero();
            confirm(eth);
        }
        Map<String, BigDecimal> expected = new HashMap<>(burst.expected);
        expected.merge(accounts.get(0), new BigDecimal("5"), BigDecimal::add);
        assertCreditedOnce(accounts, expected, burst.deposits + 1);
    }

    @Test
    void aDuplicateOfADepositOfTheSameBurstIsDuplicateAndCreditedOnce() {
        List<String> accounts = accounts(2);
        Map<String, BigDecimal> expected = new HashMap<>();
        try (AdapterConnection eth = new AdapterConnection(async, CHAIN)) {
            eth.hello();
            long height = AdapterConnection.tipHeight(CHAIN) + 1;
            String hash = CHAIN + "-gcd" + height + "-" + UUID.randomUUID().toString().substring(0, 8);
            String tx1 = tx();
            List<ConnectAdapterRequest> requests = List.of(
                    eth.headerRequest(height, hash, AdapterConnection.tipHash(CHAIN)),
                    eth.depositRequest(tx1, 0, hash, accounts.get(0), "USDC", "1.25"),
                    eth.depositRequest(tx(), 0, hash, accounts.get(1), "USDC", "2"),
                    eth.depositRequest(tx1, 0, hash, accounts.get(0), "USDC", "1.250"),
                    eth.depositRequest(tx1, 1, hash, accounts.get(0), "USDC", "3"));
            List<Ack> acks = eth.sendAll(requests);
            AdapterConnection.tipIs(CHAIN, height, hash);
            assertThat(acks).extracting(Ack::getCursor).containsExactlyElementsOf(
                    requests.stream().map(ConnectAdapterRequest::getCursor).toList());
            assertThat(acks).extracting(Ack::getOutcome).containsExactly(AckOutcome.ACK_OUTCOME_APPLIED,
                    AckOutcome.ACK_OUTCOME_APPLIED, AckOutcome.ACK_OUTCOME_APPLIED, AckOutcome.ACK_OUTCOME_DUPLICATE,
                    AckOutcome.ACK_OUTCOME_APPLIED);
            confirm(eth);
        }
        expected.put(accounts.get(0), new BigDecimal("4.25"));
        expected.put(accounts.get(1), new BigDecimal("2"));
        assertCreditedOnce(accounts, expected, 3);
    }

    @Test
    void aStreamKilledMidBurstAndResumedFromTheWelcomeCreditsEveryDepositOnce() throws Exception {
        long seed = System.nanoTime();
        System.out.println("GroupCommitGrpcTest kill seed " + seed);
        Random random = new Random(seed);
        List<String> accounts = accounts(4);
        AdapterConnection first = new AdapterConnection(async, CHAIN);
        first.hello();
        Burst burst = burst(first, random, accounts, 40, 9);
        first.sendWithoutWaiting(burst.requests);
        for (int i = 0; i < 50; i++) {
            first.nextAck();
        }
        first.kill();

        try (AdapterConnection second = AdapterConnection.welcomedAfterKill(async, CHAIN)) {
            Welcome welcome = second.welcome();
            List<String> cursors = burst.requests.stream().map(ConnectAdapterRequest::getCursor).toList();
            int resumeAfter = cursors.indexOf(welcome.getResumeCursor());
            assertThat(resumeAfter).as("resume cursor " + welcome.getResumeCursor() + " is one of the burst's").isGreaterThanOrEqualTo(49);
            List<ConnectAdapterRequest> rest = burst.requests.subList(resumeAfter + 1, burst.requests.size());
            List<Ack> acks = second.sendAll(rest);
            AdapterConnection.tipIs(CHAIN, burst.height, burst.tip);
            assertThat(acks).extracting(Ack::getCursor).containsExactlyElementsOf(
                    rest.stream().map(ConnectAdapterRequest::getCursor).toList());
            // the killed stream's last batch may have committed after the welcome: those come back DUPLICATE
            assertThat(acks).allSatisfy(a -> assertThat(a.getOutcome()).as(a.getRejection().getMessage())
                    .isIn(AckOutcome.ACK_OUTCOME_APPLIED, AckOutcome.ACK_OUTCOME_DUPLICATE));
            confirm(second);
        }
        assertCreditedOnce(accounts, burst.expected, burst.deposits);
    }

    // ---- helpers ----

    /** Headers until every deposit sent is final. */
    private static void confirm(AdapterConnection adapter) {
        for (int i = 0; i < CONFIRMATIONS; i++) {
            adapter.extend();
        }
    }

    /**
     * Each account holds exactly its expected amount available (nothing pending), and the accounts' ledger has
     * exactly one pending and one credited entry per deposit.
     */
    private void assertCreditedOnce(List<String> accounts, Map<String, BigDecimal> expected, int deposits) {
        for (String account : accounts) {
            BigDecimal[] b = balance(account);
            assertThat(b[0]).as("pending of " + account).isEqualByComparingTo(BigDecimal.ZERO);
            assertThat(b[1]).as("available of " + account).isEqualByComparingTo(expected.getOrDefault(account, BigDecimal.ZERO));
            assertThat(b[2]).as("locked of " + account).isEqualByComparingTo(BigDecimal.ZERO);
        }
        String in = "('" + String.join("','", accounts) + "')";
        assertThat(count("SELECT count(*) FROM ledger_entry WHERE kind = 'DEPOSIT_PENDING' AND account_id IN " + in)).isEqualTo(deposits);
        assertThat(count("SELECT count(*) FROM ledger_entry WHERE kind = 'DEPOSIT_CREDITED' AND account_id IN " + in)).isEqualTo(deposits);
        assertThat(count("SELECT count(*) FROM deposit WHERE status = 'CREDITED' AND account_id IN " + in)).isEqualTo(deposits);
    }

    /** pending, available, locked of the account's USDC on the chain (zeros when it has none). */
    private BigDecimal[] balance(String account) {
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(
                "SELECT pending, available, locked FROM balance WHERE account_id = ? AND chain_id = ? AND asset = 'USDC'")) {
            s.setString(1, account);
            s.setString(2, CHAIN);
            try (ResultSet rs = s.executeQuery()) {
                if (!rs.next()) {
                    return new BigDecimal[]{BigDecimal.ZERO, BigDecimal.ZERO, BigDecimal.ZERO};
                }
                return new BigDecimal[]{rs.getBigDecimal(1), rs.getBigDecimal(2), rs.getBigDecimal(3)};
            }
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private long count(String sql) {
        try (Connection c = dataSource.getConnection(); ResultSet rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<String> accounts(int n) {
        List<String> accounts = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            accounts.add("gc" + i + "-" + UUID.randomUUID().toString().substring(0, 8));
        }
        return accounts;
    }

    private static String tx() {
        return "0x" + UUID.randomUUID().toString().replace("-", "");
    }
}
