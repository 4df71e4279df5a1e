package dev.crosschain.collateral.domain;

import java.math.BigDecimal;
import java.time.Instant;

/** A locked withdrawal and what became of it; {@code resolvedAt} is null while LOCKED. */
public record Withdrawal(String id, String accountId, String chainId, String asset, BigDecimal amount, String destination,
                         Status status, String txHash, String failureReason, Instant lockedAt, Instant resolvedAt) {

    public enum Status { LOCKED, EXECUTED, FAILED }
}
