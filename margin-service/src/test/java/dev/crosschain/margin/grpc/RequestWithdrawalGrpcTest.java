package dev.crosschain.margin.grpc;

import com.google.rpc.Code;
import com.google.rpc.ErrorInfo;
import com.google.rpc.PreconditionFailure;
import dev.crosschain.postgres.PostgresTestResource;
import dev.crosschain.proto.collateral.v1.Withdrawal;
import dev.crosschain.proto.margin.v1.RequestWithdrawalRequest;
import dev.crosschain.proto.margin.v1.RequestWithdrawalResponse;
import dev.crosschain.proto.margin.v1.Side;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static dev.crosschain.margin.grpc.MarginGrpcServiceTest.assertError;
import static dev.crosschain.margin.grpc.MarginGrpcServiceTest.detail;
import static dev.crosschain.margin.grpc.MarginGrpcServiceTest.fill;
import static dev.crosschain.margin.grpc.MarginGrpcServiceTest.freeze;
import static org.assertj.core.api.Assertions.assertThat;

/** RequestWithdrawal: what-if, then a lock at (a fake) collateral-service, exactly once per withdrawal id. */
@QuarkusTest
@QuarkusTestResource(PostgresTestResource.class)
class RequestWithdrawalGrpcTest {

    static final String PERP = "ETH-PERPETUAL";
    static FakeUpstream upstream;

    @BeforeAll
    static void connect() {
        MarginGrpcServiceTest.connect(); // the channel and stubs of the main test class
        upstream = FakeUpstream.get();
    }

    @org.junit.jupiter.api.AfterAll
    static void disconnect() {
        MarginGrpcServiceTest.disconnect();
    }

    @AfterEach
    void upstreamHealthy() {
        upstream.collateral.mode.set(FakeUpstream.Mode.OK);
        upstream.internal.mode.set(FakeUpstream.Internal.Lock.OK);
        upstream.internal.refusal.set(null);
        upstream.internal.getDown.set(false);
        upstream.internal.hideNext.set(0);
        upstream.internal.unavailableNext.set(0);
        upstream.internal.queueNext.set(0);
        upstream.internal.queuedMisses.set(0);
        upstream.internal.unavailableAtNotAfter.set(false);
        upstream.internal.clockOffsetMs.set(0);
        upstream.internal.lateMs.set(0);
        upstream.internal.notAfterEnforced.set(true);
        upstream.collateral.loopingPages.set(false);
        FakeUpstream.Internal.rejectToken.set(false);
    }

    @jakarta.inject.Inject
    dev.crosschain.margin.app.MarginConfig config;

    @jakarta.inject.Inject
    dev.crosschain.margin.store.WithdrawalStore records;

    @jakarta.inject.Inject
    io.agroal.api.AgroalDataSource dataSource;

    @jakarta.inject.Inject
    io.micrometer.core.instrument.MeterRegistry meters;

    /**
     * The lock asks collateral-service not to lock after margin's clock + its call deadline, and a
     * retried attempt of the same lock (UNAVAILABLE, retried by the client) carries the same not_after.
     */
    @Test
    void aLockCarriesOneNotAfterOfItsDeadlineAcrossItsAttempts() {
        String acc = "wd-fence";
        upstream.collateral.set(acc, false, new Object[]{"ethereum", "USDC", "100", "1", "0", "0"});
        upstream.internal.unavailableNext.set(1); // the first attempt fails, the retry locks
        long before = System.currentTimeMillis();
        RequestWithdrawalResponse locked = withdraw("wd-fence-1", acc, "ethereum", "USDC", "1", "0xa");
        long after = System.currentTimeMillis();
        java.util.List<Long> sent = upstream.internal.notAfters.get("wd-fence-1");
        assertThat(sent).hasSize(2);
        assertThat(sent.get(1)).isEqualTo(sent.get(0));
        long deadline = config.client().deadline().toMillis();
        assertThat(sent.get(0)).isBetween(before + deadline, after + deadline);
        assertThat(locked.getLockedAtUnixMs()).isLessThanOrEqualTo(sent.get(0));
    }

    /**
     * collateral-service came to the lock after its not_after (here its clock runs 10 s ahead) and
     * refused LOCK_EXPIRED: UNAVAILABLE LOCK_EXPIRED, once no earlier attempt can land (margin's
     * clock past not_after + the skew, GetWithdrawal NOT_FOUND); the CHECKED record is forgotten, so
     * the retry is judged anew and locks.
     */
    @Test
    void aLockExpiredAtCollateralIsUnavailableAndKeepsNothing() {
        String acc = "wd-expired";
        upstream.collateral.set(acc, false, new Object[]{"ethereum", "USDC", "100", "1", "0", "0"});
        upstream.internal.clockOffsetMs.set(10_000);
        StatusRuntimeException e = assertError(() -> withdraw("wd-expired-1", acc, "ethereum", "USDC", "1", "0xa"),
                Status.Code.UNAVAILABLE, "LOCK_EXPIRED", null);
        long answeredAt = System.currentTimeMillis();
        assertThat(e.getStatus().getDescription()).contains("LOCK_EXPIRED").contains("retry with the same withdrawal_id");
        assertThat(upstream.internal.locks).doesNotContainKey("wd-expired-1");
        assertThat(records.find("wd-expired-1")).isEmpty();
        long settled = upstream.internal.notAfters.get("wd-expired-1").get(0) + config.withdrawals().clockSkew().toMillis();
        assertThat(answeredAt).isGreaterThan(settled);

        upstream.internal.clockOffsetMs.set(0);
        RequestWithdrawalResponse retry = withdraw("wd-expired-1", acc, "ethereum", "USDC", "1", "0xa");
        assertThat(retry.getReplayed()).isFalse(); // nothing was kept of the first request
        assertThat(upstream.internal.locks).containsKey("wd-expired-1");
    }

    /**
     * The answer of the lock is lost. Nothing locked: margin asks GetWithdrawal until its clock has
     * passed not_after + the clock skew, and only a NOT_FOUND asked after that is taken for "nothing
     * locked" (record forgotten, DEPENDENCY_UNAVAILABLE). A lock that lands later than twice the
     * deadline but within that bound (collateral's clock lagging by less than the skew) is found and
     * answered: under the former 2 x deadline window it was declared not locked while it was.
     */
    @Test
    void aLockInDoubtIsAskedForUntilItsNotAfterPlusTheClockSkew() {
        String acc = "wd-settle";
        upstream.collateral.set(acc, false, new Object[]{"ethereum", "USDC", "100", "1", "0", "0"});
        long skew = config.withdrawals().clockSkew().toMillis();

        upstream.internal.mode.set(FakeUpstream.Internal.Lock.UNAVAILABLE);
        assertError(() -> withdraw("wd-settle-1", acc, "ethereum", "USDC", "1", "0xa"), Status.Code.UNAVAILABLE,
                "DEPENDENCY_UNAVAILABLE", null);
        long answeredAt = System.currentTimeMillis();
        long settled = upstream.internal.notAfters.get("wd-settle-1").get(0) + skew;
        java.util.List<Long> gets = upstream.internal.getsAt.get("wd-settle-1");
        assertThat(gets.get(gets.size() - 1)).as("the deciding GetWithdrawal").isGreaterThan(settled);
        assertThat(answeredAt).isGreaterThan(settled); // no upper bound: a loaded machine may answer late
        assertThat(records.find("wd-settle-1")).isEmpty();

        upstream.internal.mode.set(FakeUpstream.Internal.Lock.LATE);
        long late = skew - 500;
        assertThat(config.client().deadline().toMillis() + late).as("lands after the former window").isGreaterThan(
                2 * config.client().deadline().toMillis());
        upstream.internal.lateMs.set(late);
        RequestWithdrawalResponse found = withdraw("wd-settle-2", acc, "ethereum", "USDC", "2", "0xa");
        long notAfter = upstream.internal.notAfters.get("wd-settle-2").get(0);
        assertThat(found.getReplayed()).isFalse();
        assertThat(found.getLockedAtUnixMs()).isEqualTo(notAfter);
        assertThat(upstream.internal.getsAt.get("wd-settle-2")).anyMatch(t -> t >= notAfter + late);
        upstream.internal.mode.set(FakeUpstream.Internal.Lock.OK);
        int gets2 = upstream.internal.getCalls.get();
        assertThat(withdraw("wd-settle-2", acc, "ethereum", "USDC", "2", "0xa").getReplayed()).isTrue();
        assertThat(upstream.internal.getCalls.get()).isEqualTo(gets2); // recorded LOCKED
    }

