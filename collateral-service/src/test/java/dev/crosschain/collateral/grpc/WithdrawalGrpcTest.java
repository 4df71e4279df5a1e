package dev.crosschain.collateral.grpc;

import com.google.rpc.PreconditionFailure;
import dev.crosschain.collateral.app.Withdrawals;
import dev.crosschain.collateral.store.Alerts;
import dev.crosschain.collateral.store.WithdrawalStore;
import dev.crosschain.postgres.PostgresTestResource;
import dev.crosschain.proto.collateral.v1.Ack;
import dev.crosschain.proto.collateral.v1.AckOutcome;
import dev.crosschain.proto.collateral.v1.CollateralAdminServiceGrpc;
import dev.crosschain.proto.collateral.v1.CollateralInternalServiceGrpc;
import dev.crosschain.proto.collateral.v1.CollateralServiceGrpc;
import dev.crosschain.proto.collateral.v1.GetWithdrawalRequest;
import dev.crosschain.proto.collateral.v1.ListFreezesRequest;
import dev.crosschain.proto.collateral.v1.LockWithdrawalRequest;
import dev.crosschain.proto.collateral.v1.LockWithdrawalResponse;
import dev.crosschain.proto.collateral.v1.SetChainHaltRequest;
import dev.crosschain.proto.collateral.v1.TransferRequest;
import dev.crosschain.proto.collateral.v1.UnfreezeAccountRequest;
import dev.crosschain.proto.collateral.v1.Withdrawal;
import dev.crosschain.proto.collateral.v1.WithdrawalInstruction;
import dev.crosschain.proto.collateral.v1.WithdrawalOutcome;
import dev.crosschain.proto.collateral.v1.WithdrawalStatus;
import io.agroal.api.AgroalDataSource;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static dev.crosschain.collateral.grpc.CollateralGrpcServiceTest.assertRejected;
import static dev.crosschain.collateral.grpc.CollateralGrpcServiceTest.assertStatus;
import static dev.crosschain.collateral.grpc.CollateralGrpcServiceTest.bearer;
import static dev.crosschain.collateral.grpc.CollateralGrpcServiceTest.catchStatus;
import static dev.crosschain.collateral.grpc.CollateralGrpcServiceTest.detail;
import static dev.crosschain.collateral.grpc.CollateralGrpcServiceTest.errorInfo;
import static dev.crosschain.collateral.grpc.CollateralGrpcServiceTest.leg;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Withdrawals end to end: LockWithdrawal, the instruction on the adapter stream, the adapter's result. */
@QuarkusTest
@QuarkusTestResource(PostgresTestResource.class)
class WithdrawalGrpcTest {

    static ManagedChannel channel;
    static CollateralServiceGrpc.CollateralServiceStub async;
    static CollateralServiceGrpc.CollateralServiceBlockingStub collateral;
    /** margin-service's stub: the LOCK_WITHDRAWAL right. */
    static CollateralInternalServiceGrpc.CollateralInternalServiceBlockingStub margin;

    @Inject
    AgroalDataSource dataSource;

    @Inject
    Withdrawals withdrawals;

    @Inject
    WithdrawalStore store;

    @BeforeAll
    static void connect() {
        channel = ManagedChannelBuilder.forAddress("localhost", 19101).usePlaintext().build();
        async = CollateralServiceGrpc.newStub(channel);
        collateral = CollateralServiceGrpc.newBlockingStub(channel);
        margin = CollateralInternalServiceGrpc.newBlockingStub(channel).withInterceptors(bearer("test-margin-token"));
    }

    @AfterAll
    static void disconnect() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    @AfterEach
    void ledgerMatchesBalances() throws SQLException {
        assertLedgerReplaysToBalances();
    }

    @Test
    void aLockIsSentToTheOpenStreamAndItsExecutionDebitsTheLockedAmount() {
        String account = account("wanda");
        fund(account, "ethereum", "USDC", "100");
        try (AdapterConnection adapter = new AdapterConnection(async, "ethereum")) {
            adapter.hello();
            String id = wid();
            LockWithdrawalResponse locked = margin.lockWithdrawal(lock(id, account, "ethereum", "USDC", "40.50", "0xdest"));
            assertThat(locked.getReplayed()).isFalse();
            assertThat(locked.getWithdrawal().getStatus()).isEqualTo(WithdrawalStatus.WITHDRAWAL_STATUS_LOCKED);
            assertThat(locked.getWithdrawal().getAmount()).isEqualTo("40.5");
            assertThat(balance(account, "ethereum", "USDC")).isEqualTo("0/59.5/40.5");

            WithdrawalInstruction instruction = adapter.instruction(id);
            assertThat(instruction.getAccountId()).isEqualTo(account);
            assertThat(instruction.getAsset()).isEqualTo("USDC");
            assertThat(instruction.getAmount()).isEqualTo("40.5");
            assertThat(instruction.getDestinationAddress()).isEqualTo("0xdest");
            assertThat(instruction.getLockedAtUnixMs()).isEqualTo(locked.getWithdrawal().getLockedAtUnixMs());

            assertThat(adapter.result(id, WithdrawalOutcome.WITHDRAWAL_OUTCOME_EXECUTED, "0xtx1", "").getOutcome())
                    .isEqualTo(AckOutcome.ACK_OUTCOME_APPLIED);
            assertThat(balance(account, "ethereum", "USDC")).isEqualTo("0/59.5/0");
            Withdrawal done = margin.getWithdrawal(GetWithdrawalRequest.newBuilder().setWithdrawalId(id).build()).getWithdrawal();
            assertThat(done.getStatus()).isEqualTo(WithdrawalStatus.WITHDRAWAL_STATUS_EXECUTED);
            assertThat(done.getTxHash()).isEqualTo("0xtx1");
            assertThat(done.getResolvedAtUnixMs()).isGreaterThanOrEqualTo(done.getLockedAtUnixMs());

            // The same result again changes nothing; the other outcome (or another tx) is refused and alerts.
            assertThat(adapter.result(id, WithdrawalOutcome.WITHDRAWAL_OUTCOME_EXECUTED, "0xtx1", "").getOutcome())
                    .isEqualTo(AckOutcome.ACK_OUTCOME_DUPLICATE);
            assertRejected(adapter.result(id, WithdrawalOutcome.WITHDRAWAL_OUTCOME_FAILED, "", "reverted"),
                    "WITHDRAWAL_RESOLVED", "withdrawal_result.outcome");
            assertRejected(adapter.result(id, WithdrawalOutcome.WITHDRAWAL_OUTCOME_EXECUTED, "0xother", ""),
                    "WITHDRAWAL_RESOLVED", "withdrawal_result.outcome");
            assertThat(count("SELECT count(*) FROM alert WHERE kind = 'WITHDRAWAL_RESOLVED' AND severity = 'CRITICAL' "
                    + "AND account_id = '" + account + "'")).isEqualTo(2);
            assertThat(balance(account, "ethereum", "USDC")).isEqualTo("0/59.5/0");
        }
    }

