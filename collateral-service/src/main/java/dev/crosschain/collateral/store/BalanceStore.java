package dev.crosschain.collateral.store;

import dev.crosschain.collateral.domain.Balance;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;

/** Reads of balances and ledger versions. Blocking JDBC: call from worker threads. */
@ApplicationScoped
public class BalanceStore {

    private final AgroalDataSource dataSource;

    public BalanceStore(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** A consistent read of an account's balances and its ledger version (number of its ledger entries). */
    public record AccountLedger(List<Balance> balances, long ledgerVersion) {
    }

    /** The account's balances and ledger version, read in one transaction; empty balances if it never held any. */
    public AccountLedger account(String accountId) {
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
            return new AccountLedger(balances, version);
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