    /**
     * A collateral-service that does not say it enforces not_after (an older release in a rolling deploy) may still
     * lock a queued request after it: its NOT_FOUND, even asked after not_after + the skew, is not taken for "nothing
     * locked". The request answers WITHDRAWAL_IN_DOUBT and keeps its CHECKED record, which also keeps the account's
     * other withdrawals in doubt; once collateral answers with the mark, the retry settles it.
     */
    @Test
    void aNotFoundWithoutTheEnforcedMarkNeverSettlesALock() {
        String acc = "wd-old";
        upstream.collateral.set(acc, false, new Object[]{"ethereum", "USDC", "100", "1", "0", "0"});
        upstream.internal.notAfterEnforced.set(false);
        upstream.internal.mode.set(FakeUpstream.Internal.Lock.UNAVAILABLE);
        assertError(() -> withdraw("wd-old-1", acc, "ethereum", "USDC", "1", "0xa"), Status.Code.UNAVAILABLE,
                "WITHDRAWAL_IN_DOUBT", null);
        long settled = upstream.internal.notAfters.get("wd-old-1").get(0) + config.withdrawals().clockSkew().toMillis();
        java.util.List<Long> gets = upstream.internal.getsAt.get("wd-old-1");
        assertThat(gets.get(gets.size() - 1)).as("asked after the fence settled").isGreaterThan(settled);
        assertThat(records.find("wd-old-1")).get().extracting(dev.crosschain.margin.store.WithdrawalStore.WithdrawalRecord::state)
                .isEqualTo(dev.crosschain.margin.store.WithdrawalStore.State.CHECKED);

        upstream.internal.mode.set(FakeUpstream.Internal.Lock.OK);
        assertError(() -> withdraw("wd-old-2", acc, "ethereum", "USDC", "1", "0xa"), Status.Code.UNAVAILABLE,
                "WITHDRAWAL_IN_DOUBT", null);
        assertThat(upstream.internal.locks).doesNotContainKey("wd-old-2");

        upstream.internal.notAfterEnforced.set(true);
        assertThat(withdraw("wd-old-2", acc, "ethereum", "USDC", "1", "0xa").getReplayed()).isFalse();
        assertThat(records.find("wd-old-1")).as("settled: nothing was locked").isEmpty();
    }

    @Test
    void aHealthyWithdrawalIsLockedOnceAndAReplayAnswersTheFirstAnswer() {
        String acc = "wd-happy";
        upstream.collateral.set(acc, false,
                new Object[]{"arbitrum", "ETH", "2", "3000", "0.15", "0.10"},
                new Object[]{"ethereum", "USDC", "10000", "1", "0", "0"});
        fill("wd-happy-f1", acc, PERP, Side.SIDE_BUY, "1", "3000"); // IM 60, MM 30

        int registryCalls = upstream.collateral.listChainsCalls.get();
        RequestWithdrawalResponse first = withdraw("wd-happy-1", acc, "ethereum", "USDC", "1000", "0xabc");
        assertThat(upstream.collateral.listChainsCalls.get()).as("a healthy withdrawal asks no registry").isEqualTo(registryCalls);
        assertThat(first.getReplayed()).isFalse();
        assertThat(first.getLockedAtUnixMs()).isPositive();
        assertThat(first.getEquityImAfterUsd()).isEqualTo("14100.00000000"); // 2 x 3000 x 0.85 + 9000
        assertThat(first.getInitialMarginAfterUsd()).isEqualTo("60.00000000");
        assertThat(first.getMaintenanceMarginAfterUsd()).isEqualTo("30.00000000");
        Withdrawal locked = upstream.internal.locks.get("wd-happy-1");
        assertThat(locked.getAccountId()).isEqualTo(acc);
        assertThat(locked.getChainId()).isEqualTo("ethereum");
        assertThat(locked.getAsset()).isEqualTo("USDC");
        assertThat(locked.getAmount()).isEqualTo("1000");
        assertThat(locked.getDestinationAddress()).isEqualTo("0xabc");

        int calls = upstream.internal.lockCalls.get();
        RequestWithdrawalResponse replay = withdraw("wd-happy-1", acc, "ethereum", "USDC", "1000.00", "0xabc");
        assertThat(replay.getReplayed()).isTrue();
        assertThat(replay.toBuilder().setReplayed(false).build()).isEqualTo(first);
        assertThat(upstream.internal.lockCalls.get()).isEqualTo(calls); // answered from margin's record

        assertError(() -> withdraw("wd-happy-1", acc, "ethereum", "USDC", "999", "0xabc"), Status.Code.ALREADY_EXISTS,
                "IDEMPOTENCY_CONFLICT", null);
        assertError(() -> withdraw("wd-happy-1", acc, "ethereum", "USDC", "1000", "0xdef"), Status.Code.ALREADY_EXISTS,
                "IDEMPOTENCY_CONFLICT", null);
        assertThat(upstream.internal.locks.get("wd-happy-1")).isEqualTo(locked);
    }

    @Test
    void aWithdrawalThatWouldBreachIsRefusedWithTheShortfallAndLeavesNothing() {
        String acc = "wd-breach";
        upstream.collateral.set(acc, false, new Object[]{"ethereum", "USDC", "1000", "1", "0", "0"});
        fill("wd-breach-f1", acc, PERP, Side.SIDE_BUY, "10", "3000"); // notional 30,000: IM 600, MM 300

        StatusRuntimeException e = assertError(() -> withdraw("wd-breach-1", acc, "ethereum", "USDC", "500", "0xabc"),
                Status.Code.FAILED_PRECONDITION, "INSUFFICIENT_MARGIN", null);
        ErrorInfo info = detail(e, ErrorInfo.class);
        assertThat(info.getMetadataMap()).containsEntry("initial_margin_after_usd", "600.00000000")
                .containsEntry("equity_im_after_usd", "500.00000000")
                .containsEntry("shortfall_usd", "100.00000000");
        assertThat(detail(e, PreconditionFailure.class).getViolations(0).getSubject()).isEqualTo("accounts/" + acc);
        assertThat(upstream.internal.locks).doesNotContainKey("wd-breach-1");

        // the refusal kept nothing: the same id may ask for less, and equity = IM exactly is healthy
        RequestWithdrawalResponse ok = withdraw("wd-breach-1", acc, "ethereum", "USDC", "400", "0xabc");
        assertThat(ok.getReplayed()).isFalse();
        assertThat(ok.getEquityImAfterUsd()).isEqualTo("600.00000000");
        assertThat(upstream.internal.locks.get("wd-breach-1").getAmount()).isEqualTo("400");
    }

    @Test
    void aFrozenAccountCannotWithdraw() {
        String acc = "wd-frozen";
        upstream.collateral.set(acc, false, new Object[]{"ethereum", "USDC", "10000", "1", "0", "0"});
        fill("wd-frozen-f1", acc, PERP, Side.SIDE_BUY, "1", "3000");
        freeze(acc, true, "auction-wd");
        StatusRuntimeException e = assertError(() -> withdraw("wd-frozen-1", acc, "ethereum", "USDC", "1", "0xabc"),
                Status.Code.FAILED_PRECONDITION, "ACCOUNT_FROZEN", null);
        assertThat(detail(e, PreconditionFailure.class).getViolations(0).getType()).isEqualTo("ACCOUNT_FROZEN");
        assertThat(upstream.internal.locks).doesNotContainKey("wd-frozen-1");
        // frozen is said first: not the balance, not an upstream failure the what-if would meet
        assertError(() -> withdraw("wd-frozen-2", acc, "ethereum", "USDC", "20000", "0xabc"), Status.Code.FAILED_PRECONDITION,
                "ACCOUNT_FROZEN", null);
        upstream.collateral.mode.set(FakeUpstream.Mode.UNAVAILABLE);
        assertError(() -> withdraw("wd-frozen-2", acc, "ethereum", "USDC", "1", "0xabc"), Status.Code.FAILED_PRECONDITION,
                "ACCOUNT_FROZEN", null);
        upstream.collateral.mode.set(FakeUpstream.Mode.OK);
        freeze(acc, false, "auction-wd");
        assertThat(withdraw("wd-frozen-1", acc, "ethereum", "USDC", "1", "0xabc").getReplayed()).isFalse();
    }

