package dev.crosschain.collateral.grpc;

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
        throw Status.UNIMPLEMENTED.withDescription("ListAlerts is not built yet").asRuntimeException();
    }

    @Override
    @Blocking
    public Uni<UnfreezeAccountResponse> unfreezeAccount(UnfreezeAccountRequest request) {
        throw Status.UNIMPLEMENTED.withDescription("UnfreezeAccount is not built yet").asRuntimeException();
    }
}
