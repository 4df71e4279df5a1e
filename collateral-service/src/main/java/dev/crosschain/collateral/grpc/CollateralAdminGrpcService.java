package dev.crosschain.collateral.grpc;

import dev.crosschain.collateral.app.Callers;
import dev.crosschain.collateral.app.Operations;
import dev.crosschain.collateral.domain.Caller;
import dev.crosschain.collateral.domain.InvalidInputException;
import dev.crosschain.collateral.domain.Right;
import dev.crosschain.collateral.store.OperatorStore;
import dev.crosschain.proto.collateral.v1.Alert;
import dev.crosschain.proto.collateral.v1.AlertSeverity;
import dev.crosschain.proto.collateral.v1.CollateralAdminService;
import dev.crosschain.proto.collateral.v1.GetRegistryRequest;
import dev.crosschain.proto.collateral.v1.GetRegistryResponse;
import dev.crosschain.proto.collateral.v1.ListAlertsRequest;
import dev.crosschain.proto.collateral.v1.ListAlertsResponse;
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

/** gRPC adapter of the operators' service: every RPC needs the OPERATE right. */
@GrpcService
public class CollateralAdminGrpcService implements CollateralAdminService {

    private final Callers callers;
    private final Operations operations;

    public CollateralAdminGrpcService(Callers callers, Operations operations) {
        this.callers = callers;
        this.operations = operations;
    }

    @Override
    @Blocking
    public Uni<GetRegistryResponse> getRegistry(GetRegistryRequest request) {
        throw Status.UNIMPLEMENTED.withDescription("GetRegistry is not built yet").asRuntimeException();
    }

    @Override
    @Blocking
    public Uni<UpsertChainResponse> upsertChain(UpsertChainRequest request) {
        throw Status.UNIMPLEMENTED.withDescription("UpsertChain is not built yet").asRuntimeException();
    }

    @Override
    @Blocking
    public Uni<SetChainHaltResponse> setChainHalt(SetChainHaltRequest request) {
        throw Status.UNIMPLEMENTED.withDescription("SetChainHalt is not built yet").asRuntimeException();
    }

    @Override
    @Blocking
    public Uni<ListRegistryChangesResponse> listRegistryChanges(ListRegistryChangesRequest request) {
        throw Status.UNIMPLEMENTED.withDescription("ListRegistryChanges is not built yet").asRuntimeException();
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
        OperatorStore.Unfrozen unfrozen = operations.unfreeze(operator, request.getChangeId(), request.getAccountId(), request.getReason());
        return Uni.createFrom().item(UnfreezeAccountResponse.newBuilder()
                .setWasFrozen(unfrozen.wasFrozen()).setReplayed(unfrozen.replayed()).build());
    }
}