    @Test
    void badInputIsRefusedWithFieldViolationsAndLocksNothing() {
        String acc = "wd-bad";
        upstream.collateral.set(acc, false, new Object[]{"ethereum", "USDC", "100", "1", "0", "0"});
        int calls = upstream.internal.lockCalls.get();
        assertError(() -> withdraw("", acc, "ethereum", "USDC", "1", "0xa"), Status.Code.INVALID_ARGUMENT, "MISSING_FIELD", "withdrawal_id");
        assertError(() -> withdraw("a b", acc, "ethereum", "USDC", "1", "0xa"), Status.Code.INVALID_ARGUMENT, "INVALID_ID", "withdrawal_id");
        assertError(() -> withdraw("x".repeat(129), acc, "ethereum", "USDC", "1", "0xa"), Status.Code.INVALID_ARGUMENT, "INVALID_ID",
                "withdrawal_id");
        assertError(() -> withdraw("wd-bad-1", "", "ethereum", "USDC", "1", "0xa"), Status.Code.INVALID_ARGUMENT, "MISSING_FIELD", "account_id");
        assertError(() -> withdraw("wd-bad-1", acc, "", "USDC", "1", "0xa"), Status.Code.INVALID_ARGUMENT, "MISSING_FIELD", "chain_id");
        assertError(() -> withdraw("wd-bad-1", "a".repeat(129), "ethereum", "USDC", "1", "0xa"), Status.Code.INVALID_ARGUMENT,
                "INVALID_ACCOUNT", "account_id");
        assertError(() -> withdraw("wd-bad-1", "acc\u0000x", "ethereum", "USDC", "1", "0xa"), Status.Code.INVALID_ARGUMENT,
                "INVALID_ACCOUNT", "account_id");
        assertError(() -> withdraw("wd-bad-1", acc, "c".repeat(10_000), "USDC", "1", "0xa"), Status.Code.INVALID_ARGUMENT,
                "UNKNOWN_CHAIN", "chain_id");
        assertError(() -> withdraw("wd-bad-1", acc, "ethereum", "US\u00e9DC", "1", "0xa"), Status.Code.INVALID_ARGUMENT,
                "UNKNOWN_ASSET", "asset");
        assertError(() -> withdraw("wd-bad-1", acc, "ethereum", " ", "1", "0xa"), Status.Code.INVALID_ARGUMENT, "MISSING_FIELD", "asset");
        for (String amount : new String[]{"0", "-1", "x", "1e3", "", "NaN"}) {
            assertError(() -> withdraw("wd-bad-1", acc, "ethereum", "USDC", amount, "0xa"), Status.Code.INVALID_ARGUMENT,
                    "INVALID_QUANTITY", "amount");
        }
        assertError(() -> withdraw("wd-bad-1", acc, "ethereum", "USDC", "1", ""), Status.Code.INVALID_ARGUMENT, "MISSING_FIELD",
                "destination_address");
        assertError(() -> withdraw("wd-bad-1", acc, "ethereum", "USDC", "1", "0x\u00e9"), Status.Code.INVALID_ARGUMENT,
                "INVALID_DESTINATION", "destination_address");
        StatusRuntimeException all = assertError(() -> withdraw("", "", "", "", "", ""), Status.Code.INVALID_ARGUMENT,
                "MISSING_FIELD", null);
        assertThat(detail(all, com.google.rpc.BadRequest.class).getFieldViolationsList()).hasSize(6);

        // well formed, but the state refuses
        assertError(() -> withdraw("wd-bad-1", acc, "ethereum", "USDC", "100.01", "0xa"), Status.Code.FAILED_PRECONDITION,
                "INSUFFICIENT_BALANCE", null);
        assertError(() -> withdraw("wd-bad-1", acc, "solana", "USDC", "1", "0xa"), Status.Code.FAILED_PRECONDITION,
                "INSUFFICIENT_BALANCE", null); // a listed chain and asset the account holds nothing of
        // well formed, but collateral-service's registry does not list them
        assertError(() -> withdraw("wd-bad-1", acc, "dogechain", "USDC", "1", "0xa"), Status.Code.INVALID_ARGUMENT,
                "UNKNOWN_CHAIN", "chain_id");
        assertError(() -> withdraw("wd-bad-1", acc, "ethereum", "DOGE", "1", "0xa"), Status.Code.INVALID_ARGUMENT,
                "UNKNOWN_ASSET", "asset");
        assertError(() -> withdraw("wd-bad-1", acc, "solana", "ETH", "1", "0xa"), Status.Code.INVALID_ARGUMENT,
                "UNKNOWN_ASSET", "asset"); // listed on another chain only
        // a registry whose paging never ends is read only until a page token repeats: the what-if's refusal stands
        upstream.collateral.loopingPages.set(true);
        int registryCalls = upstream.collateral.listChainsCalls.get();
        assertError(() -> withdraw("wd-bad-1", acc, "dogechain", "USDC", "1", "0xa"), Status.Code.FAILED_PRECONDITION,
                "INSUFFICIENT_BALANCE", null);
        assertThat(upstream.collateral.listChainsCalls.get() - registryCalls).as("pages \"\" and \"1\", then 1 again").isEqualTo(2);
        upstream.collateral.loopingPages.set(false);
        assertError(() -> withdraw("wd-bad-1", "wd-nobody", "ethereum", "USDC", "1", "0xa"), Status.Code.NOT_FOUND,
                "UNKNOWN_ACCOUNT", null);
        assertThat(upstream.internal.lockCalls.get()).isEqualTo(calls);
        assertThat(records.find("wd-bad-1")).as("nothing recorded").isEmpty();
    }

    @Test
    void collateralRefusalsBecomeClearStatusesAndLeaveNothing() {
        String acc = "wd-refused";
        upstream.collateral.set(acc, false, new Object[]{"ethereum", "USDC", "100", "1", "0", "0"});
        String[][] cases = {
                {"FAILED_PRECONDITION", "CHAIN_HALTED", "CHAIN_HALTED"},
                {"FAILED_PRECONDITION", "ACCOUNT_FROZEN", "WITHDRAWALS_FROZEN"},
                {"FAILED_PRECONDITION", "INSUFFICIENT_BALANCE", "INSUFFICIENT_BALANCE"},
        };
        for (String[] c : cases) {
            upstream.internal.refusal.set(FakeUpstream.Internal.refusal(Code.valueOf(c[0]), c[1], null));
            assertError(() -> withdraw("wd-refused-1", acc, "ethereum", "USDC", "1", "0xa"), Status.Code.FAILED_PRECONDITION, c[2], null);
        }
        upstream.internal.refusal.set(FakeUpstream.Internal.refusal(Code.INVALID_ARGUMENT, "INVALID_AMOUNT", "amount"));
        assertError(() -> withdraw("wd-refused-1", acc, "ethereum", "USDC", "1", "0xa"), Status.Code.INVALID_ARGUMENT,
                "INVALID_QUANTITY", "amount");
        upstream.internal.refusal.set(FakeUpstream.Internal.refusal(Code.INVALID_ARGUMENT, "UNKNOWN_ASSET", "asset"));
        assertError(() -> withdraw("wd-refused-1", acc, "ethereum", "USDC", "1", "0xa"), Status.Code.INVALID_ARGUMENT,
                "UNKNOWN_ASSET", "asset");
        upstream.internal.refusal.set(FakeUpstream.Internal.refusal(Code.ALREADY_EXISTS, "IDEMPOTENCY_CONFLICT", null));
        assertError(() -> withdraw("wd-refused-1", acc, "ethereum", "USDC", "1", "0xa"), Status.Code.ALREADY_EXISTS,
                "IDEMPOTENCY_CONFLICT", null);
        assertThat(upstream.internal.locks).doesNotContainKey("wd-refused-1");

        upstream.internal.refusal.set(null);
        assertThat(withdraw("wd-refused-1", acc, "ethereum", "USDC", "1", "0xa").getReplayed()).isFalse();
    }

