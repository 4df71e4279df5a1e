package dev.crosschain.collateral.domain;

import java.util.List;

/**
 * A refused event that operators must hear about (a conflicting deposit, a conflicting checkpoint): the event
 * changes nothing, but the alert is recorded with the event's cursor in the same transaction, so it exists
 * exactly when the rejection was acknowledged.
 */
public class AlertedRejection extends InvalidInputException {

    /**
     * What to raise: {@code critical} or a warning, deduplicated by {@code dedupKey}; {@code freezeAccount}: also
     * freeze the withdrawals of {@code accountId}, in the same transaction.
     */
    public record Alert(boolean critical, String kind, String chainId, String accountId, String message, String dedupKey,
                        boolean freezeAccount) {

        /** An alert that freezes nothing. */
        public Alert(boolean critical, String kind, String chainId, String accountId, String message, String dedupKey) {
            this(critical, kind, chainId, accountId, message, dedupKey, false);
        }
    }

    private final Alert alert;

    public AlertedRejection(String reason, String field, String description, Alert alert) {
        super(reason, List.of(new Violation(field, description)));
        this.alert = alert;
    }

    public Alert alert() {
        return alert;
    }
}
