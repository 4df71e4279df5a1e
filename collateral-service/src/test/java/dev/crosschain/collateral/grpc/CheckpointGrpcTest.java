package dev.crosschain.collateral.grpc;

import dev.crosschain.postgres.PostgresTestResource;
import dev.crosschain.proto.collateral.v1.Ack;
import dev.crosschain.proto.collateral.v1.AckOutcome;
import dev.crosschain.proto.collateral.v1.AssetCollateral;
import dev.crosschain.proto.collateral.v1.ChainCollateral;
import dev.crosschain.proto.collateral.v1.Checkpoint;
import dev.crosschain.proto.collateral.v1.CollateralServiceGrpc;
import dev.crosschain.proto.collateral.v1.ConnectAdapterRequest;
import dev.crosschain.proto.collateral.v1.FinalityRule;
import dev.crosschain.proto.collateral.v1.GetCollateralRequest;
import dev.crosschain.proto.collateral.v1.Welcome;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static dev.crosschain.collateral.grpc.CollateralGrpcServiceTest.account;
import static dev.crosschain.collateral.grpc.CollateralGrpcServiceTest.assertRejected;
import static dev.crosschain.collateral.grpc.CollateralGrpcServiceTest.tx;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Checkpoint finality over a real adapter stream, on the test registry's FINALITY_RULE_CHECKPOINT chain
 * "testcheckpoint" (the rule itself, case by case, is in CheckpointFinalityTest).
 */
@QuarkusTest
@QuarkusTestResource(PostgresTestResource.class)
class CheckpointGrpcTest {

    static final String CHAIN = "testcheckpoint";
    static ManagedChannel channel;
    static CollateralServiceGrpc.CollateralServiceBlockingStub collateral;
    static CollateralServiceGrpc.CollateralServiceStub async;

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

    @Test
    void depositsStayPendingUntilACheckpointAtOrAboveTheirBlock() {
        String account = account("cp");
        try (AdapterConnection adapter = new AdapterConnection(async, CHAIN)) {
            Welcome welcome = adapter.hello();
            assertThat(welcome.getFinalityRule()).isEqualTo(FinalityRule.FINALITY_RULE_CHECKPOINT);
            List<String> blocks = new ArrayList<>();
            String parent = welcome.getTipHash();
            long first = welcome.getTipHeight() + 1;
            for (int i = 0; i < 3; i++) {
                parent = header(adapter, first + i, parent);
                blocks.add(parent);
            }
            assertApplied(adapter.deposit(tx(), 0, blocks.get(0), account, "USDC", "5"));
            assertApplied(adapter.deposit(tx(), 0, blocks.get(2), account, "USDC", "7"));
            // far more headers than any confirmations rule asks: still pending
            for (int i = 3; i < 40; i++) {
                parent = header(adapter, first + i, parent);
                blocks.add(parent);
            }
            assertThat(balance(account)).isEqualTo("12/0");

            // a checkpoint at the first deposit's block credits it, not the one above
            assertApplied(checkpoint(adapter, first, blocks.get(0)));
            assertThat(balance(account)).isEqualTo("7/5");

            // a checkpoint naming a block the service does not hold is refused and changes nothing
            assertRejected(checkpoint(adapter, first + 2, "testcheckpoint-unknown-" + UUID.randomUUID()), "UNKNOWN_BLOCK", "checkpoint.hash");
            assertRejected(checkpoint(adapter, first + 100, "testcheckpoint-future-" + UUID.randomUUID()), "UNKNOWN_BLOCK", "checkpoint.hash");
            assertThat(balance(account)).isEqualTo("7/5");

            // a checkpoint above the second deposit's block credits it
            assertApplied(checkpoint(adapter, first + 10, blocks.get(10)));
            assertThat(balance(account)).isEqualTo("0/12");
        }
    }

    static String header(AdapterConnection adapter, long height, String parent) {
        String hash = CHAIN + "-b" + height + "-" + UUID.randomUUID().toString().substring(0, 8);
        assertApplied(adapter.header(height, hash, parent));
        return hash;
    }

    static Ack checkpoint(AdapterConnection adapter, long height, String hash) {
        return adapter.send(ConnectAdapterRequest.newBuilder().setCursor(adapter.nextCursor())
                .setCheckpoint(Checkpoint.newBuilder().setHeight(height).setHash(hash)));
    }

    static void assertApplied(Ack ack) {
        assertThat(ack.getOutcome()).as(ack.getRejection().getReason() + " " + ack.getRejection().getMessage())
                .isEqualTo(AckOutcome.ACK_OUTCOME_APPLIED);
    }

    /** "pending/available" of the account's USDC on the checkpoint chain. */
    static String balance(String account) {
        for (ChainCollateral chain : collateral.getCollateral(GetCollateralRequest.newBuilder().setAccountId(account).build())
                .getView().getChainsList()) {
            if (chain.getChainId().equals(CHAIN)) {
                for (AssetCollateral a : chain.getAssetsList()) {
                    if (a.getAsset().equals("USDC")) {
                        return a.getPending() + "/" + a.getAvailable();
                    }
                }
            }
        }
        return "none";
    }
}
