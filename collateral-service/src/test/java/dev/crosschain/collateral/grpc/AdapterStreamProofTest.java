package dev.crosschain.collateral.grpc;

import dev.crosschain.postgres.PostgresTestResource;
import dev.crosschain.proto.collateral.v1.Ack;
import dev.crosschain.proto.collateral.v1.AckOutcome;
import dev.crosschain.proto.collateral.v1.AssetCollateral;
import dev.crosschain.proto.collateral.v1.BlockHeader;
import dev.crosschain.proto.collateral.v1.ChainCollateral;
import dev.crosschain.proto.collateral.v1.CollateralServiceGrpc;
import dev.crosschain.proto.collateral.v1.ConnectAdapterRequest;
import dev.crosschain.proto.collateral.v1.Deposit;
import dev.crosschain.proto.collateral.v1.GetCollateralRequest;
import dev.crosschain.proto.collateral.v1.Heartbeat;
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
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The randomized proof of the adapter stream: thousands of short random event sequences over three chains
 * (headers extending the tip, reorgs of depth 1-4, orphaned blocks re-included, duplicate and conflicting
 * deposits, deposits naming unknown or orphaned blocks, bad amounts, heartbeats, stream breaks with events sent
 * but never applied), each event's ack checked against {@link ReferenceLedger}, and after every step the touched
 * accounts' balances in the database and in GetCollateral against the model, each balance against the sum of its
 * ledger entries. At the end of each sequence the totals per (chain, asset) over every account of the run and the
 * status of every deposit of the sequence are checked too.
 *
 * <p>The default of {@value #DEFAULT_SEQUENCES} sequences (~8,000 events) takes about a minute on the shared 2-core
 * build machine: each event is checked against the database and GetCollateral. Seeded: the seed is printed; {@code -Dproof.seed=N} replays one run (with {@code -Dproof.sequences=K}
 * sequences, default {@value #DEFAULT_SEQUENCES}). A replay starts from the chains' stored tips, so it is exact
 * when the test runs alone ({@code -Dtest=AdapterStreamProofTest}).
 */
@QuarkusTest
@QuarkusTestResource(PostgresTestResource.class)
class AdapterStreamProofTest {

    static final int DEFAULT_SEQUENCES = 300;
    /** Diagnosis: the totals check after every step instead of after every sequence. */
    static final boolean EVERY_STEP_TOTALS = Boolean.getBoolean("proof.everyStepTotals");

    /** The test profile's registry, written out here so the model shares nothing with the service. */
    static final Map<String, Integer> CONFIRMATIONS = Map.of("ethereum", 3, "arbitrum", 2, "solana", 32);
    static final Map<String, Map<String, Integer>> DECIMALS = Map.of(
            "ethereum", Map.of("ETH", 18, "USDC", 6),
            "arbitrum", Map.of("ETH", 18, "USDC", 6),
            "solana", Map.of("SOL", 9, "USDC", 6));
    static final List<String> CHAINS = List.of("arbitrum", "ethereum", "solana");

    static ManagedChannel channel;
    static CollateralServiceGrpc.CollateralServiceBlockingStub collateral;
    static CollateralServiceGrpc.CollateralServiceStub async;

    @Inject
    AgroalDataSource dataSource;

    private Random random;
    private String run;
    private final ReferenceLedger model = new ReferenceLedger();
    private final Map<String, Feed> feeds = new TreeMap<>();
    private final List<String> trace = new ArrayList<>();
    private int events;
    private int restarts;

    @BeforeAll
    static void connect() {
        FakePricing.get();
        channel = ManagedChannelBuilder.forAddress("localhost", 19101).usePlaintext().build();
        collateral = CollateralServiceGrpc.newBlockingStub(channel);
        async = CollateralServiceGrpc.newStub(channel);
    }

    @AfterAll
    static void disconnect() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    /** One event as sent, with the model's verdict computed when it was generated. */
    record Event(ConnectAdapterRequest request, ReferenceLedger.Verdict verdict, String account) {
    }

    /** An adapter of one chain: its open stream and the cursor of the last event it sent. */
    static final class Feed {
        final String chain;
        ProofAdapter stream;
        int sent;
        /** Cursor of the last event the service applied (whatever its outcome): the next welcome's resume cursor. */
        String durable;

        Feed(String chain) {
            this.chain = chain;
        }
    }

    @Test
    void everyEventSequenceMatchesTheReferenceLedger() throws Exception {
        long seed = Long.getLong("proof.seed", System.nanoTime());
        int sequences = Integer.getInteger("proof.sequences", DEFAULT_SEQUENCES);
        System.out.printf("AdapterStreamProofTest: seed %d, %d sequences (replay: -Dproof.seed=%d -Dproof.sequences=%d)%n",
                seed, sequences, seed, sequences);
        random = new Random(seed);
        run = "pf" + Long.toString(seed & 0xffffffffL, 36) + Long.toString(System.nanoTime() & 0xfffff, 36);
        long started = System.nanoTime();
        for (String chain : CHAINS) {
            // The chains persist across tests and sequences: the model starts from the welcome's stored tip.
            ProofAdapter.Connected connected = ProofAdapter.connect(async, chain);
            model.addChain(chain, CONFIRMATIONS.get(chain), connected.welcome().getTipHeight(), connected.welcome().getTipHash());
            Feed feed = new Feed(chain);
            feeds.put(chain, feed);
            feed.stream = connected.adapter();
        }
        try {
            for (int s = 0; s < sequences; s++) {
                trace.clear();
                runSequence(s);
            }
        } catch (AssertionError e) {
            throw new AssertionError("seed " + seed + " (-Dproof.seed=" + seed + "), events of the failing sequence:\n  "
                    + String.join("\n  ", trace), e);
        } finally {
            for (Feed feed : feeds.values()) {
                feed.stream.close();
            }
        }
        System.out.printf("AdapterStreamProofTest: seed %d, %d sequences, %d events, %d stream restarts in %d ms%n",
                seed, sequences, events, restarts, (System.nanoTime() - started) / 1_000_000);
    }

    private void runSequence(int s) throws SQLException {
        String prefix = run + "-s" + s;
        List<String> accounts = new ArrayList<>();
        for (int i = 0, n = 1 + random.nextInt(3); i < n; i++) {
            accounts.add(prefix + "-a" + i);
        }
        List<String> chains = new ArrayList<>(CHAINS);
        java.util.Collections.shuffle(chains, random);
        chains = chains.subList(0, 1 + random.nextInt(CHAINS.size()));
        List<Object[]> sent = new ArrayList<>(); // {chain, tx, log, block, account, asset, amount}
        int length = 10 + random.nextInt(31);
        for (int step = 0; step < length; step++) {
            Feed feed = feeds.get(chains.get(random.nextInt(chains.size())));
            int roll = random.nextInt(100);
            if (roll < 4) {
                restartStream(feed, prefix, accounts, sent);
            } else {
                Event event = generate(feed.chain, roll, prefix, accounts, sent);
                if (pendingRecord != null) {
                    sent.add(pendingRecord);
                }
                Ack ack = send(feed, event);
                checkAck(event, ack);
                checkAccounts(touched(event));
                if (EVERY_STEP_TOTALS) {
                    checkTotals();
                }
            }
        }
        checkTotals();
        checkDeposits(prefix, sent);
    }

    // ---- the generator ----

    private Event generate(String chainId, int roll, String prefix, List<String> accounts, List<Object[]> sent) {
        pendingRecord = null;
        ReferenceLedger.Chain chain = model.chain(chainId);
        if (!chain.hasBlocks()) {
            return header(chainId, 1000, newHash(chainId), "");
        }
        long tip = chain.tipHeight();
        if (roll < 34) {
            return header(chainId, tip + 1, newHash(chainId), chain.tipHash());
        }
        if (roll < 40) {
            int depth = 1 + random.nextInt(4);
            long height = tip - depth + 1;
            if (height - 1 >= chain.floor) {
                return header(chainId, height, newHash(chainId), chain.canonical.get(height - 1));
            }
            return header(chainId, tip + 1, newHash(chainId), chain.tipHash());
        }
        if (roll < 45) {
            // An orphaned block comes back (the adapter re-sends the branch it switched away from).
            for (ReferenceLedger.Block b : chain.orphans()) {
                if (b.height() > chain.floor && b.height() <= tip + 1 && b.parent().equals(chain.canonical.get(b.height() - 1))) {
                    return header(chainId, b.height(), b.hash(), b.parent());
                }
            }
        }
        if (roll < 48 && tip > chain.floor) {
            long height = Math.max(chain.floor + 1, tip - random.nextInt(4));
            String hash = chain.canonical.get(height);
            ReferenceLedger.Block b = chain.blocks.get(hash);
            return header(chainId, height, hash, b.parent());
        }
        if (roll < 51) {
            // Does not connect: a parent that is not the canonical block below.
            long height = Math.max(chain.floor + 1, tip + 1 - random.nextInt(3));
            return header(chainId, height, newHash(chainId), "0xnowhere" + random.nextInt(1000));
        }
        if (roll < 53) {
            return event(ConnectAdapterRequest.newBuilder().setHeartbeat(Heartbeat.newBuilder().setHeadHeight(tip)),
                    new ReferenceLedger.Verdict(ReferenceLedger.Outcome.APPLIED, "", Set.of()), null);
        }
        String account = accounts.get(random.nextInt(accounts.size()));
        List<String> assets = new ArrayList<>(new TreeSet<>(DECIMALS.get(chainId).keySet()));
        String asset = assets.get(random.nextInt(assets.size()));
        List<Object[]> onChain = sent.stream().filter(d -> d[0].equals(chainId)).toList();
        if (roll < 66 && !onChain.isEmpty()) {
            // The same deposit again: naming its block, or another canonical one (a re-inclusion after a reorg).
            Object[] d = onChain.get(random.nextInt(onChain.size()));
            String block = random.nextBoolean() ? (String) d[3] : recentCanonical(chain);
            return deposit(chainId, (String) d[1], (Integer) d[2], block, (String) d[4], (String) d[5], (BigDecimal) d[6], null);
        }
        if (roll < 70 && !onChain.isEmpty()) {
            Object[] d = onChain.get(random.nextInt(onChain.size()));
            BigDecimal other = ((BigDecimal) d[6]).add(BigDecimal.ONE);
            return deposit(chainId, (String) d[1], (Integer) d[2], recentCanonical(chain), (String) d[4], (String) d[5], other, null);
        }
        String tx = "0x" + prefix + "-t" + sent.size();
        int log = random.nextInt(3);
        BigDecimal amount = amount(DECIMALS.get(chainId).get(asset));
        String block = recentCanonical(chain);
        if (roll < 74) {
            List<ReferenceLedger.Block> orphans = chain.orphans();
            block = orphans.isEmpty() || random.nextBoolean() ? "0xunknown" + random.nextInt(1000)
                    : orphans.get(random.nextInt(orphans.size())).hash();
        } else if (roll < 76) {
            amount = amount.add(BigDecimal.ONE.movePointLeft(DECIMALS.get(chainId).get(asset) + 1));
        } else if (roll < 80) {
            long height = Math.max(chain.floor, tip - 40 + random.nextInt(40));
            block = chain.canonical.get(height);
        }
        Object[] record = {chainId, tx, log, block, account, asset, amount};
        return deposit(chainId, tx, log, block, account, asset, amount, record);
    }

    private Object[] pendingRecord;

    private Event deposit(String chainId, String tx, int log, String block, String account, String asset, BigDecimal amount,
                          Object[] record) {
        ReferenceLedger.Verdict verdict = model.deposit(chainId, tx, log, block, account, asset, amount,
                DECIMALS.get(chainId).get(asset));
        pendingRecord = record != null && verdict.outcome() == ReferenceLedger.Outcome.APPLIED ? record : null;
        return event(ConnectAdapterRequest.newBuilder().setDeposit(Deposit.newBuilder().setTxHash(tx).setLogIndex(log)
                .setBlockHash(block).setAccountId(account).setAsset(asset).setAmount(amount.toPlainString())), verdict, account);
    }

    private Event header(String chainId, long height, String hash, String parent) {
        ReferenceLedger.Verdict verdict = model.header(chainId, height, hash, parent);
        pendingRecord = null;
        return event(ConnectAdapterRequest.newBuilder().setHeader(BlockHeader.newBuilder().setHeight(height)
                .setHash(hash).setParentHash(parent)), verdict, null);
    }

    private Event event(ConnectAdapterRequest.Builder request, ReferenceLedger.Verdict verdict, String account) {
        return new Event(request.build(), verdict, account);
    }

    private String recentCanonical(ReferenceLedger.Chain chain) {
        long tip = chain.tipHeight();
        long height = Math.max(chain.floor, tip - random.nextInt(Math.min(6, chain.confirmations + 2)));
        return chain.canonical.get(height);
    }

    private BigDecimal amount(int decimals) {
        int scale = random.nextInt(Math.min(decimals, 8) + 1);
        return BigDecimal.valueOf(1 + random.nextInt(1_000_000), scale);
    }

    private String newHash(String chain) {
        return "0x" + run + "-" + chain + "-" + Long.toString(random.nextLong() & Long.MAX_VALUE, 36);
    }

    // ---- the adapter side ----

    private Ack send(Feed feed, Event event) {
        ConnectAdapterRequest request = withCursor(feed, event);
        trace.add(describe(request) + " -> " + event.verdict().outcome() + " " + event.verdict().reason());
        events++;
        Ack ack = feed.stream.send(request);
        assertThat(ack.getCursor()).as("ack cursor").isEqualTo(request.getCursor());
        feed.durable = request.getCursor();
        return ack;
    }

    /** The request with the feed's next cursor; the deposit record (if any) joins the sequence's list. */
    private ConnectAdapterRequest withCursor(Feed feed, Event event) {
        String cursor = run + ":" + feed.chain + ":" + (++feed.sent);
        return event.request().toBuilder().setCursor(cursor).build();
    }

    /**
     * Breaks the stream mid-batch: a few events are sent and applied (some of their acks are lost on the way), a
     * few more are sent after the break and never applied. The new stream's welcome must name the cursor of the
     * last applied event; the adapter re-sends the rest, whose acks must be what the model said.
     */
    private void restartStream(Feed feed, String prefix, List<String> accounts, List<Object[]> sent) throws SQLException {
        restarts++;
        List<Event> applied = new ArrayList<>();
        List<Event> lost = new ArrayList<>();
        int total = random.nextInt(6);
        int cut = total == 0 ? 0 : random.nextInt(total + 1);
        List<ConnectAdapterRequest> appliedRequests = new ArrayList<>();
        List<ConnectAdapterRequest> lostRequests = new ArrayList<>();
        Set<String> touched = new HashSet<>();
        String durableTip = tipOf(feed.chain);
        for (int i = 0; i < total; i++) {
            Event event = generate(feed.chain, 4 + random.nextInt(96), prefix, accounts, sent);
            if (pendingRecord != null) {
                sent.add(pendingRecord);
            }
            ConnectAdapterRequest request = withCursor(feed, event);
            trace.add((i < cut ? "[applied] " : "[lost] ") + describe(request) + " -> " + event.verdict().outcome());
            events++;
            (i < cut ? applied : lost).add(new Event(request, event.verdict(), event.account()));
            (i < cut ? appliedRequests : lostRequests).add(request);
            touched.addAll(touched(event));
            if (i < cut) {
                durableTip = tipOf(feed.chain); // the tip the service stores once the applied events are in
            }
        }
        if (!appliedRequests.isEmpty()) {
            feed.durable = appliedRequests.get(appliedRequests.size() - 1).getCursor();
        }
        if (random.nextInt(3) == 0 && lost.isEmpty()) {
            trace.add("[close and reconnect " + feed.chain + "]");
            applied.forEach(e -> checkAck(e, feed.stream.send(e.request())));
            feed.stream.close();
        } else {
            trace.add("[break " + feed.chain + " after " + applied.size() + " event(s), " + lost.size() + " lost]");
            List<Ack> acks = feed.stream.sendAndBreak(appliedRequests, lostRequests);
            assertThat(acks).as("acks before the break").hasSize(applied.size());
            int kept = random.nextInt(acks.size() + 1); // the acks after this one are lost on the wire
            for (int i = 0; i < kept; i++) {
                checkAck(applied.get(i), acks.get(i));
            }
        }
        reconnect(feed, feed.durable, durableTip);
        for (Event event : lost) {
            Ack ack = feed.stream.send(event.request());
            assertThat(ack.getCursor()).isEqualTo(event.request().getCursor());
            checkAck(event, ack);
            feed.durable = event.request().getCursor();
        }
        checkAccounts(touched);
    }

    /** Opens a new stream for the feed; the welcome must resume after {@code expectedCursor} when given. */
    private String tipOf(String chainId) {
        ReferenceLedger.Chain chain = model.chain(chainId);
        return chain.tipHash() + "@" + (chain.hasBlocks() ? chain.tipHeight() : 0);
    }

    private void reconnect(Feed feed, String expectedCursor, String expectedTip) {
        ProofAdapter.Connected connected = ProofAdapter.connect(async, feed.chain);
        Welcome welcome = connected.welcome();
        assertThat(welcome.getChainId()).isEqualTo(feed.chain);
        assertThat(welcome.getConfirmations()).as("confirmations of " + feed.chain).isEqualTo(CONFIRMATIONS.get(feed.chain));
        if (expectedCursor != null) {
            assertThat(welcome.getResumeCursor()).as("resume cursor of " + feed.chain).isEqualTo(expectedCursor);
        }
        assertThat(welcome.getTipHash() + "@" + welcome.getTipHeight()).as("welcome tip of " + feed.chain).isEqualTo(expectedTip);
        feed.stream = connected.adapter();
    }

    private void checkAck(Event event, Ack ack) {
        ReferenceLedger.Verdict verdict = event.verdict();
        assertThat(outcome(ack.getOutcome())).as("ack of " + describe(event.request()) + ": " + ack.getRejection().getMessage())
                .isEqualTo(verdict.outcome());
        if (verdict.outcome() == ReferenceLedger.Outcome.REJECTED) {
            assertThat(ack.getRejection().getReason()).as("rejection of " + describe(event.request())).isEqualTo(verdict.reason());
        }
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

    private static Set<String> touched(Event event) {
        Set<String> touched = new HashSet<>(event.verdict().changedAccounts());
        if (event.account() != null) {
            touched.add(event.account());
        }
        return touched;
    }

    private static String describe(ConnectAdapterRequest r) {
        switch (r.getEventCase()) {
            case HEADER:
                return r.getCursor() + " header " + r.getHeader().getHeight() + " " + r.getHeader().getHash()
                        + " parent " + r.getHeader().getParentHash();
            case DEPOSIT:
                Deposit d = r.getDeposit();
                return r.getCursor() + " deposit " + d.getTxHash() + ":" + d.getLogIndex() + " in " + d.getBlockHash() + " "
                        + d.getAccountId() + " " + d.getAmount() + " " + d.getAsset();
            default:
                return r.getCursor() + " " + r.getEventCase();
        }
    }

    // ---- the checks against the database and GetCollateral ----

    /** Each touched account: DB balances == model, none negative, each == sum of its ledger entries; GetCollateral too. */
    private void checkAccounts(Set<String> accounts) throws SQLException {
        if (accounts.isEmpty()) {
            return;
        }
        Map<String, Map<String, String>> stored = new TreeMap<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement("""
                SELECT b.account_id, b.chain_id, b.asset, b.pending, b.available, b.locked,
                       coalesce(sum(l.delta_pending), 0), coalesce(sum(l.delta_available), 0), coalesce(sum(l.delta_locked), 0)
                FROM balance b LEFT JOIN ledger_entry l
                  ON l.account_id = b.account_id AND l.chain_id = b.chain_id AND l.asset = b.asset
                WHERE b.account_id = ANY(?)
                GROUP BY b.account_id, b.chain_id, b.asset, b.pending, b.available, b.locked""")) {
            Array array = c.createArrayOf("text", accounts.toArray());
            s.setArray(1, array);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    String key = rs.getString(1) + " " + rs.getString(2) + "/" + rs.getString(3);
                    BigDecimal pending = rs.getBigDecimal(4);
                    BigDecimal available = rs.getBigDecimal(5);
                    BigDecimal locked = rs.getBigDecimal(6);
                    assertThat(pending.signum()).as("pending of " + key + " not negative").isGreaterThanOrEqualTo(0);
                    assertThat(available.signum()).as("available of " + key + " not negative").isGreaterThanOrEqualTo(0);
                    assertThat(locked).as("locked of " + key + " (no withdrawals here)").isEqualByComparingTo("0");
                    assertThat(pending).as("pending of " + key + " == its ledger entries").isEqualByComparingTo(rs.getBigDecimal(7));
                    assertThat(available).as("available of " + key + " == its ledger entries").isEqualByComparingTo(rs.getBigDecimal(8));
                    assertThat(locked).as("locked of " + key + " == its ledger entries").isEqualByComparingTo(rs.getBigDecimal(9));
                    if (pending.signum() != 0 || available.signum() != 0) {
                        stored.computeIfAbsent(rs.getString(1), k -> new TreeMap<>()).put(rs.getString(2) + "/" + rs.getString(3),
                                ReferenceLedger.plain(pending) + "/" + ReferenceLedger.plain(available));
                    }
                }
            }
        }
        for (String account : accounts) {
            Map<String, String> expected = model.balancesOf(account);
            assertThat(stored.getOrDefault(account, Map.of())).as("balances of " + account + " in the database").isEqualTo(expected);
            if (model.balances.containsKey(account)) {
                assertThat(viewed(account)).as("GetCollateral of " + account).isEqualTo(expected);
            }
        }
    }

    private Map<String, String> viewed(String account) {
        Map<String, String> result = new TreeMap<>();
        var view = collateral.getCollateral(GetCollateralRequest.newBuilder().setAccountId(account).build()).getView();
        for (ChainCollateral chain : view.getChainsList()) {
            for (AssetCollateral asset : chain.getAssetsList()) {
                BigDecimal pending = new BigDecimal(asset.getPending());
                BigDecimal available = new BigDecimal(asset.getAvailable());
                if (pending.signum() != 0 || available.signum() != 0) {
                    result.put(chain.getChainId() + "/" + asset.getAsset(), ReferenceLedger.plain(pending) + "/" + ReferenceLedger.plain(available));
                }
            }
        }
        return result;
    }

    /** Per (chain, asset): pending and available summed over every account of this run == the model's sums. */
    private void checkTotals() throws SQLException {
        Map<String, String> stored = new TreeMap<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement("""
                SELECT chain_id, asset, sum(pending), sum(available) FROM balance
                WHERE account_id LIKE ? GROUP BY chain_id, asset""")) {
            s.setString(1, run + "-%");
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    if (rs.getBigDecimal(3).signum() != 0 || rs.getBigDecimal(4).signum() != 0) {
                        stored.put(rs.getString(1) + "/" + rs.getString(2),
                                ReferenceLedger.plain(rs.getBigDecimal(3)) + "/" + ReferenceLedger.plain(rs.getBigDecimal(4)));
                    }
                }
            }
        }
        if (!stored.equals(model.totals())) {
            assertThat(accountsDiffering()).as("accounts whose balances differ from the model").isEmpty();
        }
        assertThat(stored).as("per (chain, asset) totals over the run's accounts").isEqualTo(model.totals());
    }

    private String depositsOf(String account) throws SQLException {
        StringBuilder text = new StringBuilder();
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(
                "SELECT d.chain_id, d.tx_hash, d.log_index, d.status, d.block_hash, d.block_height, d.amount, b.canonical, d.revision"
                        + " FROM deposit d LEFT JOIN block_header b ON b.chain_id = d.chain_id AND b.hash = d.block_hash"
                        + " WHERE d.account_id = ?")) {
            s.setString(1, account);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    ReferenceLedger.Chain chain = model.chain(rs.getString(1));
                    ReferenceLedger.Deposit m = chain.deposits.get(rs.getString(2) + ":" + rs.getLong(3));
                    text.append("\n    stored ").append(rs.getString(1)).append(' ').append(rs.getString(2)).append(':').append(rs.getLong(3))
                            .append(' ').append(rs.getString(4)).append(" r").append(rs.getInt(9)).append(" in ").append(rs.getString(5))
                            .append(" at ").append(rs.getLong(6)).append(" canonical ").append(rs.getBoolean(8))
                            .append(" amount ").append(rs.getBigDecimal(7).toPlainString())
                            .append(" | model ").append(m == null ? "none" : m.status + " in " + m.block + " at "
                                    + chain.blocks.get(m.block).height() + " canonical " + chain.isCanonical(m.block)
                                    + " (model tip " + chain.tipHeight() + ")");
                }
            }
        }
        return text.toString();
    }

    /** Diagnosis of a totals mismatch: every account of the run whose stored balances differ from the model's. */
    private Map<String, String> accountsDiffering() throws SQLException {
        Map<String, Map<String, String>> stored = new TreeMap<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(
                "SELECT account_id, chain_id, asset, pending, available FROM balance WHERE account_id LIKE ?")) {
            s.setString(1, run + "-%");
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    if (rs.getBigDecimal(4).signum() != 0 || rs.getBigDecimal(5).signum() != 0) {
                        stored.computeIfAbsent(rs.getString(1), k -> new TreeMap<>()).put(rs.getString(2) + "/" + rs.getString(3),
                                ReferenceLedger.plain(rs.getBigDecimal(4)) + "/" + ReferenceLedger.plain(rs.getBigDecimal(5)));
                    }
                }
            }
        }
        Map<String, String> differing = new TreeMap<>();
        Set<String> all = new TreeSet<>(stored.keySet());
        all.addAll(model.balances.keySet());
        for (String account : all) {
            Map<String, String> expected = model.balancesOf(account);
            Map<String, String> actual = stored.getOrDefault(account, Map.of());
            if (!expected.equals(actual)) {
                differing.put(account, "model " + expected + " stored " + actual + "; deposits: " + depositsOf(account));
            }
        }
        return differing;
    }

    /** Every deposit the sequence applied has the model's status and block in the database. */
    private void checkDeposits(String prefix, List<Object[]> sent) throws SQLException {
        Map<String, String> expected = new TreeMap<>();
        for (Object[] d : sent) {
            ReferenceLedger.Deposit m = model.chain((String) d[0]).deposits.get(d[1] + ":" + d[2]);
            expected.put(d[0] + "/" + d[1] + ":" + d[2], m.status + " " + m.block);
        }
        Map<String, String> stored = new TreeMap<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(
                "SELECT chain_id, tx_hash, log_index, status, block_hash FROM deposit WHERE tx_hash LIKE ?")) {
            s.setString(1, "0x" + prefix + "-t%");
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    stored.put(rs.getString(1) + "/" + rs.getString(2) + ":" + rs.getLong(3), rs.getString(4) + " " + rs.getString(5));
                }
            }
        }
        assertThat(stored).as("deposits of " + prefix).isEqualTo(expected);
    }
}
