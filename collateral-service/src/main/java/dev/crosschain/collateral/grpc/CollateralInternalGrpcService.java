package dev.crosschain.collateral.grpc;

import dev.crosschain.proto.collateral.v1.CollateralInternalService;
import dev.crosschain.proto.collateral.v1.GetWithdrawalRequest;
import dev.crosschain.proto.collateral.v1.GetWithdrawalResponse;
import dev.crosschain.proto.collateral.v1.LockWithdrawalRequest;
import dev.crosschain.proto.collateral.v1.LockWithdrawalResponse;
import io.grpc.Status;
import io.quarkus.grpc.GrpcService;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Uni;

/** gRPC adapter of margin-service's internal RPCs: every RPC needs the LOCK_WITHDRAWAL right. */
@GrpcService
public class CollateralInternalGrpcService implements CollateralInternalService {

    @Override
    @Blocking
    public Uni<LockWithdrawalResponse> lockWithdrawal(LockWithdrawalRequest request) {
        throw Status.UNIMPLEMENTED.withDescription("LockWithdrawal is not built yet").asRuntimeException();
    }

    @Override
    @Blocking
    public Uni<GetWithdrawalResponse> getWithdrawal(GetWithdrawalRequest request) {
        throw Status.UNIMPLEMENTED.withDescription("GetWithdrawal is not built yet").asRuntimeException();
    }
}
