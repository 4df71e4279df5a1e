package dev.crosschain.collateral.grpc;

import dev.crosschain.collateral.app.Callers;
import dev.crosschain.collateral.app.Operations;
import dev.crosschain.collateral.app.Registry;
import dev.crosschain.collateral.app.Withdrawals;
import dev.crosschain.collateral.domain.AdminChange;
import dev.crosschain.collateral.domain.Caller;
import dev.crosschain.collateral.domain.InvalidInputException;
import dev.crosschain.collateral.domain.Right;
import dev.crosschain.collateral.domain.Violation;
import dev.crosschain.collateral.store.OperatorStore;
import dev.crosschain.collateral.store.RegistryStore;
import dev.crosschain.proto.collateral.v1.Alert;
import dev.crosschain.proto.collateral.v1.AlertSeverity;
import dev.crosschain.proto.collateral.v1.CollateralAdminService;
import dev.crosschain.proto.collateral.v1.Freeze;
import dev.crosschain.proto.collateral.v1.GetRegistryRequest;
import dev.crosschain.proto.collateral.v1.GetRegistryResponse;
import dev.crosschain.proto.collateral.v1.ListAlertsRequest;
import dev.crosschain.proto.collateral.v1.ListAlertsResponse;
import dev.crosschain.proto.collateral.v1.ListFreezesRequest;
import dev.crosschain.proto.collateral.v1.ListFreezesResponse;
import dev.crosschain.proto.collateral.v1.ListRegistryChangesRequest;
import dev.crosschain.proto.collateral.v1.ListRegistryChangesResponse;
import dev.crosschain.proto.collateral.v1.SetChainHaltRequest;
import dev.crosschain.proto.collateral.v1.SetChainHaltResponse;
import dev.crosschain.proto.collateral.v1.UnfreezeAccountRequest;
import dev.crosschain.proto.collateral.v1.UnfreezeAccountResponse;
import dev.crosschain.proto.collateral.v1.UpsertChainRequest;
import dev.crosschain.proto.collateral.v1.UpsertChainResponse;
import io.grpc.Status;
import io.quarkus.grpc.GrpcService;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Uni;

import java.util.ArrayList;
import java.util.List;

/** gRPC adapter of the operators' service: every RPC needs the OPERATE right. */
@GrpcService
public class CollateralAdminGrpcService implements CollateralAdminService {

    static final int DEFAULT_CHANGES_PAGE = 100;
    static final int MAX_CHANGES_PAGE = 1000;

    private final Callers callers;
    private final Operations operations;
    private final Registry registry;
    private final Withdrawals withdrawals;

    public CollateralAdminGrpcService(Callers callers, Operations operations, Registry registry, Withdrawals withdrawals) {
        this.callers = callers;
        this.operations = operations;
        this.registry = registry;
        this.withdrawals = withdrawals;
    }

    @Override
    @Blocking
    public Uni<GetRegistryResponse> getRegistry(GetRegistryRequest request) {
        callers.require(BearerToken.current(), Right.OPERATE, "GetRegistry");
        return Uni.createFrom().item(RegistryMapper.registry(registry.current()));
    }

    @Override
    @Blocking
    public Uni<UpsertChainResponse> upsertChain(UpsertChainRequest request) {
        Caller caller = callers.require(BearerToken.current(), Right.OPERATE, "UpsertChain");
        List<Violation> missing = new ArrayList<>();
        List<Violation> invalid = new ArrayList<>();
        if (request.getExpectedRevision() < 0) {
            invalid.add(new Violation("expected_revision", "must be >= 0 (0: any), got " + request.getExpectedRevision()));
        }
        if (!request.hasChain()) {
            missing.add(new Violation("chain", "the chain's entry is required"));
        }
        AdminChange.require(request.getChangeId(), request.getReason(), missing, invalid);
        RegistryStore.Applied applied = registry.upsertChain(request.getChangeId(), caller.name(), request.getExpectedRevision(),
                RegistryMapper.draft(request.getChain()), request.getReason());
        return Uni.createFrom().item(UpsertChainResponse.newBuilder()
                .setRevision(applied.revision()).setReplayed(applied.replayed()).build());
    }

    @Override
    @Blocking
    public Uni<SetChainHaltResponse> setChainHalt(SetChainHaltRequest request) {
        Caller caller = callers.require(BearerToken.current(), Right.OPERATE, "SetChainHalt");
        List<Violation> missing = new ArrayList<>();
        if (request.getChainId().isEmpty()) {
            missing.add(new Violation("chain_id", "the chain is required"));
        }
        AdminChange.require(request.getChangeId(), request.getReason(), missing, List.of());
        RegistryStore.Applied applied = registry.setChainHalt(request.getChangeId(), caller.name(), request.getChainId(),
                request.getHalted(), request.getReason());
        if (!request.getHalted()) {
            // The lifted halt releases the chain's held instructions: this replica's adapter stream sends them now.
            withdrawals.release(request.getChainId());
        }
        return Uni.createFrom().item(SetChainHaltResponse.newBuilder()
                .setRevision(applied.revision()).setReplayed(applied.replayed()).build());
    }