    @Test
    void aLockedWithdrawalIsSentAfterEveryWelcomeUntilItFailsAndIsUnlocked() {
        String account = account("xavier");
        fund(account, "arbitrum", "ETH", "2");
        String id = wid();
        margin.lockWithdrawal(lock(id, account, "arbitrum", "ETH", "1.25", "0xfeed"));
        try (AdapterConnection first = new AdapterConnection(async, "arbitrum")) {
            first.hello();
            assertThat(first.instruction(id).getAmount()).isEqualTo("1.25");
        }
        try (AdapterConnection second = new AdapterConnection(async, "arbitrum")) {
            second.hello();
            assertThat(second.instruction(id).getDestinationAddress()).isEqualTo("0xfeed");
            Ack failed = second.result(id, WithdrawalOutcome.WITHDRAWAL_OUTCOME_FAILED, "", "nonce too low");
            assertThat(failed.getOutcome()).isEqualTo(AckOutcome.ACK_OUTCOME_APPLIED);
            assertThat(second.result(id, WithdrawalOutcome.WITHDRAWAL_OUTCOME_FAILED, "", "again").getOutcome())
                    .isEqualTo(AckOutcome.ACK_OUTCOME_DUPLICATE);
        }
        assertThat(balance(account, "arbitrum", "ETH")).isEqualTo("0/2/0");
        Withdrawal w = margin.getWithdrawal(GetWithdrawalRequest.newBuilder().setWithdrawalId(id).build()).getWithdrawal();
        assertThat(w.getStatus()).isEqualTo(WithdrawalStatus.WITHDRAWAL_STATUS_FAILED);
        assertThat(w.getFailureReason()).isEqualTo("nonce too low");

        // Resolved: no longer sent. A marker locked after the welcome arrives after the initial instructions.
        try (AdapterConnection third = new AdapterConnection(async, "arbitrum")) {
            third.hello();
            String marker = wid();
            margin.lockWithdrawal(lock(marker, account, "arbitrum", "ETH", "0.5", "0xfeed"));
            third.instruction(marker);
            assertThat(third.received).extracting(WithdrawalInstruction::getWithdrawalId).doesNotContain(id);
            assertThat(third.result(marker, WithdrawalOutcome.WITHDRAWAL_OUTCOME_FAILED, "", "").getOutcome())
                    .isEqualTo(AckOutcome.ACK_OUTCOME_APPLIED);
        }
    }

