package dev.crosschain.collateral.grpc;

import dev.crosschain.collateral.store.Alerts;
import dev.crosschain.postgres.PostgresTestResource;
import dev.crosschain.proto.collateral.v1.Alert;
import dev.crosschain.proto.collateral.v1.AlertSeverity;
import com.google.rpc.PreconditionFailure;
import dev.crosschain.proto.collateral.v1.CollateralAdminServiceGrpc;
import dev.crosschain.proto.collateral.v1.Freeze;
import dev.crosschain.proto.collateral.v1.ListAlertsRequest;
import dev.crosschain.proto.collateral.v1.ListAlertsResponse;
import dev.crosschain.proto.collateral.v1.ListFreezesRequest;
import dev.crosschain.proto.collateral.v1.ListFreezesResponse;
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
import static dev.crosschain.collateral.grpc.CollateralGrpcServiceTest.detail;
import static dev.crosschain.collateral.grpc.CollateralGrpcServiceTest.errorInfo;
import static dev.crosschain.collateral.grpc.WithdrawalGrpcTest.assertPrecondition;
import static org.assertj.core.api.Assertions.assertThat;

/** The operators' ListAlerts, ListFreezes and UnfreezeAccount. */
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
    void unfreezeLiftsTheNamedFreezeUnderTheOperatorsNameAndIsIdempotent() throws SQLException {
        String account = "frozen-" + UUID.randomUUID().toString().substring(0, 8);
        long freezeId = freeze(account);
        ListFreezesResponse listed = admin.listFreezes(ListFreezesRequest.newBuilder().setAccountId(account).build());
        assertThat(listed.getFrozen()).isTrue();
        assertThat(listed.getFreezesList()).extracting(Freeze::getFreezeId).containsExactly(freezeId);
        assertThat(listed.getFreezes(0).getReason()).isEqualTo("frozen by a test");
        assertThat(listed.getFreezes(0).getAlertId()).isZero();
        assertThat(listed.getFreezes(0).getLifted()).isFalse();
        assertThat(listed.getFreezes(0).getFrozenAtUnixMs()).isPositive();

        String change = "c-" + UUID.randomUUID();
        UnfreezeAccountRequest request = UnfreezeAccountRequest.newBuilder().setChangeId(change).setAccountId(account)
                .setFreezeId(freezeId).setReason("reorg reviewed, deposit re-mined").build();
        UnfreezeAccountResponse first = admin.unfreezeAccount(request);
        assertThat(first.getWasFrozen()).isTrue();
        assertThat(first.getReplayed()).isFalse();
        assertThat(first.getStillFrozen()).isFalse();
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
        assertThat(replay.getStillFrozen()).isFalse();
        StatusRuntimeException conflict = catchStatus(() -> admin.unfreezeAccount(request.toBuilder().setReason("other").build()));
        assertThat(conflict.getStatus().getCode()).isEqualTo(Status.Code.ALREADY_EXISTS);
        assertThat(errorInfo(conflict).getReason()).isEqualTo("IDEMPOTENCY_CONFLICT");

        // Lifted before: refused, and the refusal is not recorded under its change id.
        String late = "c-" + UUID.randomUUID();
        assertPrecondition(catchStatus(() -> admin.unfreezeAccount(request.toBuilder().setChangeId(late).build())), "FREEZE_LIFTED");
        assertThat(count("SELECT count(*) FROM operator_change WHERE change_id = '" + late + "'")).isZero();

        assertThat(admin.listFreezes(ListFreezesRequest.newBuilder().setAccountId(account).build()).getFreezesList()).isEmpty();
        ListFreezesResponse history = admin.listFreezes(ListFreezesRequest.newBuilder().setAccountId(account).setIncludeLifted(true).build());
        assertThat(history.getFrozen()).isFalse();
        assertThat(history.getFreezesList()).hasSize(1);
        Freeze lifted = history.getFreezes(0);
        assertThat(lifted.getLifted()).isTrue();
        assertThat(lifted.getLiftedBy()).isEqualTo("alice");
        assertThat(lifted.getLiftReason()).isEqualTo("reorg reviewed, deposit re-mined");
        assertThat(lifted.getLiftedAtUnixMs()).isGreaterThanOrEqualTo(lifted.getFrozenAtUnixMs());

        // The same cause seen again after the lift freezes again, as a new freeze listed before the lifted one.
        long again = freeze(account);
        assertThat(again).isNotEqualTo(freezeId);
        assertThat(admin.listFreezes(ListFreezesRequest.newBuilder().setAccountId(account).setIncludeLifted(true).build())
                .getFreezesList()).extracting(Freeze::getFreezeId).containsExactly(again, freezeId);
    }

    @Test
    void eachCauseOpensItsOwnFreezeAndTheAccountStaysFrozenUntilAllAreLifted() {
        String account = "causes-" + UUID.randomUUID().toString().substring(0, 8);
        long orphaned = freezeWithAlert(account, "FINAL_DEPOSIT_ORPHANED");
        long resolved = freezeWithAlert(account, "WITHDRAWAL_RESOLVED");
        // The first cause seen again (its alert deduplicated: no alert id) opens nothing new.
        try (Connection c = dataSource.getConnection()) {
            assertThat(Alerts.freeze(c, account, "FINAL_DEPOSIT_ORPHANED: test cause", OptionalLong.empty())).isFalse();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        ListFreezesResponse both = admin.listFreezes(ListFreezesRequest.newBuilder().setAccountId(account).build());
        assertThat(both.getFreezesList()).extracting(Freeze::getFreezeId).containsExactly(resolved, orphaned);
        assertThat(both.getFreezesList()).extracting(Freeze::getAlertId).allMatch(id -> id > 0).doesNotHaveDuplicates();
        assertThat(frozenReason(account)).isEqualTo("FINAL_DEPOSIT_ORPHANED: test cause (and 1 other open freeze)");

        UnfreezeAccountResponse first = admin.unfreezeAccount(UnfreezeAccountRequest.newBuilder().setChangeId("c-" + UUID.randomUUID())
                .setAccountId(account).setFreezeId(orphaned).setReason("reorg reviewed").build());
        assertThat(first.getStillFrozen()).isTrue();
        assertThat(frozenReason(account)).isEqualTo("WITHDRAWAL_RESOLVED: test cause");
        assertThat(admin.listFreezes(ListFreezesRequest.newBuilder().setAccountId(account).build()).getFreezesList())
                .extracting(Freeze::getFreezeId).containsExactly(resolved);

        UnfreezeAccountResponse second = admin.unfreezeAccount(UnfreezeAccountRequest.newBuilder().setChangeId("c-" + UUID.randomUUID())
                .setAccountId(account).setFreezeId(resolved).setReason("execution reviewed").build());
        assertThat(second.getStillFrozen()).isFalse();
        assertThat(frozenReason(account)).isNull();
        assertThat(admin.listFreezes(ListFreezesRequest.newBuilder().setAccountId(account).build()).getFrozen()).isFalse();
    }

    @Test
    void badUnfreezesAndFreezeListingsAreRefusedAndOnlyOperatorsMayCall() {
        String account = "bad-" + UUID.randomUUID().toString().substring(0, 8);
        long freezeId = freeze(account);
        String other = "other-" + UUID.randomUUID().toString().substring(0, 8);
        long othersFreeze = freeze(other);
        UnfreezeAccountRequest good = UnfreezeAccountRequest.newBuilder().setChangeId("c-" + UUID.randomUUID())
                .setAccountId(account).setFreezeId(freezeId).setReason("why").build();
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
        assertStatus(catchStatus(() -> admin.unfreezeAccount(good.toBuilder().clearFreezeId().build())),
                Status.Code.INVALID_ARGUMENT, "MISSING_FIELD", "freeze_id");
        assertStatus(catchStatus(() -> admin.unfreezeAccount(good.toBuilder().setFreezeId(-3).build())),
                Status.Code.INVALID_ARGUMENT, "INVALID_ID", "freeze_id");
        // A freeze that does not exist, and another account's freeze: refused the same way, nothing lifted.
        StatusRuntimeException unknown = catchStatus(() -> admin.unfreezeAccount(good.toBuilder().setFreezeId(Long.MAX_VALUE).build()));
        assertPrecondition(unknown, "UNKNOWN_FREEZE");
        assertThat(detail(unknown, PreconditionFailure.class).getViolations(0).getSubject()).isEqualTo("freeze_id");
        assertPrecondition(catchStatus(() -> admin.unfreezeAccount(good.toBuilder().setFreezeId(othersFreeze).build())), "UNKNOWN_FREEZE");
        assertThat(admin.listFreezes(ListFreezesRequest.newBuilder().setAccountId(other).build()).getFreezesList())
                .extracting(Freeze::getFreezeId).containsExactly(othersFreeze);

        assertStatus(catchStatus(() -> admin.listFreezes(ListFreezesRequest.getDefaultInstance())),
                Status.Code.INVALID_ARGUMENT, "MISSING_FIELD", "account_id");
        assertStatus(catchStatus(() -> admin.listFreezes(ListFreezesRequest.newBuilder().setAccountId("a\u0001b").build())),
                Status.Code.INVALID_ARGUMENT, "INVALID_ACCOUNT", "account_id");

        assertThat(catchStatus(() -> anonymous.unfreezeAccount(good)).getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
        assertThat(catchStatus(() -> anonymous.listAlerts(ListAlertsRequest.getDefaultInstance())).getStatus().getCode())
                .isEqualTo(Status.Code.UNAUTHENTICATED);
        ListFreezesRequest list = ListFreezesRequest.newBuilder().setAccountId(account).build();
        assertThat(catchStatus(() -> anonymous.listFreezes(list)).getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
        StatusRuntimeException margin = catchStatus(() -> anonymous.withInterceptors(bearer("test-margin-token")).unfreezeAccount(good));
        assertThat(margin.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(errorInfo(margin).getReason()).isEqualTo("NOT_ALLOWED");
        StatusRuntimeException marginList = catchStatus(() -> anonymous.withInterceptors(bearer("test-margin-token")).listFreezes(list));
        assertThat(marginList.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(errorInfo(marginList).getReason()).isEqualTo("NOT_ALLOWED");
        assertThat(catchStatus(() -> anonymous.withInterceptors(bearer("test-liquidation-token"))
                .listAlerts(ListAlertsRequest.getDefaultInstance())).getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
        // None of these recorded the change or lifted a freeze.
        assertThat(frozenReason(account)).isEqualTo("frozen by a test");
        UnfreezeAccountResponse first = admin.unfreezeAccount(good);
        assertThat(first.getReplayed()).isFalse();
        assertThat(first.getStillFrozen()).isFalse();
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

    /** Freezes the account without an alert; the new freeze's id. */
    long freeze(String account) {
        try (Connection c = dataSource.getConnection()) {
            assertThat(Alerts.freeze(c, account, "frozen by a test", OptionalLong.empty())).isTrue();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return newestFreeze(account);
    }

    /** Raises a CRITICAL alert of this kind on the account and freezes it with the alert (as the ledger does); the freeze's id. */
    long freezeWithAlert(String account, String kind) {
        try (Connection c = dataSource.getConnection()) {
            OptionalLong alert = Alerts.raise(c, Alerts.Severity.CRITICAL, kind, "ethereum", account, "test cause",
                    "test:" + kind + ":" + account);
            assertThat(Alerts.freeze(c, account, kind + ": test cause", alert)).isTrue();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return newestFreeze(account);
    }

    long newestFreeze(String account) {
        return count("SELECT max(id) FROM account_freeze WHERE account_id = '" + account + "'");
    }

    String frozenReason(String account) {
        try (Connection c = dataSource.getConnection()) {
            return Alerts.frozenReason(c, account);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    long count(String sql) {
        try (Connection c = dataSource.getConnection(); ResultSet rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
