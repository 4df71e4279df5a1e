package dev.crosschain.collateral.domain;

import java.util.ArrayList;
import java.util.List;

/**
 * An adapter's answer to a withdrawal instruction, as received. {@code executed} is null when the outcome was not
 * given.
 */
public record WithdrawalResultEvent(String withdrawalId, Boolean executed, String txHash, String failureReason) {

    public static final int MAX_TX_HASH = 256;
    /** Longer failure reasons are cut: refusing a FAILED result would leave the amount locked for nothing. */
    public static final int MAX_FAILURE_REASON = 1024;

    /** A result with its required fields: outcome, id, and the transaction hash when executed. */
    public record Valid(String withdrawalId, boolean executed, String txHash, String failureReason) {
    }

    /** MISSING_FIELD for an absent id, outcome or (executed) tx hash; INVALID_TX_HASH for a malformed hash. */
    public Valid validate() {
        List<Violation> violations = new ArrayList<>();
        String reason = "MISSING_FIELD";
        if (withdrawalId == null || withdrawalId.isEmpty()) {
            violations.add(new Violation("withdrawal_result.withdrawal_id", "the withdrawal id is required"));
        } else if (IdempotencyKey.check(withdrawalId, "withdrawal_result.withdrawal_id") != null) {
            // Not an id the service could have issued; not echoed (it may be huge).
            throw new InvalidInputException("UNKNOWN_WITHDRAWAL", "withdrawal_result.withdrawal_id",
                    "not a withdrawal id (1 to 128 characters of A-Z a-z 0-9 . _ : -)");
        }
        if (executed == null) {
            violations.add(new Violation("withdrawal_result.outcome", "EXECUTED or FAILED is required"));
        }
        String hash = txHash == null ? "" : txHash;
        if (Boolean.TRUE.equals(executed) && hash.isEmpty()) {
            violations.add(new Violation("withdrawal_result.tx_hash", "an executed withdrawal needs its transaction hash"));
        } else if (!hash.isEmpty() && !WithdrawalOrder.printableAscii(hash, MAX_TX_HASH)) {
            if (violations.isEmpty()) {
                reason = "INVALID_TX_HASH";
            }
            violations.add(new Violation("withdrawal_result.tx_hash", "must be 1 to " + MAX_TX_HASH + " printable ASCII characters"));
        }
        if (!violations.isEmpty()) {
            throw new InvalidInputException(reason, violations);
        }
        String why = failureReason == null ? "" : failureReason;
        if (why.length() > MAX_FAILURE_REASON) {
            why = why.substring(0, MAX_FAILURE_REASON);
        }
        return new Valid(withdrawalId, executed, hash, executed ? "" : why);
    }
}