    @Test
    void instructionsReachOnlyTheStreamHoldingTheChain() throws SQLException {
        String account = account("owen");
        fund(account, "arbitrum", "USDC", "3");
        AdapterConnection old = new AdapterConnection(async, "arbitrum");
        old.hello();
        // The old stream's lease expires (moved into the past: the database clock judges it) and is taken over.
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(
                "UPDATE chain_state SET lease_until = now() - interval '1 second' WHERE chain_id = 'arbitrum'")) {
            s.executeUpdate();
        }
        try (AdapterConnection owner = new AdapterConnection(async, "arbitrum")) {
            owner.hello();
            String id = wid();
            margin.lockWithdrawal(lock(id, account, "arbitrum", "USDC", "3", "0xowner"));
            assertThat(owner.instruction(id).getDestinationAddress()).isEqualTo("0xowner");
            // The old stream is still open (it sent nothing since): its next event fails, and it never got the lock.
            StatusRuntimeException fenced = old.failsWith(dev.crosschain.proto.collateral.v1.ConnectAdapterRequest.newBuilder()
                    .setCursor(old.nextCursor()).setHeartbeat(dev.crosschain.proto.collateral.v1.Heartbeat.newBuilder()
                            .setHeadHeight(AdapterConnection.tipHeight("arbitrum"))).build());
            assertThat(errorInfo(fenced).getReason()).isEqualTo("CHAIN_OWNED");
            assertThat(old.received).extracting(WithdrawalInstruction::getWithdrawalId).doesNotContain(id);
            assertThat(owner.result(id, WithdrawalOutcome.WITHDRAWAL_OUTCOME_EXECUTED, "0xpaid", "").getOutcome())
                    .isEqualTo(AckOutcome.ACK_OUTCOME_APPLIED);
        }
        assertThat(balance(account, "arbitrum", "USDC")).isEqualTo("0/0/0");
    }

    @Test
    void aLockOfAnotherReplicaReachesTheStreamByPolling() throws SQLException {
        String account = account("yuri");
        fund(account, "ethereum", "ETH", "1");
        try (AdapterConnection adapter = new AdapterConnection(async, "ethereum")) {
            adapter.hello();
            String local = wid();
            margin.lockWithdrawal(lock(local, account, "ethereum", "ETH", "0.25", "0xlocal"));
            adapter.instruction(local);
            // Written straight to the database, as another replica would: no in-process notice.
            String id = wid();
            try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement("""
                    INSERT INTO withdrawal (id, account_id, chain_id, asset, amount, destination, status, request_hash, locked_at,
                                            not_after_ms)
                    VALUES (?, ?, 'ethereum', 'ETH', 0.25, '0xpoll', 'LOCKED', 'x', now(), 0);
                    INSERT INTO ledger_entry (entry_key, account_id, chain_id, asset, kind, delta_available, delta_locked, reference)
                    VALUES ('withdrawal:' || ? || ':lock', ?, 'ethereum', 'ETH', 'WITHDRAWAL_LOCKED', -0.25, 0.25, ?);
                    UPDATE balance SET available = available - 0.25, locked = locked + 0.25
                    WHERE account_id = ? AND chain_id = 'ethereum' AND asset = 'ETH'""")) {
                s.setString(1, id);
                s.setString(2, account);
                s.setString(3, id);
                s.setString(4, account);
                s.setString(5, id);
                s.setString(6, account);
                s.execute();
            }
            assertThat(adapter.instruction(id).getDestinationAddress()).isEqualTo("0xpoll");
            // The local lock was still LOCKED during the poll that found the other replica's: sent once all the same.
            assertThat(adapter.received).extracting(WithdrawalInstruction::getWithdrawalId).containsOnlyOnce(local, id);
            assertThat(adapter.result(id, WithdrawalOutcome.WITHDRAWAL_OUTCOME_EXECUTED, "0xp", "").getOutcome())
                    .isEqualTo(AckOutcome.ACK_OUTCOME_APPLIED);
            assertThat(adapter.result(local, WithdrawalOutcome.WITHDRAWAL_OUTCOME_EXECUTED, "0xq", "").getOutcome())
                    .isEqualTo(AckOutcome.ACK_OUTCOME_APPLIED);
        }
        assertThat(balance(account, "ethereum", "ETH")).isEqualTo("0/0.5/0");
    }

    @Test
    void aReplayAnswersTheWithdrawalAsItIsAndAnotherPayloadConflicts() {
        String account = account("zoe");
        fund(account, "ethereum", "USDC", "10");
        String id = wid();
        LockWithdrawalResponse first = margin.lockWithdrawal(lock(id, account, "ethereum", "USDC", "4", "0xa"));
        LockWithdrawalResponse replay = margin.lockWithdrawal(lock(id, account, "ethereum", "USDC", "4.000", "0xa"));
        assertThat(replay.getReplayed()).isTrue();
        assertThat(replay.getWithdrawal()).isEqualTo(first.getWithdrawal());

        StatusRuntimeException conflict = catchStatus(() -> margin.lockWithdrawal(lock(id, account, "ethereum", "USDC", "4", "0xb")));
        assertThat(conflict.getStatus().getCode()).isEqualTo(Status.Code.ALREADY_EXISTS);
        assertThat(errorInfo(conflict).getReason()).isEqualTo("IDEMPOTENCY_CONFLICT");
        StatusRuntimeException other = catchStatus(() -> margin.lockWithdrawal(lock(id, account, "ethereum", "USDC", "5", "0xa")));
        assertThat(errorInfo(other).getReason()).isEqualTo("IDEMPOTENCY_CONFLICT");
        assertThat(balance(account, "ethereum", "USDC")).isEqualTo("0/6/4");

        // A replay after the account was frozen still answers the first lock. Its instruction is held while the
        // account is frozen, but an adapter that had it before and executed it is believed (with a CRITICAL alert).
        freeze(account);
        assertThat(margin.lockWithdrawal(lock(id, account, "ethereum", "USDC", "4", "0xa")).getReplayed()).isTrue();
        try (AdapterConnection adapter = new AdapterConnection(async, "ethereum")) {
            adapter.hello();
            assertThat(adapter.result(id, WithdrawalOutcome.WITHDRAWAL_OUTCOME_EXECUTED, "0xz", "").getOutcome())
                    .isEqualTo(AckOutcome.ACK_OUTCOME_APPLIED);
        }
        assertThat(balance(account, "ethereum", "USDC")).isEqualTo("0/6/0");
        assertThat(count("SELECT count(*) FROM alert WHERE kind = 'WITHDRAWAL_EXECUTED_WHILE_FROZEN' AND severity = 'CRITICAL' "
                + "AND account_id = '" + account + "' AND message LIKE '%" + id + "%'")).isEqualTo(1);
    }

    @Test
    void badLocksAreRefusedWithTheFieldAndChangeNothing() {
        String account = account("bad");
        fund(account, "ethereum", "USDC", "10");
        assertLockRefused(lock("", account, "ethereum", "USDC", "1", "0xa"), "MISSING_FIELD", "withdrawal_id");
        assertLockRefused(lock("w 1", account, "ethereum", "USDC", "1", "0xa"), "INVALID_ID", "withdrawal_id");
        assertLockRefused(lock("w".repeat(129), account, "ethereum", "USDC", "1", "0xa"), "INVALID_ID", "withdrawal_id");
        assertLockRefused(lock(wid(), "", "ethereum", "USDC", "1", "0xa"), "MISSING_FIELD", "account_id");
        assertLockRefused(lock(wid(), account, "", "USDC", "1", "0xa"), "MISSING_FIELD", "chain_id");
        assertLockRefused(lock(wid(), account, "dogechain", "USDC", "1", "0xa"), "UNKNOWN_CHAIN", "chain_id");
        assertLockRefused(lock(wid(), account, "ethereum", "", "1", "0xa"), "MISSING_FIELD", "asset");
        assertLockRefused(lock(wid(), account, "ethereum", "SOL", "1", "0xa"), "UNKNOWN_ASSET", "asset");
        assertLockRefused(lock(wid(), account, "ethereum", "USDC", "0.0000001", "0xa"), "INVALID_AMOUNT", "amount");
        assertLockRefused(lock(wid(), account, "ethereum", "USDC", "0", "0xa"), "INVALID_AMOUNT", "amount");
        assertLockRefused(lock(wid(), account, "ethereum", "USDC", "-1", "0xa"), "INVALID_AMOUNT", "amount");
        assertLockRefused(lock(wid(), account, "ethereum", "USDC", "1e2", "0xa"), "INVALID_AMOUNT", "amount");
        assertLockRefused(lock(wid(), account, "ethereum", "USDC", "", "0xa"), "INVALID_AMOUNT", "amount");
        assertLockRefused(lock(wid(), account, "ethereum", "USDC", "1", ""), "MISSING_FIELD", "destination_address");
        assertLockRefused(lock(wid(), account, "ethereum", "USDC", "1", "0xa\n"), "INVALID_DESTINATION", "destination_address");
        assertLockRefused(lock(wid(), account, "ethereum", "USDC", "1", "0xé"), "INVALID_DESTINATION", "destination_address");
        assertLockRefused(lock(wid(), account, "ethereum", "USDC", "1", "a".repeat(129)), "INVALID_DESTINATION", "destination_address");
        // A megabyte name is refused without coming back in the trailers (they would be too large to arrive).
        StatusRuntimeException huge = catchStatus(() -> margin.lockWithdrawal(lock(wid(), account, "c".repeat(1 << 20), "USDC", "1", "0xa")));
        assertStatus(huge, Status.Code.INVALID_ARGUMENT, "UNKNOWN_CHAIN", "chain_id");
        assertThat(huge.getStatus().getDescription()).hasSizeLessThan(1000);
        assertLockRefused(lock(wid(), "a".repeat(129), "ethereum", "USDC", "1", "0xa"), "INVALID_ACCOUNT", "account_id");
        // Several at once: every field is named.
        StatusRuntimeException all = catchStatus(() -> margin.lockWithdrawal(lock("", "", "ethereum", "USDC", "x", "")));
        assertStatus(all, Status.Code.INVALID_ARGUMENT, "MISSING_FIELD", "amount");
        assertThat(detail(all, com.google.rpc.BadRequest.class).getFieldViolationsList())
                .extracting(com.google.rpc.BadRequest.FieldViolation::getField)
                .containsExactlyInAnyOrder("withdrawal_id", "account_id", "destination_address", "amount");
        assertThat(balance(account, "ethereum", "USDC")).isEqualTo("0/10/0");
        assertThat(count("SELECT count(*) FROM withdrawal WHERE account_id = '" + account + "'")).isZero();

        StatusRuntimeException noId = catchStatus(() -> margin.getWithdrawal(GetWithdrawalRequest.getDefaultInstance()));
        assertStatus(noId, Status.Code.INVALID_ARGUMENT, "MISSING_FIELD", "withdrawal_id");
        assertStatus(catchStatus(() -> margin.getWithdrawal(GetWithdrawalRequest.newBuilder().setWithdrawalId("w".repeat(1 << 20)).build())),
                Status.Code.INVALID_ARGUMENT, "INVALID_ID", "withdrawal_id");
        StatusRuntimeException unknown = catchStatus(() -> margin.getWithdrawal(GetWithdrawalRequest.newBuilder().setWithdrawalId(wid()).build()));
        assertThat(unknown.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
        assertThat(errorInfo(unknown).getReason()).isEqualTo("UNKNOWN_WITHDRAWAL");
    }

    @Test
    void aFrozenAccountOrAnInsufficientBalanceIsRefused() {
        String account = account("frida");
        fund(account, "ethereum", "USDC", "10");
        StatusRuntimeException tooMuch = catchStatus(() -> margin.lockWithdrawal(lock(wid(), account, "ethereum", "USDC", "10.000001", "0xa")));
        assertPrecondition(tooMuch, "INSUFFICIENT_BALANCE");
        StatusRuntimeException nothing = catchStatus(() -> margin.lockWithdrawal(lock(wid(), account("nobody"), "ethereum", "USDC", "1", "0xa")));
        assertPrecondition(nothing, "INSUFFICIENT_BALANCE");
        // Exactly the available amount is allowed.
        String all = wid();
        margin.lockWithdrawal(lock(all, account, "ethereum", "USDC", "10", "0xa"));
        assertThat(balance(account, "ethereum", "USDC")).isEqualTo("0/0/10");

        String frozen = account("frozen");
        fund(frozen, "ethereum", "USDC", "10");
        freeze(frozen);
        StatusRuntimeException refused = catchStatus(() -> margin.lockWithdrawal(lock(wid(), frozen, "ethereum", "USDC", "1", "0xa")));
        assertPrecondition(refused, "ACCOUNT_FROZEN");
        assertThat(balance(frozen, "ethereum", "USDC")).isEqualTo("0/10/0");
        // Resolve the first so later streams on the chain are not sent it for ever.
        try (AdapterConnection adapter = new AdapterConnection(async, "ethereum")) {
            adapter.hello();
            adapter.instruction(all);
            assertThat(adapter.result(all, WithdrawalOutcome.WITHDRAWAL_OUTCOME_FAILED, "", "test").getOutcome())
                    .isEqualTo(AckOutcome.ACK_OUTCOME_APPLIED);
        }
    }

    @Test
    void concurrentLocksOfOneBalanceNeverOverdrawIt() throws Exception {
        String account = account("rush");
        fund(account, "solana", "USDC", "10");
        int attempts = 8;
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(attempts);
        java.util.List<String> locked = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.List<String> refusals = new java.util.concurrent.CopyOnWriteArrayList<>();
        try {
            java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
            java.util.List<java.util.concurrent.Future<?>> calls = new java.util.ArrayList<>();
            for (int i = 0; i < attempts; i++) {
                calls.add(pool.submit(() -> {
                    start.await();
                    String id = wid();
                    try {
                        margin.lockWithdrawal(lock(id, account, "solana", "USDC", "2", "sol-dest"));
                        locked.add(id);
                    } catch (StatusRuntimeException e) {
                        refusals.add(e.getStatus().getCode() + " " + errorInfo(e).getReason());
                    }
                    return null;
                }));
            }
            start.countDown();
            for (java.util.concurrent.Future<?> call : calls) {
                call.get(AdapterConnection.PATIENCE_MS, TimeUnit.MILLISECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(locked).hasSize(5);
        assertThat(refusals).hasSize(3).allMatch("FAILED_PRECONDITION INSUFFICIENT_BALANCE"::equals);
        assertThat(balance(account, "solana", "USDC")).isEqualTo("0/0/10");
        try (AdapterConnection adapter = new AdapterConnection(async, "solana")) {
            adapter.hello();
            for (String id : locked) {
                adapter.instruction(id);
            }
            for (String id : locked) {
                assertThat(adapter.result(id, WithdrawalOutcome.WITHDRAWAL_OUTCOME_FAILED, "", "").getOutcome())
                        .isEqualTo(AckOutcome.ACK_OUTCOME_APPLIED);
            }
        }
        assertThat(balance(account, "solana", "USDC")).isEqualTo("0/10/0");
    }

    /**
     * Two calls with one withdrawal id queue on the balance row (held here, as a freeze or another lock would): the
     * first to get it locks, the other must answer its replay. Judged on the balance the first left (6 of 10 gone),
     * it used to be refused INSUFFICIENT_BALANCE, which margin-service takes for "nothing locked" (review of issue 5).
     */
    @Test
    void aRetryQueuedBehindItsOwnFirstLockAnswersTheReplay() throws Exception {
        String account = account("twin");
        fund(account, "solana", "USDC", "10");
        String id = wid();
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        java.util.List<java.util.concurrent.Future<LockWithdrawalResponse>> calls = new java.util.ArrayList<>();
        java.util.List<ManagedChannel> channels = new java.util.ArrayList<>();
        try (Connection holder = dataSource.getConnection()) {
            holdBalanceRow(holder, account, "solana", "USDC");
            for (int i = 0; i < 2; i++) {
                ManagedChannel own = ManagedChannelBuilder.forAddress("localhost", 19101).usePlaintext().build();
                channels.add(own);
                var stub = CollateralInternalServiceGrpc.newBlockingStub(own).withInterceptors(bearer("test-margin-token"));
                calls.add(pool.submit(() -> stub.lockWithdrawal(lock(id, account, "solana", "USDC", "6", "sol-dest"))));
            }
            LockWaiters.await(dataSource, 2, "%SELECT available FROM balance WHERE account_id%FOR UPDATE%");
            holder.commit();
            java.util.List<LockWithdrawalResponse> answers = new java.util.ArrayList<>();
            for (java.util.concurrent.Future<LockWithdrawalResponse> call : calls) {
                answers.add(call.get(AdapterConnection.PATIENCE_MS, TimeUnit.MILLISECONDS));
            }
            assertThat(answers).extracting(LockWithdrawalResponse::getReplayed).containsExactlyInAnyOrder(false, true);
            assertThat(answers).extracting(a -> a.getWithdrawal().getWithdrawalId()).containsOnly(id);
        } finally {
            pool.shutdownNow();
            channels.forEach(ManagedChannel::shutdownNow);
        }
        assertThat(balance(account, "solana", "USDC")).isEqualTo("0/4/6");
    }

    /**
     * not_after_unix_ms: a lock judged after it (collateral's clock) is refused LOCK_EXPIRED and changes nothing, 0 is
     * no limit, a negative one is bad input, and it is no part of the payload: a replay is answered whatever it says.
     */
    @Test
    void aLockAfterItsNotAfterIsRefusedButAReplayIsAnswered() {
        String account = account("fence");
        fund(account, "ethereum", "USDC", "10");
        long ledger = count("SELECT count(*) FROM ledger_entry WHERE account_id = '" + account + "'");
        String late = wid();
        long past = System.currentTimeMillis() - 1;
        StatusRuntimeException expired = catchStatus(() -> margin.lockWithdrawal(lock(late, account, "ethereum", "USDC", "1", "0xa", past)));
        assertPrecondition(expired, "LOCK_EXPIRED");
        assertThat(detail(expired, PreconditionFailure.class).getViolations(0).getSubject()).isEqualTo("not_after_unix_ms");
        assertThat(expired.getStatus().getDescription()).contains(past + " ms").contains("at collateral-service");
        assertThat(errorInfo(expired).getMetadataMap()).containsEntry("not_after_enforced", "true");
        StatusRuntimeException negative = catchStatus(() -> margin.lockWithdrawal(lock(wid(), account, "ethereum", "USDC", "1", "0xa", -1)));
        assertStatus(negative, Status.Code.INVALID_ARGUMENT, "INVALID_NOT_AFTER", "not_after_unix_ms");
        assertThat(balance(account, "ethereum", "USDC")).isEqualTo("0/10/0");
        assertThat(count("SELECT count(*) FROM ledger_entry WHERE account_id = '" + account + "'")).isEqualTo(ledger);
        assertThat(count("SELECT count(*) FROM withdrawal WHERE account_id = '" + account + "'")).isZero();
        StatusRuntimeException notFound = catchStatus(() -> margin.getWithdrawal(GetWithdrawalRequest.newBuilder()
                .setWithdrawalId(late).build()));
        assertDenied(notFound, Status.Code.NOT_FOUND, "UNKNOWN_WITHDRAWAL");
        assertThat(errorInfo(notFound).getMetadataMap()).as("margin may rely on not_after").containsEntry("not_after_enforced", "true");

        String unlimited = wid();
        assertThat(margin.lockWithdrawal(lock(unlimited, account, "ethereum", "USDC", "1", "0xa", 0)).getReplayed()).isFalse();
        String fenced = wid();
        long notAfter = System.currentTimeMillis() + AdapterConnection.PATIENCE_MS;
        LockWithdrawalResponse first = margin.lockWithdrawal(lock(fenced, account, "ethereum", "USDC", "2", "0xa", notAfter));
        assertThat(first.getReplayed()).isFalse();
        assertThat(first.getNotAfterEnforced()).isTrue();
        assertThat(first.getWithdrawal().getLockedAtUnixMs()).isLessThanOrEqualTo(notAfter);
        assertThat(count("SELECT not_after_ms FROM withdrawal WHERE id = '" + fenced + "'")).isEqualTo(notAfter);
        assertThat(margin.getWithdrawal(GetWithdrawalRequest.newBuilder().setWithdrawalId(fenced).build()).getNotAfterEnforced()).isTrue();
        // The same id again once its not_after has passed (a caller's retry of a lock whose answer was lost): the replay.
        LockWithdrawalResponse replay = margin.lockWithdrawal(lock(fenced, account, "ethereum", "USDC", "2", "0xa", past));
        assertThat(replay.getReplayed()).isTrue();
        assertThat(replay.getNotAfterEnforced()).isTrue();
        assertThat(replay.getWithdrawal()).isEqualTo(first.getWithdrawal());
        assertThat(balance(account, "ethereum", "USDC")).isEqualTo("0/7/3");
        failAll("ethereum", unlimited, fenced);
    }

    /**
     * V8 makes the fence fleet-wide: the lock INSERT of every release before this one (the column list below, which
     * ignores not_after and sends no not_after_enforced mark) fails once the migration ran, so an old replica of a
     * mixed fleet cannot land a lock that a NOT_FOUND with the mark from this release has ruled out.
     */
    @Test
    void theLockInsertOfAReleaseThatIgnoresNotAfterFails() throws SQLException {
        String account = account("oldrelease");
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement("""
                INSERT INTO withdrawal (id, account_id, chain_id, asset, amount, destination, status, request_hash, locked_at)
                VALUES (?, ?, 'ethereum', 'ETH', 0.25, '0xold', 'LOCKED', 'x', now())""")) {
            s.setString(1, wid());
            s.setString(2, account);
            assertThatThrownBy(s::executeUpdate).as("the old release's insert").isInstanceOfSatisfying(SQLException.class,
                    e -> assertThat(e.getSQLState() + " " + e.getMessage()).startsWith("23502").contains("not_after_ms"));
        }
        assertThat(count("SELECT count(*) FROM withdrawal WHERE account_id = '" + account + "'")).isZero();
    }

    /**
     * A lock queued behind its balance row (held here, as a freeze or another lock would) is judged when its turn
     * comes: its not_after, still ahead when it was asked, has passed by then and it is refused LOCK_EXPIRED with
     * nothing written. A caller that gave up on it may count on it not landing later.
     */
    @Test
    void aLockQueuedPastItsNotAfterIsRefusedWhenItsTurnComes() throws Exception {
        String account = account("queued");
        fund(account, "solana", "USDC", "10");
        String id = wid();
        long notAfter = System.currentTimeMillis() + 3_000;
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newSingleThreadExecutor();
        try (Connection holder = dataSource.getConnection()) {
            holdBalanceRow(holder, account, "solana", "USDC");
            java.util.concurrent.Future<StatusRuntimeException> call = pool.submit(() ->
                    catchStatus(() -> margin.lockWithdrawal(lock(id, account, "solana", "USDC", "6", "sol-dest", notAfter))));
            LockWaiters.await(dataSource, 1, "%SELECT available FROM balance WHERE account_id%FOR UPDATE%");
            // the lock must be seen queued while its not_after is still ahead (a loaded machine may deliver it late)
            org.junit.jupiter.api.Assumptions.assumeTrue(System.currentTimeMillis() < notAfter, "the lock arrived after its not_after");
            while (System.currentTimeMillis() <= notAfter) {
                java.util.concurrent.locks.LockSupport.parkUntil(notAfter + 1); // until the clock passes not_after
            }
            holder.commit();
            assertPrecondition(call.get(AdapterConnection.PATIENCE_MS, TimeUnit.MILLISECONDS), "LOCK_EXPIRED");
        } finally {
            pool.shutdownNow();
        }
        assertThat(balance(account, "solana", "USDC")).isEqualTo("0/10/0");
        assertThat(count("SELECT count(*) FROM ledger_entry WHERE reference = '" + id + "'")).isZero();
        assertDenied(catchStatus(() -> margin.getWithdrawal(GetWithdrawalRequest.newBuilder().setWithdrawalId(id).build())),
                Status.Code.NOT_FOUND, "UNKNOWN_WITHDRAWAL");
    }

    /**
     * A lock that judged its not_after in time but has not committed yet (here: queued on the id's advisory lock,
     * which the test holds as a lock between its check and its commit would) is waited for by GetWithdrawal, which
     * then sees it: margin-service, asking after not_after, never reads NOT_FOUND for a lock about to commit.
     * Without the id's lock neither call waits for it and GetWithdrawal answers NOT_FOUND at once.
     */
    @Test
    void getWithdrawalWaitsForALockOfTheIdThatHasNotCommitted() throws Exception {
        String account = account("inflight");
        fund(account, "solana", "USDC", "10");
        String id = wid();
        long notAfter = System.currentTimeMillis() + AdapterConnection.PATIENCE_MS;
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        try (Connection holder = dataSource.getConnection()) {
            holder.setAutoCommit(false);
            try (PreparedStatement s = holder.prepareStatement("SELECT pg_advisory_xact_lock(hashtext('withdrawal'), hashtext(?))")) {
                s.setString(1, id);
                s.executeQuery().close();
            }
            java.util.concurrent.Future<LockWithdrawalResponse> locking = pool.submit(() ->
                    margin.lockWithdrawal(lock(id, account, "solana", "USDC", "6", "sol-dest", notAfter)));
            LockWaiters.await(dataSource, 1, "%pg_advisory_xact_lock(hashtext('withdrawal')%");
            java.util.concurrent.Future<Withdrawal> lookup = pool.submit(() ->
                    margin.getWithdrawal(GetWithdrawalRequest.newBuilder().setWithdrawalId(id).build()).getWithdrawal());
            LockWaiters.await(dataSource, 1, "%pg_advisory_xact_lock_shared(hashtext('withdrawal')%");
            assertThat(lookup.isDone()).isFalse();
            holder.commit();
            LockWithdrawalResponse locked = locking.get(AdapterConnection.PATIENCE_MS, TimeUnit.MILLISECONDS);
            Withdrawal seen = lookup.get(AdapterConnection.PATIENCE_MS, TimeUnit.MILLISECONDS);
            assertThat(seen).isEqualTo(locked.getWithdrawal());
            assertThat(seen.getLockedAtUnixMs()).isLessThanOrEqualTo(notAfter);
        } finally {
            pool.shutdownNow();
        }
        assertThat(balance(account, "solana", "USDC")).isEqualTo("0/4/6");
        failAll("solana", id);
    }

    /**
     * A lock transaction of the id that never ends (here: the test holds the id's advisory lock exclusively, as a lock
     * between its check and its commit would) holds GetWithdrawal's read only as long as its bound
     * (collateral.withdrawals.get-lock-wait; 200 ms here, asked of the store directly: the tests' own bound is above
     * PATIENCE_MS so that no other test races it): then LockWaitTimeout, which GetWithdrawal answers UNAVAILABLE
     * WITHDRAWAL_LOCK_BUSY, and nothing changes. Deterministic: the bound can only pass while the test holds the lock.
     */
    @Test
    void getWithdrawalWaitsForALockOfTheIdOnlyBoundedly() throws Exception {
        String account = account("stall");
        fund(account, "solana", "USDC", "10");
        String id = wid();
        try (Connection holder = dataSource.getConnection()) {
            holder.setAutoCommit(false);
            try (PreparedStatement s = holder.prepareStatement("SELECT pg_advisory_xact_lock(hashtext('withdrawal'), hashtext(?))")) {
                s.setString(1, id);
                s.executeQuery().close();
            }
            Throwable timeout = org.assertj.core.api.Assertions.catchThrowable(() -> store.get(id, java.time.Duration.ofMillis(200)));
            assertThat(timeout).isInstanceOf(WithdrawalStore.LockWaitTimeout.class).hasMessageContaining(id)
                    .hasMessageContaining("200 ms").hasMessageContaining("retry");
            io.grpc.StatusException busy = ErrorMapper.toStatus(timeout);
            assertDenied(new StatusRuntimeException(busy.getStatus(), busy.getTrailers()), Status.Code.UNAVAILABLE,
                    WithdrawalStore.LockWaitTimeout.REASON);
            assertThat(WithdrawalStore.LockWaitTimeout.REASON).isEqualTo("WITHDRAWAL_LOCK_BUSY");
            holder.rollback();
        }
        assertThat(balance(account, "solana", "USDC")).isEqualTo("0/10/0");
        assertThat(store.get(id, java.time.Duration.ofMillis(200))).as("nothing locked, nothing changed").isEmpty();
        assertDenied(catchStatus(() -> margin.getWithdrawal(GetWithdrawalRequest.newBuilder().setWithdrawalId(id).build())),
                Status.Code.NOT_FOUND, "UNKNOWN_WITHDRAWAL");
    }

    /** Locks the balance row FOR UPDATE in a transaction left open on {@code holder}, as a freeze or another lock would. */
    static void holdBalanceRow(Connection holder, String account, String chain, String asset) throws SQLException {
        holder.setAutoCommit(false);
        try (PreparedStatement s = holder.prepareStatement(
                "SELECT available FROM balance WHERE account_id = ? AND chain_id = ? AND asset = ? FOR UPDATE")) {
            s.setString(1, account);
            s.setString(2, chain);
            s.setString(3, asset);
            s.executeQuery().close();
        }
    }

    @Test
    void aChainHaltedByAnOperatorRefusesNewLocksButAnswersReplays() {
        String account = account("hal");
        fund(account, "solana", "SOL", "3");
        String before = wid();
        margin.lockWithdrawal(lock(before, account, "solana", "SOL", "1", "sol-addr"));
        CollateralAdminServiceGrpc.CollateralAdminServiceBlockingStub operator =
                CollateralAdminServiceGrpc.newBlockingStub(channel).withInterceptors(bearer("test-operator-token"));
        operator.setChainHalt(SetChainHaltRequest.newBuilder().setChangeId("halt-" + UUID.randomUUID()).setChainId("solana")
                .setHalted(true).setReason("withdrawal test").build());
        try {
            StatusRuntimeException halted = catchStatus(() -> margin.lockWithdrawal(lock(wid(), account, "solana", "SOL", "1", "sol-addr")));
            assertPrecondition(halted, "CHAIN_HALTED");
            assertThat(margin.lockWithdrawal(lock(before, account, "solana", "SOL", "1", "sol-addr")).getReplayed()).isTrue();
            assertThat(balance(account, "solana", "SOL")).isEqualTo("0/2/1");
        } finally {
            operator.setChainHalt(SetChainHaltRequest.newBuilder().setChangeId("unhalt-" + UUID.randomUUID()).setChainId("solana")
                    .setHalted(false).setReason("withdrawal test done").build());
        }
        String after = wid();
        margin.lockWithdrawal(lock(after, account, "solana", "SOL", "1", "sol-addr"));
        try (AdapterConnection adapter = new AdapterConnection(async, "solana")) {
            adapter.hello();
            for (String id : java.util.List.of(before, after)) {
                adapter.instruction(id);
                assertThat(adapter.result(id, WithdrawalOutcome.WITHDRAWAL_OUTCOME_FAILED, "", "").getOutcome())
                        .isEqualTo(AckOutcome.ACK_OUTCOME_APPLIED);
            }
        }
        assertThat(balance(account, "solana", "SOL")).isEqualTo("0/3/0");
    }

    @Test
    void badResultsAreRejectedAndChangeNothing() {
        String account = account("ruth");
        fund(account, "arbitrum", "USDC", "5");
        String id = wid();
        margin.lockWithdrawal(lock(id, account, "arbitrum", "USDC", "5", "0xr"));
        try (AdapterConnection eth = new AdapterConnection(async, "ethereum")) {
            eth.hello();
            // Another chain's withdrawal is unknown to this adapter.
            assertRejected(eth.result(id, WithdrawalOutcome.WITHDRAWAL_OUTCOME_EXECUTED, "0x1", ""),
                    "UNKNOWN_WITHDRAWAL", "withdrawal_result.withdrawal_id");
            assertRejected(eth.result(wid(), WithdrawalOutcome.WITHDRAWAL_OUTCOME_FAILED, "", ""),
                    "UNKNOWN_WITHDRAWAL", "withdrawal_result.withdrawal_id");
        }
        try (AdapterConnection arb = new AdapterConnection(async, "arbitrum")) {
            arb.hello();
            assertRejected(arb.result("", WithdrawalOutcome.WITHDRAWAL_OUTCOME_FAILED, "", ""),
                    "MISSING_FIELD", "withdrawal_result.withdrawal_id");
            Ack huge = arb.result("w".repeat(1 << 20), WithdrawalOutcome.WITHDRAWAL_OUTCOME_FAILED, "", "");
            assertRejected(huge, "UNKNOWN_WITHDRAWAL", "withdrawal_result.withdrawal_id");
            assertThat(huge.getSerializedSize()).isLessThan(1000);
            assertRejected(arb.result(id, WithdrawalOutcome.WITHDRAWAL_OUTCOME_UNSPECIFIED, "0x1", ""),
                    "MISSING_FIELD", "withdrawal_result.outcome");
            assertRejected(arb.result(id, WithdrawalOutcome.WITHDRAWAL_OUTCOME_EXECUTED, "", ""),
                    "MISSING_FIELD", "withdrawal_result.tx_hash");
            assertThat(balance(account, "arbitrum", "USDC")).isEqualTo("0/0/5");
            assertThat(arb.instruction(id).getAmount()).isEqualTo("5");
            assertThat(arb.result(id, WithdrawalOutcome.WITHDRAWAL_OUTCOME_EXECUTED, "0xdone", "").getOutcome())
                    .isEqualTo(AckOutcome.ACK_OUTCOME_APPLIED);
        }
        assertThat(balance(account, "arbitrum", "USDC")).isEqualTo("0/0/0");
    }

    @Test
    void withdrawalsNeedMarginsCredentialAndTransfersLiquidations() {
        LockWithdrawalRequest request = lock(wid(), account("cred"), "ethereum", "USDC", "1", "0xa");
        CollateralInternalServiceGrpc.CollateralInternalServiceBlockingStub anonymous = CollateralInternalServiceGrpc.newBlockingStub(channel);
        assertDenied(catchStatus(() -> anonymous.lockWithdrawal(request)), Status.Code.UNAUTHENTICATED, "MISSING_CREDENTIAL");
        assertDenied(catchStatus(() -> anonymous.withInterceptors(bearer("wrong")).lockWithdrawal(request)),
                Status.Code.UNAUTHENTICATED, "MISSING_CREDENTIAL");
        assertDenied(catchStatus(() -> anonymous.withInterceptors(bearer("test-liquidation-token")).lockWithdrawal(request)),
                Status.Code.PERMISSION_DENIED, "NOT_ALLOWED");
        assertDenied(catchStatus(() -> anonymous.withInterceptors(bearer("test-operator-token"))
                .getWithdrawal(GetWithdrawalRequest.newBuilder().setWithdrawalId("w").build())), Status.Code.PERMISSION_DENIED, "NOT_ALLOWED");
        assertDenied(catchStatus(() -> anonymous.getWithdrawal(GetWithdrawalRequest.newBuilder().setWithdrawalId("w").build())),
                Status.Code.UNAUTHENTICATED, "MISSING_CREDENTIAL");

        TransferRequest transfer = TransferRequest.newBuilder().setTransferId("t-" + UUID.randomUUID())
                .addLegs(leg(account("a"), account("b"), "ethereum", "USDC", "1")).build();
        assertDenied(catchStatus(() -> collateral.transfer(transfer)), Status.Code.UNAUTHENTICATED, "MISSING_CREDENTIAL");
        assertDenied(catchStatus(() -> collateral.withInterceptors(bearer("test-margin-token")).transfer(transfer)),
                Status.Code.PERMISSION_DENIED, "NOT_ALLOWED");
        assertThat(count("SELECT count(*) FROM withdrawal WHERE id = '" + request.getWithdrawalId() + "'")).isZero();
        assertThat(count("SELECT count(*) FROM transfer WHERE transfer_id = '" + transfer.getTransferId() + "'")).isZero();
    }

    @Test
    void aReorgThatFreezesTheAccountHoldsItsLockedInstructionsUntilAnOperatorUnfreezesIt() {
        String account = account("orphan");
        String bystander = account("bystander");
        fund(bystander, "arbitrum", "USDC", "10");
        String held = wid();
        String executed = wid();
        long height;
        String base;
        try (AdapterConnection arb = new AdapterConnection(async, "arbitrum")) {
            arb.hello();
            base = arb.extend();
            height = AdapterConnection.tipHeight("arbitrum") + 1;
            String block = "arbitrum-credited-" + UUID.randomUUID();
            arb.header(height, block, base);
            assertThat(arb.deposit(CollateralGrpcServiceTest.tx(), 0, block, account, "USDC", "150").getOutcome())
                    .isEqualTo(AckOutcome.ACK_OUTCOME_APPLIED);
            arb.extend(); // 2 confirmations on arbitrum: credited
            assertThat(balance(account, "arbitrum", "USDC")).isEqualTo("0/150/0");
            margin.lockWithdrawal(lock(held, account, "arbitrum", "USDC", "100", "0xheld"));
            margin.lockWithdrawal(lock(executed, account, "arbitrum", "USDC", "50", "0xgone"));
            arb.instruction(held);
            arb.instruction(executed);
        }
        try (AdapterConnection arb = new AdapterConnection(async, "arbitrum")) {
            arb.hello();
            // A reorg replaces the credited deposit's block: CRITICAL FINAL_DEPOSIT_ORPHANED, the account frozen.
            assertThat(arb.header(height, "arbitrum-reorg-" + UUID.randomUUID(), base).getOutcome())
                    .isEqualTo(AckOutcome.ACK_OUTCOME_APPLIED);
        }
        assertThat(count("SELECT count(*) FROM account_freeze f JOIN alert a ON a.id = f.alert_id WHERE f.account_id = '"
                + account + "' AND f.unfrozen_at IS NULL AND a.kind = 'FINAL_DEPOSIT_ORPHANED'")).isEqualTo(1);
        assertThat(balance(account, "arbitrum", "USDC")).isEqualTo("0/0/150");

        try (AdapterConnection arb = new AdapterConnection(async, "arbitrum")) {
            arb.hello();
            // A bystander's lock after the welcome arrives after the welcome's instructions: the frozen ones were held.
            String marker = wid();
            margin.lockWithdrawal(lock(marker, bystander, "arbitrum", "USDC", "1", "0xmark"));
            arb.instruction(marker);
            assertThat(arb.received).extracting(WithdrawalInstruction::getWithdrawalId).doesNotContain(held, executed);
            assertPrecondition(catchStatus(() -> margin.lockWithdrawal(lock(wid(), account, "arbitrum", "USDC", "1", "0xa"))),
                    "ACCOUNT_FROZEN");

            // The adapter executed one before the freeze: the chain is the truth, the ledger follows and alerts.
            assertThat(arb.result(executed, WithdrawalOutcome.WITHDRAWAL_OUTCOME_EXECUTED, "0xgone-tx", "").getOutcome())
                    .isEqualTo(AckOutcome.ACK_OUTCOME_APPLIED);
            assertThat(balance(account, "arbitrum", "USDC")).isEqualTo("0/0/100");
            assertThat(count("SELECT count(*) FROM alert WHERE kind = 'WITHDRAWAL_EXECUTED_WHILE_FROZEN' AND severity = 'CRITICAL'"
                    + " AND account_id = '" + account + "' AND message LIKE '%" + executed + "%'")).isEqualTo(1);

            // GetWithdrawal says why the instruction is held.
            assertThat(margin.getWithdrawal(GetWithdrawalRequest.newBuilder().setWithdrawalId(held).build()).getWithdrawal()
                    .getHeldReason()).startsWith("account " + account + " is frozen: FINAL_DEPOSIT_ORPHANED");

            // Unfrozen: the held instruction reaches the open stream (the funds stayed locked meanwhile).
            long freezeId = operator().listFreezes(ListFreezesRequest.newBuilder().setAccountId(account).build()).getFreezes(0).getFreezeId();
            assertThat(operator().unfreezeAccount(UnfreezeAccountRequest.newBuilder().setChangeId("unfreeze-" + UUID.randomUUID())
                    .setAccountId(account).setFreezeId(freezeId).setReason("reorg reviewed").build()).getWasFrozen()).isTrue();
            assertThat(arb.instruction(held).getAmount()).isEqualTo("100");
            assertThat(margin.getWithdrawal(GetWithdrawalRequest.newBuilder().setWithdrawalId(held).build()).getWithdrawal()
                    .getHeldReason()).isEmpty();
            assertThat(arb.received).extracting(WithdrawalInstruction::getWithdrawalId).doesNotContain(executed);
            assertThat(arb.result(held, WithdrawalOutcome.WITHDRAWAL_OUTCOME_FAILED, "", "test").getOutcome())
                    .isEqualTo(AckOutcome.ACK_OUTCOME_APPLIED);
            assertThat(arb.result(marker, WithdrawalOutcome.WITHDRAWAL_OUTCOME_FAILED, "", "test").getOutcome())
                    .isEqualTo(AckOutcome.ACK_OUTCOME_APPLIED);
        }
        assertThat(balance(account, "arbitrum", "USDC")).isEqualTo("0/100/0");
        assertThat(balance(bystander, "arbitrum", "USDC")).isEqualTo("0/10/0");
    }

    @Test
    void aChainHaltedByAnOperatorHoldsItsInstructionsUntilTheHaltIsLifted() throws InterruptedException {
        String account = account("paused");
        fund(account, "solana", "SOL", "2");
        String id = wid();
        margin.lockWithdrawal(lock(id, account, "solana", "SOL", "1.5", "sol-paused"));
        operator().setChainHalt(SetChainHaltRequest.newBuilder().setChangeId("halt-" + UUID.randomUUID()).setChainId("solana")
                .setHalted(true).setReason("instruction hold test").build());
        boolean halted = true;
        try (AdapterConnection adapter = new AdapterConnection(async, "solana")) {
            adapter.hello();
            assertThat(withdrawals.deliverableOn("solana")).isEmpty();
            // Nothing can be awaited for an absence: the welcome's round and a few polls (500 ms) go by.
            Thread.sleep(2_000);
            assertThat(adapter.received).extracting(WithdrawalInstruction::getWithdrawalId).doesNotContain(id);
            assertThat(balance(account, "solana", "SOL")).isEqualTo("0/0.5/1.5");
            assertThat(margin.getWithdrawal(GetWithdrawalRequest.newBuilder().setWithdrawalId(id).build()).getWithdrawal()
                    .getHeldReason()).isEqualTo("chain solana is halted: halted by an operator");

            operator().setChainHalt(SetChainHaltRequest.newBuilder().setChangeId("unhalt-" + UUID.randomUUID()).setChainId("solana")
                    .setHalted(false).setReason("instruction hold test done").build());
            halted = false;
            assertThat(adapter.instruction(id).getAmount()).isEqualTo("1.5");
            assertThat(margin.getWithdrawal(GetWithdrawalRequest.newBuilder().setWithdrawalId(id).build()).getWithdrawal()
                    .getHeldReason()).isEmpty();
            assertThat(adapter.result(id, WithdrawalOutcome.WITHDRAWAL_OUTCOME_EXECUTED, "sol-tx", "").getOutcome())
                    .isEqualTo(AckOutcome.ACK_OUTCOME_APPLIED);
        } finally {
            if (halted) {
                operator().setChainHalt(SetChainHaltRequest.newBuilder().setChangeId("unhalt-" + UUID.randomUUID())
                        .setChainId("solana").setHalted(false).setReason("instruction hold test failed").build());
            }
        }
        assertThat(balance(account, "solana", "SOL")).isEqualTo("0/0.5/0");
    }

    @Test
    void anExecutionReportedAfterTheFailureFreezesTheAccount() {
        String account = account("ghost");
        fund(account, "ethereum", "USDC", "10");
        String id = wid();
        margin.lockWithdrawal(lock(id, account, "ethereum", "USDC", "4", "0xghost"));
        try (AdapterConnection adapter = new AdapterConnection(async, "ethereum")) {
            adapter.hello();
            adapter.instruction(id);
            assertThat(adapter.result(id, WithdrawalOutcome.WITHDRAWAL_OUTCOME_FAILED, "", "dropped").getOutcome())
                    .isEqualTo(AckOutcome.ACK_OUTCOME_APPLIED);
            assertThat(balance(account, "ethereum", "USDC")).isEqualTo("0/10/0");
            // The chain says the 4 left, the ledger has them available again: refused, alerted and frozen together.
            assertRejected(adapter.result(id, WithdrawalOutcome.WITHDRAWAL_OUTCOME_EXECUTED, "0xlate", ""),
                    "WITHDRAWAL_RESOLVED", "withdrawal_result.outcome");
        }
        assertThat(count("SELECT count(*) FROM account_freeze f JOIN alert a ON a.id = f.alert_id WHERE f.account_id = '"
                + account + "' AND f.unfrozen_at IS NULL AND a.kind = 'WITHDRAWAL_RESOLVED' AND a.severity = 'CRITICAL'"))
                .isEqualTo(1);
        assertPrecondition(catchStatus(() -> margin.lockWithdrawal(lock(wid(), account, "ethereum", "USDC", "1", "0xa"))),
                "ACCOUNT_FROZEN");
        assertThat(balance(account, "ethereum", "USDC")).isEqualTo("0/10/0");
    }

    @Test
    void aLockWaitingOnTheBalanceRowSeesAFreezeCommittedMeanwhile() throws Exception {
        String account = account("race");
        fund(account, "ethereum", "USDC", "10");
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newSingleThreadExecutor();
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            // A freeze in progress (as the orphan path does it) holds the account's freeze lock.
            OptionalLong alert = Alerts.raise(c, Alerts.Severity.CRITICAL, "TEST_FREEZE", "ethereum", account,
                    "frozen by a race test", "test-freeze:" + account);
            assertThat(Alerts.freeze(c, account, "frozen by a race test", alert)).isTrue();
            java.util.concurrent.Future<StatusRuntimeException> lock = pool.submit(() ->
                    catchStatus(() -> margin.lockWithdrawal(lock(wid(), account, "ethereum", "USDC", "1", "0xa"))));
            LockWaiters.await(dataSource, 1, "%pg_advisory_xact_lock_shared%");
            c.commit();
            assertPrecondition(lock.get(AdapterConnection.PATIENCE_MS, TimeUnit.MILLISECONDS), "ACCOUNT_FROZEN");
        } finally {
            pool.shutdownNow();
        }
        assertThat(balance(account, "ethereum", "USDC")).isEqualTo("0/10/0");
    }

    // ---- helpers ----

    /** Every balance row equals the sum of its ledger entries (and no entry lacks its balance). */
    void assertLedgerReplaysToBalances() throws SQLException {
        try (Connection c = dataSource.getConnection(); ResultSet rs = c.createStatement().executeQuery("""
                SELECT coalesce(b.account_id, l.account_id) AS account_id, coalesce(b.chain_id, l.chain_id) AS chain_id,
                       coalesce(b.asset, l.asset) AS asset,
                       coalesce(b.pending, 0) - coalesce(l.p, 0) AS dp,
                       coalesce(b.available, 0) - coalesce(l.a, 0) AS da,
                       coalesce(b.locked, 0) - coalesce(l.l, 0) AS dl
                FROM balance b FULL JOIN (
                    SELECT account_id, chain_id, asset, sum(delta_pending) p, sum(delta_available) a, sum(delta_locked) l
                    FROM ledger_entry GROUP BY account_id, chain_id, asset) l
                  ON l.account_id = b.account_id AND l.chain_id = b.chain_id AND l.asset = b.asset
                WHERE coalesce(b.pending, 0) <> coalesce(l.p, 0) OR coalesce(b.available, 0) <> coalesce(l.a, 0)
                   OR coalesce(b.locked, 0) <> coalesce(l.l, 0)""")) {
            if (rs.next()) {
                throw new AssertionError("balance " + rs.getString(1) + "/" + rs.getString(2) + "/" + rs.getString(3)
                        + " differs from its ledger by pending " + rs.getBigDecimal("dp") + ", available " + rs.getBigDecimal("da")
                        + ", locked " + rs.getBigDecimal("dl"));
            }
        }
    }

    /** Deposits and confirms: the amount ends up available. */
    void fund(String account, String chain, String asset, String amount) {
        int confirmations = collateral.listChains(dev.crosschain.proto.collateral.v1.ListChainsRequest.getDefaultInstance())
                .getChainsList().stream().filter(c -> c.getChainId().equals(chain)).findFirst().orElseThrow()
                .getConfig().getConfirmations();
        try (AdapterConnection adapter = new AdapterConnection(async, chain)) {
            adapter.hello();
            String block = adapter.extend();
            assertThat(adapter.deposit(CollateralGrpcServiceTest.tx(), 0, block, account, asset, amount).getOutcome())
                    .isEqualTo(AckOutcome.ACK_OUTCOME_APPLIED);
            for (int i = 1; i < confirmations; i++) {
                adapter.extend();
            }
        }
        assertThat(balance(account, chain, asset)).isEqualTo("0/" + amount + "/0");
    }

    /** "pending/available/locked" of one balance, plain decimals; "none" when it does not exist. */
    String balance(String account, String chain, String asset) {
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(
                "SELECT pending, available, locked FROM balance WHERE account_id = ? AND chain_id = ? AND asset = ?")) {
            s.setString(1, account);
            s.setString(2, chain);
            s.setString(3, asset);
            try (ResultSet rs = s.executeQuery()) {
                if (!rs.next()) {
                    return "none";
                }
                return plain(rs.getBigDecimal(1)) + "/" + plain(rs.getBigDecimal(2)) + "/" + plain(rs.getBigDecimal(3));
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Freezes the account's withdrawals as a reorg of a final deposit would (store/Alerts in one transaction). */
    void freeze(String account) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            OptionalLong alert = Alerts.raise(c, Alerts.Severity.CRITICAL, "TEST_FREEZE", "ethereum", account,
                    "frozen by a test", "test-freeze:" + account);
            assertThat(Alerts.freeze(c, account, "frozen by a test", alert)).isTrue();
            c.commit();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Awaits a withdrawal lock blocked on a row lock while selecting its balance FOR UPDATE (LedgerWrites.availableForUpdate). */
    static CollateralAdminServiceGrpc.CollateralAdminServiceBlockingStub operator() {
        return CollateralAdminServiceGrpc.newBlockingStub(channel).withInterceptors(bearer("test-operator-token"));
    }

    long count(String sql) {
        try (Connection c = dataSource.getConnection(); ResultSet rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    static void assertLockRefused(LockWithdrawalRequest request, String reason, String field) {
        assertStatus(catchStatus(() -> margin.lockWithdrawal(request)), Status.Code.INVALID_ARGUMENT, reason, field);
    }

    static void assertPrecondition(StatusRuntimeException e, String reason) {
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
        assertThat(errorInfo(e).getReason()).isEqualTo(reason);
        assertThat(detail(e, PreconditionFailure.class).getViolations(0).getType()).isEqualTo(reason);
    }

    static void assertDenied(StatusRuntimeException e, Status.Code code, String reason) {
        assertThat(e.getStatus().getCode()).isEqualTo(code);
        assertThat(errorInfo(e).getReason()).isEqualTo(reason);
    }

    static LockWithdrawalRequest lock(String id, String account, String chain, String asset, String amount, String destination) {
        return LockWithdrawalRequest.newBuilder().setWithdrawalId(id).setAccountId(account).setChainId(chain).setAsset(asset)
                .setAmount(amount).setDestinationAddress(destination).build();
    }

    static LockWithdrawalRequest lock(String id, String account, String chain, String asset, String amount, String destination,
                                      long notAfterUnixMs) {
        return lock(id, account, chain, asset, amount, destination).toBuilder().setNotAfterUnixMs(notAfterUnixMs).build();
    }

    /** Resolves the chain's withdrawals FAILED (their amounts unlocked), so later streams on the chain are not sent them. */
    void failAll(String chain, String... ids) {
        try (AdapterConnection adapter = new AdapterConnection(async, chain)) {
            adapter.hello();
            for (String id : ids) {
                adapter.instruction(id);
                assertThat(adapter.result(id, WithdrawalOutcome.WITHDRAWAL_OUTCOME_FAILED, "", "test").getOutcome())
                        .isEqualTo(AckOutcome.ACK_OUTCOME_APPLIED);
            }
        }
    }

    static String plain(java.math.BigDecimal d) {
        return d.signum() == 0 ? "0" : d.stripTrailingZeros().toPlainString();
    }

    static String account(String name) {
        return name + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    static String wid() {
        return "w-" + UUID.randomUUID();
    }
}
