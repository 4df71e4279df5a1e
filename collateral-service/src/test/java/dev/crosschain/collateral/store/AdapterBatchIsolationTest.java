package dev.crosschain.collateral.store;

import dev.crosschain.collateral.app.Registry;
import dev.crosschain.collateral.domain.BlockHeaderEvent;
import dev.crosschain.collateral.domain.ChainSpec;
import dev.crosschain.collateral.domain.DepositEvent;
import dev.crosschain.collateral.domain.StoredBlock;
import dev.crosschain.postgres.PostgresTestResource;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A deposit value the database refuses (SQLSTATE class 22) that got past the domain's checks is refused with its
 * event alone, with a critical alert: the batch's other events commit, the cursor moves on, so a resend cannot stall
 * the chain.
 */
@QuarkusTest
@QuarkusTestResource(PostgresTestResource.class)
class AdapterBatchIsolationTest {

    private static final String CHAIN = "arbitrum";

    @Inject
    AdapterStore store;
    @Inject
    Registry registry;
    @Inject
    AgroalDataSource dataSource;

    @Test
    void aDepositTheDatabaseRefusesIsRejectedAloneAndTheOthersCommit() throws SQLException {
        ChainSpec chain = registry.current().chain(CHAIN).orElseThrow();
        String run = UUID.randomUUID().toString().substring(0, 8);
        String block = "0xisolation-" + run;
        long height = store.tip(CHAIN).map(StoredBlock::height).map(h -> h + 1).orElse(0L);
        String parent = store.tip(CHAIN).map(StoredBlock::hash).orElse(null);
        BlockHeaderEvent header = new BlockHeaderEvent(height, block, parent, 0).validate();
        store.applyBatch(CHAIN, List.of(new AdapterStore.Queued("iso-" + run + "-h", b -> b.header(chain, header))));

        // Built without validate(): the NUL byte is what the domain's bounds would refuse, let through here.
        var usdc = chain.asset("USDC").orElseThrow();
        List<AdapterStore.Result> results = store.applyBatch(CHAIN, List.of(
                deposit(chain, run, "1", new DepositEvent.ValidDeposit("0xiso-" + run + "-a", 0, block, "iso-" + run, usdc, new BigDecimal("2"))),
                deposit(chain, run, "2", new DepositEvent.ValidDeposit("0xiso-" + run + "-b", 0, block, "iso\u0000" + run, usdc, new BigDecimal("3"))),
                deposit(chain, run, "3", new DepositEvent.ValidDeposit("0xiso-" + run + "-c", 0, block, "iso-" + run, usdc, new BigDecimal("5")))));

        assertThat(results).hasSize(3);
        assertThat(results.get(0).rejection()).isNull();
        assertThat(results.get(1).rejection()).isNotNull();
        assertThat(results.get(1).rejection().reason()).isEqualTo("INVALID_VALUE");
        assertThat(results.get(2).rejection()).isNull();
        assertThat(store.cursor(CHAIN)).isEqualTo("iso-" + run + "-3");
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement(
                     "SELECT coalesce(sum(pending), 0) FROM balance WHERE account_id = ? AND chain_id = ? AND asset = 'USDC'")) {
            s.setString(1, "iso-" + run);
            s.setString(2, CHAIN);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                assertThat(rs.getBigDecimal(1)).isEqualByComparingTo("7");
            }
        }
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement(
                     "SELECT severity FROM alert WHERE kind = 'DEPOSIT_REFUSED_BY_DATABASE' AND dedup_key = ?")) {
            s.setString(1, "invalid-value:" + CHAIN + ":iso-" + run + "-2");
            try (ResultSet rs = s.executeQuery()) {
                assertThat(rs.next()).as("a critical alert names the refused deposit by its cursor").isTrue();
                assertThat(rs.getString(1)).isEqualTo("CRITICAL");
            }
        }
    }

    private static AdapterStore.Queued deposit(ChainSpec chain, String run, String n, DepositEvent.ValidDeposit deposit) {
        return new AdapterStore.Queued("iso-" + run + "-" + n, new AdapterStore.DepositWork(chain, () -> deposit));
    }
}
