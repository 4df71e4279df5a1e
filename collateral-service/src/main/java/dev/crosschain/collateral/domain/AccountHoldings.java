package dev.crosschain.collateral.domain;

import java.util.List;
import java.util.Optional;

/**
 * One consistent read of an account: its balances, its ledger version (number of ledger entries) and why its
 * withdrawals are frozen (empty when they are not).
 */
public record AccountHoldings(String accountId, List<Balance> balances, long ledgerVersion, Optional<String> frozenReason) {

    public AccountHoldings {
        balances = List.copyOf(balances);
        frozenReason = frozenReason == null ? Optional.empty() : frozenReason;
    }
}
