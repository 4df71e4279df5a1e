package dev.crosschain.pricing.grpc;

import com.google.rpc.BadRequest;
import com.google.rpc.ErrorInfo;
import dev.crosschain.postgres.PostgresTestResource;
import dev.crosschain.proto.pricing.v1.OptionQuote;
import dev.crosschain.proto.pricing.v1.PushOptionQuotesRequest;
import dev.crosschain.proto.pricing.v1.VolSurface;
import io.agroal.api.AgroalDataSource;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static dev.crosschain.pricing.grpc.PricingGrpcServiceTest.DOMAIN;
import static dev.crosschain.pricing.grpc.PricingGrpcServiceTest.assertInvalid;
import static dev.crosschain.pricing.grpc.PricingGrpcServiceTest.catchStatus;
import static dev.crosschain.pricing.grpc.PricingGrpcServiceTest.detail;
import static dev.crosschain.pricing.grpc.PricingGrpcServiceTest.expiryCode;
import static dev.crosschain.pricing.grpc.PricingGrpcServiceTest.push;
import static dev.crosschain.pricing.grpc.PricingGrpcServiceTest.quote;
import static dev.crosschain.pricing.grpc.PricingGrpcServiceTest.stub;
import static dev.crosschain.pricing.grpc.SurfaceGrpcTest.FAR;
import static dev.crosschain.pricing.grpc.SurfaceGrpcTest.HALF_SPREAD;
import static dev.crosschain.pricing.grpc.SurfaceGrpcTest.NEAR;
import static dev.crosschain.pricing.grpc.SurfaceGrpcTest.STRIKES;
import static dev.crosschain.pricing.grpc.SurfaceGrpcTest.newQuoteSetId;
import static dev.crosschain.pricing.grpc.SurfaceGrpcTest.smileVol;
import static dev.crosschain.pricing.grpc.SurfaceGrpcTest.surface;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * PushOptionQuotes is idempotent on (underlying, quote_set_id): a replay answers with the surface
 * its first push created, a reused id with another payload is refused, refused pushes record
 * nothing. Underlyings GRT and HBAR (index 600 each), fitted only here.
 */
@QuarkusTest
@ExtendWith(PricingChannel.class)
@QuarkusTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = PostgresTestResource.REACTIVE, value = "true"))
class QuoteSetIdGrpcTest {

    @Inject
    AgroalDataSource dataSource;

    @Test
    void aReplayAnswersWithTheFirstPushesSurfaceAndStoresNothing() throws SQLException {
        PushOptionQuotesRequest first = quoteSet("GRT", newQuoteSetId(), 0.0);
        VolSurface created = stub().pushOptionQuotes(first).getSurface();
        int versions = storedVersions("GRT");

        VolSurface replayed = stub().pushOptionQuotes(first).getSurface();
        assertThat(replayed.toBuilder().clearAgeMs().build()).isEqualTo(created.toBuilder().clearAgeMs().build());
        assertThat(storedVersions("GRT")).isEqualTo(versions);
        assertThat(surface("GRT").getVersion()).isEqualTo(created.getVersion());

        // A later push moves the surface on; a replay of the first still answers with the version it created.
        VolSurface later = stub().pushOptionQuotes(quoteSet("GRT", newQuoteSetId(), 0.01)).getSurface();
        assertThat(later.getVersion()).isEqualTo(created.getVersion() + 1);
        VolSurface lateReplay = stub().pushOptionQuotes(first).getSurface();
        assertThat(lateReplay.toBuilder().clearAgeMs().build()).isEqualTo(created.toBuilder().clearAgeMs().build());
        assertThat(surface("GRT").getVersion()).as("a replay does not bring an old surface back").isEqualTo(later.getVersion());
        assertThat(storedVersions("GRT")).isEqualTo(versions + 1);
    }

    @Test
    void theSameIdWithAnotherPayloadIsRefusedAndTheIdIsPerUnderlying() throws SQLException {
        String id = newQuoteSetId();
        VolSurface created = stub().pushOptionQuotes(quoteSet("GRT", id, 0.0)).getSurface();
        int versions = storedVersions("GRT");

        StatusRuntimeException e = catchStatus(() -> stub().pushOptionQuotes(quoteSet("GRT", id, 0.02)));
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.ALREADY_EXISTS);
        ErrorInfo info = detail(e, ErrorInfo.class);
        assertThat(info.getReason()).isEqualTo("QUOTE_SET_ID_REUSED");
        assertThat(info.getDomain()).isEqualTo(DOMAIN);
        assertThat(detail(e, BadRequest.class).getFieldViolationsList()).singleElement().satisfies(v -> {
            assertThat(v.getField()).isEqualTo("quote_set_id");
            assertThat(v.getDescription()).contains(id, "version " + created.getVersion());
        });
        assertThat(storedVersions("GRT")).isEqualTo(versions);
        assertThat(surface("GRT").getVersion()).isEqualTo(created.getVersion());

