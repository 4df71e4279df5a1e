package dev.crosschain.collateral.grpc;

import com.google.rpc.BadRequest;
import com.google.rpc.ErrorInfo;
import com.google.rpc.PreconditionFailure;
import dev.crosschain.postgres.PostgresTestResource;
import dev.crosschain.proto.collateral.v1.Ack;
import dev.crosschain.proto.collateral.v1.AckOutcome;
import dev.crosschain.proto.collateral.v1.AdapterHello;
import dev.crosschain.proto.collateral.v1.AssetCollateral;
import dev.crosschain.proto.collateral.v1.Chain;
import dev.crosschain.proto.collateral.v1.ChainCollateral;
import dev.crosschain.proto.collateral.v1.CollateralServiceGrpc;
import dev.crosschain.proto.collateral.v1.CollateralView;
import dev.crosschain.proto.collateral.v1.ConnectAdapterRequest;
import dev.crosschain.proto.collateral.v1.GetCollateralRequest;
import dev.crosschain.proto.collateral.v1.GetCollateralsRequest;
import dev.crosschain.proto.collateral.v1.GetCollateralsResponse;
import dev.crosschain.proto.collateral.v1.Heartbeat;
import dev.crosschain.proto.collateral.v1.ListChainsRequest;
import dev.crosschain.proto.collateral.v1.ListChainsResponse;
import dev.crosschain.proto.collateral.v1.TransferLeg;
import dev.crosschain.proto.collateral.v1.TransferRequest;
import dev.crosschain.proto.collateral.v1.TransferResponse;
import dev.crosschain.proto.collateral.v1.Welcome;
import dev.crosschain.proto.collateral.v1.WatchCollateralRequest;
import dev.crosschain.proto.collateral.v1.WatchCollateralResponse;
import dev.crosschain.proto.collateral.v1.WithdrawalOutcome;
import dev.crosschain.proto.collateral.v1.WithdrawalResult;
import io.agroal.api.AgroalDataSource;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.StreamObserver;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import dev.crosschain.collateral.client.PricingFeed;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.math.BigDecimal;
import java.sql.Connection;
import dev.crosschain.proto.collateral.v1.ChainStatus;
import java.sql.ResultSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

@QuarkusTest
@QuarkusTestResource(PostgresTestResource.class)
class CollateralGrpcServiceTest {

    static final String SOLANA_SECRET = "test-solana-secret";

    static ManagedChannel channel;
    static CollateralServiceGrpc.CollateralServiceBlockingStub collateral;
    static CollateralServiceGrpc.CollateralServiceStub async;
    /** The service's stub with liquidation-service's token: the one caller allowed to transfer. */
    static CollateralServiceGrpc.CollateralServiceBlockingStub transferer;
    static FakePricing pricing;

    @Inject
    AgroalDataSource dataSource;

    @Inject
    PricingFeed feed;

    @BeforeAll
    static void connect() {
        pricing = FakePricing.get();
        channel = ManagedChannelBuilder.forAddress("localhost", 19101).usePlaintext().build();
        collateral = CollateralServiceGrpc.newBlockingStub(channel);
        async = CollateralServiceGrpc.newStub(channel);
        transferer = collateral.withInterceptors(bearer("test-liquidation-token"));
    }

    @AfterAll
    static void disconnect() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    @BeforeEach
    void pricingStreamsDelivering() {
        // The feed (re)connects with a backoff: every test starts with fresh prices.
        awaitCondition("the price feed delivering", () -> feed.pricesConnected());
    }

    @AfterEach
    void pricingBackToNormal() throws Exception {
        pricing.up();
        assertLedgerInvariant();
    }

    // ---- adapter stream ----

    @Test
    void depositIsPendingUntilConfirmedThenAvailable() {
        String alice = account("alice");
        try (AdapterConnection eth = adapter("ethereum")) {
            Welcome welcome = eth.hello();
            assertThat(welcome.getChainId()).isEqualTo("ethereum");
            assertThat(welcome.getConfirmations()).isEqualTo(3);

            String block = eth.extend();
            Ack ack = eth.deposit(tx(), 0, block, alice, "ETH", "2.5");
            assertThat(ack.getOutcome()).isEqualTo(AckOutcome.ACK_OUTCOME_APPLIED);
            assertThat(balances(alice)).containsEntry("ethereum/ETH", "2.5/0/0");

            eth.extend();
            assertThat(balances(alice)).containsEntry("ethereum/ETH", "2.5/0/0");
            eth.extend(); // third confirmation
            assertThat(balances(alice)).containsEntry("ethereum/ETH", "0/2.5/0");

            Ack heartbeat = eth.send(ConnectAdapterRequest.newBuilder().setCursor(eth.nextCursor())
                    .setHeartbeat(Heartbeat.newBuilder().setHeadHeight(AdapterConnection.tipHeight("ethereum"))));
            assertThat(heartbeat.getOutcome()).isEqualTo(AckOutcome.ACK_OUTCOME_APPLIED);
        }
    }

    @Test
    void ackCarriesTheRequestCursorAndADepositInAFinalBlockIsCreditedAtOnce() {
        String bob = account("bob");
        try (AdapterConnection eth = adapter("ethereum")) {
            eth.hello();
            String old = eth.extend();
            eth.extend();
            eth.extend();
            Ack ack = eth.send(ConnectAdapterRequest.newBuilder().setCursor("my-cursor-42").setDeposit(
                    dev.crosschain.proto.collateral.v1.Deposit.newBuilder().setTxHash(tx()).setLogIndex(3).setBlockHash(old)
                            .setAccountId(bob).setAsset("USDC").setAmount("100.25")));
            assertThat(ack.getCursor()).isEqualTo("my-cursor-42");
            assertThat(ack.getOutcome()).isEqualTo(AckOutcome.ACK_OUTCOME_APPLIED);
            assertThat(balances(bob)).containsEntry("ethereum/USDC", "0/100.25/0");
        }
    }

    @Test
    void theSameDepositTwiceIsADuplicateCreditedOnce() {
        String carol = account("carol");
        String tx = tx();
        try (AdapterConnection eth = adapter("ethereum")) {
            eth.hello();
            String block = eth.extend();
            assertThat(eth.deposit(tx, 1, block, carol, "USDC", "10").getOutcome()).isEqualTo(AckOutcome.ACK_OUTCOME_APPLIED);
            assertThat(eth.deposit(tx, 1, block, carol, "USDC", "10").getOutcome()).isEqualTo(AckOutcome.ACK_OUTCOME_DUPLICATE);
            assertThat(eth.deposit(tx, 1, block, carol, "USDC", "10.000").getOutcome()).isEqualTo(AckOutcome.ACK_OUTCOME_DUPLICATE);
            eth.extend();
            eth.extend();
            assertThat(eth.deposit(tx, 1, block, carol, "USDC", "10").getOutcome()).isEqualTo(AckOutcome.ACK_OUTCOME_DUPLICATE);
            // the same transaction's other log is another deposit
            assertThat(eth.deposit(tx, 2, block, carol, "USDC", "1").getOutcome()).isEqualTo(AckOutcome.ACK_OUTCOME_APPLIED);
        }
        assertThat(balances(carol)).containsEntry("ethereum/USDC", "0/11/0");
    }

