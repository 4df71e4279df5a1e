package dev.crosschain.pricing.grpc;

import dev.crosschain.pricing.domain.AssetQuotes;
import dev.crosschain.pricing.store.MarketStore;
import dev.crosschain.postgres.PostgresTestResource;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.vertx.VertxContextSupport;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static dev.crosschain.pricing.grpc.PricingGrpcServiceTest.STREAM_PATIENCE_MS;
import static dev.crosschain.pricing.grpc.PricingGrpcServiceTest.push;
import static dev.crosschain.pricing.grpc.PricingGrpcServiceTest.quote;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * A reload never pairs quotes with a revision they do not belong to, whatever write commits while
 * it reads. The interleaving is forced: the test holds index_price locked, lets a load start and
 * block on it, commits a write (new quotes and revision) while the load waits, then lets it go.
 * Read apart, the load got the old quotes and then the new revision: a copy the next real reload
 * of that revision could not replace. Asset SAND.
 */
@QuarkusTest
@ExtendWith(PricingChannel.class)
@QuarkusTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = PostgresTestResource.REACTIVE, value = "true"))
class StoreReloadTest {

    @Inject
    MarketStore store;

    @Inject
    AgroalDataSource dataSource;

    @Test
    void aReloadOfOneAssetSeesAWriteCommittedMeanwhileWholeOrNotAtAll() throws Exception {
        push(quote("SAND", "coinbase", "0.50"));
        assertLoadDuringWriteIsConsistent(() -> store.loadAsset("SAND"), "0.51");
    }

    @Test
    void aStartUpLoadSeesAWriteCommittedMeanwhileWholeOrNotAtAll() throws Exception {
        push(quote("SAND", "coinbase", "0.50"));
        assertLoadDuringWriteIsConsistent(() -> store.loadAll().map(stored -> stored.assets().stream()
                .filter(a -> a.asset().equals("SAND")).findFirst().orElseThrow()), "0.52");
    }

    /** Loads SAND while a write of {@code newPrice} at the next revision commits; the copy is either all before or all after. */
    void assertLoadDuringWriteIsConsistent(Supplier<Uni<AssetQuotes>> load, String newPrice) throws Exception {
        long revision = storedRevision();
        CompletableFuture<AssetQuotes> loaded;
        try (Connection writer = dataSource.getConnection(); Statement s = writer.createStatement()) {
            writer.setAutoCommit(false);
            s.execute("LOCK TABLE index_price IN ACCESS EXCLUSIVE MODE");
            loaded = CompletableFuture.supplyAsync(() -> {
                try {
                    return VertxContextSupport.subscribeAndAwait(load);
                } catch (Throwable e) {
                    throw new IllegalStateException(e);
                }
            });
            awaitLoadBlockedOnIndexPrice();
            s.execute("UPDATE index_quote SET price = " + newPrice + ", observed_at = now() WHERE asset = 'SAND'");
            s.execute("UPDATE index_price SET revision = revision + 1 WHERE asset = 'SAND'");
            writer.commit();
        }
        AssetQuotes asset = loaded.get(STREAM_PATIENCE_MS, TimeUnit.MILLISECONDS);
        // Which of the two it saw is PostgreSQL's business; a mix of both is the bug.
        assertThat(asset.revision()).isIn(revision, revision + 1);
        assertThat(asset.bySource().get("coinbase").price()).as("the quote of revision %d", asset.revision())
                .isEqualByComparingTo(asset.revision() == revision ? "0.50" : newPrice);
    }

    long storedRevision() throws SQLException {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT revision FROM index_price WHERE asset = 'SAND'")) {
            assertThat(rs.next()).isTrue();
            return rs.getLong(1);
        }
    }

    /** Waits until some session waits for a lock on index_price: the load, held up mid-read. */
    void awaitLoadBlockedOnIndexPrice() throws Exception {
        long deadline = System.currentTimeMillis() + STREAM_PATIENCE_MS;
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            while (System.currentTimeMillis() < deadline) {
                try (ResultSet rs = s.executeQuery(
                        "SELECT count(*) FROM pg_locks WHERE relation = 'index_price'::regclass AND NOT granted")) {
                    rs.next();
                    if (rs.getLong(1) > 0) {
                        return;
                    }
                }
                Thread.sleep(10);
            }
        }
        fail("the load never reached index_price");
    }
}