    @Test
    void dependencyDownIsUnavailableAndARetryNeverLocksTwice() {
        String acc = "wd-down";
        upstream.collateral.set(acc, false, new Object[]{"ethereum", "USDC", "100", "1", "0", "0"});

        upstream.collateral.mode.set(FakeUpstream.Mode.UNAVAILABLE); // no view: no what-if, no lock
        int calls = upstream.internal.lockCalls.get();
        assertError(() -> withdraw("wd-down-1", acc, "ethereum", "USDC", "1", "0xa"), Status.Code.UNAVAILABLE,
                "DEPENDENCY_UNAVAILABLE", null);
        assertThat(upstream.internal.lockCalls.get()).isEqualTo(calls);
        upstream.collateral.mode.set(FakeUpstream.Mode.OK);

        upstream.internal.mode.set(FakeUpstream.Internal.Lock.UNAVAILABLE); // the lock service is down
        assertError(() -> withdraw("wd-down-1", acc, "ethereum", "USDC", "1", "0xa"), Status.Code.UNAVAILABLE,
                "DEPENDENCY_UNAVAILABLE", null);
        assertThat(upstream.internal.locks).doesNotContainKey("wd-down-1");
        upstream.internal.mode.set(FakeUpstream.Internal.Lock.OK);
        assertThat(withdraw("wd-down-1", acc, "ethereum", "USDC", "1", "0xa").getReplayed()).isFalse();
        assertThat(upstream.internal.locks).containsKey("wd-down-1");

        upstream.internal.mode.set(FakeUpstream.Internal.Lock.LOST); // locked, but the answer is lost
        int lockCalls = upstream.internal.lockCalls.get();
        RequestWithdrawalResponse found = withdraw("wd-down-3", acc, "ethereum", "USDC", "1", "0xa"); // GetWithdrawal tells
        assertThat(found.getReplayed()).isFalse();
        assertThat(found.getLockedAtUnixMs()).isEqualTo(upstream.internal.locks.get("wd-down-3").getLockedAtUnixMs());
        assertThat(upstream.internal.lockCalls.get() - lockCalls).isEqualTo(2); // the retries of one call: locked once
        assertThat(upstream.internal.locks.keySet()).filteredOn(k -> k.startsWith("wd-down-")).hasSize(2);

        upstream.internal.getDown.set(true); // and nobody can tell whether it locked
        assertError(() -> withdraw("wd-down-2", acc, "ethereum", "USDC", "2", "0xa"), Status.Code.UNAVAILABLE,
                "WITHDRAWAL_IN_DOUBT", null);
        Withdrawal lostLock = upstream.internal.locks.get("wd-down-2");
        assertThat(lostLock).isNotNull();
        upstream.internal.getDown.set(false);
        upstream.internal.mode.set(FakeUpstream.Internal.Lock.OK);
        int before = upstream.internal.lockCalls.get();
        RequestWithdrawalResponse retry = withdraw("wd-down-2", acc, "ethereum", "USDC", "2", "0xa");
        assertThat(retry.getReplayed()).isTrue();
        assertThat(retry.getLockedAtUnixMs()).isEqualTo(lostLock.getLockedAtUnixMs());
        assertThat(retry.getEquityImAfterUsd()).isEqualTo("96.00000000"); // 100 - 1 (wd-down-1) - 1 (wd-down-3) - 2, as first checked
        assertThat(upstream.internal.lockCalls.get()).isEqualTo(before); // found with GetWithdrawal, not locked again
        assertThat(upstream.internal.locks.get("wd-down-2")).isEqualTo(lostLock);
    }

    /**
     * A caller that gives up while collateral-service is locking (its deadline) must not free the
     * account while the lock can still land: a second withdrawal that fits only without the first
     * waits for it and is refused. Without the detached context the lock call is cancelled with the
     * caller, the account lock released, and both withdrawals locked.
     */
    @Test
    void aCallerGivingUpDuringTheLockDoesNotLetAnotherWithdrawalThrough() {
        String acc = "wd-cancel";
        upstream.collateral.set(acc, false, new Object[]{"ethereum", "USDC", "500", "1", "0", "0"},
                new Object[]{"arbitrum", "USDC", "500", "1", "0", "0"});
        fill("wd-cancel-f1", acc, PERP, Side.SIDE_BUY, "10", "3000"); // IM 600: 300 may leave, not 600
        upstream.internal.mode.set(FakeUpstream.Internal.Lock.DELAYED); // 500 ms in collateral's lock
        int gets = upstream.internal.getCalls.get();
        giveUpAfter200ms("wd-cancel-1", acc, "ethereum", "USDC", "300");
        upstream.internal.mode.set(FakeUpstream.Internal.Lock.OK);
        assertError(() -> withdraw("wd-cancel-2", acc, "arbitrum", "USDC", "300", "0xa"), Status.Code.FAILED_PRECONDITION,
                "INSUFFICIENT_MARGIN", null);
        assertThat(upstream.internal.locks).containsKey("wd-cancel-1").doesNotContainKey("wd-cancel-2");
        RequestWithdrawalResponse replay = withdraw("wd-cancel-1", acc, "ethereum", "USDC", "300", "0xa");
        assertThat(replay.getReplayed()).isTrue();
        assertThat(replay.getLockedAtUnixMs()).isEqualTo(upstream.internal.locks.get("wd-cancel-1").getLockedAtUnixMs());
        // margin's lock call was not cancelled with its caller: it got collateral's answer, no outcome was in doubt
        assertThat(upstream.internal.getCalls.get()).isEqualTo(gets);
    }

    /** The same with a liquidation freeze: it answers only after the abandoned withdrawal's lock landed. */
    @Test
    void aFreezeAfterACallerGaveUpWaitsForTheLockStillInFlight() {
        String acc = "wd-cancel-freeze";
        upstream.collateral.set(acc, false, new Object[]{"ethereum", "USDC", "1000", "1", "0", "0"});
        fill("wd-cancel-freeze-f1", acc, PERP, Side.SIDE_BUY, "1", "3000");
        upstream.internal.mode.set(FakeUpstream.Internal.Lock.DELAYED);
        try {
            giveUpAfter200ms("wd-cancel-freeze-1", acc, "ethereum", "USDC", "1");
            freeze(acc, true, "auction-cancel");
            long frozenAt = System.currentTimeMillis();
            Withdrawal landed = upstream.internal.locks.get("wd-cancel-freeze-1");
            assertThat(landed).isNotNull(); // landed before the freeze answered, never after
            assertThat(landed.getLockedAtUnixMs()).isLessThanOrEqualTo(frozenAt);
        } finally {
            freeze(acc, false, "auction-cancel");
        }
    }

    @Test
    void aFreezeWaitsForTheWithdrawalInFlightAndNoneIsLockedAfterIt() throws Exception {
        String acc = "wd-race";
        upstream.collateral.set(acc, false, new Object[]{"ethereum", "USDC", "1000", "1", "0", "0"});
        fill("wd-race-f1", acc, PERP, Side.SIDE_BUY, "1", "3000");
        upstream.internal.mode.set(FakeUpstream.Internal.Lock.DELAYED);
        int calls = upstream.internal.lockCalls.get();
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newSingleThreadExecutor();
        try {
            java.util.concurrent.Future<RequestWithdrawalResponse> inFlight =
                    pool.submit(() -> withdraw("wd-race-1", acc, "ethereum", "USDC", "1", "0xa"));
            long deadline = System.nanoTime() + MarginGrpcServiceTest.PATIENCE.toNanos();
            while (upstream.internal.lockCalls.get() == calls && System.nanoTime() < deadline) {
                Thread.onSpinWait(); // until the withdrawal, checked, is inside collateral's lock call
            }
            assertThat(upstream.internal.lockCalls.get()).isGreaterThan(calls);
            freeze(acc, true, "auction-race");
            long frozenAt = System.currentTimeMillis();
            assertThat(inFlight.get(30, java.util.concurrent.TimeUnit.SECONDS).getReplayed()).isFalse();
            assertThat(upstream.internal.locks.get("wd-race-1").getLockedAtUnixMs()).isLessThanOrEqualTo(frozenAt);
            upstream.internal.mode.set(FakeUpstream.Internal.Lock.OK);
            assertError(() -> withdraw("wd-race-2", acc, "ethereum", "USDC", "1", "0xa"), Status.Code.FAILED_PRECONDITION,
                    "ACCOUNT_FROZEN", null);
        } finally {
            pool.shutdownNow();
            freeze(acc, false, "auction-race");
        }
    }