    @Test
    void aConflictingDepositIsRejectedAndChangesNothing() {
        String dave = account("dave");
        String tx = tx();
        try (AdapterConnection eth = adapter("ethereum")) {
            eth.hello();
            String block = eth.extend();
            eth.deposit(tx, 0, block, dave, "USDC", "5");
            Map<String, String> before = balances(dave);

            assertRejected(eth.deposit(tx, 0, block, dave, "USDC", "6"), "CONFLICTING_DEPOSIT", "deposit");
            assertRejected(eth.deposit(tx, 0, block, account("mallory"), "USDC", "5"), "CONFLICTING_DEPOSIT", "deposit");
            assertRejected(eth.deposit(tx, 0, block, dave, "ETH", "5"), "CONFLICTING_DEPOSIT", "deposit");
            // the same conflicting payload again (6.0 is 6) raises no second alert
            assertRejected(eth.deposit(tx, 0, block, dave, "USDC", "6.0"), "CONFLICTING_DEPOSIT", "deposit");
            assertThat(balances(dave)).isEqualTo(before);
            // the rejection changed nothing, but each distinct conflicting payload raised one warning, on the
            // account of the stored deposit
            assertThat(count("SELECT count(*) FROM alert WHERE kind = 'CONFLICTING_DEPOSIT' AND severity = 'WARNING'"
                    + " AND chain_id = 'ethereum' AND account_id = '" + dave + "' AND dedup_key LIKE 'deposit:ethereum:" + tx + ":0:%'"))
                    .isEqualTo(3);
            assertThat(count("SELECT count(*) FROM account_freeze WHERE account_id = '" + dave + "'")).isZero();
        }
    }

    @Test
    void badDepositsAreRejectedChangeNothingAndTheStreamGoesOn() {
        String erin = account("erin");
        try (AdapterConnection eth = adapter("ethereum")) {
            eth.hello();
            String block = eth.extend();
            assertRejected(eth.deposit(tx(), 0, block, erin, "SOL", "1"), "UNKNOWN_ASSET", "deposit.asset");
            assertRejected(eth.deposit(tx(), 0, block, erin, "USDC", "0.0000001"), "INVALID_AMOUNT", "deposit.amount");
            assertRejected(eth.deposit(tx(), 0, block, erin, "USDC", "-1"), "INVALID_AMOUNT", "deposit.amount");
            assertRejected(eth.deposit(tx(), 0, block, erin, "USDC", "lots"), "INVALID_AMOUNT", "deposit.amount");
            assertRejected(eth.deposit(tx(), 0, "no-such-block", erin, "USDC", "1"), "UNKNOWN_BLOCK", "deposit.block_hash");
            assertRejected(eth.deposit(tx(), 0, block, "", "USDC", "1"), "MISSING_FIELD", "deposit.account_id");
            assertRejected(eth.deposit("", 0, block, erin, "USDC", "1"), "MISSING_FIELD", "deposit.tx_hash");
            Ack noCursor = eth.send(ConnectAdapterRequest.newBuilder().setHeartbeat(Heartbeat.newBuilder().setHeadHeight(1)));
            assertRejected(noCursor, "MISSING_FIELD", "cursor");
            Ack withdrawal = eth.send(ConnectAdapterRequest.newBuilder().setCursor(eth.nextCursor())
                    .setWithdrawalResult(WithdrawalResult.newBuilder().setWithdrawalId("w-never-locked").setTxHash("0xabc")
                            .setOutcome(WithdrawalOutcome.WITHDRAWAL_OUTCOME_EXECUTED)));
            assertRejected(withdrawal, "UNKNOWN_WITHDRAWAL", "withdrawal_result.withdrawal_id");

            assertNotFound(erin);
            // still usable
            assertThat(eth.deposit(tx(), 0, block, erin, "USDC", "1").getOutcome()).isEqualTo(AckOutcome.ACK_OUTCOME_APPLIED);
        }
        assertThat(balances(erin)).containsEntry("ethereum/USDC", "1/0/0");
    }

    @Test
    void helloMustComeFirstNameAKnownChainAndCarryItsCredential() {
        try (AdapterConnection unknown = adapter("dogechain")) {
            StatusRuntimeException e = unknown.failsWith(ConnectAdapterRequest.newBuilder()
                    .setHello(AdapterHello.newBuilder().setChainId("dogechain").setAdapterId("x")).build());
            assertStatus(e, Status.Code.INVALID_ARGUMENT, "UNKNOWN_CHAIN", "hello.chain_id");
        }
        try (AdapterConnection noHello = adapter("ethereum")) {
            StatusRuntimeException e = noHello.failsWith(ConnectAdapterRequest.newBuilder().setCursor("c1")
                    .setHeartbeat(Heartbeat.newBuilder().setHeadHeight(5)).build());
            assertStatus(e, Status.Code.INVALID_ARGUMENT, "PROTOCOL_VIOLATION", "hello");
        }
        try (AdapterConnection wrongSecret = adapter("solana")) {
            StatusRuntimeException e = wrongSecret.failsWith(ConnectAdapterRequest.newBuilder()
                    .setHello(AdapterHello.newBuilder().setChainId("solana").setAdapterId("x").setCredential("guess")).build());
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
            assertThat(errorInfo(e).getReason()).isEqualTo("MISSING_CREDENTIAL");
        }
        try (AdapterConnection noSecret = adapter("ethereum")) {
            StatusRuntimeException e = noSecret.failsWith(ConnectAdapterRequest.newBuilder()
                    .setHello(AdapterHello.newBuilder().setChainId("ethereum").setAdapterId("x")).build());
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
            assertThat(errorInfo(e).getReason()).isEqualTo("MISSING_CREDENTIAL");
        }
        try (AdapterConnection otherChain = adapter("solana")) {
            StatusRuntimeException e = otherChain.failsWith(ConnectAdapterRequest.newBuilder()
                    .setHello(AdapterHello.newBuilder().setChainId("solana").setAdapterId("x")
                            .setCredential(AdapterConnection.credentialOf("ethereum"))).build());
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
            assertThat(errorInfo(e).getReason()).isEqualTo("WRONG_CHAIN_CREDENTIAL");
        }
        try (AdapterConnection twice = adapter("solana")) {
            assertThat(twice.hello(SOLANA_SECRET).getConfirmations()).isEqualTo(32);
            StatusRuntimeException e = twice.failsWith(ConnectAdapterRequest.newBuilder()
                    .setHello(AdapterHello.newBuilder().setChainId("solana").setCredential(SOLANA_SECRET)).build());
            assertStatus(e, Status.Code.INVALID_ARGUMENT, "PROTOCOL_VIOLATION", "hello");
        }
    }

    @Test
    void welcomeResumesFromTheLastAckedCursor() {
        String last;
        try (AdapterConnection arb = adapter("arbitrum")) {
            arb.hello();
            arb.extend();
            last = "resume-" + UUID.randomUUID();
            Ack ack = arb.send(ConnectAdapterRequest.newBuilder().setCursor(last)
                    .setHeartbeat(Heartbeat.newBuilder().setHeadHeight(AdapterConnection.tipHeight("arbitrum"))));
            assertThat(ack.getOutcome()).isEqualTo(AckOutcome.ACK_OUTCOME_APPLIED);
        }
        try (AdapterConnection again = adapter("arbitrum")) {
            assertThat(again.hello().getResumeCursor()).isEqualTo(last);
        }
    }