        // The same id names another quote set on another underlying.
        VolSurface hbar = stub().pushOptionQuotes(quoteSet("HBAR", id, 0.02)).getSurface();
        assertThat(hbar.getUnderlying()).isEqualTo("HBAR");
        assertThat(storedVersions("HBAR")).isEqualTo((int) hbar.getVersion());
    }

    @Test
    void aRefusedPushRecordsNothingSoItsIdStaysFree() throws SQLException {
        String id = newQuoteSetId();
        int versions = storedVersions("GRT");
        // Bad input: a bid above its ask.
        PushOptionQuotesRequest clean = quoteSet("GRT", id, 0.0);
        PushOptionQuotesRequest bad = clean.toBuilder().setQuotes(0, clean.getQuotes(0).toBuilder().setBidVol(0.9).setAskVol(0.8)).build();
        assertInvalid(() -> stub().pushOptionQuotes(bad), "INVALID_OPTION_QUOTE", "quotes[0].bid_vol");
        // Arbitrage: the far expiry's total variance below the near one's.
        PushOptionQuotesRequest calendar = quoteSet("GRT", id, 0.0).toBuilder().clearQuotes()
                .addAllQuotes(quoteSet("GRT", id, 0.0).getQuotesList().stream().map(q -> q.getInstrument().contains(expiryCode(FAR))
                        ? q.toBuilder().setBidVol(q.getBidVol() / 5).setAskVol(q.getAskVol() / 5).build() : q).toList()).build();
        assertThat(catchStatus(() -> stub().pushOptionQuotes(calendar)).getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
        assertThat(storedKeys("GRT", id)).isZero();
        assertThat(storedVersions("GRT")).isEqualTo(versions);

        VolSurface accepted = stub().pushOptionQuotes(quoteSet("GRT", id, 0.0)).getSurface();
        assertThat(storedVersions("GRT")).isEqualTo(versions + 1);
        assertThat(accepted.getVersion()).isEqualTo(surface("GRT").getVersion());
        assertThat(storedKeys("GRT", id)).isOne();
    }

    @Test
    void aMissingOverlongOrMalformedIdIsRefusedWithTheFieldAndStoresNothing() throws SQLException {
        push(quote("GRT", "coinbase", "600"));
        int versions = storedVersions("GRT");
        for (String bad : List.of("", "x".repeat(129), "a b", "set/1", "quote\u00e9", "id\n")) {
            assertInvalid(() -> stub().pushOptionQuotes(quoteSet("GRT", bad, 0.0)), "INVALID_OPTION_QUOTE", "quote_set_id");
        }
        // Reported with the set's other problems, in one answer.
        PushOptionQuotesRequest alsoBad = quoteSet("GRT", "", 0.0);
        assertInvalid(() -> stub().pushOptionQuotes(alsoBad.toBuilder().setQuotes(2, alsoBad.getQuotes(2).toBuilder().setAskVol(6)).build()),
                "INVALID_OPTION_QUOTE", "quote_set_id", "quotes[2].ask_vol");
        assertThat(storedVersions("GRT")).isEqualTo(versions);

        String longest = "Aa0._:-" + "x".repeat(121);
        assertThat(longest).hasSize(128);
        VolSurface accepted = stub().pushOptionQuotes(quoteSet("GRT", longest, 0.0)).getSurface();
        assertThat(storedKeys("GRT", longest)).isOne();
        assertThat(accepted.getVersion()).isEqualTo(versions + 1);
    }

    @Test
    void concurrentReplaysOfOneSetCreateOneVersionAndAllAnswerWithIt() throws Exception {
        PushOptionQuotesRequest request = quoteSet("HBAR", newQuoteSetId(), 0.03);
        int versions = storedVersions("HBAR");
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            List<Future<VolSurface>> answers = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                answers.add(pool.submit(() -> stub().pushOptionQuotes(request).getSurface()));
            }
            List<Long> created = new ArrayList<>();
            for (Future<VolSurface> answer : answers) {
                created.add(answer.get().getVersion());
            }
            assertThat(created).containsOnly((long) versions + 1);
        } finally {
            pool.shutdownNow();
        }
        assertThat(storedVersions("HBAR")).isEqualTo(versions + 1);
    }

    @Test
    void keysOlderThanTheRetentionAreForgottenByTheNextAcceptedPush() throws SQLException {
        String old = newQuoteSetId();
        stub().pushOptionQuotes(quoteSet("GRT", old, 0.0));
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(
                "UPDATE option_quote_set SET pushed_at = now() - interval '8 days' WHERE underlying = 'GRT' AND quote_set_id = ?")) {
            s.setString(1, old);
            assertThat(s.executeUpdate()).isOne();
        }
        String recent = newQuoteSetId();
        stub().pushOptionQuotes(quoteSet("GRT", recent, 0.01));
        assertThat(storedKeys("GRT", old)).as("past the default 7 days").isZero();
        assertThat(storedKeys("GRT", recent)).isOne();
    }

    /**
     * A clean two-expiry quote set of {@code underlying} at index 600 (pushed first), its vols
     * raised by {@code volBump}, under {@code quoteSetId}.
     */
    static PushOptionQuotesRequest quoteSet(String underlying, String quoteSetId, double volBump) {
        push(quote(underlying, "coinbase", "600"));
        PushOptionQuotesRequest.Builder request = PushOptionQuotesRequest.newBuilder().setUnderlying(underlying)
                .setQuoteSetId(quoteSetId);
        for (LocalDate expiry : List.of(NEAR, FAR)) {
            for (int strike : STRIKES) {
                double vol = smileVol(Math.log(strike / 600.0)) + volBump;
                request.addQuotes(OptionQuote.newBuilder()
                        .setInstrument(underlying + "-" + expiryCode(expiry) + "-" + strike + (strike < 600 ? "-P" : "-C"))
                        .setBidVol(vol - HALF_SPREAD).setAskVol(vol + HALF_SPREAD));
            }
        }
        return request.build();
    }

    int storedVersions(String underlying) throws SQLException {
        return count("SELECT count(*) FROM vol_surface WHERE underlying = ?", underlying);
    }

    int storedKeys(String underlying, String quoteSetId) throws SQLException {
        return count("SELECT count(*) FROM option_quote_set WHERE underlying = ? AND quote_set_id = ?", underlying, quoteSetId);
    }

    private int count(String sql, String... args) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                s.setString(i + 1, args[i]);
            }
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }
}
