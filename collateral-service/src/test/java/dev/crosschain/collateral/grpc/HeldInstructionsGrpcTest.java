package dev.crosschain.collateral.grpc;

import dev.crosschain.collateral.app.Withdrawals;
import dev.crosschain.postgres.PostgresTestResource;
import dev.crosschain.proto.collateral.v1.AckOutcome;
import dev.crosschain.proto.collateral.v1.CollateralAdminServiceGrpc;
import dev.crosschain.proto.collateral.v1.CollateralInternalServiceGrpc;
import dev.crosschain.proto.collateral.v1.CollateralServiceGrpc;
import dev.crosschain.proto.collateral.v1.Freeze;
import dev.crosschain.proto.collateral.v1.GetWithdrawalRequest;
import dev.crosschain.proto.collateral.v1.ListChainsRequest;
import dev.crosschain.proto.collateral.v1.ListFreezesRequest;
import dev.crosschain.proto.collateral.v1.ListFreezesResponse;
import dev.crosschain.proto.collateral.v1.SetChainHaltRequest;
import dev.crosschain.proto.collateral.v1.UnfreezeAccountRequest;
import dev.crosschain.proto.collateral.v1.UnfreezeAccountResponse;
import dev.crosschain.proto.collateral.v1.WithdrawalInstruction;
import dev.crosschain.proto.collateral.v1.WithdrawalOutcome;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static dev.crosschain.collateral.grpc.CollateralGrpcServiceTest.assertRejected;
import static dev.crosschain.collateral.grpc.CollateralGrpcServiceTest.bearer;
import static dev.crosschain.collateral.grpc.CollateralGrpcServiceTest.catchStatus;
import static dev.crosschain.collateral.grpc.WithdrawalGrpcTest.account;
import static dev.crosschain.collateral.grpc.WithdrawalGrpcTest.assertPrecondition;
import static dev.crosschain.collateral.grpc.WithdrawalGrpcTest.lock;
import static dev.crosschain.collateral.grpc.WithdrawalGrpcTest.wid;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Held withdrawal instructions: one freeze per cause (lifting one of two keeps the account frozen and its instructions
 * held), why an instruction is held (Withdrawal.held_reason), and the release at once to this replica's open stream
 * when the last freeze or an operator halt is lifted. Its own application polls for deliverable instructions only
 * every hour, so an instruction that arrives after a lift was sent by the wake-up, not by the poll.
 */
@QuarkusTest
@TestProfile(HeldInstructionsGrpcTest.HourlyPoll.class)
@QuarkusTestResource(PostgresTestResource.class)
class HeldInstructionsGrpcTest {

