package dev.crosschain.collateral.store;

import dev.crosschain.collateral.domain.AccountHoldings;
import dev.crosschain.collateral.domain.Balance;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Reads of balances and ledger versions. Blocking JDBC: call from worker threads. */
@ApplicationScoped
public class BalanceStore {

    private final AgroalDataSource dataSource;

    public BalanceStore(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * The account's balances, ledger version (number of its ledger entries) and withdrawal freeze, read in one
     * transaction; empty balances if it never held any.
     */
    public AccountHoldings account(String accountId) {
        return Transactions.serializable(dataSource, "reading balances of " + accountId, c -> {
            List<Balance> balances = new ArrayList<>();
            try (PreparedStatement s = c.prepareStatement("""
                    SELECT chain_id, asset, pending, available, locked FROM balance
                    WHERE account_id = ? ORDER BY chain_id, asset""")) {
                s.setString(1, accountId);
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        balances.add(new Balance(rs.getString("chain_id"), rs.getString("asset"),
                                rs.getBigDecimal("pending"), rs.getBigDecimal("available"), rs.getBigDecimal("locked")));
                    }
                }
            }
            long version;
            try (PreparedStatement s = c.prepareStatement("SELECT count(*) FROM ledger_entry WHERE account_id = ?")) {
                s.setString(1, accountId);
                try (ResultSet rs = s.executeQuery()) {
                    rs.next();
                    version = rs.getLong(1);
                }
            }
            Optional<String> frozen = Optional.ofNullable(Alerts.frozenReason(c, accountId));
            return new AccountHoldings(accountId, balances, version, frozen);
        });
    }

    /**
     * The holdings of each of {@code accountIds} (distinct), read like {@link #account} for all of them from one
     * snapshot: balances, ledger versions (one grouped count) and open freezes in one statement; the freeze reason
     * read only for the accounts with an open freeze (rare). Read only at REPEATABLE READ, not SERIALIZABLE like
     * {@link #account}: the re-margin pass reads every page of accounts, and SERIALIZABLE's predicate locks over
     * them would fail deposits, transfers and withdrawals with 40001 on every pass; each account's holdings still
     * come from one consistent snapshot. In the order given; an account that never held any has empty balances.
     */
    public List<AccountHoldings> accounts(List<String> accountIds) {
        return Transactions.snapshotRead(dataSource, "reading balances of " + accountIds.size() + " accounts", c -> {
            Map<String, List<Balance>> balances = new HashMap<>();
            Map<String, Long> versions = new HashMap<>();
            Set<String> frozen = new HashSet<>();
            try (PreparedStatement s = c.prepareStatement("""
                    WITH ids AS (SELECT unnest(?::text[]) AS account_id),
                         versions AS (SELECT account_id, count(*) AS version FROM ledger_entry
                                      WHERE account_id = ANY(?::text[]) GROUP BY account_id),
                         frozen AS (SELECT DISTINCT account_id FROM account_freeze
                                    WHERE account_id = ANY(?::text[]) AND unfrozen_at IS NULL)
                    SELECT ids.account_id, b.chain_id, b.asset, b.pending, b.available, b.locked,
                           COALESCE(v.version, 0) AS version, f.account_id IS NOT NULL AS frozen
                    FROM ids LEFT JOIN balance b ON b.account_id = ids.account_id
                    LEFT JOIN versions v ON v.account_id = ids.account_id
                    LEFT JOIN frozen f ON f.account_id = ids.account_id
                    ORDER BY ids.account_id, b.chain_id, b.asset""")) {
                java.sql.Array ids = c.createArrayOf("text", accountIds.toArray(String[]::new));
                s.setArray(1, ids);
                s.setArray(2, ids);
                s.setArray(3, ids);
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        String account = rs.getString(1);
                        List<Balance> held = balances.computeIfAbsent(account, a -> new ArrayList<>());
                        if (rs.getString(2) != null) {
                            held.add(new Balance(rs.getString(2), rs.getString(3), rs.getBigDecimal(4), rs.getBigDecimal(5),
                                    rs.getBigDecimal(6)));
                        }
                        versions.put(account, rs.getLong(7));
                        if (rs.getBoolean(8)) {
                            frozen.add(account);
                        }
                    }
                }
            }
            List<AccountHoldings> result = new ArrayList<>(accountIds.size());
            for (String account : accountIds) {
                Optional<String> reason = frozen.contains(account) ? Optional.ofNullable(Alerts.frozenReason(c, account)) : Optional.empty();
                result.add(new AccountHoldings(account, balances.getOrDefault(account, List.of()), versions.getOrDefault(account, 0L), reason));
            }
            return result;
        });
    }

    /** Accounts with a non-zero balance of any of these (chain id, asset symbol) pairs, ordered. */
    public List<String> accountsHolding(Collection<Map.Entry<String, String>> chainAssets) {
        if (chainAssets.isEmpty()) {
            return List.of();
        }
        String[] chains = chainAssets.stream().map(Map.Entry::getKey).toArray(String[]::new);
        String[] assets = chainAssets.stream().map(Map.Entry::getValue).toArray(String[]::new);
        return Transactions.readCommitted(dataSource, "listing holders of repriced assets", c -> {
            try (PreparedStatement s = c.prepareStatement("""
                    SELECT DISTINCT b.account_id FROM balance b
                    JOIN unnest(?::text[], ?::text[]) AS h(chain_id, asset) ON h.chain_id = b.chain_id AND h.asset = b.asset
                    WHERE b.pending <> 0 OR b.available <> 0 OR b.locked <> 0
                    ORDER BY b.account_id""")) {
                s.setArray(1, c.createArrayOf("text", chains));
                s.setArray(2, c.createArrayOf("text", assets));
                try (ResultSet rs = s.executeQuery()) {
                    List<String> result = new ArrayList<>();
                    while (rs.next()) {
                        result.add(rs.getString(1));
                    }
                    return result;
                }
            }
        });
    }

    /** Every account that holds or held a balance, ordered. */
    public List<String> accounts() {
        return Transactions.readCommitted(dataSource, "listing accounts", c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT DISTINCT account_id FROM balance ORDER BY account_id");
                 ResultSet rs = s.executeQuery()) {
                List<String> result = new ArrayList<>();
                while (rs.next()) {
                    result.add(rs.getString(1));
                }
                return result;
            }
        });
    }

    /** Every account with a balance row on the chain (whatever its amounts), ordered: the watchers to re-value. */
    public List<String> accountsOn(String chainId) {
        return Transactions.readCommitted(dataSource, "listing accounts on " + chainId, c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "SELECT DISTINCT account_id FROM balance WHERE chain_id = ? ORDER BY account_id")) {
                s.setString(1, chainId);
                try (ResultSet rs = s.executeQuery()) {
                    List<String> result = new ArrayList<>();
                    while (rs.next()) {
                        result.add(rs.getString(1));
                    }
                    return result;
                }
            }
        });
    }
}
