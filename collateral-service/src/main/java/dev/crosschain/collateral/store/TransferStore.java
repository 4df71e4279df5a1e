package dev.crosschain.collateral.store;

import dev.crosschain.collateral.domain.ConflictException;
import dev.crosschain.collateral.domain.PreconditionException;
import dev.crosschain.collateral.domain.TransferOrder;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;

import java.math.BigDecimal;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Set;

/** Internal transfers: all legs in one SERIALIZABLE transaction, idempotent by transfer id. */
@ApplicationScoped
public class TransferStore {

    private final AgroalDataSource dataSource;

    public TransferStore(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** The committed transfer: when, and whether this call was a replay of an earlier identical one. */
    public record Committed(String transferId, boolean replayed, Instant committedAt) {
    }

    /**
     * Moves available balance leg by leg; any leg that would overdraw refuses the whole transfer
     * (INSUFFICIENT_BALANCE) and nothing changes. A known id with the same request hash is answered from the
     * first commit; with another hash it is an IDEMPOTENCY_CONFLICT.
     */
    public Committed transfer(TransferOrder order) {
        String hash = order.requestHash();
        // 23505: a concurrent first commit of the same id; the retry then reads it.
        return Transactions.serializable(dataSource, "transfer " + order.transferId(), Set.of("23505"), c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "SELECT request_hash, committed_at FROM transfer WHERE transfer_id = ?")) {
                s.setString(1, order.transferId());
                try (ResultSet rs = s.executeQuery()) {
                    if (rs.next()) {
                        if (!hash.equals(rs.getString("request_hash"))) {
                            throw new ConflictException("IDEMPOTENCY_CONFLICT", "transfer " + order.transferId()
                                    + " was committed before with other legs");
                        }
                        return new Committed(order.transferId(), true, rs.getTimestamp("committed_at").toInstant());
                    }
                }
            }
            for (int i = 0; i < order.legs().size(); i++) {
                TransferOrder.Leg leg = order.legs().get(i);
                BigDecimal available = LedgerWrites.availableForUpdate(c, leg.fromAccountId(), leg.chainId(), leg.asset());
                if (available.compareTo(leg.amount()) < 0) {
                    throw new PreconditionException("INSUFFICIENT_BALANCE", "legs[" + i + "]", "account "
                            + leg.fromAccountId() + " has " + available.stripTrailingZeros().toPlainString() + " " + leg.asset()
                            + " available on " + leg.chainId() + ", leg " + i + " needs " + leg.amount().toPlainString());
                }
                String key = "transfer:" + order.transferId() + ":" + i;
                LedgerWrites.change(c, key + ":debit", "TRANSFER_DEBIT", leg.fromAccountId(), leg.chainId(), leg.asset(),
                        BigDecimal.ZERO, leg.amount().negate(), BigDecimal.ZERO, order.transferId());
                LedgerWrites.change(c, key + ":credit", "TRANSFER_CREDIT", leg.toAccountId(), leg.chainId(), leg.asset(),
                        BigDecimal.ZERO, leg.amount(), BigDecimal.ZERO, order.transferId());
            }
            Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
            try (PreparedStatement s = c.prepareStatement("""
                    INSERT INTO transfer (transfer_id, request_hash, leg_count, memo, committed_at) VALUES (?, ?, ?, ?, ?)""")) {
                s.setString(1, order.transferId());
                s.setString(2, hash);
                s.setInt(3, order.legs().size());
                s.setString(4, order.memo());
                s.setTimestamp(5, Timestamp.from(now));
                s.executeUpdate();
            }
            return new Committed(order.transferId(), false, now);
        });
    }
}