    /** Instructions are found by the welcome, new locks and lifts only: the poll never runs during a test. */
    public static class HourlyPoll implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("collateral.withdrawals.poll-interval", "1h");
        }
    }

    static ManagedChannel channel;
    static CollateralServiceGrpc.CollateralServiceStub async;
    static CollateralServiceGrpc.CollateralServiceBlockingStub collateral;
    static CollateralInternalServiceGrpc.CollateralInternalServiceBlockingStub margin;
    static CollateralAdminServiceGrpc.CollateralAdminServiceBlockingStub operator;

    @Inject
    Withdrawals withdrawals;

    @BeforeAll
    static void connect() {
        channel = ManagedChannelBuilder.forAddress("localhost", 19101).usePlaintext().build();
        async = CollateralServiceGrpc.newStub(channel);
        collateral = CollateralServiceGrpc.newBlockingStub(channel);
        margin = CollateralInternalServiceGrpc.newBlockingStub(channel).withInterceptors(bearer("test-margin-token"));
        operator = CollateralAdminServiceGrpc.newBlockingStub(channel).withInterceptors(bearer("test-operator-token"));
    }

    @AfterAll
    static void disconnect() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    @Test
    void twoCausesFreezeTwiceAndOnlyLiftingBothReleasesTheHeldInstructionAtOnce() {
        String account = account("two-causes");
        fund(account, "ethereum", "USDC", "10");
        String first = wid();
        String second = wid();
        String held = wid();
        margin.lockWithdrawal(lock(first, account, "ethereum", "USDC", "4", "0xfirst"));
        margin.lockWithdrawal(lock(second, account, "ethereum", "USDC", "2", "0xsecond"));
        try (AdapterConnection adapter = new AdapterConnection(async, "ethereum")) {
            adapter.hello();
            adapter.instruction(first);
            adapter.instruction(second);
            // Two causes: each withdrawal failed, then the chain says it executed (WITHDRAWAL_RESOLVED, freezing).
            for (String id : new String[]{first, second}) {
                assertThat(adapter.result(id, WithdrawalOutcome.WITHDRAWAL_OUTCOME_FAILED, "", "dropped").getOutcome())
                        .isEqualTo(AckOutcome.ACK_OUTCOME_APPLIED);
                if (id.equals(first)) {
                    // A lock between the two causes: its instruction is held from the first freeze on.
                    margin.lockWithdrawal(lock(held, account, "ethereum", "USDC", "1", "0xheld"));
                    adapter.instruction(held);
                }
                assertRejected(adapter.result(id, WithdrawalOutcome.WITHDRAWAL_OUTCOME_EXECUTED, "0xlate-" + id, ""),
                        "WITHDRAWAL_RESOLVED", "withdrawal_result.outcome");
            }
        }
        ListFreezesResponse freezes = operator.listFreezes(ListFreezesRequest.newBuilder().setAccountId(account).build());
        assertThat(freezes.getFrozen()).isTrue();
        assertThat(freezes.getFreezesList()).hasSize(2);
        assertThat(freezes.getFreezesList()).extracting(Freeze::getReason).allMatch(r -> r.startsWith("WITHDRAWAL_RESOLVED: "));
        assertThat(freezes.getFreezesList()).extracting(Freeze::getAlertId).allMatch(id -> id > 0).doesNotHaveDuplicates();
        long newer = freezes.getFreezes(0).getFreezeId();
        long older = freezes.getFreezes(1).getFreezeId();
        assertThat(newer).isGreaterThan(older);
        assertThat(freezes.getFreezes(1).getReason()).contains(first);
        assertThat(freezes.getFreezes(0).getReason()).contains(second);

        try (AdapterConnection adapter = new AdapterConnection(async, "ethereum")) {
            adapter.hello();
            assertHeld(account, held, "(and 1 other open freeze)");

            UnfreezeAccountResponse one = operator.unfreezeAccount(unfreeze(account, older, "first execution reviewed"));
            assertThat(one.getStillFrozen()).isTrue();
            // The other cause still freezes the account: locks refused, the instruction held.
            assertHeld(account, held, second);
            assertThat(withdrawals.heldReason(withdrawal(held))).doesNotContain("other open freeze");

            UnfreezeAccountResponse two = operator.unfreezeAccount(unfreeze(account, newer, "second execution reviewed"));
            assertThat(two.getStillFrozen()).isFalse();
            // Sent at once to the open stream (the poll runs hourly here).
            assertThat(adapter.instruction(held).getAmount()).isEqualTo("1");
            assertThat(margin.getWithdrawal(GetWithdrawalRequest.newBuilder().setWithdrawalId(held).build()).getWithdrawal()
                    .getHeldReason()).isEmpty();
            assertThat(adapter.result(held, WithdrawalOutcome.WITHDRAWAL_OUTCOME_FAILED, "", "test").getOutcome())
                    .isEqualTo(AckOutcome.ACK_OUTCOME_APPLIED);
        }
        assertThat(operator.listFreezes(ListFreezesRequest.newBuilder().setAccountId(account).build()).getFrozen()).isFalse();
    }

    @Test
    void liftingAnOperatorHaltSendsTheHeldInstructionsAtOnce() {
        String account = account("halted");
        fund(account, "arbitrum", "ETH", "3");
        String id = wid();
        margin.lockWithdrawal(lock(id, account, "arbitrum", "ETH", "1.5", "0xhalted"));
        operator.setChainHalt(SetChainHaltRequest.newBuilder().setChangeId("halt-" + UUID.randomUUID()).setChainId("arbitrum")
                .setHalted(true).setReason("wake test").build());
        boolean halted = true;
        try (AdapterConnection adapter = new AdapterConnection(async, "arbitrum")) {
            adapter.hello();
            assertThat(withdrawals.deliverableOn("arbitrum")).isEmpty();
            assertThat(margin.getWithdrawal(GetWithdrawalRequest.newBuilder().setWithdrawalId(id).build()).getWithdrawal()
                    .getHeldReason()).isEqualTo("chain arbitrum is halted: halted by an operator");

            operator.setChainHalt(SetChainHaltRequest.newBuilder().setChangeId("unhalt-" + UUID.randomUUID()).setChainId("arbitrum")
                    .setHalted(false).setReason("wake test done").build());
            halted = false;
            WithdrawalInstruction instruction = adapter.instruction(id);
            assertThat(instruction.getAmount()).isEqualTo("1.5");
            assertThat(adapter.result(id, WithdrawalOutcome.WITHDRAWAL_OUTCOME_EXECUTED, "0xarb", "").getOutcome())
                    .isEqualTo(AckOutcome.ACK_OUTCOME_APPLIED);
        } finally {
            if (halted) {
                operator.setChainHalt(SetChainHaltRequest.newBuilder().setChangeId("unhalt-" + UUID.randomUUID())
                        .setChainId("arbitrum").setHalted(false).setReason("wake test failed").build());
            }
        }
    }

    /** The withdrawal is LOCKED, not deliverable, says why, and the account's new locks are refused ACCOUNT_FROZEN. */
    void assertHeld(String account, String id, String reasonPart) {
        assertThat(withdrawals.deliverableOn("ethereum")).extracting(dev.crosschain.collateral.domain.Withdrawal::id).doesNotContain(id);
        String heldReason = margin.getWithdrawal(GetWithdrawalRequest.newBuilder().setWithdrawalId(id).build()).getWithdrawal().getHeldReason();
        assertThat(heldReason).startsWith("account " + account + " is frozen: WITHDRAWAL_RESOLVED").contains(reasonPart);
        assertPrecondition(catchStatus(() -> margin.lockWithdrawal(lock(wid(), account, "ethereum", "USDC", "1", "0xa"))),
                "ACCOUNT_FROZEN");
    }

    dev.crosschain.collateral.domain.Withdrawal withdrawal(String id) {
        return withdrawals.get(id);
    }

    static UnfreezeAccountRequest unfreeze(String account, long freezeId, String reason) {
        return UnfreezeAccountRequest.newBuilder().setChangeId("unfreeze-" + UUID.randomUUID()).setAccountId(account)
                .setFreezeId(freezeId).setReason(reason).build();
    }

    /** Deposits and confirms: the amount ends up available. */
    static void fund(String account, String chain, String asset, String amount) {
        int confirmations = collateral.listChains(ListChainsRequest.getDefaultInstance()).getChainsList().stream()
                .filter(c -> c.getChainId().equals(chain)).findFirst().orElseThrow().getConfig().getConfirmations();
        try (AdapterConnection adapter = new AdapterConnection(async, chain)) {
            adapter.hello();
            String block = adapter.extend();
            assertThat(adapter.deposit(CollateralGrpcServiceTest.tx(), 0, block, account, asset, amount).getOutcome())
                    .isEqualTo(AckOutcome.ACK_OUTCOME_APPLIED);
            for (int i = 1; i < confirmations; i++) {
                adapter.extend();
            }
        }
    }
}
