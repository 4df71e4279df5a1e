package dev.crosschain.margin.grpc;

import dev.crosschain.postgres.PostgresTestResource;
import dev.crosschain.proto.margin.v1.MarginMode;
import dev.crosschain.proto.margin.v1.SetMarginModeRequest;
import dev.crosschain.proto.margin.v1.SetMarginModeResponse;
import dev.crosschain.proto.margin.v1.Side;
import io.grpc.Status;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static dev.crosschain.margin.grpc.MarginGrpcServiceTest.assertError;
import static dev.crosschain.margin.grpc.MarginGrpcServiceTest.fill;
import static dev.crosschain.margin.grpc.MarginGrpcServiceTest.freeze;
import static dev.crosschain.margin.grpc.MarginGrpcServiceTest.view;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * SetMarginMode: CROSS and PORTFOLIO are offered (PORTFOLIO's figures: PortfolioModeGrpcTest); ISOLATED where
 * margin.isolated.enabled (true in %test: IsolatedMarginGrpcTest; off: IsolatedDisabledGrpcTest).
 */
@QuarkusTest
@QuarkusTestResource(PostgresTestResource.class)
class SetMarginModeGrpcTest {

    static final String PERP = "ETH-PERPETUAL";
    static FakeUpstream upstream;

    @BeforeAll
    static void connect() {
        MarginGrpcServiceTest.connect();
        upstream = FakeUpstream.get();
    }

    @AfterAll
    static void disconnect() {
        MarginGrpcServiceTest.disconnect();
    }

    @Test
    void crossIsSetOnceAndShownAndAReplayAnswersTheFirstAnswer() {
        String acc = "mode-cross";
        upstream.collateral.set(acc, false, new Object[]{"ethereum", "USDC", "1000", "1", "0.02", "0.01"});
        fill("mode-cross-f1", acc, PERP, Side.SIDE_BUY, "1", "3000"); // IM 60
        SetMarginModeResponse first = setMode("mode-cross-1", acc, MarginMode.MARGIN_MODE_CROSS);
        assertThat(first.getReplayed()).isFalse();
        assertThat(first.getMode()).isEqualTo(MarginMode.MARGIN_MODE_CROSS);
        assertThat(first.getEquityImUsd()).isEqualTo("980.00000000");
        assertThat(first.getInitialMarginUsd()).isEqualTo("60.00000000");
        assertThat(view(acc).getMode()).isEqualTo(MarginMode.MARGIN_MODE_CROSS);

        SetMarginModeResponse replay = setMode("mode-cross-1", acc, MarginMode.MARGIN_MODE_CROSS);
        assertThat(replay.getReplayed()).isTrue();
        assertThat(replay.toBuilder().setReplayed(false).build()).isEqualTo(first);
        assertError(() -> setMode("mode-cross-1", acc, MarginMode.MARGIN_MODE_PORTFOLIO), Status.Code.ALREADY_EXISTS,
                "IDEMPOTENCY_CONFLICT", null);
        assertError(() -> setMode("mode-cross-1", "mode-other", MarginMode.MARGIN_MODE_CROSS), Status.Code.ALREADY_EXISTS,
                "IDEMPOTENCY_CONFLICT", null);
    }

    @Test
    void anAccountKnownOnlyToCollateralCanSetItsMode() {
        String acc = "mode-coll-only";
        upstream.collateral.set(acc, false, new Object[]{"ethereum", "USDC", "10", "1", "0", "0"});
        assertThat(setMode("mode-coll-only-1", acc, MarginMode.MARGIN_MODE_CROSS).getMode()).isEqualTo(MarginMode.MARGIN_MODE_CROSS);
        assertThat(view(acc).getMode()).isEqualTo(MarginMode.MARGIN_MODE_CROSS);
    }

    @Test
    void badInputUnknownAccountsAndFrozenAccountsAreRefused() {
        String acc = "mode-bad";
        upstream.collateral.set(acc, false, new Object[]{"ethereum", "USDC", "1000", "1", "0", "0"});
        fill("mode-bad-f1", acc, PERP, Side.SIDE_BUY, "1", "3000");
        assertError(() -> setMode("", acc, MarginMode.MARGIN_MODE_CROSS), Status.Code.INVALID_ARGUMENT, "MISSING_FIELD", "request_id");
        assertError(() -> setMode("a/b", acc, MarginMode.MARGIN_MODE_CROSS), Status.Code.INVALID_ARGUMENT, "INVALID_ID", "request_id");
        assertError(() -> setMode("mode-bad-1", "", MarginMode.MARGIN_MODE_CROSS), Status.Code.INVALID_ARGUMENT, "MISSING_FIELD",
                "account_id");
        assertError(() -> setMode("mode-bad-1", "a".repeat(129), MarginMode.MARGIN_MODE_CROSS), Status.Code.INVALID_ARGUMENT,
                "INVALID_ACCOUNT", "account_id");
        assertError(() -> setMode("mode-bad-1", acc, MarginMode.MARGIN_MODE_UNSPECIFIED), Status.Code.INVALID_ARGUMENT,
                "MISSING_FIELD", "mode");
        assertError(() -> setMode("mode-bad-1", "mode-nobody", MarginMode.MARGIN_MODE_CROSS), Status.Code.NOT_FOUND,
                "UNKNOWN_ACCOUNT", null);

        freeze(acc, true, "auction-mode");
        assertError(() -> setMode("mode-bad-1", acc, MarginMode.MARGIN_MODE_CROSS), Status.Code.FAILED_PRECONDITION,
                "ACCOUNT_FROZEN", null);
        freeze(acc, false, "auction-mode");
        assertThat(setMode("mode-bad-1", acc, MarginMode.MARGIN_MODE_CROSS).getReplayed()).isFalse();
    }

    static SetMarginModeResponse setMode(String requestId, String account, MarginMode mode) {
        return MarginGrpcServiceTest.margin.setMarginMode(SetMarginModeRequest.newBuilder().setRequestId(requestId)
                .setAccountId(account).setMode(mode).build());
    }
}
