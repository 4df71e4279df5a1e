package dev.crosschain.collateral.app;

import dev.crosschain.collateral.domain.AssetSpec;
import dev.crosschain.collateral.domain.BlockHeaderEvent;
import dev.crosschain.collateral.domain.ChainSpec;
import dev.crosschain.collateral.domain.DepositEvent;
import dev.crosschain.collateral.domain.FinalityRule;
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
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Checkpoint finality through the adapter use cases on the real database. The chain is built here, not taken from
 * the registry: the store judges an event by the spec it is given, so the rule is tested whatever the registry
 * holds. (The gRPC path of a checkpoint on a confirmations chain is in CollateralGrpcServiceTest.)
 */
@QuarkusTest
@QuarkusTestResource(PostgresTestResource.class)
class CheckpointFinalityTest {

    @Inject
    AdapterEvents events;

    @Inject
    AgroalDataSource dataSource;

    int cursor;

    /** A fresh checkpoint chain per test: chain state is per chain id. */
    static ChainSpec checkpointChain() {
        String id = "cp-" + UUID.randomUUID().toString().substring(0, 8);
        return new ChainSpec(id, FinalityRule.CHECKPOINT, 0, Duration.ofSeconds(1), Duration.ofSeconds(60),
                BigDecimal.ZERO, new BigDecimal("0.05"), Duration.ofSeconds(60), Duration.ofSeconds(120),
                Duration.ofSeconds(600), Map.of("USDC", AssetSpec.flat("USDC", "USDC", 6, new BigDecimal("0.02"), new BigDecimal("0.01"))));
    }

    @Test
    void depositsArePendingUntilACheckpointAtOrAboveTheirBlock() {
        ChainSpec chain = checkpointChain();
        String account = "cp-acct-" + UUID.randomUUID();
        header(chain, 1, "h1", "");
        header(chain, 2, "h2", "h1");
        header(chain, 3, "h3", "h2");
        assertApplied(events.deposit(chain, next(), new DepositEvent("tx-a", 0, "h2", account, "USDC", "5")));
        assertApplied(events.deposit(chain, next(), new DepositEvent("tx-b", 0, "h3", account, "USDC", "7")));
        // many blocks above do not make a checkpoint chain's deposits final
        header(chain, 4, "h4", "h3");
        header(chain, 5, "h5", "h4");
        assertThat(balance(chain, account)).isEqualTo("12/0");

        assertApplied(events.checkpoint(chain, next(), 2, "h2"));
        assertThat(balance(chain, account)).isEqualTo("7/5");
        // a deposit in a block below the checkpoint is credited at once
        assertApplied(events.deposit(chain, next(), new DepositEvent("tx-c", 0, "h1", account, "USDC", "1")));
        assertThat(balance(chain, account)).isEqualTo("7/6");
        assertApplied(events.checkpoint(chain, next(), 4, "h4"));
        assertThat(balance(chain, account)).isEqualTo("0/13");
    }

    @Test
    void aCheckpointNeverMovesDownAndMustNameAStoredCanonicalBlock() {
        ChainSpec chain = checkpointChain();
        header(chain, 1, "h1", "");
        header(chain, 2, "h2", "h1");
        header(chain, 3, "h3", "h2");
        assertRejected(events.checkpoint(chain, next(), 4, "h4"), "UNKNOWN_BLOCK");
        assertRejected(events.checkpoint(chain, next(), 3, "h2"), "UNKNOWN_BLOCK"); // stored, at another height
        assertRejected(events.checkpoint(chain, next(), 2, ""), "MISSING_FIELD");
        assertThat(checkpointHeight(chain)).isEqualTo(-1);

        assertApplied(events.checkpoint(chain, next(), 3, "h3"));
        // the same point, or an older point of the canonical chain: duplicates, the checkpoint stays
        assertThat(events.checkpoint(chain, next(), 3, "h3").outcome()).isEqualTo(AdapterEvents.Outcome.DUPLICATE);
        assertThat(events.checkpoint(chain, next(), 2, "h2").outcome()).isEqualTo(AdapterEvents.Outcome.DUPLICATE);
        assertThat(checkpointHeight(chain)).isEqualTo(3);

        // another block at a final height contradicts finality: refused, with one critical alert however often sent
        header(chain, 4, "h4", "h3");
        String other = "h2-other-" + UUID.randomUUID();
        assertRejected(events.checkpoint(chain, next(), 2, other), "CONFLICTING_CHECKPOINT");
        assertRejected(events.checkpoint(chain, next(), 2, other), "CONFLICTING_CHECKPOINT");
        assertThat(count("SELECT count(*) FROM alert WHERE kind = 'CONFLICTING_CHECKPOINT' AND severity = 'CRITICAL' AND chain_id = '"
                + chain.id() + "'")).isEqualTo(1);
        assertThat(checkpointHeight(chain)).isEqualTo(3);
    }

