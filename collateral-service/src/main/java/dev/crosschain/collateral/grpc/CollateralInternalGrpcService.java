package dev.crosschain.collateral.grpc;

import dev.crosschain.collateral.app.Callers;
import dev.crosschain.collateral.app.Withdrawals;
import dev.crosschain.collateral.domain.NotFoundException;
import dev.crosschain.collateral.domain.PreconditionException;
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

    private static final String LOCK_EXPIRED = "LOCK_EXPIRED";

    private final Callers callers;
    private final Withdrawals withdrawals;

    public CollateralInternalGrpcService(Callers callers, Withdrawals withdrawals) {
        this.callers = callers;
        this.withdrawals = withdrawals;
    }

    /**
     * This release enforces a lock's not_after (and GetWithdrawal waits for a lock of the id in flight): said on every
     * answer of the internal RPCs and on their NOT_FOUND and LOCK_EXPIRED refusals, so margin-service concludes
     * "nothing was locked" from a NOT_FOUND after not_after only when it comes from a release that enforces it. The
     * mark holds for the whole fleet: migration V8 (run before this release serves) makes every older release's lock
     * insert fail, so no replica of a mixed fleet can still land a lock the NOT_FOUND ruled out.
     */
    static final java.util.Map<String, String> NOT_AFTER_ENFORCED = java.util.Map.of("not_after_enforced", "true");

    @Override
    @Blocking
    public Uni<LockWithdrawalResponse> lockWithdrawal(LockWithdrawalRequest request) {
        callers.require(BearerToken.current(), Right.LOCK_WITHDRAWAL, "LockWithdrawal");
        WithdrawalStore.Locked locked;
        try {
            locked = withdrawals.lock(new WithdrawalOrder.Raw(request.getWithdrawalId(),
                    request.getAccountId(), request.getChainId(), request.getAsset(), request.getAmount(),
                    request.getDestinationAddress(), request.getNotAfterUnixMs()));
        } catch (PreconditionException e) {
            if (LOCK_EXPIRED.equals(e.reason())) {
                throw ErrorMapper.withMetadata(e, NOT_AFTER_ENFORCED);
            }
            throw e;
        }
        return Uni.createFrom().item(LockWithdrawalResponse.newBuilder().setNotAfterEnforced(true)
                // A new lock was refused if its account was frozen or its chain halted: held only on a replay.
                .setWithdrawal(WithdrawalMapper.withdrawal(locked.withdrawal(),
                        locked.replayed() ? withdrawals.heldReason(locked.withdrawal()) : ""))
                .setReplayed(locked.replayed()).build());
    }

    @Override
    @Blocking
    public Uni<GetWithdrawalResponse> getWithdrawal(GetWithdrawalRequest request) {
        callers.require(BearerToken.current(), Right.LOCK_WITHDRAWAL, "GetWithdrawal");
        Withdrawal withdrawal;
        try {
            withdrawal = withdrawals.get(request.getWithdrawalId());
        } catch (NotFoundException e) {
            throw ErrorMapper.withMetadata(e, NOT_AFTER_ENFORCED);
        }
        return Uni.createFrom().item(GetWithdrawalResponse.newBuilder().setNotAfterEnforced(true)
                .setWithdrawal(WithdrawalMapper.withdrawal(withdrawal, withdrawals.heldReason(withdrawal))).build());
    }
}
