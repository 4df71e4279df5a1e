package dev.crosschain.margin.grpc;

import dev.crosschain.margin.store.AccountStore;
import dev.crosschain.postgres.PostgresTestResource;
import dev.crosschain.proto.margin.v1.AdjustIsolatedMarginRequest;
import dev.crosschain.proto.margin.v1.MarginMode;
import dev.crosschain.proto.margin.v1.MarginServiceGrpc;
import dev.crosschain.proto.margin.v1.SetMarginModeRequest;
import dev.crosschain.proto.margin.v1.Side;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.concurrent.TimeUnit;

import static dev.crosschain.margin.grpc.MarginGrpcServiceTest.assertError;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * margin.isolated.enabled=false (the production default): ISOLATED stays MODE_NOT_AVAILABLE and nothing changes.
 * Both refusals come before any upstream call, so this class (its own Quarkus start, its own class loader) starts no
 * fake upstream: FakeUpstream's port is held by the default profile's classes; "nothing changed" is read from the store.
 */
@QuarkusTest
@QuarkusTestResource(PostgresTestResource.class)
@TestProfile(IsolatedDisabledGrpcTest.IsolatedOff.class)
class IsolatedDisabledGrpcTest {

    public static class IsolatedOff implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("margin.isolated.enabled", "false");
        }
    }

    static ManagedChannel channel;
    static MarginServiceGrpc.MarginServiceBlockingStub margin;

    @Inject
    AccountStore store;

    @BeforeAll
    static void connect() {
        channel = ManagedChannelBuilder.forAddress("localhost", 19103).usePlaintext().build();
        margin = MarginServiceGrpc.newBlockingStub(channel);
    }

    @AfterAll
    static void disconnect() {
        channel.shutdownNow();
    }

    @Test
    void isolatedIsNotOfferedAndIsRefusedChangingNothing() {
        String acc = "mode-na";
        String perp = SetMarginModeGrpcTest.PERP;
        margin.withDeadlineAfter(30, TimeUnit.SECONDS).applyFill(dev.crosschain.proto.margin.v1.ApplyFillRequest.newBuilder()
                .setFillId("mode-na-f1").setAccountId(acc).setInstrument(perp).setSide(Side.SIDE_BUY).setQuantity("1")
                .setPrice("3000").build());
        assertError(() -> margin.withDeadlineAfter(30, TimeUnit.SECONDS).setMarginMode(SetMarginModeRequest.newBuilder()
                        .setRequestId("mode-na-1").setAccountId(acc).setMode(MarginMode.MARGIN_MODE_ISOLATED).build()),
                Status.Code.FAILED_PRECONDITION, "MODE_NOT_AVAILABLE", null);
        assertError(() -> margin.withDeadlineAfter(30, TimeUnit.SECONDS).adjustIsolatedMargin(AdjustIsolatedMarginRequest.newBuilder()
                        .setRequestId("mode-na-a1").setAccountId(acc).setInstrument(perp).setDeltaUsd("1").build()),
                Status.Code.FAILED_PRECONDITION, "MODE_NOT_AVAILABLE", null);
        AccountStore.AccountState state = store.load(acc).orElseThrow();
        assertThat(state.mode()).isEqualTo(dev.crosschain.margin.domain.MarginMode.CROSS);
        assertThat(state.allocations()).isEmpty();
        // neither refused id was kept
        assertThat(store.modeChange("mode-na-1", "any")).isEmpty();
        assertThat(store.adjustment("mode-na-a1", "any")).isEmpty();
    }
}
