package dev.crosschain.collateral.grpc;

import dev.crosschain.collateral.domain.Amounts;
import dev.crosschain.collateral.domain.Withdrawal;
import dev.crosschain.collateral.domain.WithdrawalResultEvent;
import dev.crosschain.proto.collateral.v1.WithdrawalInstruction;
import dev.crosschain.proto.collateral.v1.WithdrawalOutcome;
import dev.crosschain.proto.collateral.v1.WithdrawalResult;
import dev.crosschain.proto.collateral.v1.WithdrawalStatus;

/** Proto <-> domain for withdrawals. */
final class WithdrawalMapper {

    private WithdrawalMapper() {
    }

    /** An unspecified (or unknown) outcome becomes null: validation names it as missing. */
    static WithdrawalResultEvent result(WithdrawalResult r) {
        Boolean executed = r.getOutcome() == WithdrawalOutcome.WITHDRAWAL_OUTCOME_EXECUTED ? Boolean.TRUE
                : r.getOutcome() == WithdrawalOutcome.WITHDRAWAL_OUTCOME_FAILED ? Boolean.FALSE : null;
        return new WithdrawalResultEvent(r.getWithdrawalId(), executed, r.getTxHash(), r.getFailureReason());
    }

    /** The withdrawal with why its instruction is held now ({@code heldReason}, empty when it is not). */
    static dev.crosschain.proto.collateral.v1.Withdrawal withdrawal(Withdrawal w, String heldReason) {
        return dev.crosschain.proto.collateral.v1.Withdrawal.newBuilder()
                .setWithdrawalId(w.id())
                .setAccountId(w.accountId())
                .setChainId(w.chainId())
                .setAsset(w.asset())
                .setAmount(Amounts.plain(w.amount()))
                .setDestinationAddress(w.destination())
                .setStatus(status(w.status()))
                .setTxHash(w.txHash())
                .setFailureReason(w.failureReason())
                .setLockedAtUnixMs(w.lockedAt().toEpochMilli())
                .setResolvedAtUnixMs(w.resolvedAt() == null ? 0 : w.resolvedAt().toEpochMilli())
                .setHeldReason(heldReason)
                .build();
    }

    static WithdrawalInstruction instruction(Withdrawal w) {
        return WithdrawalInstruction.newBuilder()
                .setWithdrawalId(w.id())
                .setAsset(w.asset())
                .setAmount(Amounts.plain(w.amount()))
                .setDestinationAddress(w.destination())
                .setAccountId(w.accountId())
                .setLockedAtUnixMs(w.lockedAt().toEpochMilli())
                .build();
    }

    private static WithdrawalStatus status(Withdrawal.Status s) {
        switch (s) {
            case LOCKED:
                return WithdrawalStatus.WITHDRAWAL_STATUS_LOCKED;
            case EXECUTED:
                return WithdrawalStatus.WITHDRAWAL_STATUS_EXECUTED;
            case FAILED:
                return WithdrawalStatus.WITHDRAWAL_STATUS_FAILED;
            default:
                throw new IllegalArgumentException("status " + s);
        }
    }
}
