package dev.crosschain.collateral.store;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.HashMap;
import java.util.Map;

/** Read side of the chains: head heights. */
@ApplicationScoped
public class ChainStore {

    private final AgroalDataSource dataSource;

    public ChainStore(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Greatest canonical block height per chain that has any. */
    public Map<String, Long> heads() {
        return Transactions.readCommitted(dataSource, "reading chain heads", c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "SELECT chain_id, max(height) FROM block_header WHERE canonical GROUP BY chain_id");
                 ResultSet rs = s.executeQuery()) {
                Map<String, Long> heads = new HashMap<>();
                while (rs.next()) {
                    heads.put(rs.getString(1), rs.getLong(2));
                }
                return heads;
            }
        });
    }
}