    @Override
    @Blocking
    public Uni<ListRegistryChangesResponse> listRegistryChanges(ListRegistryChangesRequest request) {
        callers.require(BearerToken.current(), Right.OPERATE, "ListRegistryChanges");
        int size = request.getPageSize() == 0 ? DEFAULT_CHANGES_PAGE : request.getPageSize();
        if (size < 1 || size > MAX_CHANGES_PAGE) {
            throw new InvalidInputException("INVALID_PAGE_SIZE", "page_size",
                    "must be in [0, " + MAX_CHANGES_PAGE + "] (0: " + DEFAULT_CHANGES_PAGE + "), got " + request.getPageSize());
        }
        long before = Long.MAX_VALUE;
        if (!request.getPageToken().isEmpty()) {
            try {
                before = Long.parseLong(request.getPageToken());
            } catch (NumberFormatException e) {
                before = -1;
            }
            if (before < 1) {
                throw new InvalidInputException("INVALID_PAGE_TOKEN", "page_token", "not a token from a previous page: " + request.getPageToken());
            }
        }
        // One more than asked tells whether a next page exists; the token is the last revision returned.
        List<RegistryStore.Change> changes = registry.changes(before, size + 1);
        ListRegistryChangesResponse.Builder response = ListRegistryChangesResponse.newBuilder();
        changes.stream().limit(size).forEach(c -> response.addChanges(RegistryMapper.change(c)));
        if (changes.size() > size) {
            response.setNextPageToken(Long.toString(changes.get(size - 1).revision()));
        }
        return Uni.createFrom().item(response.build());
    }

    @Override
    @Blocking
    public Uni<ListAlertsResponse> listAlerts(ListAlertsRequest request) {
        callers.require(BearerToken.current(), Right.OPERATE, "ListAlerts");
        if (request.getMinSeverity() == AlertSeverity.UNRECOGNIZED) {
            throw new InvalidInputException("INVALID_SEVERITY", "min_severity", "unknown severity " + request.getMinSeverityValue());
        }
        Operations.AlertPage page = operations.alerts(request.getPageSize(), request.getPageToken(),
                request.getMinSeverity() == AlertSeverity.ALERT_SEVERITY_CRITICAL);
        ListAlertsResponse.Builder response = ListAlertsResponse.newBuilder().setNextPageToken(page.nextPageToken());
        for (OperatorStore.StoredAlert a : page.alerts()) {
            response.addAlerts(Alert.newBuilder()
                    .setId(a.id())
                    .setSeverity("CRITICAL".equals(a.severity()) ? AlertSeverity.ALERT_SEVERITY_CRITICAL : AlertSeverity.ALERT_SEVERITY_WARNING)
                    .setKind(a.kind())
                    .setChainId(a.chainId())
                    .setAccountId(a.accountId())
                    .setMessage(a.message())
                    .setRaisedAtUnixMs(a.raisedAt().toEpochMilli()));
        }
        return Uni.createFrom().item(response.build());
    }

    @Override
    @Blocking
    public Uni<UnfreezeAccountResponse> unfreezeAccount(UnfreezeAccountRequest request) {
        Caller operator = callers.require(BearerToken.current(), Right.OPERATE, "UnfreezeAccount");
        OperatorStore.Unfrozen unfrozen = operations.unfreeze(operator, request.getChangeId(), request.getAccountId(),
                request.getFreezeId(), request.getReason());
        return Uni.createFrom().item(UnfreezeAccountResponse.newBuilder()
                .setWasFrozen(unfrozen.wasFrozen()).setReplayed(unfrozen.replayed()).setStillFrozen(unfrozen.stillFrozen()).build());
    }

    @Override
    @Blocking
    public Uni<ListFreezesResponse> listFreezes(ListFreezesRequest request) {
        callers.require(BearerToken.current(), Right.OPERATE, "ListFreezes");
        List<OperatorStore.StoredFreeze> freezes = operations.freezes(request.getAccountId(), request.getIncludeLifted());
        ListFreezesResponse.Builder response = ListFreezesResponse.newBuilder()
                .setFrozen(freezes.stream().anyMatch(OperatorStore.StoredFreeze::open));
        for (OperatorStore.StoredFreeze f : freezes) {
            Freeze.Builder freeze = Freeze.newBuilder()
                    .setFreezeId(f.id())
                    .setAccountId(f.accountId())
                    .setReason(f.reason())
                    .setAlertId(f.alertId())
                    .setFrozenAtUnixMs(f.frozenAt().toEpochMilli())
                    .setLifted(!f.open());
            if (!f.open()) {
                freeze.setLiftedAtUnixMs(f.liftedAt().toEpochMilli())
                        .setLiftedBy(f.liftedBy() == null ? "" : f.liftedBy())
                        .setLiftReason(f.liftReason() == null ? "" : f.liftReason());
            }
            response.addFreezes(freeze);
        }
        return Uni.createFrom().item(response.build());
    }
}
