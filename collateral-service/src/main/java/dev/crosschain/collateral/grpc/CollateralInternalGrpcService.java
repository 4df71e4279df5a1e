package dev.crosschain.collateral.grpc;

import dev.crosschain.collateral.app.Callers;
import dev.crosschain.collateral.app.Withdrawals;
import dev.crosschain.collateral.domain.Right;
import dev.crosschain.collateral.domain.Withdrawal;
import dev.crosschain.collateral.domain.WithdrawalOrder;
import dev.crosschain.collateral.store.WithdrawalStore;
import dev.crosschain.proto.collateral.v1.CollateralInternalService;
import dev.crosschain.proto.collateral.v1.GetWithdrawalRequest;
import dev.crosschain.proto.collateral.v1.GetWithdrawalResponse;
import dev.crosschain.proto.collateral.v1.LockWithdrawalRequest;
import dev.crosschain.proto.collateral.v1.LockWithdrawalResponse;
import io.quarkus.grpc.GrpcService;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Uni;

/** gRPC adapter of margin-service's internal RPCs: every RPC needs the LOCK_WITHDRAWAL right. */
@GrpcService
public class CollateralInternalGrpcService implements CollateralInternalService {

    private final Callers callers;
    private final Withdrawals withdrawals;

    public CollateralInternalGrpcService(Callers callers, Withdrawals withdrawals) {
        this.callers = callers;
        this.withdrawals = withdrawals;
    }

    @Override
    @Blocking
    public Uni<LockWithdrawalResponse> lockWithdrawal(LockWithdrawalRequest request) {
        callers.require(BearerToken.current(), Right.LOCK_WITHDRAWAL, "LockWithdrawal");
        WithdrawalStore.Locked locked = withdrawals.lock(new WithdrawalOrder.Raw(request.getWithdrawalId(),
                request.getAccountId(), request.getChainId(), request.getAsset(), request.getAmount(),
                request.getDestinationAddress(), request.getNotAfterUnixMs()));
        return Uni.createFrom().item(LockWithdrawalResponse.newBuilder()
                // A new lock was refused if its account was frozen or its chain halted: held only on a replay.
                .setWithdrawal(WithdrawalMapper.withdrawal(locked.withdrawal(),
                        locked.replayed() ? withdrawals.heldReason(locked.withdrawal()) : ""))
                .setReplayed(locked.replayed()).build());
    }

    @Override
    @Blocking
    public Uni<GetWithdrawalResponse> getWithdrawal(GetWithdrawalRequest request) {
        callers.require(BearerToken.current(), Right.LOCK_WITHDRAWAL, "GetWithdrawal");
        Withdrawal withdrawal = withdrawals.get(request.getWithdrawalId());
        return Uni.createFrom().item(GetWithdrawalResponse.newBuilder()
                .setWithdrawal(WithdrawalMapper.withdrawal(withdrawal, withdrawals.heldReason(withdrawal))).build());
    }
}
