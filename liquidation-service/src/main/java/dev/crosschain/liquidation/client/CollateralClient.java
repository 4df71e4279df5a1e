package dev.crosschain.liquidation.client;

import dev.crosschain.liquidation.domain.Money;
import dev.crosschain.liquidation.domain.PreconditionException;
import dev.crosschain.proto.collateral.v1.CollateralServiceGrpc;
import dev.crosschain.proto.collateral.v1.TransferLeg;
import dev.crosschain.proto.collateral.v1.TransferRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcClient;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.math.BigDecimal;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** liquidation-service's calls to collateral-service. */
@ApplicationScoped
public class CollateralClient {

    /** One movement of an available balance. */
    public record Leg(String fromAccountId, String toAccountId, String chainId, String asset, BigDecimal amount) {
    }

    @GrpcClient("collateral")
    CollateralServiceGrpc.CollateralServiceBlockingStub blocking;

    @Inject
    Calls calls;

    /**
     * Moves balances atomically, idempotent by transfer id. True when it was a replay.
     *
     * @throws PreconditionException INSUFFICIENT_BALANCE when a debited account lacks funds (nothing moved)
     * @throws DependencyException   on any other failure (UNAVAILABLE after retries, deadline, refusal)
     */
    public boolean transfer(String transferId, List<Leg> legs, String memo) {
        TransferRequest.Builder request = TransferRequest.newBuilder().setTransferId(transferId).setMemo(memo);
        for (Leg leg : legs) {
            request.addLegs(TransferLeg.newBuilder().setFromAccountId(leg.fromAccountId()).setToAccountId(leg.toAccountId())
                    .setChainId(leg.chainId()).setAsset(leg.asset()).setAmount(Money.plain(leg.amount())));
        }
        TransferRequest built = request.build();
        try {
            return calls.idempotent("Transfer " + transferId, () -> blocking
                    .withDeadlineAfter(calls.deadline().toMillis(), TimeUnit.MILLISECONDS)
                    .transfer(built)).getReplayed();
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() == Status.Code.FAILED_PRECONDITION
                    && Calls.reason(e).filter("INSUFFICIENT_BALANCE"::equals).isPresent()) {
                throw new PreconditionException("INSUFFICIENT_BALANCE", "transfers/" + transferId,
                        "collateral-service refused the transfer: " + e.getStatus().getDescription());
            }
            throw new DependencyException("Transfer " + transferId + ": collateral-service answered " + e.getStatus(),
                    e.getStatus().getCode(), e);
        }
    }
}
