package dev.crosschain.collateral.grpc;

import dev.crosschain.collateral.store.Alerts;
import dev.crosschain.postgres.PostgresTestResource;
import dev.crosschain.proto.collateral.v1.Alert;
import dev.crosschain.proto.collateral.v1.AlertSeverity;
import dev.crosschain.proto.collateral.v1.CollateralAdminServiceGrpc;
import dev.crosschain.proto.collateral.v1.ListAlertsRequest;
import dev.crosschain.proto.collateral.v1.ListAlertsResponse;
import dev.crosschain.proto.collateral.v1.UnfreezeAccountRequest;
import dev.crosschain.proto.collateral.v1.UnfreezeAccountResponse;
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
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static dev.crosschain.collateral.grpc.CollateralGrpcServiceTest.assertStatus;
import static dev.crosschain.collateral.grpc.CollateralGrpcServiceTest.bearer;
import static dev.crosschain.collateral.grpc.CollateralGrpcServiceTest.catchStatus;
import static dev.crosschain.collateral.grpc.CollateralGrpcServiceTest.errorInfo;
import static org.assertj.core.api.Assertions.assertThat;

/** The operators' ListAlerts and UnfreezeAccount. */
@QuarkusTest
@QuarkusTestResource(PostgresTestResource.class)
class AdminAlertsGrpcTest {

    static ManagedChannel channel;
    static CollateralAdminServiceGrpc.CollateralAdminServiceBlockingStub admin;
    static CollateralAdminServiceGrpc.CollateralAdminServiceBlockingStub anonymous;

    @Inject
    AgroalDataSource dataSource;

    @BeforeAll
    static void connect() {
        channel = ManagedChannelBuilder.forAddress("localhost", 19101).usePlaintext().build();
        anonymous = CollateralAdminServiceGrpc.newBlockingStub(channel);
        admin = anonymous.withInterceptors(bearer("test-operator-token"));
    }

    @AfterAll
    static void disconnect() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    @Test
    void alertsComeNewestFirstPagedAndFilteredBySeverity() {
        String tag = UUID.randomUUID().toString().substring(0, 8);
        long warning = raise(Alerts.Severity.WARNING, "first-" + tag);
        long critical = raise(Alerts.Severity.CRITICAL, "second-" + tag);
        long newest = raise(Alerts.Severity.WARNING, "third-" + tag);

        ListAlertsResponse page1 = admin.listAlerts(ListAlertsRequest.newBuilder().setPageSize(2).build());
        assertThat(page1.getAlertsList()).extracting(Alert::getId).containsExactly(newest, critical);
        assertThat(page1.getAlerts(0).getMessage()).isEqualTo("third-" + tag);
        assertThat(page1.getAlerts(0).getKind()).isEqualTo("TEST_ALERT");
        assertThat(page1.getAlerts(0).getChainId()).isEqualTo("solana");
        assertThat(page1.getAlerts(0).getAccountId()).isEqualTo("acct-" + tag);
        assertThat(page1.getAlerts(0).getRaisedAtUnixMs()).isPositive();
        assertThat(page1.getAlerts(1).getSeverity()).isEqualTo(AlertSeverity.ALERT_SEVERITY_CRITICAL);
        assertThat(page1.getNextPageToken()).isNotEmpty();
        ListAlertsResponse page2 = admin.listAlerts(ListAlertsRequest.newBuilder().setPageSize(1).setPageToken(page1.getNextPageToken()).build());
        assertThat(page2.getAlertsList()).extracting(Alert::getId).containsExactly(warning);
        assertThat(page2.getAlerts(0).getSeverity()).isEqualTo(AlertSeverity.ALERT_SEVERITY_WARNING);

        ListAlertsResponse criticalOnly = admin.listAlerts(ListAlertsRequest.newBuilder()
                .setMinSeverity(AlertSeverity.ALERT_SEVERITY_CRITICAL).setPageSize(1).build());
        assertThat(criticalOnly.getAlertsList()).extracting(Alert::getId).containsExactly(critical);
        ListAlertsResponse warningsToo = admin.listAlerts(ListAlertsRequest.newBuilder()
                .setMinSeverity(AlertSeverity.ALERT_SEVERITY_WARNING).setPageSize(3).build());
        assertThat(warningsToo.getAlertsList()).extracting(Alert::getId).containsExactly(newest, critical, warning);

        // The last page has no token.
        ListAlertsResponse all = admin.listAlerts(ListAlertsRequest.newBuilder().setPageSize(1000).build());
        String token = all.getNextPageToken();
        while (!token.isEmpty()) {
            token = admin.listAlerts(ListAlertsRequest.newBuilder().setPageSize(1000).setPageToken(token).build()).getNextPageToken();
        }
        assertThat(all.getAlertsList()).extracting(Alert::getId).contains(newest, critical, warning);
    }

    @Test
    void badListRequestsAreRefusedWithTheField() {
        assertStatus(catchStatus(() -> admin.listAlerts(ListAlertsRequest.newBuilder().setPageSize(-1).build())),
                Status.Code.INVALID_ARGUMENT, "INVALID_PAGE_SIZE", "page_size");
        assertStatus(catchStatus(() -> admin.listAlerts(ListAlertsRequest.newBuilder().setPageToken("abc").build())),
                Status.Code.INVALID_ARGUMENT, "INVALID_PAGE_TOKEN", "page_token");
        assertStatus(catchStatus(() -> admin.listAlerts(ListAlertsRequest.newBuilder().setPageToken("-5").build())),
                Status.Code.INVALID_ARGUMENT, "INVALID_PAGE_TOKEN", "page_token");
        assertStatus(catchStatus(() -> admin.listAlerts(ListAlertsRequest.newBuilder().setMinSeverityValue(9).build())),
                Status.Code.INVALID_ARGUMENT, "INVALID_SEVERITY", "min_severity");
    }