    @Test
    void twoWithdrawalsAtOnceThatFitOnlyOneByOneAreCheckedOneAfterTheOther() throws Exception {
        String acc = "wd-pair";
        upstream.collateral.set(acc, false, new Object[]{"ethereum", "USDC", "1000", "1", "0", "0"});
        fill("wd-pair-f1", acc, PERP, Side.SIDE_BUY, "10", "3000"); // IM 600: 300 may leave, not 600
        upstream.internal.mode.set(FakeUpstream.Internal.Lock.DELAYED); // both would be checked before either lock lands
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            java.util.List<java.util.concurrent.Future<Object>> outcomes = new java.util.ArrayList<>();
            for (String id : new String[]{"wd-pair-1", "wd-pair-2"}) {
                outcomes.add(pool.submit(() -> {
                    try {
                        return withdraw(id, acc, "ethereum", "USDC", "300", "0xa");
                    } catch (StatusRuntimeException e) {
                        return e;
                    }
                }));
            }
            java.util.List<Object> results = new java.util.ArrayList<>();
            for (var f : outcomes) {
                results.add(f.get(30, java.util.concurrent.TimeUnit.SECONDS));
            }
            assertThat(results).filteredOn(r -> r instanceof RequestWithdrawalResponse).hasSize(1);
            assertThat(results).filteredOn(r -> r instanceof StatusRuntimeException).singleElement().satisfies(e ->
                    MarginGrpcServiceTest.assertStatus((StatusRuntimeException) e, Status.Code.FAILED_PRECONDITION,
                            "INSUFFICIENT_MARGIN", null));
            assertThat(upstream.internal.locks.keySet()).filteredOn(k -> k.startsWith("wd-pair-")).hasSize(1);
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * A retry of a withdrawal in doubt whose lock lands just after the retry's GetWithdrawal: the
     * what-if then sees the amount gone and would refuse a withdrawal that is locked. It asks again
     * before refusing and answers the lock.
     */
    @Test
    void aRetryIsNotRefusedForALockThatLandedWhileItWasJudged() {
        String acc = "wd-late";
        upstream.collateral.set(acc, false, new Object[]{"ethereum", "USDC", "1000", "1", "0", "0"});
        fill("wd-late-f1", acc, PERP, Side.SIDE_BUY, "10", "3000"); // IM 600: 300 may leave, not twice
        upstream.internal.mode.set(FakeUpstream.Internal.Lock.LOST);
        upstream.internal.getDown.set(true);
        assertError(() -> withdraw("wd-late-1", acc, "ethereum", "USDC", "300", "0xa"), Status.Code.UNAVAILABLE,
                "WITHDRAWAL_IN_DOUBT", null);
        Withdrawal landed = upstream.internal.locks.get("wd-late-1");
        assertThat(landed).isNotNull();
        upstream.internal.getDown.set(false);
        upstream.internal.mode.set(FakeUpstream.Internal.Lock.OK);
        upstream.internal.hideNext.set(1); // the retry's first GetWithdrawal does not see it yet
        RequestWithdrawalResponse retry = withdraw("wd-late-1", acc, "ethereum", "USDC", "300", "0xa");
        assertThat(retry.getReplayed()).isTrue();

        // a retry whose earlier lock never happened is judged and locked anew, and is still a replay
        upstream.internal.mode.set(FakeUpstream.Internal.Lock.UNAVAILABLE);
        upstream.internal.getDown.set(true);
        assertError(() -> withdraw("wd-late-2", acc, "ethereum", "USDC", "1", "0xa"), Status.Code.UNAVAILABLE,
                "WITHDRAWAL_IN_DOUBT", null);
        upstream.internal.mode.set(FakeUpstream.Internal.Lock.OK);
        upstream.internal.getDown.set(false);
        RequestWithdrawalResponse second = withdraw("wd-late-2", acc, "ethereum", "USDC", "1", "0xa");
        assertThat(second.getReplayed()).isTrue(); // answers the earlier identical request
        assertThat(upstream.internal.locks).containsKey("wd-late-2");
        assertThat(retry.getLockedAtUnixMs()).isEqualTo(landed.getLockedAtUnixMs());
        assertThat(retry.getEquityImAfterUsd()).isEqualTo("700.00000000"); // as first checked
    }

    /**
     * Another withdrawal of an account whose earlier lock is in doubt is not judged without it: it
     * is answered WITHDRAWAL_IN_DOUBT while collateral-service cannot say, and judged with the lock
     * once it can; a liquidation freeze is never held up by it.
     */
    @Test
    void aWithdrawalWaitsUntilAnotherInDoubtIsResolvedAndAFreezeDoesNot() {
        String acc = "wd-doubt";
        upstream.collateral.set(acc, false, new Object[]{"ethereum", "USDC", "1000", "1", "0", "0"});
        fill("wd-doubt-f1", acc, PERP, Side.SIDE_BUY, "10", "3000"); // IM 600
        upstream.internal.mode.set(FakeUpstream.Internal.Lock.LOST);
        upstream.internal.getDown.set(true);
        assertError(() -> withdraw("wd-doubt-1", acc, "ethereum", "USDC", "300", "0xa"), Status.Code.UNAVAILABLE,
                "WITHDRAWAL_IN_DOUBT", null);
        upstream.internal.mode.set(FakeUpstream.Internal.Lock.OK);
        assertError(() -> withdraw("wd-doubt-2", acc, "ethereum", "USDC", "150", "0xa"), Status.Code.UNAVAILABLE,
                "WITHDRAWAL_IN_DOUBT", null);
        assertThat(upstream.internal.locks).doesNotContainKey("wd-doubt-2");
        freeze(acc, true, "auction-doubt"); // answers although the lock is still unknown
        freeze(acc, false, "auction-doubt");

        upstream.internal.getDown.set(false);
        assertError(() -> withdraw("wd-doubt-2", acc, "ethereum", "USDC", "150", "0xa"), Status.Code.FAILED_PRECONDITION,
                "INSUFFICIENT_MARGIN", null); // judged with wd-doubt-1 locked: 1000 - 300 - 150 < 600
        assertThat(upstream.internal.locks).doesNotContainKey("wd-doubt-2");
        int gets = upstream.internal.getCalls.get();
        RequestWithdrawalResponse replay = withdraw("wd-doubt-1", acc, "ethereum", "USDC", "300", "0xa");
        assertThat(replay.getReplayed()).isTrue();
        assertThat(upstream.internal.getCalls.get()).isEqualTo(gets); // recorded LOCKED when wd-doubt-2 asked
    }

    /**
     * Eight withdrawals of one account at once (more than the replica's six lock permits) do not
     * starve a liquidation freeze: it waits for the one holder in PostgreSQL, not for the queue. With
     * every withdrawal waiting in PostgreSQL ahead of it, it would answer only after most had locked.
     */
    @Test
    void queuedWithdrawalsOfOneAccountDoNotStarveAFreeze() throws Exception {
        String acc = "wd-starve";
        upstream.collateral.set(acc, false, new Object[]{"ethereum", "USDC", "100000", "1", "0", "0"});
        fill("wd-starve-f1", acc, PERP, Side.SIDE_BUY, "1", "3000");
        upstream.internal.mode.set(FakeUpstream.Internal.Lock.DELAYED); // 500 ms per lock
        int calls = upstream.internal.lockCalls.get();
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(8);
        try {
            java.util.List<java.util.concurrent.Future<Object>> outcomes = new java.util.ArrayList<>();
            for (int i = 1; i <= 8; i++) {
                String id = "wd-starve-" + i;
                outcomes.add(pool.submit(() -> {
                    try {
                        return withdraw(id, acc, "ethereum", "USDC", "1", "0xa");
                    } catch (StatusRuntimeException e) {
                        return e;
                    }
                }));
            }
            long deadline = System.nanoTime() + MarginGrpcServiceTest.PATIENCE.toNanos();
            while (upstream.internal.lockCalls.get() == calls && System.nanoTime() < deadline) {
                Thread.onSpinWait(); // until the first is inside collateral's lock call, the others queued
            }
            freeze(acc, true, "auction-starve");
            long lockedBeforeFreeze = upstream.internal.locks.keySet().stream().filter(k -> k.startsWith("wd-starve-")).count();
            assertThat(lockedBeforeFreeze).isLessThanOrEqualTo(2);
            for (var f : outcomes) {
                f.get(60, java.util.concurrent.TimeUnit.SECONDS);
            }
            assertThat(upstream.internal.locks.keySet().stream().filter(k -> k.startsWith("wd-starve-")).count())
                    .isLessThanOrEqualTo(3); // the rest found the account frozen
        } finally {
            pool.shutdownNow();
            freeze(acc, false, "auction-starve");
        }
    }

    /**
     * collateral-service may refuse a request whose id a duplicate locked meanwhile: the refusal is
     * not taken for "nothing locked" before GetWithdrawal says so; the lock found is the answer.
     */
    @Test
    void aRefusedLockThatADuplicateMadeIsAnsweredAsTheLock() {
        String acc = "wd-dup";
        upstream.collateral.set(acc, false, new Object[]{"ethereum", "USDC", "100", "1", "0", "0"});
        Withdrawal duplicate = Withdrawal.newBuilder().setWithdrawalId("wd-dup-1").setAccountId(acc).setChainId("ethereum")
                .setAsset("USDC").setAmount("1").setDestinationAddress("0xa")
                .setStatus(dev.crosschain.proto.collateral.v1.WithdrawalStatus.WITHDRAWAL_STATUS_LOCKED)
                .setLockedAtUnixMs(1_700_000_000_000L).build();
        upstream.internal.locks.put("wd-dup-1", duplicate); // locked by a duplicate, which this request does not see
        upstream.internal.refusal.set(FakeUpstream.Internal.refusal(Code.FAILED_PRECONDITION, "INSUFFICIENT_BALANCE", null));
        RequestWithdrawalResponse answer = withdraw("wd-dup-1", acc, "ethereum", "USDC", "1", "0xa");
        assertThat(answer.getReplayed()).isTrue();
        assertThat(answer.getLockedAtUnixMs()).isEqualTo(1_700_000_000_000L);
        upstream.internal.refusal.set(null);
        int gets = upstream.internal.getCalls.get();
        assertThat(withdraw("wd-dup-1", acc, "ethereum", "USDC", "1", "0xa").getLockedAtUnixMs()).isEqualTo(1_700_000_000_000L);
        assertThat(upstream.internal.getCalls.get()).isEqualTo(gets); // recorded LOCKED
    }

    /**
     * The first attempt of the lock goes unanswered (UNAVAILABLE) but stays queued at collateral-service;
     * the retried attempt is refused INSUFFICIENT_BALANCE. That refusal speaks for the retry only: the
     * queued attempt lands later (here after one more NOT_FOUND), before not_after. margin keeps asking
     * until not_after + the skew and answers the lock; before, it asked once, forgot the CHECKED record
     * and answered INSUFFICIENT_BALANCE for a withdrawal collateral-service holds.
     */
    @Test
    void aRefusalOfARetryDoesNotSpeakForAnEarlierAttemptStillQueued() {
        String acc = "wd-queued";
        upstream.collateral.set(acc, false, new Object[]{"ethereum", "USDC", "100", "1", "0", "0"});
        upstream.internal.queueNext.set(1);
        upstream.internal.queuedMisses.set(1);
        upstream.internal.refusal.set(FakeUpstream.Internal.refusal(Code.FAILED_PRECONDITION, "INSUFFICIENT_BALANCE", null));
        RequestWithdrawalResponse answer = withdraw("wd-queued-1", acc, "ethereum", "USDC", "1", "0xa");
        long notAfter = upstream.internal.notAfters.get("wd-queued-1").get(0);
        assertThat(upstream.internal.notAfters.get("wd-queued-1")).hasSize(2);
        assertThat(answer.getLockedAtUnixMs()).isEqualTo(notAfter);
        assertThat(records.find("wd-queued-1")).get().extracting(dev.crosschain.margin.store.WithdrawalStore.WithdrawalRecord::state)
                .isEqualTo(dev.crosschain.margin.store.WithdrawalStore.State.LOCKED);

        // nothing queued this time: the refusal stands once no earlier attempt can land (not_after + skew)
        upstream.internal.unavailableNext.set(1);
        assertError(() -> withdraw("wd-queued-2", acc, "ethereum", "USDC", "1", "0xa"), Status.Code.FAILED_PRECONDITION,
                "INSUFFICIENT_BALANCE", null);
        long settled = upstream.internal.notAfters.get("wd-queued-2").get(0) + config.withdrawals().clockSkew().toMillis();
        java.util.List<Long> gets = upstream.internal.getsAt.get("wd-queued-2");
        assertThat(gets.get(gets.size() - 1)).as("the deciding GetWithdrawal").isGreaterThan(settled);
        assertThat(records.find("wd-queued-2")).isEmpty();
    }

    /**
     * A CHECKED record whose request left before its lock's outcome was settled (here: its not_after
     * set 3 s ahead, as a request that stopped right after sending would leave it): a retry of the id
     * waits until that not_after + the skew for the lock to land, and answers it. Before, it asked
     * GetWithdrawal once, judged anew, was refused and forgot the record of a lock that then landed
     * (fails without the fix: INSUFFICIENT_BALANCE).
     */
    @Test
    void aRetryWaitsForTheFenceOfTheRequestThatLeftItsRecordChecked() throws Exception {
        String acc = "wd-left";
        long notAfter = System.currentTimeMillis() + 3_000;
        leftCheckedInDoubt(acc, "wd-left-1", notAfter);
        upstream.internal.locks.put("wd-left-1", Withdrawal.newBuilder().setWithdrawalId("wd-left-1").setAccountId(acc)
                .setChainId("ethereum").setAsset("USDC").setAmount("1").setDestinationAddress("0xa")
                .setStatus(dev.crosschain.proto.collateral.v1.WithdrawalStatus.WITHDRAWAL_STATUS_LOCKED)
                .setLockedAtUnixMs(notAfter).build());
        upstream.internal.hideNext.set(2); // it lands after two more NOT_FOUNDs
        upstream.internal.refusal.set(FakeUpstream.Internal.refusal(Code.FAILED_PRECONDITION, "INSUFFICIENT_BALANCE", null));
        RequestWithdrawalResponse answer = withdraw("wd-left-1", acc, "ethereum", "USDC", "1", "0xa");
        assertThat(answer.getReplayed()).isTrue();
        assertThat(answer.getLockedAtUnixMs()).isEqualTo(notAfter);
        assertThat(records.find("wd-left-1")).get().extracting(dev.crosschain.margin.store.WithdrawalStore.WithdrawalRecord::state)
                .isEqualTo(dev.crosschain.margin.store.WithdrawalStore.State.LOCKED);
    }

    /**
     * Leaves withdrawal {@code id} of 1 USDC (of 100 held on ethereum) CHECKED and in doubt, as a request that gave up
     * would, with its recorded lock fence moved to {@code notAfter}; collateral answers normally again afterwards.
     */
    private void leftCheckedInDoubt(String acc, String id, long notAfter) throws java.sql.SQLException {
        upstream.collateral.set(acc, false, new Object[]{"ethereum", "USDC", "100", "1", "0", "0"});
        upstream.internal.mode.set(FakeUpstream.Internal.Lock.UNAVAILABLE);
        upstream.internal.getDown.set(true);
        assertError(() -> withdraw(id, acc, "ethereum", "USDC", "1", "0xa"), Status.Code.UNAVAILABLE, "WITHDRAWAL_IN_DOUBT", null);
        try (java.sql.Connection c = dataSource.getConnection(); java.sql.PreparedStatement s = c.prepareStatement(
                "UPDATE withdrawal SET lock_not_after_ms = ? WHERE withdrawal_id = ? AND state = 'CHECKED'")) {
            s.setLong(1, notAfter);
            s.setString(2, id);
            assertThat(s.executeUpdate()).isOne();
        }
        upstream.internal.mode.set(FakeUpstream.Internal.Lock.OK);
        upstream.internal.getDown.set(false);
    }

    /**
     * A recorded fence later than one margin would set now (written by a clock that had jumped ahead) is not
     * waited out under the account lock: the retry answers in doubt at once and keeps the record.
     */
    @Test
    void aRecordedFenceFurtherAheadThanAnyFenceSetNowIsAnsweredInDoubtAtOnce() throws Exception {
        String acc = "wd-far";
        leftCheckedInDoubt(acc, "wd-far-1", System.currentTimeMillis() + 3_600_000);
        int getsBefore = upstream.internal.getCalls.get();
        assertError(() -> withdraw("wd-far-1", acc, "ethereum", "USDC", "1", "0xa"), Status.Code.UNAVAILABLE,
                "WITHDRAWAL_IN_DOUBT", null);
        assertThat(upstream.internal.getCalls.get() - getsBefore).as("one GetWithdrawal, no polling").isOne();
        assertThat(records.find("wd-far-1")).get().extracting(dev.crosschain.margin.store.WithdrawalStore.WithdrawalRecord::state)
                .isEqualTo(dev.crosschain.margin.store.WithdrawalStore.State.CHECKED);
        assertThat(upstream.internal.locks).doesNotContainKey("wd-far-1");
    }

    /**
     * Another withdrawal's pending lock is settled by its recorded not_after + the skew, not by how
     * long ago it was asked: a lock asked an hour ago (margin's database clock) whose not_after is
     * still a minute ahead (a fence as good as a huge skew) keeps the account in doubt; before, it was
     * forgotten after longest + 2 x deadline. And a lock collateral-service holds under that id with
     * another payload is never recorded as the lock: it is recorded CONFLICT (terminal) with what
     * collateral holds, and the account's other withdrawals proceed.
     */
    @Test
    void aPendingLockIsSettledByItsNotAfterAndAnotherPayloadIsNeverTakenForIt() throws Exception {
        String acc = "wd-pend";
        upstream.collateral.set(acc, false, new Object[]{"ethereum", "USDC", "100", "1", "0", "0"});
        long notAfter = System.currentTimeMillis() + 60_000;
        assertThat(records.saveChecked(new dev.crosschain.margin.store.WithdrawalStore.WithdrawalRecord("wd-pend-1", "test-hash",
                acc, "ethereum", "USDC", new java.math.BigDecimal("1"), "0xa", dev.crosschain.margin.store.WithdrawalStore.State.CHECKED,
                java.math.BigDecimal.ZERO, java.math.BigDecimal.ZERO, java.math.BigDecimal.ZERO, 0L, notAfter))).isTrue();
        try (java.sql.Connection c = dataSource.getConnection(); java.sql.Statement s = c.createStatement()) {
            assertThat(s.executeUpdate("UPDATE withdrawal SET lock_asked_at = now() - interval '1 hour' WHERE withdrawal_id = 'wd-pend-1'"))
                    .isOne();
        }
        assertError(() -> withdraw("wd-pend-2", acc, "ethereum", "USDC", "1", "0xa"), Status.Code.UNAVAILABLE,
                "WITHDRAWAL_IN_DOUBT", null);
        assertThat(records.find("wd-pend-1")).get().extracting(dev.crosschain.margin.store.WithdrawalStore.WithdrawalRecord::state)
                .isEqualTo(dev.crosschain.margin.store.WithdrawalStore.State.CHECKED);

        upstream.internal.locks.put("wd-pend-1", Withdrawal.newBuilder().setWithdrawalId("wd-pend-1").setAccountId(acc)
                .setChainId("ethereum").setAsset("USDC").setAmount("2").setDestinationAddress("0xa")
                .setStatus(dev.crosschain.proto.collateral.v1.WithdrawalStatus.WITHDRAWAL_STATUS_LOCKED)
                .setLockedAtUnixMs(System.currentTimeMillis()).build()); // held there with another amount
        RequestWithdrawalResponse other = withdraw("wd-pend-2", acc, "ethereum", "USDC", "1", "0xa");
        assertThat(other.getReplayed()).isFalse();
        assertThat(upstream.internal.locks).containsKey("wd-pend-2"); // the conflict no longer blocks the account
        assertThat(records.find("wd-pend-1")).get().extracting(dev.crosschain.margin.store.WithdrawalStore.WithdrawalRecord::state)
                .isEqualTo(dev.crosschain.margin.store.WithdrawalStore.State.CONFLICT);
        assertThat(conflictRecorded("wd-pend-1")).contains("account " + acc + ", 2 USDC on ethereum to 0xa");
        assertThat(upstream.internal.locks.get("wd-pend-1").getAmount()).isEqualTo("2");
    }

    /**
     * A retry of its own CHECKED id that finds collateral-service holding it with another payload records the
     * conflict and answers WITHDRAWAL_CONFLICT (before: IDEMPOTENCY_CONFLICT, the record left CHECKED and the
     * account in doubt for good); the next retry answers the same without asking collateral.
     */
    @Test
    void aRetryThatFindsItsIdHeldWithAnotherPayloadRecordsTheConflict() throws Exception {
        String acc = "wd-conf";
        leftCheckedInDoubt(acc, "wd-conf-1", System.currentTimeMillis() - 60_000);
        upstream.internal.locks.put("wd-conf-1", Withdrawal.newBuilder().setWithdrawalId("wd-conf-1").setAccountId(acc)
                .setChainId("ethereum").setAsset("USDC").setAmount("1").setDestinationAddress("0xother")
                .setStatus(dev.crosschain.proto.collateral.v1.WithdrawalStatus.WITHDRAWAL_STATUS_LOCKED)
                .setLockedAtUnixMs(System.currentTimeMillis()).build());
        assertError(() -> withdraw("wd-conf-1", acc, "ethereum", "USDC", "1", "0xa"), Status.Code.FAILED_PRECONDITION,
                "WITHDRAWAL_CONFLICT", null);
        assertThat(records.find("wd-conf-1")).get().extracting(dev.crosschain.margin.store.WithdrawalStore.WithdrawalRecord::state)
                .isEqualTo(dev.crosschain.margin.store.WithdrawalStore.State.CONFLICT);
        assertThat(conflictRecorded("wd-conf-1")).contains("to 0xother");
        int getCalls = upstream.internal.getCalls.get();
        int lockCalls = upstream.internal.lockCalls.get();
        StatusRuntimeException retry = assertError(() -> withdraw("wd-conf-1", acc, "ethereum", "USDC", "1", "0xa"),
                Status.Code.FAILED_PRECONDITION, "WITHDRAWAL_CONFLICT", null);
        assertThat(detail(retry, PreconditionFailure.class).getViolations(0).getSubject()).isEqualTo("withdrawals/wd-conf-1");
        assertThat(upstream.internal.getCalls.get()).as("nothing asked of collateral").isEqualTo(getCalls);
        assertThat(upstream.internal.lockCalls.get()).isEqualTo(lockCalls);
        assertThat(records.find("wd-conf-1")).get().extracting(dev.crosschain.margin.store.WithdrawalStore.WithdrawalRecord::state)
                .isEqualTo(dev.crosschain.margin.store.WithdrawalStore.State.CONFLICT);
        assertThat(upstream.internal.locks.get("wd-conf-1").getDestinationAddress()).isEqualTo("0xother");
        assertThat(withdraw("wd-conf-2", acc, "ethereum", "USDC", "1", "0xa").getReplayed()).isFalse(); // not in doubt
    }

    /**
     * A retry of a CHECKED id whose fence has passed, from a collateral-service that answers NOT_FOUND without the
     * not_after_enforced mark (an older replica of a mixed fleet may still hold the earlier lock queued): no what-if,
     * no new lock; WITHDRAWAL_IN_DOUBT with the record kept. Likewise a refusal of a fresh lock is not taken for
     * "nothing locked" without the mark. Before, the retry went on to a new lock and its refusal forgot the record.
     */
    @Test
    void withoutTheEnforcedMarkARefusalNeverForgetsACheckedRecord() throws Exception {
        String acc = "wd-nomark";
        leftCheckedInDoubt(acc, "wd-nomark-1", System.currentTimeMillis() - 60_000);
        upstream.internal.notAfterEnforced.set(false);
        upstream.internal.refusal.set(FakeUpstream.Internal.refusal(Code.FAILED_PRECONDITION, "INSUFFICIENT_BALANCE", null));
        int lockCalls = upstream.internal.lockCalls.get();
        assertError(() -> withdraw("wd-nomark-1", acc, "ethereum", "USDC", "1", "0xa"), Status.Code.UNAVAILABLE,
                "WITHDRAWAL_IN_DOUBT", null);
        assertThat(upstream.internal.lockCalls.get()).as("no new lock while the earlier one may land").isEqualTo(lockCalls);
        assertThat(records.find("wd-nomark-1")).get().extracting(dev.crosschain.margin.store.WithdrawalStore.WithdrawalRecord::state)
                .isEqualTo(dev.crosschain.margin.store.WithdrawalStore.State.CHECKED);

        String fresh = "wd-nomark-fresh";
        upstream.collateral.set(fresh, false, new Object[]{"ethereum", "USDC", "100", "1", "0", "0"});
        assertError(() -> withdraw("wd-nomark-2", fresh, "ethereum", "USDC", "1", "0xa"), Status.Code.UNAVAILABLE,
                "WITHDRAWAL_IN_DOUBT", null);
        assertThat(upstream.internal.lockCalls.get()).isEqualTo(lockCalls + 1);
        assertThat(records.find("wd-nomark-2")).get().extracting(dev.crosschain.margin.store.WithdrawalStore.WithdrawalRecord::state)
                .isEqualTo(dev.crosschain.margin.store.WithdrawalStore.State.CHECKED);

        upstream.internal.notAfterEnforced.set(true); // now the refusal stands and nothing is kept
        assertError(() -> withdraw("wd-nomark-1", acc, "ethereum", "USDC", "1", "0xa"), Status.Code.FAILED_PRECONDITION,
                "INSUFFICIENT_BALANCE", null);
        assertThat(records.find("wd-nomark-1")).isEmpty();
        assertThat(upstream.internal.locks).doesNotContainKey("wd-nomark-1");
    }

    /**
     * collateral-service refuses a fresh lock ALREADY_EXISTS IDEMPOTENCY_CONFLICT: it holds the id with another
     * payload, so the request records the conflict (CONFLICT, CRITICAL alert) and answers WITHDRAWAL_CONFLICT;
     * before, the CHECKED record was forgotten with no alert. Refused so while GetWithdrawal finds nothing: the
     * refusal stands (logged at ERROR) and nothing is kept.
     */
    @Test
    void aLockRefusedAsAlreadyHeldWithAnotherPayloadRecordsTheConflict() throws Exception {
        String acc = "wd-held";
        upstream.collateral.set(acc, false, new Object[]{"ethereum", "USDC", "100", "1", "0", "0"});
        upstream.internal.locks.put("wd-held-1", Withdrawal.newBuilder().setWithdrawalId("wd-held-1").setAccountId(acc)
                .setChainId("ethereum").setAsset("USDC").setAmount("1").setDestinationAddress("0xother")
                .setStatus(dev.crosschain.proto.collateral.v1.WithdrawalStatus.WITHDRAWAL_STATUS_LOCKED)
                .setLockedAtUnixMs(System.currentTimeMillis()).build());
        upstream.internal.refusal.set(FakeUpstream.Internal.refusal(Code.ALREADY_EXISTS, "IDEMPOTENCY_CONFLICT", null));
        double alerted = meters.counter("margin.withdrawal.conflicts").count();
        assertError(() -> withdraw("wd-held-1", acc, "ethereum", "USDC", "1", "0xa"), Status.Code.FAILED_PRECONDITION,
                "WITHDRAWAL_CONFLICT", null);
        assertThat(meters.counter("margin.withdrawal.conflicts").count()).as("one CRITICAL alert counted").isEqualTo(alerted + 1);
        assertError(() -> withdraw("wd-held-1", acc, "ethereum", "USDC", "1", "0xa"), Status.Code.FAILED_PRECONDITION,
                "WITHDRAWAL_CONFLICT", null);
        assertThat(meters.counter("margin.withdrawal.conflicts").count()).as("recorded once, counted once").isEqualTo(alerted + 1);
        assertThat(records.find("wd-held-1")).get().extracting(dev.crosschain.margin.store.WithdrawalStore.WithdrawalRecord::state)
                .isEqualTo(dev.crosschain.margin.store.WithdrawalStore.State.CONFLICT);
        assertThat(conflictRecorded("wd-held-1")).contains("to 0xother");

        assertError(() -> withdraw("wd-held-2", acc, "ethereum", "USDC", "1", "0xa"), Status.Code.ALREADY_EXISTS,
                "IDEMPOTENCY_CONFLICT", null);
        assertThat(records.find("wd-held-2")).isEmpty();
        upstream.internal.refusal.set(null);
        assertThat(withdraw("wd-held-3", acc, "ethereum", "USDC", "1", "0xa").getReplayed()).isFalse(); // not in doubt
    }

    /** What margin recorded collateral-service holds under a withdrawal id in CONFLICT. */
    private String conflictRecorded(String id) throws java.sql.SQLException {
        try (java.sql.Connection c = dataSource.getConnection(); java.sql.PreparedStatement s = c.prepareStatement(
                "SELECT conflict_collateral FROM withdrawal WHERE withdrawal_id = ? AND conflict_at IS NOT NULL")) {
            s.setString(1, id);
            try (java.sql.ResultSet rs = s.executeQuery()) {
                assertThat(rs.next()).as("conflict recorded").isTrue();
                return rs.getString(1);
            }
        }
    }

    /**
     * Another withdrawal's pending lock is settled by a NOT_FOUND only if its fence had passed when margin asked:
     * a NOT_FOUND read before not_after + the skew but delivered after it says nothing of a lock queued behind
     * that read, which may still land in time.
     */
    @Test
    void aNotFoundAskedBeforeTheFenceSettledDoesNotSettleItEvenIfItArrivesAfter() {
        String acc = "wd-slow";
        upstream.collateral.set(acc, false, new Object[]{"ethereum", "USDC", "100", "1", "0", "0"});
        long settlesAt = System.currentTimeMillis() + 600;
        long notAfter = settlesAt - clockSkewMs();
        assertThat(records.saveChecked(new dev.crosschain.margin.store.WithdrawalStore.WithdrawalRecord("wd-slow-1", "test-hash",
                acc, "ethereum", "USDC", new java.math.BigDecimal("1"), "0xa", dev.crosschain.margin.store.WithdrawalStore.State.CHECKED,
                java.math.BigDecimal.ZERO, java.math.BigDecimal.ZERO, java.math.BigDecimal.ZERO, 0L, notAfter))).isTrue();
        upstream.internal.slowNotFoundUntil.put("wd-slow-1", settlesAt + 50);

        assertError(() -> withdraw("wd-slow-2", acc, "ethereum", "USDC", "1", "0xa"), Status.Code.UNAVAILABLE,
                "WITHDRAWAL_IN_DOUBT", null);
        // meaningful only if margin asked before the fence settled (a loaded machine may ask later)
        org.junit.jupiter.api.Assumptions.assumeTrue(upstream.internal.getsAt.get("wd-slow-1").get(0) < settlesAt);
        assertThat(records.find("wd-slow-1")).as("kept: the lock may still land").get()
                .extracting(dev.crosschain.margin.store.WithdrawalStore.WithdrawalRecord::state)
                .isEqualTo(dev.crosschain.margin.store.WithdrawalStore.State.CHECKED);
        assertThat(upstream.internal.locks).doesNotContainKey("wd-slow-2");
    }

    /** margin.withdrawals.clock-skew as configured, ms. */
    private static long clockSkewMs() {
        return org.eclipse.microprofile.config.ConfigProvider.getConfig()
                .getValue("margin.withdrawals.clock-skew", java.time.Duration.class).toMillis();
    }

    /**
     * An attempt answered UNAVAILABLE just before not_after is not retried after it (the retry could
     * only be refused LOCK_EXPIRED, holding the account lock longer): margin goes straight to the
     * outcome wait and, nothing locked by not_after + the skew, answers DEPENDENCY_UNAVAILABLE.
     */
    @Test
    void noAttemptIsSentAfterNotAfter() {
        String acc = "wd-past";
        upstream.collateral.set(acc, false, new Object[]{"ethereum", "USDC", "100", "1", "0", "0"});
        upstream.internal.unavailableAtNotAfter.set(true);
        assertError(() -> withdraw("wd-past-1", acc, "ethereum", "USDC", "1", "0xa"), Status.Code.UNAVAILABLE,
                "DEPENDENCY_UNAVAILABLE", null);
        assertThat(upstream.internal.notAfters.get("wd-past-1")).hasSize(1);
        assertThat(records.find("wd-past-1")).isEmpty();
    }

    /** A token collateral-service refuses is a misconfiguration (INTERNAL), not an outage to retry; nothing is kept. */
    @Test
    void aRefusedCredentialIsInternalNotUnavailable() {
        String acc = "wd-token";
        upstream.collateral.set(acc, false, new Object[]{"ethereum", "USDC", "100", "1", "0", "0"});
        FakeUpstream.Internal.rejectToken.set(true);
        assertError(() -> withdraw("wd-token-1", acc, "ethereum", "USDC", "1", "0xa"), Status.Code.INTERNAL, "INTERNAL", null);
        assertThat(upstream.internal.locks).doesNotContainKey("wd-token-1");
        FakeUpstream.Internal.rejectToken.set(false);
        assertThat(withdraw("wd-token-1", acc, "ethereum", "USDC", "1", "0xa").getReplayed()).isFalse(); // the record was forgotten
    }

    /** A withdrawal whose caller gives up after 200 ms (its deadline), while collateral's lock takes longer. */
    static void giveUpAfter200ms(String id, String account, String chain, String asset, String amount) {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> MarginGrpcServiceTest.margin
                        .withDeadlineAfter(200, java.util.concurrent.TimeUnit.MILLISECONDS)
                        .requestWithdrawal(RequestWithdrawalRequest.newBuilder().setWithdrawalId(id).setAccountId(account)
                                .setChainId(chain).setAsset(asset).setAmount(amount).setDestinationAddress("0xa").build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED));
    }

    static RequestWithdrawalResponse withdraw(String id, String account, String chain, String asset, String amount, String destination) {
        // a stub of its own with a deadline of its own: the shared stub's is absolute, set at connect, and
        // this class (withdrawals in doubt, each answered after not_after + the skew) would outlive it
        return MarginGrpcServiceTest.margin.requestWithdrawal(RequestWithdrawalRequest.newBuilder().setWithdrawalId(id)
                .setAccountId(account).setChainId(chain).setAsset(asset).setAmount(amount).setDestinationAddress(destination).build());
    }
}
