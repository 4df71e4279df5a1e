package dev.crosschain.collateral.domain;

import java.util.Set;

/** What an adapter event did: applied or a duplicate, and which accounts' ledgers changed. */
public record EventOutcome(boolean duplicate, Set<String> changedAccounts) {

    public static EventOutcome applied(Set<String> changedAccounts) {
        return new EventOutcome(false, Set.copyOf(changedAccounts));
    }

    public static EventOutcome duplicateEvent() {
        return new EventOutcome(true, Set.of());
    }
}
