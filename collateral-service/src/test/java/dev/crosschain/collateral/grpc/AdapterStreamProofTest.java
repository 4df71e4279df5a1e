package dev.crosschain.collateral.grpc;

import dev.crosschain.postgres.PostgresTestResource;
import dev.crosschain.proto.collateral.v1.Ack;
import dev.crosschain.proto.collateral.v1.AckOutcome;
import dev.crosschain.proto.collateral.v1.AssetCollateral;
import dev.crosschain.proto.collateral.v1.BlockHeader;
import dev.crosschain.proto.collateral.v1.ChainCollateral;
import dev.crosschain.proto.collateral.v1.CollateralInternalServiceGrpc;
import dev.crosschain.proto.collateral.v1.CollateralServiceGrpc;
import dev.crosschain.proto.collateral.v1.Checkpoint;
import dev.crosschain.proto.collateral.v1.FinalityRule;
import dev.crosschain.proto.collateral.v1.LockWithdrawalRequest;
import dev.crosschain.proto.collateral.v1.LockWithdrawalResponse;
import dev.crosschain.proto.collateral.v1.TransferLeg;
import dev.crosschain.proto.collateral.v1.TransferRequest;
import dev.crosschain.proto.collateral.v1.TransferResponse;
import dev.crosschain.proto.collateral.v1.WithdrawalInstruction;
import dev.crosschain.proto.collateral.v1.WithdrawalOutcome;
import dev.crosschain.proto.collateral.v1.WithdrawalResult;
import dev.crosschain.proto.collateral.v1.WithdrawalStatus;
import dev.crosschain.proto.collateral.v1.ConnectAdapterRequest;
import dev.crosschain.proto.collateral.v1.Deposit;
import dev.crosschain.proto.collateral.v1.GetCollateralRequest;
import dev.crosschain.proto.collateral.v1.Heartbeat;
import dev.crosschain.proto.collateral.v1.Welcome;
import io.agroal.api.AgroalDataSource;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.math.RoundingMode;
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
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The randomized proof of the ledger: thousands of short random sequences over four chains (three final by
 * confirmations, testcheckpoint final by the adapter's checkpoints) of adapter events (headers extending the tip,
 * reorgs of depth 1-4, orphaned blocks re-included, duplicate and conflicting deposits, deposits naming unknown or
 * orphaned blocks, bad amounts, heartbeats, checkpoints moving up, repeated or contradicting finality, headers that
 * would reorganise final blocks, withdrawal results EXECUTED or FAILED, repeated or contradicting, for unknown or
 * other chains' withdrawals, stream breaks with events sent but never applied, acks lost, closes and reconnects)
 * and calls (LockWithdrawal as margin-service, Transfer as liquidation-service, replays and conflicting replays of
 * both). Events go one at a time or in bursts of 2-5 sent back to back (the service may commit them together).
 * Every ack and answer is checked against {@link ReferenceLedger}, and after every step the touched accounts'
 * balances (pending, available, locked) in the database against the model, none negative, each against the sum of
 * its ledger entries (one query). At the end of each sequence: the results of its withdrawals still locked, then
 * the totals per (chain, asset) over every account of the lane, the status of every deposit and withdrawal of the
 * sequence, the withdrawal instructions received, and each account's GetCollateral (balances and freeze).
 *
 * <p>The sequences run in {@value #DEFAULT_LANES} lanes at once ({@code -Dproof.lanes=L}), each lane on its own
 * chains with its own accounts, model and random generator, so a lane's run does not depend on the others. The
 * default of {@value #DEFAULT_SEQUENCES} sequences (~55,000 events) takes about 3 minutes on the shared 2-core build
 * machine. Seeded: the seed is printed; {@code -Dproof.seed=N} replays one run (with {@code -Dproof.sequences=K}
 * sequences, default {@value #DEFAULT_SEQUENCES}); a failure names the seed, the lane, the sequence and the step,
 * and prints the sequence's events and calls. A replay starts from the chains' stored tips (and the stored
 * checkpoint), so it is exact when the test runs alone ({@code -Dtest=AdapterStreamProofTest}).
 */
@QuarkusTest
@QuarkusTestResource(PostgresTestResource.class)
class AdapterStreamProofTest {

    static final int DEFAULT_SEQUENCES = 2000;
    /** Lanes run at once, each on its own chains (2: arbitrum and solana, ethereum and testcheckpoint). */
    static final int DEFAULT_LANES = 2;
    static final int MIN_STEPS = 6;
    static final int MAX_STEPS = 26;
    /** Diagnosis: the totals check after every step instead of after every sequence. */
    static final boolean EVERY_STEP_TOTALS = Boolean.getBoolean("proof.everyStepTotals");

    /** The test profile's registry, written out here so the model shares nothing with the service. */
    static final Map<String, Integer> CONFIRMATIONS = Map.of("ethereum", 3, "arbitrum", 2, "solana", 32, "testcheckpoint", 0);
    static final Map<String, Map<String, Integer>> DECIMALS = Map.of(
            "ethereum", Map.of("ETH", 18, "USDC", 6),
            "arbitrum", Map.of("ETH", 18, "USDC", 6),
            "solana", Map.of("SOL", 9, "USDC", 6),
            "testcheckpoint", Map.of("USDC", 6));
    /** The chain final by the adapter's checkpoints; the others are final by confirmations. */
    static final String CHECKPOINT_CHAIN = "testcheckpoint";
    static final List<String> CHAINS = List.of("arbitrum", "ethereum", "solana", CHECKPOINT_CHAIN);

    static ManagedChannel channel;
    static CollateralServiceGrpc.CollateralServiceBlockingStub collateral;
    static CollateralServiceGrpc.CollateralServiceStub async;
    /** LockWithdrawal with margin-service's credential; Transfer with liquidation-service's. */
    static CollateralInternalServiceGrpc.CollateralInternalServiceBlockingStub margin;
    static CollateralServiceGrpc.CollateralServiceBlockingStub liquidation;

    @Inject
    AgroalDataSource dataSource;

    @BeforeAll
    static void connect() {
        FakePricing.get();
        channel = ManagedChannelBuilder.forAddress("localhost", 19101).usePlaintext().build();
        collateral = CollateralServiceGrpc.newBlockingStub(channel);
        async = CollateralServiceGrpc.newStub(channel);
        margin = CollateralInternalServiceGrpc.newBlockingStub(channel).withInterceptors(CollateralGrpcServiceTest.bearer("test-margin-token"));
        liquidation = collateral.withInterceptors(CollateralGrpcServiceTest.bearer("test-liquidation-token"));
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
        /** Withdrawal instructions received on the streams of this feed, not yet checked. */
        final List<WithdrawalInstruction> instructions = new ArrayList<>();

        /** Takes the stream's received instructions into {@link #instructions}. */
        void drainInstructions() {
            stream.instructions.drainTo(instructions);
        }

        Feed(String chain) {
            this.chain = chain;
        }
    }

    @Test
    void everyEventSequenceMatchesTheReferenceLedger() throws Exception {
        long seed = Long.getLong("proof.seed", System.nanoTime());
        int sequences = Integer.getInteger("proof.sequences", DEFAULT_SEQUENCES);
        int laneCount = Math.max(1, Math.min(CHAINS.size(), Integer.getInteger("proof.lanes", DEFAULT_LANES)));
        System.out.printf("AdapterStreamProofTest: seed %d, %d sequences in %d lanes (replay: -Dproof.seed=%d -Dproof.sequences=%d"
                + " -Dproof.lanes=%d)%n", seed, sequences, laneCount, seed, sequences, laneCount);
        String run = "pf" + Long.toString(seed & 0xffffffffL, 36) + Long.toString(System.nanoTime() & 0xfffff, 36);
        long started = System.nanoTime();
        List<Lane> lanes = new ArrayList<>();
        for (int l = 0; l < laneCount; l++) {
            List<String> chains = new ArrayList<>();
            for (int c = l; c < CHAINS.size(); c += laneCount) {
                chains.add(CHAINS.get(c));
            }
            lanes.add(new Lane(l, laneCount, chains, seed, run + "l" + l));
        }
        ExecutorService threads = Executors.newFixedThreadPool(laneCount);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (Lane lane : lanes) {
                done.add(threads.submit(() -> {
                    lane.runAll(sequences);
                    return null;
                }));
            }
            for (Future<?> f : done) {
                try {
                    f.get();
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof AssertionError a) {
                        throw a;
                    }
                    throw e;
                }
            }
        } finally {
            threads.shutdownNow();
        }
        Map<String, long[]> clock = new TreeMap<>();
        int events = 0;
        int calls = 0;
        int restarts = 0;
        int withdrawals = 0;
        int transfers = 0;
        for (Lane lane : lanes) {
            events += lane.events;
            calls += lane.calls;
            restarts += lane.restarts;
            withdrawals += lane.model.withdrawals.size();
            transfers += lane.model.transfers.size();
            lane.clock.forEach((k, v) -> {
                long[] sum = clock.computeIfAbsent(k, x -> new long[2]);
                sum[0] += v[0];
                sum[1] += v[1];
            });
        }
        System.out.printf("AdapterStreamProofTest: seed %d, %d sequences in %d lanes, %d events, %d calls (locks, transfers),"
                        + " %d stream restarts, %d withdrawals, %d transfers in %d ms%n", seed, sequences, laneCount, events, calls,
                restarts, withdrawals, transfers, (System.nanoTime() - started) / 1_000_000);
        clock.forEach((k, v) -> System.out.printf("AdapterStreamProofTest:   %-14s %6d x %8.3f ms = %7d ms (summed over lanes)%n",
                k, v[1], v[0] / 1e6 / v[1], v[0] / 1_000_000));
    }

    /** Set when a lane fails: the other lanes stop at their next sequence. */
    private volatile boolean failed;

    /**
     * One lane: its own chains (adapter streams), accounts, model and random generator, run on its own thread; the
     * lanes share nothing but the service, so each lane's run is the same whatever the others do.
     */
    final class Lane {

        private final int lane;
        private final int laneCount;
        private final List<String> laneChains;
        private final long seed;
        private final Random random;
        private final String run;
        private final ReferenceLedger model = new ReferenceLedger();
        private final Map<String, Feed> feeds = new TreeMap<>();
        private final List<String> trace = new ArrayList<>();
        private int events;
        private int restarts;
        private int calls;
        /** Where the run is, for a failure's message. */
        private int sequence;
        private int step;
        /** The withdrawals and transfers of the current sequence (ids), for replays and results. */
        private final List<String> sequenceWithdrawals = new ArrayList<>();
        private final List<String> sequenceTransfers = new ArrayList<>();
        private final Map<String, List<ReferenceLedger.Leg>> transferLegs = new TreeMap<>();
        /** Where a run's time goes (nanoseconds): printed at the end. */
        private final Map<String, long[]> clock = new TreeMap<>();

        private long tick() {
            return System.nanoTime();
        }

        private void tock(String what, long since) {
            long[] c = clock.computeIfAbsent(what, k -> new long[2]);
            c[0] += System.nanoTime() - since;
            c[1]++;
        }

        Lane(int lane, int laneCount, List<String> chains, long seed, String run) {
            this.lane = lane;
            this.laneCount = laneCount;
            this.laneChains = List.copyOf(chains);
            this.seed = seed;
            this.random = new Random(seed + 0x9E3779B97F4A7C15L * lane);
            this.run = run;
        }

        /** The lane's sequences: numbers lane, lane + laneCount, ... below {@code sequences}. */
        void runAll(int sequences) throws SQLException {
            for (String chain : laneChains) {
                // The chains persist across tests and sequences: the model starts from the welcome's stored tip (and
                // the stored finalized checkpoint of the checkpoint chain).
                ProofAdapter.Connected connected = ProofAdapter.connect(async, chain);
                Welcome welcome = connected.welcome();
                if (chain.equals(CHECKPOINT_CHAIN)) {
                    assertThat(welcome.getFinalityRule()).as("finality rule of " + chain).isEqualTo(FinalityRule.FINALITY_RULE_CHECKPOINT);
                    String[] checkpoint = storedCheckpoint(chain);
                    model.addCheckpointChain(chain, welcome.getTipHeight(), welcome.getTipHash(), Long.parseLong(checkpoint[0]), checkpoint[1]);
                } else {
                    model.addChain(chain, CONFIRMATIONS.get(chain), welcome.getTipHeight(), welcome.getTipHash());
                }
                Feed feed = new Feed(chain);
                feeds.put(chain, feed);
                feed.stream = connected.adapter();
                // A heartbeat first: a chain whose adapter never sent an event is HALTED ("no adapter seen yet") and
                // refuses locks CHAIN_HALTED; the model knows no halts.
                Event heartbeat = event(ConnectAdapterRequest.newBuilder().setHeartbeat(Heartbeat.newBuilder()
                        .setHeadHeight(welcome.getTipHeight())), new ReferenceLedger.Verdict(ReferenceLedger.Outcome.APPLIED, "", Set.of()), null);
                checkAck(heartbeat, send(feed, List.of(heartbeat)).get(0));
            }
            try {
                for (int s = lane; s < sequences && !failed; s += laneCount) {
                    trace.clear();
                    sequence = s;
                    step = -1;
                    runSequence(s);
                }
            } catch (AssertionError | RuntimeException | SQLException e) {
                failed = true;
                throw new AssertionError("seed " + seed + ", lane " + lane + " " + laneChains + ", sequence " + sequence + ", step "
                        + step + " (replay: -Dproof.seed=" + seed + " -Dproof.sequences=" + (sequence + 1) + " -Dproof.lanes="
                        + laneCount + "), events and calls of the failing sequence:\n  " + String.join("\n  ", trace), e);
            } finally {
                for (Feed feed : feeds.values()) {
                    feed.stream.close();
                }
            }
        }

        /**
         * One sequence: {@value #MIN_STEPS} to {@value #MAX_STEPS} steps on 1 to 4 chains and 1 to 3 fresh accounts. A
         * step is a stream restart, a LockWithdrawal, a Transfer, one adapter event, or a burst of 2 to 5 adapter events
         * sent back to back (the service may commit them together); each ack and answer is checked against the model,
         * then the touched accounts. At the end the sequence's locked withdrawals get their results, then the totals, the
         * deposits, the withdrawals, the instructions received and every account's GetCollateral are checked.
         */
        private void runSequence(int s) throws SQLException {
            String prefix = run + "-s" + s;
            List<String> accounts = new ArrayList<>();
            for (int i = 0, n = 1 + random.nextInt(3); i < n; i++) {
                accounts.add(prefix + "-a" + i);
            }
            sequenceWithdrawals.clear();
            sequenceTransfers.clear();
            transferLegs.clear();
            List<String> chains = new ArrayList<>(laneChains);
            java.util.Collections.shuffle(chains, random);
            chains = chains.subList(0, 1 + random.nextInt(laneChains.size()));
            List<Object[]> sent = new ArrayList<>(); // {chain, tx, log, block, account, asset, amount}
            int length = MIN_STEPS + random.nextInt(MAX_STEPS - MIN_STEPS + 1);
            for (step = 0; step < length; step++) {
                Feed feed = feeds.get(chains.get(random.nextInt(chains.size())));
                int roll = random.nextInt(100);
                if (roll < 4) {
                    long t = tick();
                    restartStream(feed, prefix, accounts, sent);
                    tock("restart", t);
                } else if (roll < 11) {
                    lockStep(prefix, accounts, chains);
                } else if (roll < 16) {
                    transferStep(prefix, accounts, chains);
                } else {
                    int size = roll < 46 ? 2 + random.nextInt(4) : 1;
                    List<Event> burst = new ArrayList<>(size);
                    Set<String> touched = new HashSet<>();
                    for (int i = 0; i < size; i++) {
                        Event event = generate(feed.chain, 4 + random.nextInt(96), prefix, accounts, sent);
                        if (pendingRecord != null) {
                            sent.add(pendingRecord);
                        }
                        burst.add(event);
                        touched.addAll(touched(event));
                    }
                    List<Ack> acks = send(feed, burst);
                    for (int i = 0; i < size; i++) {
                        checkAck(burst.get(i), acks.get(i));
                    }
                    long t = tick();
                    checkAccounts(touched);
                    tock("checkAccounts", t);
                    if (EVERY_STEP_TOTALS) {
                        checkTotals();
                    }
                }
            }
            settleWithdrawals(prefix, accounts);
            long t = tick();
            checkTotals();
            checkDeposits(prefix, sent);
            checkWithdrawals(prefix);
            checkInstructions();
            checkViews(accounts);
            tock("endChecks", t);
        }

        /** Every withdrawal of the sequence still locked gets its result from its chain's adapter (EXECUTED or FAILED). */
        private void settleWithdrawals(String prefix, List<String> accounts) throws SQLException {
            step = -2;
            Map<String, List<Event>> results = new TreeMap<>();
            Set<String> touched = new HashSet<>();
            for (String id : sequenceWithdrawals) {
                ReferenceLedger.Withdrawal w = model.withdrawals.get(id);
                if (w.status == ReferenceLedger.WithdrawalStatus.LOCKED) {
                    Event event = withdrawalResult(w.chain, id, random.nextBoolean(), "0x" + id + "-executed");
                    results.computeIfAbsent(w.chain, k -> new ArrayList<>()).add(event);
                    touched.addAll(touched(event));
                }
            }
            for (Map.Entry<String, List<Event>> e : results.entrySet()) {
                List<Ack> acks = send(feeds.get(e.getKey()), e.getValue());
                for (int i = 0; i < acks.size(); i++) {
                    checkAck(e.getValue().get(i), acks.get(i));
                }
            }
            checkAccounts(touched);
        }

        // ---- withdrawals and transfers ----

        /**
         * LockWithdrawal as margin-service: a part of an account's available balance, more than it (INSUFFICIENT_BALANCE),
         * a replay of a lock of the sequence (DUPLICATE: replayed) or the same id with another amount
         * (IDEMPOTENCY_CONFLICT); a frozen account's new lock is ACCOUNT_FROZEN.
         */
        private void lockStep(String prefix, List<String> accounts, List<String> chains) throws SQLException {
            int roll = random.nextInt(10);
            String id;
            String account;
            String chainId;
            String asset;
            BigDecimal amount;
            String destination;
            if (roll < 2 && !sequenceWithdrawals.isEmpty()) {
                ReferenceLedger.Withdrawal w = model.withdrawals.get(sequenceWithdrawals.get(random.nextInt(sequenceWithdrawals.size())));
                id = w.id;
                account = w.account;
                chainId = w.chain;
                asset = w.asset;
                amount = random.nextBoolean() ? w.amount : w.amount.add(BigDecimal.ONE);
                destination = w.destination;
            } else {
                id = prefix + "-w" + sequenceWithdrawals.size() + "-" + step;
                account = accounts.get(random.nextInt(accounts.size()));
                chainId = chains.get(random.nextInt(chains.size()));
                asset = pick(DECIMALS.get(chainId).keySet());
                amount = partOf(model.balance(account, chainId, asset).available, DECIMALS.get(chainId).get(asset), roll == 9);
                destination = "dest-" + account;
            }
            ReferenceLedger.Verdict verdict = model.lock(id, account, chainId, asset, amount, destination);
            if (verdict.outcome() == ReferenceLedger.Outcome.APPLIED) {
                sequenceWithdrawals.add(id);
            }
            String described = "LockWithdrawal " + id + " " + account + " " + amount.toPlainString() + " " + asset + " on " + chainId;
            trace.add(described + " -> " + verdict.outcome() + " " + verdict.reason());
            calls++;
            long t = tick();
            ReferenceLedger.Outcome outcome;
            String reason = "";
            LockWithdrawalResponse answer = null;
            try {
                answer = margin.lockWithdrawal(LockWithdrawalRequest.newBuilder().setWithdrawalId(id).setAccountId(account)
                        .setChainId(chainId).setAsset(asset).setAmount(amount.toPlainString()).setDestinationAddress(destination).build());
                outcome = answer.getReplayed() ? ReferenceLedger.Outcome.DUPLICATE : ReferenceLedger.Outcome.APPLIED;
            } catch (StatusRuntimeException e) {
                outcome = ReferenceLedger.Outcome.REJECTED;
                reason = reasonOf(e, described);
            }
            tock("lock", t);
            checkCall(described, verdict, outcome, reason);
            if (answer != null) {
                ReferenceLedger.Withdrawal w = model.withdrawals.get(id);
                assertThat(answer.getWithdrawal().getStatus()).as("status of " + described)
                        .isEqualTo(WithdrawalStatus.valueOf("WITHDRAWAL_STATUS_" + w.status));
                assertThat(new BigDecimal(answer.getWithdrawal().getAmount())).as("amount of " + described).isEqualByComparingTo(w.amount);
            }
            checkAccounts(Set.of(account));
        }

        /**
         * Transfer as liquidation-service: 1 to 3 legs between the sequence's accounts (or to a new one), each a part of
         * the debited account's available balance now (so a later leg may overdraw: INSUFFICIENT_BALANCE, nothing moves),
         * sometimes more than it; a replay of a transfer of the sequence (DUPLICATE: replayed, amounts maybe written with
         * another scale) or the same id with other legs (IDEMPOTENCY_CONFLICT).
         */
        private void transferStep(String prefix, List<String> accounts, List<String> chains) throws SQLException {
            int roll = random.nextInt(10);
            String id;
            List<ReferenceLedger.Leg> legs;
            List<String> amounts = new ArrayList<>();
            if (roll < 2 && !sequenceTransfers.isEmpty()) {
                id = sequenceTransfers.get(random.nextInt(sequenceTransfers.size()));
                legs = new ArrayList<>(transferLegs.get(id));
                boolean conflicting = random.nextBoolean();
                for (int i = 0; i < legs.size(); i++) {
                    ReferenceLedger.Leg leg = legs.get(i);
                    if (conflicting && i == legs.size() - 1) {
                        legs.set(i, new ReferenceLedger.Leg(leg.from(), leg.to(), leg.chain(), leg.asset(),
                                leg.amount().add(BigDecimal.ONE)));
                    }
                    BigDecimal amount = legs.get(i).amount();
                    // The same amount written with one more zero: "1.5" and "1.50" are the same request.
                    amounts.add(amount.scale() < DECIMALS.get(leg.chain()).get(leg.asset()) && random.nextBoolean()
                            ? amount.setScale(amount.scale() + 1).toPlainString() : amount.toPlainString());
                }
            } else {
                id = prefix + "-x" + sequenceTransfers.size() + "-" + step;
                legs = new ArrayList<>();
                for (int i = 0, n = 1 + random.nextInt(3); i < n; i++) {
                    String from = accounts.get(random.nextInt(accounts.size()));
                    String to;
                    if (accounts.size() == 1 || random.nextInt(5) == 0) {
                        to = prefix + "-a" + accounts.size();
                        accounts.add(to);
                    } else {
                        do {
                            to = accounts.get(random.nextInt(accounts.size()));
                        } while (to.equals(from));
                    }
                    String chainId = chains.get(random.nextInt(chains.size()));
                    String asset = pick(DECIMALS.get(chainId).keySet());
                    BigDecimal amount = partOf(model.balance(from, chainId, asset).available, DECIMALS.get(chainId).get(asset),
                            random.nextInt(10) == 0);
                    legs.add(new ReferenceLedger.Leg(from, to, chainId, asset, amount));
                    amounts.add(amount.toPlainString());
                }
            }
            ReferenceLedger.Verdict verdict = model.transfer(id, legs);
            if (verdict.outcome() == ReferenceLedger.Outcome.APPLIED) {
                sequenceTransfers.add(id);
                transferLegs.put(id, List.copyOf(legs));
            }
            TransferRequest.Builder request = TransferRequest.newBuilder().setTransferId(id).setMemo("proof " + id);
            StringBuilder described = new StringBuilder("Transfer " + id);
            for (int i = 0; i < legs.size(); i++) {
                ReferenceLedger.Leg leg = legs.get(i);
                request.addLegs(TransferLeg.newBuilder().setFromAccountId(leg.from()).setToAccountId(leg.to())
                        .setChainId(leg.chain()).setAsset(leg.asset()).setAmount(amounts.get(i)));
                described.append(" [").append(leg.from()).append(" -> ").append(leg.to()).append(' ').append(amounts.get(i))
                        .append(' ').append(leg.asset()).append(" on ").append(leg.chain()).append(']');
            }
            trace.add(described + " -> " + verdict.outcome() + " " + verdict.reason());
            calls++;
            long t = tick();
            ReferenceLedger.Outcome outcome;
            String reason = "";
            try {
                TransferResponse answer = liquidation.transfer(request.build());
                assertThat(answer.getTransferId()).isEqualTo(id);
                outcome = answer.getReplayed() ? ReferenceLedger.Outcome.DUPLICATE : ReferenceLedger.Outcome.APPLIED;
            } catch (StatusRuntimeException e) {
                outcome = ReferenceLedger.Outcome.REJECTED;
                reason = reasonOf(e, described.toString());
            }
            tock("transfer", t);
            checkCall(described.toString(), verdict, outcome, reason);
            Set<String> touched = new HashSet<>();
            legs.forEach(leg -> {
                touched.add(leg.from());
                touched.add(leg.to());
            });
            checkAccounts(touched);
        }

        /**
         * A part (1/8 to 8/8) of {@code available} in the token's decimals, or (when {@code more}, or when nothing is
         * available) more than it.
         */
        private BigDecimal partOf(BigDecimal available, int decimals, boolean more) {
            if (more || available.signum() == 0) {
                return available.add(amount(decimals)).stripTrailingZeros();
            }
            BigDecimal part = available.multiply(BigDecimal.valueOf(1 + random.nextInt(8)))
                    .divide(BigDecimal.valueOf(8), decimals, RoundingMode.DOWN);
            return (part.signum() == 0 ? available : part).stripTrailingZeros();
        }

        private String pick(Set<String> values) {
            List<String> sorted = new ArrayList<>(new TreeSet<>(values));
            return sorted.get(random.nextInt(sorted.size()));
        }

        /** The ErrorInfo reason of a refused call, its status code checked against the reason's. */
        private static String reasonOf(StatusRuntimeException e, String described) {
            String reason = CollateralGrpcServiceTest.errorInfo(e).getReason();
            Status.Code expected = switch (reason) {
                case "IDEMPOTENCY_CONFLICT" -> Status.Code.ALREADY_EXISTS;
                case "ACCOUNT_FROZEN", "INSUFFICIENT_BALANCE", "CHAIN_HALTED" -> Status.Code.FAILED_PRECONDITION;
                default -> Status.Code.INVALID_ARGUMENT;
            };
            assertThat(e.getStatus().getCode()).as("status of " + described + " (" + reason + "): " + e.getStatus().getDescription())
                    .isEqualTo(expected);
            return reason;
        }

        private static void checkCall(String described, ReferenceLedger.Verdict verdict, ReferenceLedger.Outcome outcome, String reason) {
            assertThat(outcome + " " + reason).as("answer to " + described).isEqualTo(verdict.outcome() + " " + verdict.reason());
        }

        // ---- the generator ----

        private Event generate(String chainId, int roll, String prefix, List<String> accounts, List<Object[]> sent) {
            pendingRecord = null;
            ReferenceLedger.Chain chain = model.chain(chainId);
            if (!chain.hasBlocks()) {
                return header(chainId, 1000, newHash(chainId), "");
            }
            long tip = chain.tipHeight();
            int kind = random.nextInt(100);
            if (kind < 10) {
                Event result = resultOf(chainId, prefix);
                if (result != null) {
                    return result;
                }
            }
            if (kind >= 10 && kind < 24 && chain.checkpointRule) {
                return checkpointOf(chain);
            }
            if (kind == 24 && !chain.checkpointRule) {
                // A checkpoint on a chain final by confirmations: PROTOCOL_VIOLATION.
                return checkpoint(chainId, tip, chain.tipHash());
            }
            if (kind >= 25 && kind < 29 && chain.checkpointRule && chain.checkpointHeight > chain.floor) {
                // A fork at or just above the finalized checkpoint: FINALITY_VIOLATION unless it hangs under the checkpoint.
                long height = Math.max(chain.floor + 1, chain.checkpointHeight - random.nextInt(3) + 1);
                String parent = random.nextBoolean() ? chain.canonical.get(height - 1) : "0xnotfinal" + random.nextInt(1000);
                return header(chainId, height, newHash(chainId), parent);
            }
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

        /**
         * A withdrawal result on the chain: for a locked withdrawal of the sequence EXECUTED or FAILED; for a resolved one
         * the same again (DUPLICATE), the other outcome or another tx hash (WITHDRAWAL_RESOLVED); sometimes an id never
         * locked, or a withdrawal of another chain (UNKNOWN_WITHDRAWAL). Null when the sequence has none to answer.
         */
        private Event resultOf(String chainId, String prefix) {
            List<ReferenceLedger.Withdrawal> mine = sequenceWithdrawals.stream().map(model.withdrawals::get)
                    .filter(w -> w.chain.equals(chainId)).toList();
            int roll = random.nextInt(10);
            if (roll == 0) {
                List<ReferenceLedger.Withdrawal> elsewhere = sequenceWithdrawals.stream().map(model.withdrawals::get)
                        .filter(w -> !w.chain.equals(chainId)).toList();
                String id = elsewhere.isEmpty() ? prefix + "-wnone" : elsewhere.get(random.nextInt(elsewhere.size())).id;
                return withdrawalResult(chainId, id, random.nextBoolean(), "0x" + id + "-executed");
            }
            if (mine.isEmpty()) {
                return null;
            }
            ReferenceLedger.Withdrawal w = mine.get(random.nextInt(mine.size()));
            String tx = "0x" + w.id + "-executed";
            if (w.status == ReferenceLedger.WithdrawalStatus.LOCKED || roll < 5) {
                boolean executed = w.status == ReferenceLedger.WithdrawalStatus.LOCKED ? random.nextBoolean()
                        : w.status == ReferenceLedger.WithdrawalStatus.EXECUTED;
                return withdrawalResult(chainId, w.id, executed, tx);
            }
            if (roll < 8) {
                return withdrawalResult(chainId, w.id, w.status != ReferenceLedger.WithdrawalStatus.EXECUTED, tx);
            }
            return withdrawalResult(chainId, w.id, true, tx + "-other");
        }

        private Event withdrawalResult(String chainId, String id, boolean executed, String tx) {
            ReferenceLedger.Verdict verdict = model.withdrawalResult(chainId, id, executed, tx);
            pendingRecord = null;
            WithdrawalResult.Builder result = WithdrawalResult.newBuilder().setWithdrawalId(id)
                    .setOutcome(executed ? WithdrawalOutcome.WITHDRAWAL_OUTCOME_EXECUTED : WithdrawalOutcome.WITHDRAWAL_OUTCOME_FAILED);
            if (executed) {
                result.setTxHash(tx);
            } else {
                result.setFailureReason("proof: not sent");
            }
            return event(ConnectAdapterRequest.newBuilder().setWithdrawalResult(result), verdict, null);
        }

        /**
         * A checkpoint on the checkpoint chain: up to a canonical block above the current one (credits what it makes
         * final), the same or an older canonical point (DUPLICATE), a non-canonical or unknown block at or below it
         * (CONFLICTING_CHECKPOINT), or an unknown block above it (UNKNOWN_BLOCK).
         */
        private Event checkpointOf(ReferenceLedger.Chain chain) {
            long tip = chain.tipHeight();
            long cp = chain.checkpointHeight;
            long lowest = Math.max(cp + 1, chain.floor);
            int roll = random.nextInt(10);
            if (roll < 6 && tip >= lowest) {
                long height = Math.max(lowest, tip - random.nextInt(4));
                return checkpoint(chain.id, height, chain.canonical.get(height));
            }
            if (roll < 8 && cp >= chain.floor) {
                long height = Math.max(chain.floor, cp - random.nextInt(3));
                return checkpoint(chain.id, height, chain.canonical.get(height));
            }
            if (roll < 9 && cp >= chain.floor) {
                for (ReferenceLedger.Block b : chain.orphans()) {
                    if (b.height() <= cp) {
                        return checkpoint(chain.id, b.height(), b.hash());
                    }
                }
                return checkpoint(chain.id, Math.max(chain.floor, cp - random.nextInt(2)), "0xnocheckpoint" + random.nextInt(1000));
            }
            return checkpoint(chain.id, tip, random.nextBoolean() ? "0xnocheckpoint" + random.nextInt(1000) : chain.canonical.get(Math.max(chain.floor, tip - 1)));
        }

        private Event checkpoint(String chainId, long height, String hash) {
            ReferenceLedger.Verdict verdict = model.checkpoint(chainId, height, hash);
            pendingRecord = null;
            return event(ConnectAdapterRequest.newBuilder().setCheckpoint(Checkpoint.newBuilder().setHeight(height).setHash(hash)),
                    verdict, null);
        }

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
            long height = Math.max(chain.floor, tip - random.nextInt(Math.min(6, Math.max(chain.confirmations, 4) + 2)));
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

        /** Sends the events back to back on the feed's stream and awaits their acks, each with its event's cursor. */
        private List<Ack> send(Feed feed, List<Event> batch) {
            List<ConnectAdapterRequest> requests = new ArrayList<>(batch.size());
            for (Event event : batch) {
                ConnectAdapterRequest request = withCursor(feed, event);
                trace.add((batch.size() > 1 ? "[burst] " : "") + describe(request) + " -> " + event.verdict().outcome() + " "
                        + event.verdict().reason());
                requests.add(request);
            }
            events += batch.size();
            long t = tick();
            List<Ack> acks = feed.stream.sendAll(requests);
            tock(batch.size() > 1 ? "send/ack burst" : "send/ack", t);
            for (int i = 0; i < acks.size(); i++) {
                assertThat(acks.get(i).getCursor()).as("ack cursor").isEqualTo(requests.get(i).getCursor());
            }
            feed.durable = requests.get(requests.size() - 1).getCursor();
            return acks;
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
                List<Ack> acks = appliedRequests.isEmpty() ? List.of() : feed.stream.sendAll(appliedRequests);
                for (int i = 0; i < acks.size(); i++) {
                    assertThat(acks.get(i).getCursor()).isEqualTo(appliedRequests.get(i).getCursor());
                    checkAck(applied.get(i), acks.get(i));
                }
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
            // The adapter re-sends what came after the resume cursor, back to back.
            List<Ack> resent = lostRequests.isEmpty() ? List.of() : feed.stream.sendAll(lostRequests);
            for (int i = 0; i < resent.size(); i++) {
                assertThat(resent.get(i).getCursor()).isEqualTo(lostRequests.get(i).getCursor());
                checkAck(lost.get(i), resent.get(i));
                feed.durable = lostRequests.get(i).getCursor();
            }
            checkAccounts(touched);
        }

        /** Opens a new stream for the feed; the welcome must resume after {@code expectedCursor} when given. */
        private String tipOf(String chainId) {
            ReferenceLedger.Chain chain = model.chain(chainId);
            return chain.tipHash() + "@" + (chain.hasBlocks() ? chain.tipHeight() : 0);
        }

        private void reconnect(Feed feed, String expectedCursor, String expectedTip) {
            feed.drainInstructions();
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
                case CHECKPOINT:
                    return r.getCursor() + " checkpoint " + r.getCheckpoint().getHeight() + " " + r.getCheckpoint().getHash();
                case WITHDRAWAL_RESULT:
                    WithdrawalResult w = r.getWithdrawalResult();
                    return r.getCursor() + " withdrawal result " + w.getWithdrawalId() + " " + w.getOutcome() + " " + w.getTxHash();
                default:
                    return r.getCursor() + " " + r.getEventCase();
            }
        }

        // ---- the checks against the database and GetCollateral ----

        /**
         * Each touched account, in one query: its balances in the database == the model (pending, available, locked),
         * none negative, each == the sum of its ledger entries.
         */
        private void checkAccounts(Set<String> accounts) throws SQLException {
            if (accounts.isEmpty()) {
                return;
            }
            long t0 = tick();
            Map<String, Map<String, String>> stored = new TreeMap<>();
            // Each balance row sums its own entries (a probe of the account index): the test database is never
            // analyzed (autovacuum is off on the build machine), and a join of the two tables was planned as a hash
            // of the whole ledger, which grows with every sequence (7-9 ms a call on average over a default run).
            try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement("""
                    SELECT b.account_id, b.chain_id, b.asset, b.pending, b.available, b.locked, e.pending, e.available, e.locked
                    FROM balance b CROSS JOIN LATERAL (
                        SELECT coalesce(sum(l.delta_pending), 0) AS pending, coalesce(sum(l.delta_available), 0) AS available,
                               coalesce(sum(l.delta_locked), 0) AS locked
                        FROM ledger_entry l WHERE l.account_id = b.account_id AND l.chain_id = b.chain_id AND l.asset = b.asset) e
                    WHERE b.account_id = ANY(?)""")) {
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
                        assertThat(locked.signum()).as("locked of " + key + " not negative").isGreaterThanOrEqualTo(0);
                        assertThat(pending).as("pending of " + key + " == its ledger entries").isEqualByComparingTo(rs.getBigDecimal(7));
                        assertThat(available).as("available of " + key + " == its ledger entries").isEqualByComparingTo(rs.getBigDecimal(8));
                        assertThat(locked).as("locked of " + key + " == its ledger entries").isEqualByComparingTo(rs.getBigDecimal(9));
                        if (pending.signum() != 0 || available.signum() != 0 || locked.signum() != 0) {
                            stored.computeIfAbsent(rs.getString(1), k -> new TreeMap<>()).put(rs.getString(2) + "/" + rs.getString(3),
                                    ReferenceLedger.triple(pending, available, locked));
                        }
                    }
                }
            }
            tock("accountsSql", t0);
            for (String account : accounts) {
                assertThat(stored.getOrDefault(account, Map.of())).as("balances (pending/available/locked) of " + account + " in the database")
                        .isEqualTo(model.fullBalancesOf(account));
            }
        }

        /** GetCollateral of each account == the model: balances (pending/available/locked) and the withdrawal freeze. */
        private void checkViews(List<String> accounts) {
            for (String account : accounts) {
                long t = tick();
                dev.crosschain.proto.collateral.v1.CollateralView view;
                try {
                    view = collateral.getCollateral(GetCollateralRequest.newBuilder().setAccountId(account).build()).getView();
                } catch (StatusRuntimeException e) {
                    // An account that never held anything is unknown.
                    assertThat(e.getStatus().getCode()).as("GetCollateral of " + account + ": " + e.getStatus()).isEqualTo(Status.Code.NOT_FOUND);
                    assertThat(model.fullBalancesOf(account)).as("model balances of unknown account " + account).isEmpty();
                    continue;
                } finally {
                    tock("getCollateral", t);
                }
                Map<String, String> viewed = new TreeMap<>();
                for (ChainCollateral chain : view.getChainsList()) {
                    for (AssetCollateral asset : chain.getAssetsList()) {
                        BigDecimal pending = new BigDecimal(asset.getPending());
                        BigDecimal available = new BigDecimal(asset.getAvailable());
                        BigDecimal locked = new BigDecimal(asset.getLocked());
                        if (pending.signum() != 0 || available.signum() != 0 || locked.signum() != 0) {
                            viewed.put(chain.getChainId() + "/" + asset.getAsset(), ReferenceLedger.triple(pending, available, locked));
                        }
                    }
                }
                assertThat(viewed).as("GetCollateral of " + account).isEqualTo(model.fullBalancesOf(account));
                assertThat(view.getWithdrawalsFrozen()).as("GetCollateral of " + account + ": withdrawals frozen")
                        .isEqualTo(model.frozen.contains(account));
            }
        }

        /** Every withdrawal of the sequence has the model's status, amount and tx hash in the database. */
        private void checkWithdrawals(String prefix) throws SQLException {
            Map<String, String> expected = new TreeMap<>();
            for (String id : sequenceWithdrawals) {
                ReferenceLedger.Withdrawal w = model.withdrawals.get(id);
                expected.put(id, w.status + " " + ReferenceLedger.plain(w.amount) + " " + w.account + " " + w.chain + "/" + w.asset + " " + w.txHash);
            }
            Map<String, String> stored = new TreeMap<>();
            try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(
                    "SELECT id, status, amount, account_id, chain_id, asset, coalesce(tx_hash, '') FROM withdrawal WHERE id LIKE ?")) {
                s.setString(1, prefix + "-w%");
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        stored.put(rs.getString(1), rs.getString(2) + " " + ReferenceLedger.plain(rs.getBigDecimal(3)) + " "
                                + rs.getString(4) + " " + rs.getString(5) + "/" + rs.getString(6) + " " + rs.getString(7));
                    }
                }
            }
            assertThat(stored).as("withdrawals of " + prefix).isEqualTo(expected);
        }

        /**
         * Every withdrawal instruction received for a lock of this run names a withdrawal the model locked, on the chain
         * of the stream it came on, with the model's account, asset and amount. (Instructions of other tests' locks on the
         * shared chains are left alone.)
         */
        private void checkInstructions() {
            for (Feed feed : feeds.values()) {
                feed.drainInstructions();
                for (WithdrawalInstruction i : feed.instructions) {
                    if (!i.getWithdrawalId().startsWith(run + "-")) {
                        continue;
                    }
                    ReferenceLedger.Withdrawal w = model.withdrawals.get(i.getWithdrawalId());
                    assertThat(w).as("withdrawal of instruction " + i).isNotNull();
                    assertThat(feed.chain + " " + i.getAccountId() + " " + i.getAsset() + " " + ReferenceLedger.plain(new BigDecimal(i.getAmount()))
                            + " " + i.getDestinationAddress()).as("instruction " + i.getWithdrawalId())
                            .isEqualTo(w.chain + " " + w.account + " " + w.asset + " " + ReferenceLedger.plain(w.amount) + " " + w.destination);
                }
                feed.instructions.clear();
            }
        }

        /** The chain's stored finalized checkpoint: {height, hash}, {"-1", ""} when none. */
        private String[] storedCheckpoint(String chainId) throws SQLException {
            try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(
                    "SELECT checkpoint_height, checkpoint_hash FROM chain_state WHERE chain_id = ? AND checkpoint_hash IS NOT NULL")) {
                s.setString(1, chainId);
                try (ResultSet rs = s.executeQuery()) {
                    return rs.next() ? new String[] {Long.toString(rs.getLong(1)), rs.getString(2)} : new String[] {"-1", ""};
                }
            }
        }

        /**
         * Per (chain, asset): pending, available and locked summed over every account of this run == the model's sums
         * (deposits credited or pending - withdrawals executed; transfers move, locks set aside).
         */
        private void checkTotals() throws SQLException {
            Map<String, String> stored = new TreeMap<>();
            try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement("""
                    SELECT chain_id, asset, sum(pending), sum(available), sum(locked) FROM balance
                    WHERE account_id LIKE ? GROUP BY chain_id, asset""")) {
                s.setString(1, run + "-%");
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        if (rs.getBigDecimal(3).signum() != 0 || rs.getBigDecimal(4).signum() != 0 || rs.getBigDecimal(5).signum() != 0) {
                            stored.put(rs.getString(1) + "/" + rs.getString(2),
                                    ReferenceLedger.triple(rs.getBigDecimal(3), rs.getBigDecimal(4), rs.getBigDecimal(5)));
                        }
                    }
                }
            }
            if (!stored.equals(model.fullTotals())) {
                assertThat(accountsDiffering()).as("accounts whose balances differ from the model").isEmpty();
            }
            assertThat(stored).as("per (chain, asset) totals over the run's accounts").isEqualTo(model.fullTotals());
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
                    "SELECT account_id, chain_id, asset, pending, available, locked FROM balance WHERE account_id LIKE ?")) {
                s.setString(1, run + "-%");
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        if (rs.getBigDecimal(4).signum() != 0 || rs.getBigDecimal(5).signum() != 0 || rs.getBigDecimal(6).signum() != 0) {
                            stored.computeIfAbsent(rs.getString(1), k -> new TreeMap<>()).put(rs.getString(2) + "/" + rs.getString(3),
                                    ReferenceLedger.triple(rs.getBigDecimal(4), rs.getBigDecimal(5), rs.getBigDecimal(6)));
                        }
                    }
                }
            }
            Map<String, String> differing = new TreeMap<>();
            Set<String> all = new TreeSet<>(stored.keySet());
            all.addAll(model.balances.keySet());
            for (String account : all) {
                Map<String, String> expected = model.fullBalancesOf(account);
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
}