    @Test
    void welcomeCarriesTheStoredTipAndTheFinalityRule() throws Exception {
        try (AdapterConnection arb = adapter("arbitrum")) {
            arb.hello();
            arb.extend();
        }
        // One stream per chain at a time (its lease): the next stream's welcome, after the first ended.
        try (AdapterConnection second = adapter("arbitrum")) {
            Welcome again = second.hello();
            assertThat(again.getTipHeight()).isEqualTo(AdapterConnection.tipHeight("arbitrum"));
            assertThat(again.getTipHash()).isEqualTo(AdapterConnection.tipHash("arbitrum"));
            assertThat(again.getFinalityRule()).isEqualTo(dev.crosschain.proto.collateral.v1.FinalityRule.FINALITY_RULE_CONFIRMATIONS);
            assertThat(again.getConfirmations()).isEqualTo(2);
        }
        try (AdapterConnection sol = adapter("solana")) {
            // solana has no block in this class's tests: no tip, unless AdapterStreamProofTest ran first (then its tip)
            Welcome welcome = sol.hello(SOLANA_SECRET);
            assertThat(welcome.getTipHash() + "@" + welcome.getTipHeight()).isEqualTo(storedTip("solana"));
        }
    }

    /** "hash@height" of the chain's stored canonical tip, "@0" when it has no block. */
    String storedTip(String chain) throws Exception {
        try (Connection c = dataSource.getConnection(); java.sql.PreparedStatement s = c.prepareStatement(
                "SELECT hash, height FROM block_header WHERE chain_id = ? AND canonical ORDER BY height DESC LIMIT 1")) {
            s.setString(1, chain);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? rs.getString(1) + "@" + rs.getLong(2) : "@0";
            }
        }
    }

    @Test
    void aHeaderAboveTheTipPlusOneOrBelowTheStoredChainIsRefusedAndChangesNothing() {
        try (AdapterConnection eth = adapter("ethereum")) {
            eth.hello();
            String tip = eth.extend();
            long height = AdapterConnection.tipHeight("ethereum");
            String gap = "ethereum-gap-" + UUID.randomUUID();
            Ack refused = eth.header(height + 2, gap, "ethereum-never-sent");
            assertRejected(refused, "UNKNOWN_BLOCK", "header.parent_hash");
            assertThat(refused.getRejection().getMessage()).contains("gap");
            // a header without a parent is only the first of an empty chain
            assertRejected(eth.header(height + 1, "ethereum-noparent-" + UUID.randomUUID(), ""), "MISSING_FIELD", "header.parent_hash");
            // far below the first stored block (the tests start at 101): its parent cannot be checked
            assertRejected(eth.header(5, "ethereum-low-" + UUID.randomUUID(), "ethereum-b4"), "UNKNOWN_BLOCK", "header.parent_hash");
            assertThat(count("SELECT count(*) FROM block_header WHERE hash = '" + gap + "'")).isZero();
            assertThat(headHeight("ethereum")).isEqualTo(height);
            // a checkpoint on a confirmations chain is a protocol violation
            Ack checkpoint = eth.send(ConnectAdapterRequest.newBuilder().setCursor(eth.nextCursor())
                    .setCheckpoint(dev.crosschain.proto.collateral.v1.Checkpoint.newBuilder().setHeight(height).setHash(tip)));
            assertRejected(checkpoint, "PROTOCOL_VIOLATION", "checkpoint");
            // the next header naming the tip still connects
            assertThat(eth.header(height + 1, "ethereum-next-" + UUID.randomUUID(), tip).getOutcome()).isEqualTo(AckOutcome.ACK_OUTCOME_APPLIED);
        }
    }

    @Test
    void aReorgRevertsPendingDepositsOfOrphanedBlocks() {
        String frank = account("frank");
        String tx = tx();
        try (AdapterConnection arb = adapter("arbitrum")) {
            arb.hello();
            String base = arb.extend();
            long height = AdapterConnection.tipHeight("arbitrum") + 1;
            String doomed = "arbitrum-doomed-" + UUID.randomUUID();
            assertThat(arb.header(height, doomed, base).getOutcome()).isEqualTo(AckOutcome.ACK_OUTCOME_APPLIED);
            arb.deposit(tx, 0, doomed, frank, "ETH", "1.25");
            assertThat(balances(frank)).containsEntry("arbitrum/ETH", "1.25/0/0");

            // another block at the same height, child of the same parent: the doomed block is orphaned
            String replacement = "arbitrum-repl-" + UUID.randomUUID();
            assertThat(arb.header(height, replacement, base).getOutcome()).isEqualTo(AckOutcome.ACK_OUTCOME_APPLIED);
            assertThat(balances(frank)).containsEntry("arbitrum/ETH", "0/0/0");
            assertRejected(arb.deposit(tx(), 0, doomed, frank, "ETH", "1"), "UNKNOWN_BLOCK", "deposit.block_hash");

            // the transaction is mined again in the new block: pending again, then credited
            assertThat(arb.deposit(tx, 0, replacement, frank, "ETH", "1.25").getOutcome()).isEqualTo(AckOutcome.ACK_OUTCOME_APPLIED);
            assertThat(balances(frank)).containsEntry("arbitrum/ETH", "1.25/0/0");
            arb.extend();
            assertThat(balances(frank)).containsEntry("arbitrum/ETH", "0/1.25/0");

            // a header whose parent is not the stored block below does not connect: refused, nothing changes
            long next = AdapterConnection.tipHeight("arbitrum") + 1;
            String below = AdapterConnection.tipHash("arbitrum");
            String child = arb.extend();
            arb.deposit(tx(), 0, child, frank, "ETH", "2");
            assertThat(balances(frank)).containsEntry("arbitrum/ETH", "2/1.25/0");
            String fork = "arbitrum-fork-" + UUID.randomUUID();
            assertRejected(arb.header(next, fork, "some-other-parent"), "UNKNOWN_BLOCK", "header.parent_hash");
            assertThat(balances(frank)).containsEntry("arbitrum/ETH", "2/1.25/0");
            // the same block sent with its real parent (the fork point) is a reorg
            assertThat(arb.header(next, fork, below).getOutcome()).isEqualTo(AckOutcome.ACK_OUTCOME_APPLIED);
            assertThat(balances(frank)).containsEntry("arbitrum/ETH", "0/1.25/0");
        }
        assertThat(count("SELECT count(*) FROM deposit WHERE account_id = '" + frank + "' AND status = 'REVERTED'")).isEqualTo(1);
    }

    @Test
    void aHeaderThatDoesNotConnectIsRefusedAndADepositOnTheDeadForkIsNeverCredited() {
        // ethereum, 3 confirmations: stored A, B with a pending deposit in B; the chain reorganised at B's height
        String hank = account("hank");
        String tx = tx();
        try (AdapterConnection eth = adapter("ethereum")) {
            eth.hello();
            String a = eth.extend();
            long heightA = AdapterConnection.tipHeight("ethereum");
            String b = eth.extend();
            assertThat(eth.deposit(tx, 0, b, hank, "ETH", "4").getOutcome()).isEqualTo(AckOutcome.ACK_OUTCOME_APPLIED);
            assertThat(balances(hank)).containsEntry("ethereum/ETH", "4/0/0");
            String b1 = "ethereum-fork1-" + UUID.randomUUID();
            String b2 = "ethereum-fork2-" + UUID.randomUUID();
            String b3 = "ethereum-fork3-" + UUID.randomUUID();

            // 102' names 101', which was never sent: refused, B stays canonical, nothing is stored
            Ack refused = eth.header(heightA + 2, b2, b1);
            assertRejected(refused, "UNKNOWN_BLOCK", "header.parent_hash");
            assertThat(refused.getRejection().getMessage()).contains("fork point");
            assertThat(balances(hank)).containsEntry("ethereum/ETH", "4/0/0");
            assertThat(depositStatus(tx)).isEqualTo("PENDING");
            assertThat(count("SELECT count(*) FROM block_header WHERE hash = '" + b2 + "'")).isZero();
            assertThat(count("SELECT count(*) FROM block_header WHERE hash = '" + b + "' AND canonical")).isEqualTo(1);
            assertThat(headHeight("ethereum")).isEqualTo(heightA + 1);

            // the fork sent from its fork point 101' (parent A): B is orphaned and its deposit reverted
            assertThat(eth.header(heightA + 1, b1, a).getOutcome()).isEqualTo(AckOutcome.ACK_OUTCOME_APPLIED);
            assertThat(depositStatus(tx)).isEqualTo("REVERTED");
            assertThat(balances(hank)).containsEntry("ethereum/ETH", "0/0/0");
            assertThat(eth.header(heightA + 2, b2, b1).getOutcome()).isEqualTo(AckOutcome.ACK_OUTCOME_APPLIED);
            assertThat(eth.header(heightA + 3, b3, b2).getOutcome()).isEqualTo(AckOutcome.ACK_OUTCOME_APPLIED);

            // B's height is final on the new chain, the dead fork's deposit is never credited
            assertThat(headHeight("ethereum")).isEqualTo(heightA + 3);
            assertThat(depositStatus(tx)).isEqualTo("REVERTED");
            assertThat(balances(hank)).containsEntry("ethereum/ETH", "0/0/0");
            assertThat(count("SELECT count(*) FROM ledger_entry WHERE account_id = '" + hank + "' AND kind = 'DEPOSIT_CREDITED'")).isZero();
        }
    }

    @Test
    void aCreditedDepositInAnOrphanedBlockStaysCreditedAndBadHeadersAreRejected() {
        String gina = account("gina");
        try (AdapterConnection arb = adapter("arbitrum")) {
            arb.hello();
            String base = arb.extend();
            long height = AdapterConnection.tipHeight("arbitrum") + 1;
            String block = "arbitrum-final-" + UUID.randomUUID();
            arb.header(height, block, base);
            arb.deposit(tx(), 0, block, gina, "USDC", "7");
            arb.extend(); // 2 confirmations on arbitrum: credited
            assertThat(balances(gina)).containsEntry("arbitrum/USDC", "0/7/0");

            // a deep reorg replaces the credited deposit's block: logged as critical, left credited
            String replacement = "arbitrum-deep-" + UUID.randomUUID();
            assertThat(arb.header(height, replacement, base).getOutcome()).isEqualTo(AckOutcome.ACK_OUTCOME_APPLIED);
            assertThat(balances(gina)).containsEntry("arbitrum/USDC", "0/7/0");
            assertThat(count("SELECT count(*) FROM deposit WHERE account_id = '" + gina + "' AND status = 'CREDITED'")).isEqualTo(1);
            // a critical alert, and the account's withdrawals frozen, pointing at the alert
            assertThat(count("SELECT count(*) FROM alert WHERE kind = 'FINAL_DEPOSIT_ORPHANED' AND severity = 'CRITICAL'"
                    + " AND chain_id = 'arbitrum' AND account_id = '" + gina + "' AND message LIKE '%" + block + "%'")).isEqualTo(1);
            assertThat(count("SELECT count(*) FROM account_freeze f JOIN alert a ON a.id = f.alert_id WHERE f.account_id = '"
                    + gina + "' AND f.unfrozen_at IS NULL AND a.kind = 'FINAL_DEPOSIT_ORPHANED'")).isEqualTo(1);

            // the same header again is a duplicate; bad headers are rejected
            assertThat(arb.header(height, replacement, base).getOutcome()).isEqualTo(AckOutcome.ACK_OUTCOME_DUPLICATE);
            assertRejected(arb.header(height + 1, "", replacement), "MISSING_FIELD", "header.hash");
            assertRejected(arb.header(height + 1, "arbitrum-orphan-" + UUID.randomUUID(), ""), "MISSING_FIELD", "header.parent_hash");
            assertThat(collateral.listChains(ListChainsRequest.getDefaultInstance()).getChains(0).getHeadHeight()).isEqualTo(height);
        }
    }

    // ---- GetCollateral ----

    @Test
    void getCollateralValuesBalancesWithIndexPricesAndHaircuts() {
        String grace = account("grace");
        fund(grace, "ethereum", "ETH", "2");
        fund(grace, "ethereum", "USDC", "1000");
        awaitChainHealthy("ethereum");
        pricing.requests.clear();
        int subscriptions = pricing.priceSubscriptions.get();

        CollateralView view = collateral.getCollateral(GetCollateralRequest.newBuilder().setAccountId(grace).build()).getView();

        // Prices come from the open stream: no call to pricing-service per view, no new subscription.
        assertThat(pricing.requests).isEmpty();
        assertThat(pricing.priceSubscriptions.get()).isEqualTo(subscriptions);
        assertThat(view.getAccountId()).isEqualTo(grace);
        assertThat(view.getChainsList()).extracting(ChainCollateral::getChainId).containsExactly("ethereum");
        ChainCollateral ethereum = view.getChains(0);
        AssetCollateral eth = ethereum.getAssets(0);
        assertThat(eth.getAsset()).isEqualTo("ETH");
        assertThat(eth.getCanonicalAsset()).isEqualTo("ETH");
        assertThat(eth.getAvailable()).isEqualTo("2");
        assertThat(eth.getPending()).isEqualTo("0");
        assertThat(eth.getPriceUsd()).isEqualTo("3000");
        assertThat(eth.getMarketValueUsd()).isEqualTo("6000.00000000");
        assertThat(eth.getHaircutIm().getTier()).isEqualTo("0.1");
        assertThat(eth.getHaircutIm().getLatencyAddon()).isEqualTo("0");
        assertThat(eth.getHaircutIm().getTotal()).isEqualTo("0.1");
        assertThat(eth.getHaircutMm().getTotal()).isEqualTo("0.05");
        assertThat(eth.getHaircutIm().getWrappedAddon()).isEqualTo("0");
        assertThat(eth.getHaircutIm().getStaleAddon()).isEqualTo("0");
        assertThat(eth.getHaircutIm().getChainStatusAddon()).isEqualTo("0");
        assertThat(eth.getCountedUsd()).isEqualTo("6000.00000000");
        assertThat(eth.getPriceStale()).isFalse();
        assertThat(eth.getPriceAgeMs()).isBetween(0L, 30_000L);
        // The nearest unexpired slice of the fake's ETH surface (an expired one at 2.0 and a later one at 0.9 are not it).
        assertThat(eth.getSigmaDaily()).isCloseTo(FakePricing.NEAREST_ATM_VOL / Math.sqrt(365), org.assertj.core.data.Offset.offset(1e-12));
        assertThat(ethereum.getStatus()).isEqualTo(ChainStatus.CHAIN_STATUS_HEALTHY);
        assertThat(view.getWithdrawalsFrozen()).isFalse();
        assertThat(view.getFrozenReason()).isEmpty();
        assertThat(eth.getValueImUsd()).isEqualTo("5400.00000000");
        assertThat(eth.getValueMmUsd()).isEqualTo("5700.00000000");
        AssetCollateral usdc = ethereum.getAssets(1);
        assertThat(usdc.getValueImUsd()).isEqualTo("980.00000000");
        assertThat(usdc.getValueMmUsd()).isEqualTo("990.00000000");
        assertThat(ethereum.getValueImUsd()).isEqualTo("6380.00000000");
        assertThat(view.getMarketValueUsd()).isEqualTo("7000.00000000");
        assertThat(view.getValueImUsd()).isEqualTo("6380.00000000");
        assertThat(view.getValueMmUsd()).isEqualTo("6690.00000000");
        assertThat(view.getPriceStale()).isFalse();
        assertThat(view.getLedgerVersion()).isPositive();
        assertThat(view.getAsOfUnixMs()).isPositive();
    }

    @Test
    void anAssetWithoutIndexIsPricedZeroAndStaleAndPendingCountsZero() {
        String heidi = account("heidi");
        try (AdapterConnection sol = adapter("solana")) {
            sol.hello();
            String block = sol.extend();
            sol.deposit(tx(), 0, block, heidi, "SOL", "3.5");
            sol.deposit(tx(), 0, block, heidi, "USDC", "50");
        }
        CollateralView view = collateral.getCollateral(GetCollateralRequest.newBuilder().setAccountId(heidi).build()).getView();
        ChainCollateral solana = view.getChains(0);
        assertThat(solana.getChainId()).isEqualTo("solana");
        AssetCollateral sol = solana.getAssets(0);
        assertThat(sol.getAsset()).isEqualTo("SOL");
        assertThat(sol.getPending()).isEqualTo("3.5");
        assertThat(sol.getPriceUsd()).isEqualTo("0");
        assertThat(sol.getPriceStale()).isTrue();
        AssetCollateral usdc = solana.getAssets(1);
        assertThat(usdc.getPending()).isEqualTo("50");
        assertThat(usdc.getPriceStale()).isFalse();
        assertThat(usdc.getValueImUsd()).isEqualTo("0.00000000");
        assertThat(view.getPriceStale()).isTrue();
        assertThat(view.getValueImUsd()).isEqualTo("0.00000000");
    }

    @Test
    void getCollateralRefusesBadAccounts() {
        StatusRuntimeException empty = catchStatus(() -> collateral.getCollateral(GetCollateralRequest.getDefaultInstance()));
        assertStatus(empty, Status.Code.INVALID_ARGUMENT, "MISSING_FIELD", "account_id");
        assertNotFound(account("nobody"));
    }

    // ---- GetCollaterals ----

    @Test
    void getCollateralsAnswersEachAccountAsGetCollateralDoesAndListsTheUnknown() throws Exception {
        String judy = account("judy");
        fund(judy, "ethereum", "ETH", "2");
        fund(judy, "ethereum", "USDC", "1000");
        String kim = account("kim");
        fund(kim, "ethereum", "USDC", "5");
        try (Connection c = dataSource.getConnection()) {
            dev.crosschain.collateral.store.Alerts.freeze(c, kim, "final deposit orphaned by a reorg", java.util.OptionalLong.empty());
        }
        String nobody = account("nobody");
        pricing.requests.clear();

        GetCollateralsResponse batch = collateral.getCollaterals(GetCollateralsRequest.newBuilder()
                .addAccountIds(kim).addAccountIds(nobody).addAccountIds(judy).build());

        assertThat(pricing.requests).as("valued from the streamed prices, no call per batch").isEmpty();
        assertThat(batch.getUnknownAccountIdsList()).containsExactly(nobody);
        assertThat(batch.getViewsList()).extracting(CollateralView::getAccountId).containsExactly(kim, judy);
        for (CollateralView view : batch.getViewsList()) {
            CollateralView single = collateral.getCollateral(GetCollateralRequest.newBuilder().setAccountId(view.getAccountId()).build())
                    .getView();
            assertThat(comparable(view)).as(view.getAccountId()).isEqualTo(comparable(single));
        }
        assertThat(batch.getViews(0).getWithdrawalsFrozen()).isTrue();
        assertThat(batch.getViews(0).getFrozenReason()).isEqualTo("final deposit orphaned by a reorg");
        assertThat(batch.getViews(1).getValueImUsd()).isEqualTo("6380.00000000");
        assertThat(batch.getViews(1).getLedgerVersion()).isPositive();
    }

    /** A view without the moment it was computed at (as_of, each price's age): what two reads of one state share. */
    private static CollateralView comparable(CollateralView view) {
        CollateralView.Builder b = view.toBuilder().clearAsOfUnixMs();
        b.getChainsBuilderList().forEach(chain -> chain.getAssetsBuilderList().forEach(AssetCollateral.Builder::clearPriceAgeMs));
        return b.build();
    }

    @Test
    void getCollateralsRefusesBadListsWithDetails() {
        assertStatus(catchStatus(() -> collateral.getCollaterals(GetCollateralsRequest.getDefaultInstance())),
                Status.Code.INVALID_ARGUMENT, "MISSING_FIELD", "account_ids");
        GetCollateralsRequest.Builder tooMany = GetCollateralsRequest.newBuilder();
        for (int i = 0; i <= 1_000; i++) {
            tooMany.addAccountIds(account("many" + i));
        }
        assertStatus(catchStatus(() -> collateral.getCollaterals(tooMany.build())),
                Status.Code.INVALID_ARGUMENT, "TOO_MANY_ACCOUNTS", "account_ids");
        String lee = account("lee");
        fund(lee, "ethereum", "USDC", "5");
        assertStatus(catchStatus(() -> collateral.getCollaterals(GetCollateralsRequest.newBuilder()
                        .addAccountIds(lee).addAccountIds(" ").build())),
                Status.Code.INVALID_ARGUMENT, "MISSING_FIELD", "account_ids[1]");
        StatusRuntimeException duplicate = catchStatus(() -> collateral.getCollaterals(GetCollateralsRequest.newBuilder()
                .addAccountIds(lee).addAccountIds(account("other")).addAccountIds(lee).build()));
        assertStatus(duplicate, Status.Code.INVALID_ARGUMENT, "DUPLICATE_ACCOUNT", "account_ids[2]");
        assertThat(detail(duplicate, BadRequest.class).getFieldViolationsList()).hasSize(1);
        // exactly the limit is answered
        GetCollateralsRequest.Builder limit = GetCollateralsRequest.newBuilder().addAccountIds(lee);
        for (int i = 1; i < 1_000; i++) {
            limit.addAccountIds(account("limit" + i));
        }
        GetCollateralsResponse answered = collateral.getCollaterals(limit.build());
        assertThat(answered.getViewsList()).extracting(CollateralView::getAccountId).containsExactly(lee);
        assertThat(answered.getUnknownAccountIdsCount()).isEqualTo(999);
    }

    @Test
    void whilePricingIsDownGetCollateralAnswersConservativelyAndFlagsStalePrices() {
        // Contract change (issue 4): GetCollateral no longer fails UNAVAILABLE without pricing-service; it values
        // with the last streamed prices marked stale: stale add-on 0.10 (and T extended by the price's age).
        String ivan = account("ivan");
        fund(ivan, "ethereum", "USDC", "1");
        pricing.down();
        CollateralView view = awaitView(ivan, v -> v.getPriceStale());
        AssetCollateral usdc = view.getChains(0).getAssets(0);
        assertThat(usdc.getPriceUsd()).isEqualTo("1");
        assertThat(usdc.getPriceStale()).isTrue();
        assertThat(usdc.getHaircutIm().getStaleAddon()).isEqualTo("0.1");
        assertThat(usdc.getHaircutIm().getTotal()).isEqualTo("0.12");
        // 1 USDC x (1 - 0.02 - 0.10) = 0.88; MM 1 x (1 - 0.01 - 0.10) = 0.89.
        assertThat(usdc.getValueImUsd()).isEqualTo("0.88000000");
        assertThat(usdc.getValueMmUsd()).isEqualTo("0.89000000");

        pricing.up();
        CollateralView back = awaitView(ivan, v -> !v.getPriceStale());
        assertThat(back.getValueImUsd()).isEqualTo("0.98000000");
    }

    @Test
    void aFrozenAccountsViewSaysSo() throws Exception {
        String oscar = account("oscar");
        fund(oscar, "ethereum", "USDC", "5");
        awaitChainHealthy("ethereum");
        try (Connection c = dataSource.getConnection()) {
            dev.crosschain.collateral.store.Alerts.freeze(c, oscar, "final deposit orphaned by a reorg", java.util.OptionalLong.empty());
        }
        CollateralView view = collateral.getCollateral(GetCollateralRequest.newBuilder().setAccountId(oscar).build()).getView();
        assertThat(view.getWithdrawalsFrozen()).isTrue();
        assertThat(view.getFrozenReason()).isEqualTo("final deposit orphaned by a reorg");
        assertThat(view.getValueImUsd()).isEqualTo("4.90000000"); // valued as usual
    }

    @Test
    void aNewIndexRepublishesTheViewsOfItsHoldersToWatchers() throws Exception {
        String pat = account("pat");
        fund(pat, "ethereum", "ETH", "1");
        BlockingQueue<Object> views = new LinkedBlockingQueue<>();
        Context.CancellableContext watch = Context.current().withCancellation();
        watch.run(() -> async.watchCollateral(WatchCollateralRequest.getDefaultInstance(), new StreamObserver<>() {
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
        try {
            CollateralView view = nextView(views); // the watch is subscribed to changes once it sends anything
            pricing.setPrice("ETH", "3100");
            while (!(view.getAccountId().equals(pat) && view.getChains(0).getAssets(0).getPriceUsd().equals("3100"))) {
                view = nextView(views); // current views of every account first
            }
            // No ledger change: the re-valued view comes from the price alone. 3100 x 0.90 = 2790.
            assertThat(view.getValueImUsd()).isEqualTo("2790.00000000");
        } finally {
            watch.cancel(null);
            pricing.setPrice("ETH", "3000");
            awaitView(pat, v -> v.getChains(0).getAssets(0).getPriceUsd().equals("3000"));
        }
    }

    CollateralView awaitView(String account, java.util.function.Predicate<CollateralView> condition) {
        CollateralView[] last = new CollateralView[1];
        awaitCondition("a view of " + account + " that matches", () -> {
            last[0] = collateral.getCollateral(GetCollateralRequest.newBuilder().setAccountId(account).build()).getView();
            return condition.test(last[0]);
        });
        return last[0];
    }

    /** Polls the condition until it holds, at most AdapterConnection.PATIENCE_MS. */
    static void awaitCondition(String what, java.util.function.BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(AdapterConnection.PATIENCE_MS);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out waiting for " + what);
            }
            java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
    }

    // ---- Transfer ----

    @Test
    void aTransferMovesEveryLegAtomically() {
        String judy = account("judy");
        String ken = account("ken");
        String leo = account("leo");
        fund(judy, "ethereum", "USDC", "1000");
        fund(judy, "ethereum", "ETH", "2");

        TransferResponse response = transferer.transfer(TransferRequest.newBuilder().setTransferId(id()).setMemo("auction A1 bid B1")
                .addLegs(leg(judy, ken, "ethereum", "USDC", "250.5"))
                .addLegs(leg(judy, leo, "ethereum", "ETH", "0.75")).build());

        assertThat(response.getReplayed()).isFalse();
        assertThat(response.getCommittedAtUnixMs()).isPositive();
        assertThat(balances(judy)).containsEntry("ethereum/USDC", "0/749.5/0").containsEntry("ethereum/ETH", "0/1.25/0");
        assertThat(balances(ken)).containsEntry("ethereum/USDC", "0/250.5/0");
        assertThat(balances(leo)).containsEntry("ethereum/ETH", "0/0.75/0");
        assertThat(count("SELECT count(*) FROM ledger_entry WHERE reference = '" + response.getTransferId() + "'")).isEqualTo(4);
    }

    @Test
    void anOverdrawingLegRefusesTheWholeTransfer() {
        String mike = account("mike");
        String nina = account("nina");
        fund(mike, "ethereum", "USDC", "100");
        Map<String, String> before = balances(mike);

        StatusRuntimeException e = catchStatus(() -> transferer.transfer(TransferRequest.newBuilder().setTransferId(id())
                .addLegs(leg(mike, nina, "ethereum", "USDC", "60"))
                .addLegs(leg(mike, nina, "ethereum", "USDC", "60")).build()));

        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
        assertThat(errorInfo(e).getReason()).isEqualTo("INSUFFICIENT_BALANCE");
        PreconditionFailure failure = detail(e, PreconditionFailure.class);
        assertThat(failure.getViolations(0).getSubject()).isEqualTo("legs[1]");
        assertThat(failure.getViolations(0).getType()).isEqualTo("INSUFFICIENT_BALANCE");
        assertThat(balances(mike)).isEqualTo(before);
        assertNotFound(nina);

        // pending is not spendable
        String olga = account("olga");
        try (AdapterConnection eth = adapter("ethereum")) {
            eth.hello();
            eth.deposit(tx(), 0, eth.extend(), olga, "USDC", "10");
        }
        StatusRuntimeException pending = catchStatus(() -> transferer.transfer(TransferRequest.newBuilder().setTransferId(id())
                .addLegs(leg(olga, nina, "ethereum", "USDC", "1")).build()));
        assertThat(errorInfo(pending).getReason()).isEqualTo("INSUFFICIENT_BALANCE");
    }

    @Test
    void aReplayAnswersTheFirstCommitAndAnotherPayloadConflicts() {
        String pat = account("pat");
        String quinn = account("quinn");
        fund(pat, "arbitrum", "USDC", "100");
        String transferId = id();
        TransferRequest request = TransferRequest.newBuilder().setTransferId(transferId)
                .addLegs(leg(pat, quinn, "arbitrum", "USDC", "40")).build();

        TransferResponse first = transferer.transfer(request);
        TransferResponse replay = transferer.transfer(request.toBuilder().setLegs(0, leg(pat, quinn, "arbitrum", "USDC", "40.000")).build());

        assertThat(replay.getReplayed()).isTrue();
        assertThat(replay.getTransferId()).isEqualTo(transferId);
        assertThat(replay.getCommittedAtUnixMs()).isEqualTo(first.getCommittedAtUnixMs());
        assertThat(balances(pat)).containsEntry("arbitrum/USDC", "0/60/0");
        assertThat(balances(quinn)).containsEntry("arbitrum/USDC", "0/40/0");

        StatusRuntimeException conflict = catchStatus(() -> transferer.transfer(request.toBuilder()
                .setLegs(0, leg(pat, quinn, "arbitrum", "USDC", "41")).build()));
        assertThat(conflict.getStatus().getCode()).isEqualTo(Status.Code.ALREADY_EXISTS);
        assertThat(errorInfo(conflict).getReason()).isEqualTo("IDEMPOTENCY_CONFLICT");
        assertThat(balances(pat)).containsEntry("arbitrum/USDC", "0/60/0");
    }

    @Test
    void badTransfersAreRefusedWithTheFieldAndChangeNothing() {
        String rita = account("rita");
        String sam = account("sam");
        fund(rita, "ethereum", "USDC", "100");
        Map<String, String> before = balances(rita);
        TransferLeg good = leg(rita, sam, "ethereum", "USDC", "1");

        assertTransferRefused(TransferRequest.newBuilder().addLegs(good), "MISSING_FIELD", "transfer_id");
        assertTransferRefused(TransferRequest.newBuilder().setTransferId(id()), "MISSING_FIELD", "legs");
        assertTransferRefused(TransferRequest.newBuilder().setTransferId(id()).addLegs(good).addLegs(leg("", sam, "ethereum", "USDC", "1")),
                "MISSING_FIELD", "legs[1].from_account_id");
        assertTransferRefused(TransferRequest.newBuilder().setTransferId(id()).addLegs(leg(rita, "", "ethereum", "USDC", "1")),
                "MISSING_FIELD", "legs[0].to_account_id");
        assertTransferRefused(TransferRequest.newBuilder().setTransferId(id()).addLegs(leg(rita, rita, "ethereum", "USDC", "1")),
                "SAME_ACCOUNT", "legs[0].to_account_id");
        assertTransferRefused(TransferRequest.newBuilder().setTransferId(id()).addLegs(leg(rita, sam, "dogechain", "USDC", "1")),
                "UNKNOWN_CHAIN", "legs[0].chain_id");
        assertTransferRefused(TransferRequest.newBuilder().setTransferId(id()).addLegs(leg(rita, sam, "ethereum", "SOL", "1")),
                "UNKNOWN_ASSET", "legs[0].asset");
        assertTransferRefused(TransferRequest.newBuilder().setTransferId(id()).addLegs(good).addLegs(leg(rita, sam, "ethereum", "USDC", "0.0000001")),
                "INVALID_AMOUNT", "legs[1].amount");
        assertTransferRefused(TransferRequest.newBuilder().setTransferId(id()).addLegs(leg(rita, sam, "ethereum", "USDC", "0")),
                "INVALID_AMOUNT", "legs[0].amount");
        assertTransferRefused(TransferRequest.newBuilder().setTransferId(id()).addLegs(leg(rita, sam, "ethereum", "USDC", "-5")),
                "INVALID_AMOUNT", "legs[0].amount");
        assertTransferRefused(TransferRequest.newBuilder().setTransferId(id()).addLegs(leg(rita, sam, "ethereum", "USDC", "1,5")),
                "INVALID_AMOUNT", "legs[0].amount");

        assertThat(balances(rita)).isEqualTo(before);
        assertNotFound(sam);
    }

    // ---- WatchCollateral and ListChains ----

    @Test
    void watchSendsTheCurrentViewThenOneAfterEachChange() throws Exception {
        String tina = account("tina");
        String uma = account("uma");
        fund(tina, "ethereum", "USDC", "100");
        BlockingQueue<Object> views = new LinkedBlockingQueue<>();
        Context.CancellableContext watch = Context.current().withCancellation();
        watch.run(() -> async.watchCollateral(WatchCollateralRequest.newBuilder().setAccountId(tina).build(), new StreamObserver<>() {
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
        try {
            CollateralView first = nextView(views);
            assertThat(first.getChains(0).getAssets(0).getAvailable()).isEqualTo("100");

            transferer.transfer(TransferRequest.newBuilder().setTransferId(id()).addLegs(leg(tina, uma, "ethereum", "USDC", "30")).build());
            CollateralView second = nextView(views);
            while (!second.getChains(0).getAssets(0).getAvailable().equals("70")) {
                second = nextView(views); // a view may have been built from an earlier change
            }
            assertThat(second.getLedgerVersion()).isGreaterThan(first.getLedgerVersion());
            assertThat(second.getValueImUsd()).isEqualTo("68.60000000");
        } finally {
            watch.cancel(null);
        }
    }

    @Test
    void watchingEveryAccountSendsViewsOfChangedAccounts() throws Exception {
        String vera = account("vera");
        BlockingQueue<Object> views = new LinkedBlockingQueue<>();
        Context.CancellableContext watch = Context.current().withCancellation();
        watch.run(() -> async.watchCollateral(WatchCollateralRequest.getDefaultInstance(), new StreamObserver<>() {
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
        try {
            fund(vera, "ethereum", "ETH", "1");
            CollateralView view = nextView(views);
            while (!(view.getAccountId().equals(vera) && view.getChains(0).getAssets(0).getAvailable().equals("1"))) {
                view = nextView(views); // current views of other accounts, and vera's pending steps
            }
            assertThat(view.getValueImUsd()).isEqualTo("2700.00000000");
        } finally {
            watch.cancel(null);
        }
    }

    @Test
    void listChainsIsOrderedPagedAndShowsHeads() {
        ListChainsResponse all = collateral.listChains(ListChainsRequest.getDefaultInstance());
        assertThat(all.getChainsList()).extracting(Chain::getChainId).containsExactly("arbitrum", "ethereum", "solana", "testcheckpoint");
        assertThat(all.getNextPageToken()).isEmpty();
        Chain ethereum = all.getChains(1);
        assertThat(ethereum.getConfig().getConfirmations()).isEqualTo(3);
        assertThat(ethereum.getConfig().getLiquidationLatencySeconds()).isEqualTo(600);
        assertThat(ethereum.getConfig().getAssetsList()).extracting(a -> a.getAsset() + ":" + a.getCanonicalAsset() + ":" + a.getDecimals()
                + ":" + a.getImTiers(0).getHaircut() + ":" + a.getMmTiers(0).getHaircut()).containsExactly("ETH:ETH:18:0.1:0.05", "USDC:USDC:6:0.02:0.01");
        Chain solana = all.getChains(2);
        assertThat(solana.getConfig().getAssetsList()).extracting(a -> a.getAsset() + ":" + a.getDecimals()).containsExactly("SOL:9", "USDC:6");
        assertThat(all.getChains(3).getConfig().getFinalityRule()).isEqualTo(dev.crosschain.proto.collateral.v1.FinalityRule.FINALITY_RULE_CHECKPOINT);

        try (AdapterConnection eth = adapter("ethereum")) {
            eth.hello();
            eth.extend();
        }
        assertThat(collateral.listChains(ListChainsRequest.getDefaultInstance()).getChains(1).getHeadHeight())
                .isEqualTo(AdapterConnection.tipHeight("ethereum"));

        ListChainsResponse page1 = collateral.listChains(ListChainsRequest.newBuilder().setPageSize(2).build());
        assertThat(page1.getChainsList()).extracting(Chain::getChainId).containsExactly("arbitrum", "ethereum");
        ListChainsResponse page2 = collateral.listChains(ListChainsRequest.newBuilder().setPageSize(2).setPageToken(page1.getNextPageToken()).build());
        assertThat(page2.getChainsList()).extracting(Chain::getChainId).containsExactly("solana", "testcheckpoint");
        assertThat(page2.getNextPageToken()).isEmpty();

        // every chain carries a status; one that is not healthy says why
        for (Chain c : collateral.listChains(ListChainsRequest.getDefaultInstance()).getChainsList()) {
            assertThat(c.getStatus()).isNotEqualTo(dev.crosschain.proto.collateral.v1.ChainStatus.CHAIN_STATUS_UNSPECIFIED);
            assertThat(c.getStatusReason().isEmpty()).as(c.getChainId() + ": " + c.getStatusReason())
                    .isEqualTo(c.getStatus() == dev.crosschain.proto.collateral.v1.ChainStatus.CHAIN_STATUS_HEALTHY);
        }
        StatusRuntimeException bad = catchStatus(() -> collateral.listChains(ListChainsRequest.newBuilder().setPageToken("garbage").build()));
        assertStatus(bad, Status.Code.INVALID_ARGUMENT, "INVALID_PAGE_TOKEN", "page_token");
    }

    // ---- helpers ----

    /** Deposits and confirms: the amount ends up available. */
    void fund(String account, String chain, String asset, String amount) {
        try (AdapterConnection adapter = adapter(chain)) {
            adapter.hello();
            String block = adapter.extend();
            assertThat(adapter.deposit(tx(), 0, block, account, asset, amount).getOutcome()).isEqualTo(AckOutcome.ACK_OUTCOME_APPLIED);
            int confirmations = collateral.listChains(ListChainsRequest.getDefaultInstance()).getChainsList().stream()
                    .filter(c -> c.getChainId().equals(chain)).findFirst().orElseThrow().getConfig().getConfirmations();
            for (int i = 1; i < confirmations; i++) {
                adapter.extend();
            }
        }
    }

    /**
     * Awaits the chain HEALTHY: chains start HALTED ("no adapter seen yet", collateral counted at 0) until the chain
     * monitor's next tick after an adapter connected, so a test that runs first would value a funded account at 0.
     */
    void awaitChainHealthy(String chain) {
        awaitCondition(chain + " HEALTHY", () -> collateral.listChains(ListChainsRequest.getDefaultInstance()).getChainsList().stream()
                .anyMatch(c -> c.getChainId().equals(chain) && c.getStatus() == ChainStatus.CHAIN_STATUS_HEALTHY));
    }

    /** "chain/asset" -> "pending/available/locked"; empty when the account is unknown. */
    Map<String, String> balances(String account) {
        Map<String, String> result = new TreeMap<>();
        CollateralView view;
        try {
            view = collateral.getCollateral(GetCollateralRequest.newBuilder().setAccountId(account).build()).getView();
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() == Status.Code.NOT_FOUND) {
                return result;
            }
            throw e;
        }
        for (ChainCollateral chain : view.getChainsList()) {
            for (AssetCollateral a : chain.getAssetsList()) {
                result.put(chain.getChainId() + "/" + a.getAsset(), a.getPending() + "/" + a.getAvailable() + "/" + a.getLocked());
            }
        }
        return result;
    }

    /**
     * Sum of balances of every (chain, asset) = its pending deposits (pending) and credited deposits less executed
     * withdrawals (available + locked).
     */
    void assertLedgerInvariant() throws Exception {
        try (Connection c = dataSource.getConnection(); ResultSet rs = c.createStatement().executeQuery("""
                SELECT k.chain_id, k.asset,
                  coalesce((SELECT sum(pending) FROM balance b WHERE b.chain_id = k.chain_id AND b.asset = k.asset), 0) AS pending,
                  coalesce((SELECT sum(available + locked) FROM balance b WHERE b.chain_id = k.chain_id AND b.asset = k.asset), 0) AS held,
                  coalesce((SELECT sum(amount) FROM deposit d WHERE d.chain_id = k.chain_id AND d.asset = k.asset AND d.status = 'PENDING'), 0) AS pending_deposits,
                  coalesce((SELECT sum(amount) FROM deposit d WHERE d.chain_id = k.chain_id AND d.asset = k.asset AND d.status = 'CREDITED'), 0)
                  - coalesce((SELECT sum(amount) FROM withdrawal w WHERE w.chain_id = k.chain_id AND w.asset = k.asset AND w.status = 'EXECUTED'), 0) AS credited_deposits
                FROM (SELECT DISTINCT chain_id, asset FROM balance UNION SELECT DISTINCT chain_id, asset FROM deposit) k""")) {
            while (rs.next()) {
                String key = rs.getString(1) + "/" + rs.getString(2);
                assertThat(rs.getBigDecimal("pending")).as("pending of " + key).isEqualByComparingTo(rs.getBigDecimal("pending_deposits"));
                assertThat(rs.getBigDecimal("held")).as("held of " + key).isEqualByComparingTo(rs.getBigDecimal("credited_deposits"));
            }
        }
    }

    String depositStatus(String tx) {
        try (Connection c = dataSource.getConnection(); ResultSet rs = c.createStatement().executeQuery(
                "SELECT status FROM deposit WHERE tx_hash = '" + tx + "'")) {
            assertThat(rs.next()).as("deposit " + tx).isTrue();
            return rs.getString(1);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    static long headHeight(String chain) {
        return collateral.listChains(ListChainsRequest.getDefaultInstance()).getChainsList().stream()
                .filter(c -> c.getChainId().equals(chain)).findFirst().orElseThrow().getHeadHeight();
    }

    long count(String sql) {
        try (Connection c = dataSource.getConnection(); ResultSet rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static AdapterConnection adapter(String chain) {
        return new AdapterConnection(async, chain);
    }

    static void assertNotFound(String account) {
        StatusRuntimeException e = catchStatus(() -> collateral.getCollateral(GetCollateralRequest.newBuilder().setAccountId(account).build()));
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
        assertThat(errorInfo(e).getReason()).isEqualTo("UNKNOWN_ACCOUNT");
    }

    static void assertTransferRefused(TransferRequest.Builder request, String reason, String field) {
        StatusRuntimeException e = catchStatus(() -> transferer.transfer(request.build()));
        assertStatus(e, Status.Code.INVALID_ARGUMENT, reason, field);
    }

    static void assertRejected(Ack ack, String reason, String field) {
        assertThat(ack.getOutcome()).isEqualTo(AckOutcome.ACK_OUTCOME_REJECTED);
        assertThat(ack.getRejection().getReason()).isEqualTo(reason);
        assertThat(ack.getRejection().getMessage()).isNotBlank();
        assertThat(ack.getRejection().getFieldViolationsList()).extracting(v -> v.getField()).contains(field);
    }

    static void assertStatus(StatusRuntimeException e, Status.Code code, String reason, String field) {
        assertThat(e.getStatus().getCode()).isEqualTo(code);
        ErrorInfo info = errorInfo(e);
        assertThat(info.getReason()).isEqualTo(reason);
        assertThat(info.getDomain()).isEqualTo("collateral.crosschain");
        assertThat(detail(e, BadRequest.class).getFieldViolationsList()).extracting(BadRequest.FieldViolation::getField).contains(field);
    }

    static StatusRuntimeException catchStatus(Executable call) {
        try {
            call.execute();
        } catch (StatusRuntimeException e) {
            return e;
        } catch (Throwable t) {
            fail("expected a gRPC status, got " + t);
        }
        return fail("expected a gRPC error");
    }

    static ErrorInfo errorInfo(StatusRuntimeException e) {
        return detail(e, ErrorInfo.class);
    }

    static <T extends com.google.protobuf.Message> T detail(StatusRuntimeException e, Class<T> type) {
        com.google.rpc.Status status = StatusProto.fromThrowable(e);
        assertThat(status).as("status details of " + e).isNotNull();
        return status.getDetailsList().stream().filter(d -> d.is(type)).findFirst().map(d -> {
            try {
                return d.unpack(type);
            } catch (com.google.protobuf.InvalidProtocolBufferException x) {
                throw new IllegalStateException(x);
            }
        }).orElseThrow(() -> new AssertionError("no " + type.getSimpleName() + " in " + status));
    }

    static CollateralView nextView(BlockingQueue<Object> views) throws InterruptedException {
        Object next = views.poll(AdapterConnection.PATIENCE_MS, TimeUnit.MILLISECONDS);
        if (next instanceof CollateralView view) {
            return view;
        }
        return fail("expected a view, got " + next);
    }

    static TransferLeg leg(String from, String to, String chain, String asset, String amount) {
        return TransferLeg.newBuilder().setFromAccountId(from).setToAccountId(to).setChainId(chain).setAsset(asset).setAmount(amount).build();
    }

    /** Sends "authorization: Bearer <token>" with every call. */
    static io.grpc.ClientInterceptor bearer(String token) {
        io.grpc.Metadata headers = new io.grpc.Metadata();
        headers.put(io.grpc.Metadata.Key.of("authorization", io.grpc.Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
        return io.grpc.stub.MetadataUtils.newAttachHeadersInterceptor(headers);
    }

    static String account(String name) {
        return name + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    static String tx() {
        return "0x" + UUID.randomUUID().toString().replace("-", "");
    }

    static String id() {
        return "t-" + UUID.randomUUID();
    }
}
