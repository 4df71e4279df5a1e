package dev.crosschain.collateral.store;

import dev.crosschain.collateral.domain.ChainHealthRules;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** Read side of the chains: head heights and adapter activity. */
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

    /** What each chain's adapter last did, per chain that has a state row. */
    public Map<String, ChainHealthRules.Activity> activity() {
        return Transactions.readCommitted(dataSource, "reading chain activity", c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "SELECT chain_id, last_event_at, heartbeat_at, head_advanced_at FROM chain_state");
                 ResultSet rs = s.executeQuery()) {
                Map<String, ChainHealthRules.Activity> result = new HashMap<>();
                while (rs.next()) {
                    result.put(rs.getString(1), new ChainHealthRules.Activity(instant(rs.getTimestamp(2)),
                            instant(rs.getTimestamp(3)), instant(rs.getTimestamp(4))));
                }
                return result;
            }
        });
    }

    private static Optional<Instant> instant(Timestamp t) {
        return t == null ? Optional.empty() : Optional.of(t.toInstant());
    }
}