    @Test
    void aHeaderReorganisingBlocksAtOrBelowTheCheckpointIsRefusedWithACriticalAlertAndChangesNothing() {
        ChainSpec chain = checkpointChain();
        String account = "cp-acct-" + UUID.randomUUID();
        header(chain, 1, "h1", "");
        header(chain, 2, "h2", "h1");
        header(chain, 3, "h3", "h2");
        header(chain, 4, "h4", "h3");
        assertApplied(events.deposit(chain, next(), new DepositEvent("tx-a", 0, "h2", account, "USDC", "5")));
        assertApplied(events.checkpoint(chain, next(), 3, "h3"));
        assertThat(balance(chain, account)).isEqualTo("0/5");

        // a fork from below the checkpoint: it would orphan final blocks, and being under the checkpoint height it
        // would be final at once
        assertRejected(events.header(chain, next(), new BlockHeaderEvent(2, "h2b", "h1", 0)), "FINALITY_VIOLATION");
        assertRejected(events.header(chain, next(), new BlockHeaderEvent(3, "h3b", "h2", 0)), "FINALITY_VIOLATION");
        // right above the checkpoint, a header must hang under the final block
        assertRejected(events.header(chain, next(), new BlockHeaderEvent(4, "h4b", "h3b", 0)), "FINALITY_VIOLATION");
        assertRejected(events.header(chain, next(), new BlockHeaderEvent(2, "h2b", "h1", 0)), "FINALITY_VIOLATION");

        assertThat(canonical(chain)).isEqualTo("h1,h2,h3,h4");
        assertThat(balance(chain, account)).isEqualTo("0/5");
        assertThat(count("SELECT count(*) FROM alert WHERE kind = 'FINALITY_VIOLATION' AND severity = 'CRITICAL' AND chain_id = '"
                + chain.id() + "'")).as("one alert per refused header, however often it is sent").isEqualTo(3);
        assertThat(count("SELECT count(*) FROM alert WHERE kind = 'FINAL_DEPOSIT_ORPHANED' AND chain_id = '" + chain.id() + "'")).isZero();
        assertThat(cursorOf(chain)).as("the rejections are acknowledged").isEqualTo("c" + cursor);

        // above the checkpoint a reorg is still a reorg
        header(chain, 4, "h4c", "h3");
        assertThat(canonical(chain)).isEqualTo("h1,h2,h3,h4c");
    }

    /**
     * Decided: a block orphaned and then canonical again does not revive its REVERTED deposits by itself; the adapter
     * re-sends them (it re-sends a fork from its fork point, deposits included: see the Deposit comment in the proto),
     * and the re-sent deposit is revived by the deposit path, once.
     */
    @Test
    void theDepositsOfAReAdoptedBlockStayRevertedUntilTheAdapterSendsThemAgain() {
        ChainSpec chain = checkpointChain();
        String account = "cp-acct-" + UUID.randomUUID();
        header(chain, 1, "h1", "");
        header(chain, 2, "h2", "h1");
        assertApplied(events.deposit(chain, next(), new DepositEvent("tx-a", 0, "h2", account, "USDC", "5")));
        assertThat(balance(chain, account)).isEqualTo("5/0");
        header(chain, 2, "h2b", "h1");
        assertThat(balance(chain, account)).isEqualTo("0/0");
        header(chain, 2, "h2", "h1");
        assertThat(canonical(chain)).isEqualTo("h1,h2");
        assertThat(balance(chain, account)).isEqualTo("0/0");

        assertApplied(events.deposit(chain, next(), new DepositEvent("tx-a", 0, "h2", account, "USDC", "5")));
        assertThat(balance(chain, account)).isEqualTo("5/0");
        assertThat(events.deposit(chain, next(), new DepositEvent("tx-a", 0, "h2", account, "USDC", "5")).outcome())
                .isEqualTo(AdapterEvents.Outcome.DUPLICATE);
        assertApplied(events.checkpoint(chain, next(), 2, "h2"));
        assertThat(balance(chain, account)).isEqualTo("0/5");
    }

    // ---- helpers ----

    void header(ChainSpec chain, long height, String hash, String parent) {
        assertApplied(events.header(chain, next(), new BlockHeaderEvent(height, hash, parent, 0)));
    }

    String next() {
        return "c" + (++cursor);
    }

    static void assertApplied(AdapterEvents.Ack ack) {
        assertThat(ack.outcome()).as(ack.reason() + " " + ack.message()).isEqualTo(AdapterEvents.Outcome.APPLIED);
    }

    static void assertRejected(AdapterEvents.Ack ack, String reason) {
        assertThat(ack.outcome()).isEqualTo(AdapterEvents.Outcome.REJECTED);
        assertThat(ack.reason()).isEqualTo(reason);
    }

    /** "pending/available" of the account's USDC on the chain. */
    String balance(ChainSpec chain, String account) {
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(
                "SELECT pending, available FROM balance WHERE account_id = ? AND chain_id = ? AND asset = 'USDC'")) {
            s.setString(1, account);
            s.setString(2, chain.id());
            try (ResultSet rs = s.executeQuery()) {
                assertThat(rs.next()).isTrue();
                return rs.getBigDecimal(1).stripTrailingZeros().toPlainString() + "/" + rs.getBigDecimal(2).stripTrailingZeros().toPlainString();
            }
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The chain's canonical hashes by height, comma-separated. */
    String canonical(ChainSpec chain) {
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(
                "SELECT string_agg(hash, ',' ORDER BY height) FROM block_header WHERE chain_id = ? AND canonical")) {
            s.setString(1, chain.id());
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    String cursorOf(ChainSpec chain) {
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(
                "SELECT cursor FROM chain_state WHERE chain_id = ?")) {
            s.setString(1, chain.id());
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    long checkpointHeight(ChainSpec chain) {
        return count("SELECT coalesce(max(checkpoint_height), -1) FROM chain_state WHERE chain_id = '" + chain.id() + "'");
    }

    long count(String sql) {
        try (Connection c = dataSource.getConnection(); ResultSet rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
