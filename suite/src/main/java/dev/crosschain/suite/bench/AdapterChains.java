package dev.crosschain.suite.bench;

import dev.crosschain.proto.collateral.v1.Ack;
import dev.crosschain.proto.collateral.v1.AckOutcome;
import dev.crosschain.proto.collateral.v1.Deposit;
import dev.crosschain.suite.Await;
import dev.crosschain.suite.ChainAdapter;
import dev.crosschain.suite.Endpoints;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A load driver's chain adapters, connected to collateral-service as the venue's are: deposits go in one block per
 * chain followed by the headers that make them final, pipelined ({@link ChainAdapter#deposits}); afterwards
 * {@link #tick} gives each chain a block and a heartbeat, which the driver must call about every second (a chain silent
 * for a minute turns DEGRADED, and every account's collateral on it with it). Calls are serialized: one stream per chain
 * answers one event at a time.
 */
final class AdapterChains implements AutoCloseable {

    /** Deposits unacknowledged at a time on one stream. */
    private static final int WINDOW = 256;

    private final Map<String, ChainAdapter> adapters = new LinkedHashMap<>();
    private final Map<String, Long> heights = new LinkedHashMap<>();
    private final String blockPrefix;

    private AdapterChains(String blockPrefix) {
        this.blockPrefix = blockPrefix;
    }

    /** Connects one adapter per chain; block hashes are {@code <chain>-<blockPrefix>-<height>}. */
    static AdapterChains connect(Endpoints endpoints, List<String> chains, String blockPrefix) throws InterruptedException {
        AdapterChains connected = new AdapterChains(blockPrefix);
        try {
            for (String chain : chains) {
                ChainAdapter adapter = ChainAdapter.connect(chain, endpoints);
                connected.adapters.put(chain, adapter);
                connected.heights.put(chain, adapter.welcome().getTipHeight());
            }
            return connected;
        } catch (InterruptedException | RuntimeException e) {
            connected.close();
            throw e;
        }
    }

    /**
     * The deposits in one new block of {@code chain} (their block hash set here, tx hashes prefixed with the chain),
     * then the headers that make them final; how many were acked APPLIED.
     */
    synchronized long depositFinal(String chain, List<Deposit> deposits) throws InterruptedException {
        ChainAdapter adapter = adapter(chain);
        long height = heights.get(chain) + 1;
        String block = block(chain, height);
        requireApplied(adapter.header(height, block));
        List<Deposit> inBlock = deposits.stream().map(d -> d.toBuilder().setTxHash(chain + "-" + d.getTxHash())
                .setBlockHash(block).build()).toList();
        long applied = adapter.deposits(inBlock, WINDOW).stream()
                .filter(a -> a.getOutcome() == AckOutcome.ACK_OUTCOME_APPLIED).count();
        long last = height + adapter.welcome().getConfirmations() - 1;
        for (long h = height + 1; h <= last; h++) {
            requireApplied(adapter.header(h, block(chain, h)));
        }
        heights.put(chain, last);
        return applied;
    }

    /** On each chain a new block and a heartbeat, as a live adapter sends them. */
    synchronized void tick() throws InterruptedException {
        for (Map.Entry<String, ChainAdapter> chain : adapters.entrySet()) {
            long height = heights.merge(chain.getKey(), 1L, Long::sum);
            requireApplied(chain.getValue().header(height, block(chain.getKey(), height)));
            chain.getValue().heartbeat(height);
        }
    }

    /** A deposit of {@code amount} (decimal, token units) to {@code account}; {@link #depositFinal} puts it in a block. */
    static Deposit deposit(String tx, String account, String asset, BigDecimal amount) {
        return Deposit.newBuilder().setTxHash(tx).setLogIndex(0).setAccountId(account).setAsset(asset)
                .setAmount(amount.toPlainString()).build();
    }

    /**
     * Awaits at least {@code expected} deposits CREDITED, read from collateral-service's own database (one count, where
     * asking every account's balance would be thousands of calls).
     */
    static void awaitCredited(Connection collateralSql, int expected, Duration patience) throws InterruptedException {
        Await.until(expected + " deposits CREDITED", patience, () -> {
            try (PreparedStatement s = collateralSql.prepareStatement("SELECT count(*) FROM deposit WHERE status = 'CREDITED'");
                 ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getInt(1) >= expected ? Optional.of(true) : Optional.empty();
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    private ChainAdapter adapter(String chain) {
        ChainAdapter adapter = adapters.get(chain);
        if (adapter == null) {
            throw new IllegalArgumentException("no adapter connected for chain " + chain);
        }
        return adapter;
    }

    private String block(String chain, long height) {
        return chain + "-" + blockPrefix + "-" + height;
    }

    private static void requireApplied(Ack ack) {
        if (ack.getOutcome() != AckOutcome.ACK_OUTCOME_APPLIED) {
            throw new IllegalStateException("chain event " + ack.getCursor() + " not applied: " + ack);
        }
    }

    @Override
    public synchronized void close() {
        adapters.values().forEach(ChainAdapter::close);
    }
}
