package dev.crosschain.collateral.grpc;

import dev.crosschain.postgres.PostgresTestResource;
import dev.crosschain.proto.collateral.v1.Ack;
import dev.crosschain.proto.collateral.v1.AckOutcome;
import dev.crosschain.proto.collateral.v1.AdapterHello;
import dev.crosschain.proto.collateral.v1.Checkpoint;
import dev.crosschain.proto.collateral.v1.CollateralServiceGrpc;
import dev.crosschain.proto.collateral.v1.ConnectAdapterRequest;
import dev.crosschain.proto.collateral.v1.Heartbeat;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static dev.crosschain.collateral.grpc.CollateralGrpcServiceTest.account;
import static dev.crosschain.collateral.grpc.CollateralGrpcServiceTest.assertRejected;
import static dev.crosschain.collateral.grpc.CollateralGrpcServiceTest.assertStatus;
import static dev.crosschain.collateral.grpc.CollateralGrpcServiceTest.tx;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * One bad adapter event must not stall a chain: a NUL byte in a text field or a 140,000-digit amount made
 * PostgreSQL fail the transaction, the stream ended UNAVAILABLE without an ack and the adapter re-sent the event
 * forever. Now each is REJECTED with the field, the stream goes on, and nothing unbounded is echoed.
 */
@QuarkusTest
@QuarkusTestResource(PostgresTestResource.class)
class AdapterInputGrpcTest {

    static final String NUL = "\u0000";
    static ManagedChannel channel;

    @jakarta.inject.Inject
    io.agroal.api.AgroalDataSource dataSource;
    static CollateralServiceGrpc.CollateralServiceStub async;

    @BeforeAll
    static void connect() {
        FakePricing.get();
        channel = ManagedChannelBuilder.forAddress("localhost", 19101).usePlaintext().build();
        async = CollateralServiceGrpc.newStub(channel);
    }

    @AfterAll
    static void disconnect() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    @Test
    void malformedTextOrAHugeAmountIsRejectedAndTheStreamGoesOn() {
        String account = account("nul");
        try (AdapterConnection eth = new AdapterConnection(async, "ethereum")) {
            eth.hello();
            String block = eth.extend();
            assertBounded(eth.deposit(tx(), 0, block, account + NUL, "USDC", "1"), "INVALID_ACCOUNT", "deposit.account_id");
            assertBounded(eth.deposit(tx(), 0, block, "a".repeat(129), "USDC", "1"), "INVALID_ACCOUNT", "deposit.account_id");
            assertBounded(eth.deposit(tx() + NUL, 0, block, account, "USDC", "1"), "INVALID_TX_HASH", "deposit.tx_hash");
            assertBounded(eth.deposit(tx(), 0, block + NUL, account, "USDC", "1"), "INVALID_BLOCK_HASH", "deposit.block_hash");
            assertBounded(eth.deposit(tx(), 0, block, account, "USDC", "1".repeat(140_000)), "INVALID_AMOUNT", "deposit.amount");
            assertBounded(eth.deposit(tx(), 0, block, account, "U".repeat(100_000), "1"), "UNKNOWN_ASSET", "deposit.asset");
            long next = AdapterConnection.tipHeight("ethereum") + 1;
            assertBounded(eth.header(next, "h" + NUL, block), "INVALID_BLOCK_HASH", "header.hash");
            assertBounded(eth.header(next, "h".repeat(300_000), block), "INVALID_BLOCK_HASH", "header.hash");
            assertBounded(eth.header(next, "h-" + tx(), block + NUL), "INVALID_BLOCK_HASH", "header.parent_hash");

            // a cursor that cannot be stored: refused, nothing recorded, the cursor not echoed
            String before = eth.deposit(tx(), 0, block, account, "USDC", "2").getCursor();
            for (String cursor : new String[]{"c" + NUL, "c".repeat(257), "c".repeat(1_000_000)}) {
                Ack ack = eth.send(ConnectAdapterRequest.newBuilder().setCursor(cursor).setHeartbeat(Heartbeat.newBuilder().setHeadHeight(1)));
                assertBounded(ack, "INVALID_CURSOR", "cursor");
                assertThat(ack.getCursor()).isEmpty();
            }

            // still usable
            assertThat(eth.deposit(tx(), 0, block, account, "USDC", "1").getOutcome()).isEqualTo(AckOutcome.ACK_OUTCOME_APPLIED);
            assertThat(before).isNotEmpty();
        }
        assertThat(pending(account)).as("only the two good deposits").isEqualByComparingTo("3");
    }

    @Test
    void aCheckpointWithAMalformedHashIsRejected() {
        try (AdapterConnection cp = new AdapterConnection(async, "testcheckpoint")) {
            cp.hello();
            assertBounded(cp.send(ConnectAdapterRequest.newBuilder().setCursor(cp.nextCursor())
                    .setCheckpoint(Checkpoint.newBuilder().setHeight(1).setHash("h" + NUL))), "INVALID_BLOCK_HASH", "checkpoint.hash");
            assertBounded(cp.send(ConnectAdapterRequest.newBuilder().setCursor(cp.nextCursor())
                    .setCheckpoint(Checkpoint.newBuilder().setHeight(1).setHash("h".repeat(100_000)))), "INVALID_BLOCK_HASH", "checkpoint.hash");
        }
    }

    @Test
    void aHelloWithAnUnboundedChainIdIsRefusedWithoutEchoingIt() {
        String huge = "dogechain".repeat(20_000);
        try (AdapterConnection unknown = new AdapterConnection(async, "dogechain")) {
            StatusRuntimeException e = unknown.failsWith(ConnectAdapterRequest.newBuilder()
                    .setHello(AdapterHello.newBuilder().setChainId(huge).setAdapterId("x".repeat(100_000)).setCredential("guess")).build());
            assertStatus(e, Status.Code.INVALID_ARGUMENT, "UNKNOWN_CHAIN", "hello.chain_id");
            assertThat(e.getStatus().getDescription()).hasSizeLessThan(300);
        }
        try (AdapterConnection nul = new AdapterConnection(async, "dogechain")) {
            StatusRuntimeException e = nul.failsWith(ConnectAdapterRequest.newBuilder()
                    .setHello(AdapterHello.newBuilder().setChainId("ethereum" + NUL).setAdapterId("x")).build());
            assertStatus(e, Status.Code.INVALID_ARGUMENT, "UNKNOWN_CHAIN", "hello.chain_id");
            assertThat(e.getStatus().getDescription()).doesNotContain(NUL);
        }
    }

    java.math.BigDecimal pending(String account) {
        try (java.sql.Connection c = dataSource.getConnection(); java.sql.PreparedStatement s = c.prepareStatement(
                "SELECT pending FROM balance WHERE account_id = ? AND chain_id = 'ethereum' AND asset = 'USDC'")) {
            s.setString(1, account);
            try (java.sql.ResultSet rs = s.executeQuery()) {
                assertThat(rs.next()).isTrue();
                return rs.getBigDecimal(1);
            }
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    static void assertBounded(Ack ack, String reason, String field) {
        assertRejected(ack, reason, field);
        assertThat(ack.getRejection().getMessage()).hasSizeLessThan(500);
        ack.getRejection().getFieldViolationsList().forEach(v -> assertThat(v.getDescription()).hasSizeLessThan(300));
    }
}
