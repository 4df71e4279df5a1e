package dev.crosschain.collateral.grpc;

import com.google.rpc.PreconditionFailure;
import dev.crosschain.postgres.PostgresTestResource;
import dev.crosschain.proto.collateral.v1.AckOutcome;
import dev.crosschain.proto.collateral.v1.BlockHeader;
import dev.crosschain.proto.collateral.v1.CollateralServiceGrpc;
import dev.crosschain.proto.collateral.v1.ConnectAdapterRequest;
import dev.crosschain.proto.collateral.v1.Heartbeat;
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

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static dev.crosschain.collateral.grpc.CollateralGrpcServiceTest.detail;
import static dev.crosschain.collateral.grpc.CollateralGrpcServiceTest.errorInfo;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * One adapter stream per chain at a time, owned through a lease in chain_state: a second hello is refused while the
 * first stream lives, a cleanly ended stream frees the chain at once, an expired lease is taken over and fences the
 * old stream off. Expiry is reached by moving the stored lease_until into the past (the database clock is the one
 * the lease is judged by), not by waiting.
 */
@QuarkusTest
@QuarkusTestResource(PostgresTestResource.class)
class ChainLeaseGrpcTest {

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

    @Test
    void aSecondHelloWhileAStreamIsLiveIsRefusedChainOwnedAndChangesNothing() throws SQLException {
        try (AdapterConnection first = new AdapterConnection(async, "ethereum")) {
            first.hello();
            first.extend();
            String before = leaseRow("ethereum");
            assertThat(before).contains("session=test-ethereum/");

            AdapterConnection second = new AdapterConnection(async, "ethereum");
            StatusRuntimeException refused = second.helloRefused();
            assertThat(refused.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
            assertThat(errorInfo(refused).getReason()).isEqualTo("CHAIN_OWNED");
            assertThat(detail(refused, PreconditionFailure.class).getViolations(0).getSubject()).isEqualTo("ethereum");
            assertThat(refused.getStatus().getDescription()).contains("expires at");

            assertThat(leaseRow("ethereum")).as("the refused hello changed nothing").isEqualTo(before);
            first.extend(); // the owner goes on
        }
    }

    @Test
    void aStreamThatEndedLetsTheNextHelloInAtOnce() throws SQLException {
        try (AdapterConnection first = new AdapterConnection(async, "arbitrum")) {
            first.hello();
            first.extend();
        }
        assertThat(leaseRow("arbitrum")).contains("session=null").contains("until=null");
        try (AdapterConnection next = new AdapterConnection(async, "arbitrum")) {
            next.hello();
            // A stream failed by the service (a second hello is a protocol violation) releases the lease too.
            StatusRuntimeException violation = next.failsWith(hello("arbitrum"));
            assertThat(errorInfo(violation).getReason()).isEqualTo("PROTOCOL_VIOLATION");
        }
        try (AdapterConnection after = new AdapterConnection(async, "arbitrum")) {
            after.hello();
            after.extend();
        }
    }

    @Test
    void anExpiredLeaseIsTakenOverAndTheOldStreamsNextEventFailsChainOwnedWithoutApplying() throws SQLException {
        AdapterConnection old = new AdapterConnection(async, "solana");
        old.hello();
        old.extend();
        long oldEpoch = epoch("solana");
        expire("solana");

        try (AdapterConnection successor = new AdapterConnection(async, "solana")) {
            String resume = successor.hello().getResumeCursor();
            assertThat(epoch("solana")).isEqualTo(oldEpoch + 1);

            long height = AdapterConnection.tipHeight("solana") + 1;
            String stale = "solana-stale-" + UUID.randomUUID();
            StatusRuntimeException fenced = old.failsWith(ConnectAdapterRequest.newBuilder().setCursor(old.nextCursor())
                    .setHeader(BlockHeader.newBuilder().setHeight(height).setHash(stale)
                            .setParentHash(AdapterConnection.tipHash("solana"))).build());
            assertThat(fenced.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
            assertThat(errorInfo(fenced).getReason()).isEqualTo("CHAIN_OWNED");
            assertThat(blockStored("solana", stale)).as("the fenced header was not applied").isFalse();
            assertThat(cursor("solana")).as("nor its cursor").isEqualTo(resume);
            assertThat(epoch("solana")).as("the old stream's end left the successor's lease alone").isEqualTo(oldEpoch + 1);
            assertThat(leaseRow("solana")).doesNotContain("session=null");

            successor.extend();
            assertThat(successor.send(ConnectAdapterRequest.newBuilder().setCursor(successor.nextCursor())
                    .setHeartbeat(Heartbeat.newBuilder().setHeadHeight(AdapterConnection.tipHeight("solana")))).getOutcome())
                    .isEqualTo(AckOutcome.ACK_OUTCOME_APPLIED);
        }
    }

    @Test
    void eachEventExtendsTheLease() throws SQLException {
        try (AdapterConnection adapter = new AdapterConnection(async, "ethereum")) {
            adapter.hello();
            expire("ethereum");
            // Expired but not taken over: the holder's next event is applied and extends its lease.
            adapter.extend();
            AdapterConnection rival = new AdapterConnection(async, "ethereum");
            assertThat(errorInfo(rival.helloRefused()).getReason()).isEqualTo("CHAIN_OWNED");
        }
    }

    static ConnectAdapterRequest hello(String chain) {
        return ConnectAdapterRequest.newBuilder().setHello(dev.crosschain.proto.collateral.v1.AdapterHello.newBuilder()
                .setChainId(chain).setAdapterId("test-" + chain).setCredential(AdapterConnection.credentialOf(chain))).build();
    }

    /** Moves the chain's lease expiry into the past, as the passing of the lease time would. */
    void expire(String chain) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(
                "UPDATE chain_state SET lease_until = now() - interval '1 second' WHERE chain_id = ?")) {
            s.setString(1, chain);
            assertThat(s.executeUpdate()).isEqualTo(1);
        }
    }

    String leaseRow(String chain) throws SQLException {
        return query("SELECT 'epoch=' || owner_epoch || ' session=' || coalesce(owner_session, 'null') || ' until='"
                + " || coalesce(lease_until::text, 'null') || ' cursor=' || coalesce(cursor, '') FROM chain_state WHERE chain_id = ?", chain);
    }

    long epoch(String chain) throws SQLException {
        return Long.parseLong(query("SELECT owner_epoch FROM chain_state WHERE chain_id = ?", chain));
    }

    String cursor(String chain) throws SQLException {
        return query("SELECT cursor FROM chain_state WHERE chain_id = ?", chain);
    }

    boolean blockStored(String chain, String hash) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(
                "SELECT 1 FROM block_header WHERE chain_id = ? AND hash = ?")) {
            s.setString(1, chain);
            s.setString(2, hash);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next();
            }
        }
    }

    private String query(String sql, String chain) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, chain);
            try (ResultSet rs = s.executeQuery()) {
                assertThat(rs.next()).isTrue();
                return rs.getString(1);
            }
        }
    }
}