    @Test
    void unfreezeClosesTheOpenFreezeUnderTheOperatorsNameAndIsIdempotent() throws SQLException {
        String account = "frozen-" + UUID.randomUUID().toString().substring(0, 8);
        freeze(account);
        String change = "c-" + UUID.randomUUID();
        UnfreezeAccountRequest request = UnfreezeAccountRequest.newBuilder().setChangeId(change).setAccountId(account)
                .setReason("reorg reviewed, deposit re-mined").build();
        UnfreezeAccountResponse first = admin.unfreezeAccount(request);
        assertThat(first.getWasFrozen()).isTrue();
        assertThat(first.getReplayed()).isFalse();
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(
                "SELECT unfrozen_at, unfrozen_by, unfreeze_reason FROM account_freeze WHERE account_id = ?")) {
            s.setString(1, account);
            try (ResultSet rs = s.executeQuery()) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getTimestamp(1)).isNotNull();
                assertThat(rs.getString(2)).isEqualTo("alice");
                assertThat(rs.getString(3)).isEqualTo("reorg reviewed, deposit re-mined");
                assertThat(rs.next()).isFalse();
            }
        }
        UnfreezeAccountResponse replay = admin.unfreezeAccount(request);
        assertThat(replay.getReplayed()).isTrue();
        assertThat(replay.getWasFrozen()).isTrue();
        StatusRuntimeException conflict = catchStatus(() -> admin.unfreezeAccount(request.toBuilder().setReason("other").build()));
        assertThat(conflict.getStatus().getCode()).isEqualTo(Status.Code.ALREADY_EXISTS);
        assertThat(errorInfo(conflict).getReason()).isEqualTo("IDEMPOTENCY_CONFLICT");

        UnfreezeAccountResponse again = admin.unfreezeAccount(request.toBuilder().setChangeId("c-" + UUID.randomUUID()).build());
        assertThat(again.getWasFrozen()).isFalse();
        assertThat(again.getReplayed()).isFalse();
        // A new freeze can be opened after the lift.
        freeze(account);
    }

    @Test
    void badUnfreezesAreRefusedAndOnlyOperatorsMayCall() {
        UnfreezeAccountRequest good = UnfreezeAccountRequest.newBuilder().setChangeId("c-" + UUID.randomUUID())
                .setAccountId("acct").setReason("why").build();
        assertStatus(catchStatus(() -> admin.unfreezeAccount(good.toBuilder().setChangeId("").build())),
                Status.Code.INVALID_ARGUMENT, "MISSING_FIELD", "change_id");
        assertStatus(catchStatus(() -> admin.unfreezeAccount(good.toBuilder().setChangeId("bad id!").build())),
                Status.Code.INVALID_ARGUMENT, "INVALID_ID", "change_id");
        assertStatus(catchStatus(() -> admin.unfreezeAccount(good.toBuilder().setAccountId("").build())),
                Status.Code.INVALID_ARGUMENT, "MISSING_FIELD", "account_id");
        assertStatus(catchStatus(() -> admin.unfreezeAccount(good.toBuilder().setAccountId("a".repeat(129)).build())),
                Status.Code.INVALID_ARGUMENT, "INVALID_ACCOUNT", "account_id");
        assertStatus(catchStatus(() -> admin.unfreezeAccount(good.toBuilder().setReason(" ").build())),
                Status.Code.INVALID_ARGUMENT, "MISSING_FIELD", "reason");
        assertStatus(catchStatus(() -> admin.unfreezeAccount(good.toBuilder().setReason("x".repeat(1025)).build())),
                Status.Code.INVALID_ARGUMENT, "INVALID_REASON", "reason");

        assertThat(catchStatus(() -> anonymous.unfreezeAccount(good)).getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
        assertThat(catchStatus(() -> anonymous.listAlerts(ListAlertsRequest.getDefaultInstance())).getStatus().getCode())
                .isEqualTo(Status.Code.UNAUTHENTICATED);
        StatusRuntimeException margin = catchStatus(() -> anonymous.withInterceptors(bearer("test-margin-token")).unfreezeAccount(good));
        assertThat(margin.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(errorInfo(margin).getReason()).isEqualTo("NOT_ALLOWED");
        assertThat(catchStatus(() -> anonymous.withInterceptors(bearer("test-liquidation-token"))
                .listAlerts(ListAlertsRequest.getDefaultInstance())).getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
        // None of these recorded the change.
        UnfreezeAccountResponse first = admin.unfreezeAccount(good);
        assertThat(first.getReplayed()).isFalse();
    }

    long raise(Alerts.Severity severity, String message) {
        try (Connection c = dataSource.getConnection()) {
            OptionalLong id = Alerts.raise(c, severity, "TEST_ALERT", "solana", "acct-" + message.substring(message.indexOf('-') + 1),
                    message, "test-alert:" + message);
            return id.orElseThrow();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    void freeze(String account) {
        try (Connection c = dataSource.getConnection()) {
            assertThat(Alerts.freeze(c, account, "frozen by a test", OptionalLong.empty())).isTrue();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
