package dev.crosschain.pricing.store;

import dev.crosschain.pricing.domain.IndexLevel;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Index quotes and levels in PostgreSQL. Blocking JDBC: call from worker threads. */
@ApplicationScoped
public class IndexStore {

    private final AgroalDataSource dataSource;

    public IndexStore(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Records quotes and makes each the asset's index (last pushed wins), in one transaction. */
    public void saveQuotes(List<IndexLevel> quotes, Instant receivedAt) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement quote = c.prepareStatement("""
                    INSERT INTO index_quote (asset, source, price, observed_at, received_at) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT (asset, source) DO UPDATE SET price = EXCLUDED.price,
                        observed_at = EXCLUDED.observed_at, received_at = EXCLUDED.received_at""");
                 PreparedStatement index = c.prepareStatement("""
                    INSERT INTO index_price (asset, price, source, updated_at) VALUES (?, ?, ?, ?)
                    ON CONFLICT (asset) DO UPDATE SET price = EXCLUDED.price, source = EXCLUDED.source,
                        updated_at = EXCLUDED.updated_at""")) {
                for (IndexLevel q : quotes) {
                    quote.setString(1, q.asset());
                    quote.setString(2, q.source());
                    quote.setBigDecimal(3, q.price());
                    quote.setTimestamp(4, Timestamp.from(q.updatedAt()));
                    quote.setTimestamp(5, Timestamp.from(receivedAt));
                    quote.addBatch();
                    index.setString(1, q.asset());
                    index.setBigDecimal(2, q.price());
                    index.setString(3, q.source());
                    index.setTimestamp(4, Timestamp.from(q.updatedAt()));
                    index.addBatch();
                }
                quote.executeBatch();
                index.executeBatch();
                c.commit();
            } catch (SQLException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new StoreException("saving index quotes failed", e);
        }
    }

    /** Every asset's index. */
    public Map<String, IndexLevel> loadIndices() {
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement("SELECT asset, price, source, updated_at FROM index_price");
             ResultSet rs = s.executeQuery()) {
            Map<String, IndexLevel> result = new HashMap<>();
            while (rs.next()) {
                BigDecimal price = rs.getBigDecimal("price");
                result.put(rs.getString("asset"), new IndexLevel(rs.getString("asset"), price,
                        rs.getTimestamp("updated_at").toInstant(), rs.getString("source")));
            }
            return result;
        } catch (SQLException e) {
            throw new StoreException("loading index prices failed", e);
        }
    }
}
