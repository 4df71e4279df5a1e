package dev.crosschain.pricing.grpc;

import dev.crosschain.postgres.PostgresTestResource;
import dev.crosschain.proto.pricing.v1.GetIndexPricesRequest;
import dev.crosschain.proto.pricing.v1.GetVolSurfaceRequest;
import dev.crosschain.proto.pricing.v1.IndexPrice;
import dev.crosschain.proto.pricing.v1.VolSource;
import dev.crosschain.proto.pricing.v1.VolSurface;
import io.agroal.api.AgroalDataSource;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.function.Supplier;

import static dev.crosschain.pricing.grpc.PricingGrpcServiceTest.STREAM_PATIENCE_MS;
import static dev.crosschain.pricing.grpc.PricingGrpcServiceTest.index;
import static dev.crosschain.pricing.grpc.PricingGrpcServiceTest.push;
import static dev.crosschain.pricing.grpc.PricingGrpcServiceTest.quote;
import static dev.crosschain.pricing.grpc.PricingGrpcServiceTest.stub;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.assertj.core.api.Assertions.within;

/**
 * Another replica's writes reach this one's reads. The other replica is played by the test: it
 * writes rows and sends the NOTIFY in one transaction, as MarketStore does. Assets DOT and TRX.
 */
@QuarkusTest
@ExtendWith(PricingChannel.class)
@QuarkusTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = PostgresTestResource.REACTIVE, value = "true"))
class ReplicaSyncTest {

    @Inject
    AgroalDataSource dataSource;

    @Test
    void anIndexWrittenByAnotherReplicaIsServedHereAndLaterWritesBuildOnIt() throws Exception {
        otherReplica("""
                INSERT INTO index_quote (asset, source, price, observed_at, received_at) VALUES ('DOT', 'other', 7.25, now(), now());
                INSERT INTO index_price (asset, price, updated_at, sources, dropped_sources, revision) VALUES ('DOT', 7.25, now(), 'other', '', 1);
                NOTIFY pricing_changes, 'index:DOT:1';
                """);
        IndexPrice dot = await(() -> index("DOT"));
        assertThat(dot.getPrice()).isEqualTo("7.25");
        assertThat(dot.getSourcesList()).containsExactly("other");
        assertThat(dot.getStale()).isFalse();

        // This replica's own write reads the other's quote from the database: median(7.25, 7.35).
        assertThat(push(quote("DOT", "local", "7.35")).getIndices(0).getPrice()).isEqualTo("7.30");
        assertThat(revision("DOT")).isEqualTo(2);
    }

    @Test
    void aSurfaceStoredByAnotherReplicaIsServedHere() throws Exception {
        otherReplica("""
                INSERT INTO vol_surface (underlying, version, fitted_at, stored_at) VALUES ('TRX', 3, now(), now());
                INSERT INTO vol_slice (underlying, version, expiry_date, expiry, years, forward, a, b, rho, m, sigma, rms_vol_error, quote_count)
                VALUES ('TRX', 3, DATE '2030-12-27', TIMESTAMPTZ '2030-12-27 08:00:00+00', 2.5, 0.25, 0.5, 0.1, -0.2, 0.0, 0.2, 0.001, 7);
                NOTIFY pricing_changes, 'surface:TRX:3';
                """);
        VolSurface trx = await(() -> stub().getVolSurface(GetVolSurfaceRequest.newBuilder().setUnderlying("TRX").build()).getSurface());
        assertThat(trx.getVersion()).isEqualTo(3);
        assertThat(trx.getSource()).isEqualTo(VolSource.VOL_SOURCE_SURFACE);
        assertThat(trx.getSlicesList()).hasSize(1);
        assertThat(trx.getSlices(0).getExpiry()).isEqualTo("27DEC30");
        assertThat(trx.getSlices(0).getA()).isEqualTo(0.5);
        assertThat(trx.getSlices(0).getQuoteCount()).isEqualTo(7);
        // Stored without index_at_fit, as a replica from before bases does: fitted against the index, basis 1.
        assertThat(trx.getSlices(0).getIndexAtFit()).isEqualTo(trx.getSlices(0).getForward());
        // w(0) = 0.5 + 0.1 * 0.2 = 0.52 over 2.5 years.
        assertThat(trx.getSlices(0).getAtmVol()).isCloseTo(Math.sqrt(0.52 / 2.5), within(1e-15));
    }

    @Test
    void aWriteMissedWhileTheListenConnectionWasDownIsPickedUpByTheReloadAfterReconnecting() throws Exception {
        // Written without a NOTIFY: this replica cannot hear of it, only find it by reloading.
        otherReplica("INSERT INTO index_quote (asset, source, price, observed_at, received_at) VALUES ('EGLD', 'other', 31.5, now(), now());"
                + "INSERT INTO index_price (asset, price, updated_at, sources, dropped_sources, revision) VALUES ('EGLD', 31.5, now(), 'other', '', 1);");
        // Cut this replica's LISTEN connection; it reconnects on its own and then reloads everything.
        otherReplica("SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                + " WHERE datname = current_database() AND query ILIKE 'LISTEN%'");
        assertThat(await(() -> index("EGLD")).getPrice()).isEqualTo("31.5");
    }

    void otherReplica(String sql) throws SQLException {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            s.execute(sql);
            c.commit();
        }
    }

    long revision(String asset) throws SQLException {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
             var rs = s.executeQuery("SELECT revision FROM index_price WHERE asset = '" + asset + "'")) {
            assertThat(rs.next()).isTrue();
            return rs.getLong(1);
        }
    }

    /** The first answer that is not NOT_FOUND, within the stream patience. */
    static <T> T await(Supplier<T> read) throws InterruptedException {
        long deadline = System.currentTimeMillis() + STREAM_PATIENCE_MS;
        StatusRuntimeException last = null;
        while (System.currentTimeMillis() < deadline) {
            try {
                return read.get();
            } catch (StatusRuntimeException e) {
                if (e.getStatus().getCode() != io.grpc.Status.Code.NOT_FOUND) {
                    throw e;
                }
                last = e;
            }
            Thread.sleep(20);
        }
        return fail("the other replica's write never arrived", last);
    }
}
