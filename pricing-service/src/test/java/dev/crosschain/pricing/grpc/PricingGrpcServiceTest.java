package dev.crosschain.pricing.grpc;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.rpc.BadRequest;
import com.google.rpc.ErrorInfo;
import dev.crosschain.pricing.domain.Black76;
import dev.crosschain.pricing.domain.NormalDistribution;
import dev.crosschain.pricing.domain.OptionType;
import dev.crosschain.postgres.PostgresTestResource;
import dev.crosschain.proto.pricing.v1.BookPosition;
import dev.crosschain.proto.pricing.v1.GetIndexPricesRequest;
import dev.crosschain.proto.pricing.v1.GetMarksRequest;
import dev.crosschain.proto.pricing.v1.IndexPrice;
import dev.crosschain.proto.pricing.v1.IndexQuote;
import dev.crosschain.proto.pricing.v1.InstrumentKind;
import dev.crosschain.proto.pricing.v1.Mark;
import dev.crosschain.proto.pricing.v1.OptionPrice;
import dev.crosschain.proto.pricing.v1.OptionPricingInput;
import dev.crosschain.proto.pricing.v1.PriceOptionsRequest;
import dev.crosschain.proto.pricing.v1.PricingServiceGrpc;
import dev.crosschain.proto.pricing.v1.PushIndexPricesRequest;
import dev.crosschain.proto.pricing.v1.PushIndexPricesResponse;
import dev.crosschain.proto.pricing.v1.RevalueBookRequest;
import dev.crosschain.proto.pricing.v1.RevalueBookResponse;
import dev.crosschain.proto.pricing.v1.Scenario;
import dev.crosschain.proto.pricing.v1.VolSource;
import dev.crosschain.proto.pricing.v1.SpotShock;
import dev.crosschain.proto.pricing.v1.WatchMarksRequest;
import dev.crosschain.proto.pricing.v1.WatchMarksResponse;
import io.agroal.api.AgroalDataSource;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.assertj.core.api.Assertions.within;

/**
 * The gRPC adapter through a real channel on the test port, against a fresh PostgreSQL database.
 *
 * <p>Tests share one database and run one after another; each pushes the index it reads. The
 * assets XRP and DOGE are never pushed by any test, SOL only by the staleness test.
 */
@QuarkusTest
@QuarkusTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = PostgresTestResource.REACTIVE, value = "true"))
class PricingGrpcServiceTest {

    static final int GRPC_TEST_PORT = 19102;
    static final String DOMAIN = "pricing.crosschain";
    /** pricing.surface.bootstrap.ETH.atm-vol in application.properties; rho, b, sigma at their defaults. */
    static final double ETH_ATM_VOL = 0.75;
    static final double BOOTSTRAP_RHO = -0.3;
    static final double BOOTSTRAP_B = 0.2;
    static final double BOOTSTRAP_SIGMA = 0.1;
    /** Surface vols are worked out here independently of the server's code: only rounding may differ. */
    static final double VOL_TOL = 1e-12;
    /** Option marks travel with 8 decimals. */
    static final double MARK_ROUNDING = 0.5e-8;
    static final double EXACT_TOL = 1e-9;
    static final long CALL_DEADLINE_S = 10;
    static final long STREAM_PATIENCE_MS = 10_000;
    static final double MILLIS_PER_YEAR = 365.0 * 86_400_000.0;
    static final String[] MONTHS = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};

    /** The channel of the test class running now (classes of the package run one after another). */
    private static ManagedChannel channel;

    @Inject
    AgroalDataSource dataSource;

    @BeforeAll
    static void connect() {
        channel = ManagedChannelBuilder.forAddress("localhost", GRPC_TEST_PORT).usePlaintext().build();
    }

    /** An open client connection would hold the server's shutdown for its full timeout. */
    @AfterAll
    static void disconnect() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    static ManagedChannel channel() {
        return channel;
    }

    // ---- index prices ----

    @Test
    void pushedIndexIsReadBackExactlyAndFresh() {
        PushIndexPricesResponse pushed = push(quote("ETH", "coinbase", "3012.34"));
        assertThat(pushed.getIndicesList()).hasSize(1);
        assertThat(pushed.getIndices(0).getAsset()).isEqualTo("ETH");
        assertThat(pushed.getIndices(0).getPrice()).isEqualTo("3012.34");
        assertThat(pushed.getIndices(0).getStale()).isFalse();

        long before = System.currentTimeMillis();
        push(quote("ETH", "coinbase", "3020.125"), quote("BTC", "kraken", "97000.5"));
        long after = System.currentTimeMillis();

        IndexPrice eth = index("ETH");
        assertThat(eth.getPrice()).as("a source's newer quote replaces its older one").isEqualTo("3020.125");
        assertThat(eth.getStale()).isFalse();
        assertThat(eth.getSourcesList()).containsExactly("coinbase");
        assertThat(eth.getDroppedSourcesList()).isEmpty();
        assertThat(eth.getUpdatedAtUnixMs()).isBetween(before, after);
        assertThat(eth.getAgeMs()).isBetween(0L, 60_000L);

        var all = stub().getIndexPrices(GetIndexPricesRequest.getDefaultInstance()).getIndicesList();
        assertThat(all).extracting(IndexPrice::getAsset).contains("ETH", "BTC").doesNotContain("XRP");
        assertThat(all).filteredOn(i -> i.getAsset().equals("BTC")).extracting(IndexPrice::getPrice).containsExactly("97000.5");

        push(quote("SHIB", "binance", "0.000012345678901234"));
        assertThat(index("SHIB").getPrice()).as("18 decimals survive the round trip").isEqualTo("0.000012345678901234");
    }

    @Test
    void aQuoteObservedLongerAgoThanStaleAfterGivesAStaleIndex() {
        long observed = System.currentTimeMillis() - 120_000;
        push(IndexQuote.newBuilder().setAsset("SOL").setSource("pyth").setPrice("180.25").setObservedAtUnixMs(observed).build());
        IndexPrice sol = stub().getIndexPrices(GetIndexPricesRequest.newBuilder().addAssets("SOL").build()).getIndices(0);
        assertThat(sol.getPrice()).isEqualTo("180.25");
        assertThat(sol.getUpdatedAtUnixMs()).isEqualTo(observed);
        assertThat(sol.getStale()).isTrue();
        assertThat(sol.getAgeMs()).isGreaterThanOrEqualTo(120_000L);
    }

    @Test
    void anAssetNeverPushedIsNotFound() {
        StatusRuntimeException e = catchStatus(() -> index("XRP"));
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
        ErrorInfo info = detail(e, ErrorInfo.class);
        assertThat(info.getReason()).isEqualTo("NO_INDEX");
        assertThat(info.getDomain()).isEqualTo(DOMAIN);
    }

    // ---- marks ----

    @Test
    void perpetualAndSpotMarkAtTheIndexExactly() {
        push(quote("ETH", "coinbase", "3456.789"));
        List<Mark> marks = stub().getMarks(GetMarksRequest.newBuilder()
                .addInstruments("ETH-PERPETUAL").addInstruments("ETH").build()).getMarksList();
        assertThat(marks).hasSize(2);
        Mark perp = marks.get(0);
        assertThat(perp.getInstrument()).isEqualTo("ETH-PERPETUAL");
        assertThat(perp.getKind()).isEqualTo(InstrumentKind.INSTRUMENT_KIND_PERPETUAL);
        assertThat(perp.getUnderlying()).isEqualTo("ETH");
        assertThat(perp.getMarkPrice()).isEqualTo("3456.789");
        assertThat(perp.getIndexPrice()).isEqualTo("3456.789");
        assertThat(perp.getStale()).isFalse();
        assertThat(perp.getAsOfUnixMs()).isEqualTo(index("ETH").getUpdatedAtUnixMs());
        assertThat(marks.get(1).getKind()).isEqualTo(InstrumentKind.INSTRUMENT_KIND_SPOT);
        assertThat(marks.get(1).getMarkPrice()).isEqualTo("3456.789");
    }

    @Test
    void optionMarkIsBlack76AtTheBootstrapSurfaceVolOfItsStrike() {
        double forward = 3100.0;
        double strike = 3300.0;
        double vol = bootstrapVol(ETH_ATM_VOL, strike, forward);
        push(quote("ETH", "coinbase", "3100"));
        String name = "ETH-" + expiryCode(LocalDate.now(ZoneOffset.UTC).plusDays(60)) + "-3300-C";
        Instant expiry = expiryOf(LocalDate.now(ZoneOffset.UTC).plusDays(60));

        long before = System.currentTimeMillis();
        Mark mark = stub().getMarks(GetMarksRequest.newBuilder().addInstruments(name).build()).getMarks(0);
        long after = System.currentTimeMillis();

        assertThat(mark.getInstrument()).isEqualTo(name);
        assertThat(mark.getKind()).isEqualTo(InstrumentKind.INSTRUMENT_KIND_OPTION);
        assertThat(mark.getIndexPrice()).isEqualTo("3100");
        assertThat(mark.getImpliedVol()).isCloseTo(vol, within(VOL_TOL));
        assertThat(mark.getVolSource()).isEqualTo(VolSource.VOL_SOURCE_CONFIGURED);
        assertThat(mark.getSurfaceVersion()).isZero();
        assertThat(mark.getStale()).isFalse();
        // The server valued the option at some instant in [before, after]; a call is worth more with more time.
        double longest = Black76.DEFAULT.price(OptionType.CALL, forward, strike, years(before, expiry), vol + VOL_TOL, 0.0);
        double shortest = Black76.DEFAULT.price(OptionType.CALL, forward, strike, years(after, expiry), vol - VOL_TOL, 0.0);
        double markPrice = Double.parseDouble(mark.getMarkPrice());
        assertThat(markPrice).isBetween(shortest - MARK_ROUNDING, longest + MARK_ROUNDING);
        assertThat(mark.getMarkPrice()).matches("\\d+\\.\\d{8}");

        double t = years(before, expiry);
        double sd = vol * Math.sqrt(t);
        double d1 = (Math.log(forward / strike) + 0.5 * sd * sd) / sd;
        assertThat(mark.getGreeks().getDelta()).isStrictlyBetween(0.0, 1.0)
                .isCloseTo(NormalDistribution.cdf(d1), within(1e-6));
        assertThat(mark.getGreeks().getGamma()).isPositive();
        assertThat(mark.getGreeks().getVega()).isPositive();
        assertThat(mark.getGreeks().getTheta()).isNegative();
    }

    @Test
    void anInstrumentWhoseUnderlyingHasNoIndexIsNotFound() {
        StatusRuntimeException e = catchStatus(() -> stub().getMarks(GetMarksRequest.newBuilder().addInstruments("XRP-PERPETUAL").build()));
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
        assertThat(detail(e, ErrorInfo.class).getReason()).isEqualTo("NO_INDEX");
    }

    // ---- option pricing ----

    @Test
    void priceOptionsWithExplicitMarketDataReproducesBlack76AndParity() {
        // Haug's Black-76 example: F = K = 19, T = 0.75, vol = 28 %, r = 10 % gives 1.7011. The service
        // values undiscounted (r = 0), so the same option is worth 1.7011 * exp(0.10 * 0.75).
        String expiryCode = "27DEC30";
        Instant expiry = expiryOf(LocalDate.of(2030, 12, 27));
        long valuation = expiry.toEpochMilli() - Math.round(0.75 * MILLIS_PER_YEAR);
        PriceOptionsRequest request = PriceOptionsRequest.newBuilder()
                .addOptions(option("ETH-" + expiryCode + "-19-C", 19, 0.28, valuation))
                .addOptions(option("ETH-" + expiryCode + "-19-P", 19, 0.28, valuation))
                .addOptions(option("ETH-" + expiryCode + "-17-C", 19, 0.28, valuation))
                .addOptions(option("ETH-" + expiryCode + "-17-P", 19, 0.28, valuation))
                .build();
        List<OptionPrice> prices = stub().priceOptions(request).getPricesList();
        assertThat(prices).extracting(OptionPrice::getInstrument)
                .containsExactly("ETH-27DEC30-19-C", "ETH-27DEC30-19-P", "ETH-27DEC30-17-C", "ETH-27DEC30-17-P");

        OptionPrice atmCall = prices.get(0);
        assertThat(atmCall.getForward()).isEqualTo(19.0);
        assertThat(atmCall.getVolatility()).isEqualTo(0.28);
        assertThat(atmCall.getTimeToExpiryYears()).isCloseTo(0.75, within(1e-12));
        assertThat(atmCall.getPrice()).isCloseTo(1.7011 * Math.exp(0.10 * 0.75), within(1e-4))
                .isCloseTo(Black76.DEFAULT.price(OptionType.CALL, 19, 19, 0.75, 0.28, 0.0), within(1e-12));
        assertThat(prices.get(2).getPrice())
                .isCloseTo(Black76.DEFAULT.price(OptionType.CALL, 19, 17, 0.75, 0.28, 0.0), within(1e-12));

        // Parity with r = 0: C - P = F - K.
        assertThat(atmCall.getPrice() - prices.get(1).getPrice()).isCloseTo(0.0, within(1e-12));
        assertThat(prices.get(2).getPrice() - prices.get(3).getPrice()).isCloseTo(2.0, within(1e-12));
        assertThat(atmCall.getGreeks().getDelta()).isStrictlyBetween(0.0, 1.0);
        assertThat(prices.get(1).getGreeks().getDelta()).isStrictlyBetween(-1.0, 0.0);
        assertThat(atmCall.getGreeks().getDelta() - prices.get(1).getGreeks().getDelta()).isCloseTo(1.0, within(1e-12));
    }

    @Test
    void priceOptionsDefaultsToTheIndexAndTheSurfaceVolOfTheStrike() {
        push(quote("ETH", "coinbase", "2950.5"));
        OptionPrice price = stub().priceOptions(PriceOptionsRequest.newBuilder().addOptions(
                OptionPricingInput.newBuilder().setInstrument("ETH-27DEC30-3000-P")).build()).getPrices(0);
        assertThat(price.getForward()).isEqualTo(2950.5);
        assertThat(price.getVolatility()).isCloseTo(bootstrapVol(ETH_ATM_VOL, 3000, 2950.5), within(VOL_TOL));
        assertThat(price.getVolSource()).isEqualTo(VolSource.VOL_SOURCE_CONFIGURED);
        assertThat(price.getStale()).isFalse();
        assertThat(price.getPrice()).isPositive();
    }

    // ---- book revaluation ----

    @Test
    void aLongPerpetualLosesTenPercentOfTheIndexUnderAMinusTenPercentShock() {
        push(quote("ETH", "coinbase", "3012.34"));
        RevalueBookResponse response = stub().revalueBook(RevalueBookRequest.newBuilder()
                .addPositions(position("ETH-PERPETUAL", "1"))
                .addScenarios(Scenario.newBuilder().setScenarioId("eth-down-10")
                        .addSpotShocks(SpotShock.newBuilder().setUnderlying("ETH").setRelativeMove(-0.10)))
                .addScenarios(Scenario.newBuilder().setScenarioId("btc-down-50")
                        .addSpotShocks(SpotShock.newBuilder().setUnderlying("BTC").setRelativeMove(-0.50)))
                .build());
        assertThat(response.getBaseValueUsd()).isCloseTo(3012.34, within(EXACT_TOL));
        assertThat(response.getStale()).isFalse();
        assertThat(response.getValuesList()).hasSize(2);
        assertThat(response.getValues(0).getScenarioId()).isEqualTo("eth-down-10");
        assertThat(response.getValues(0).getPnlUsd()).isCloseTo(-0.1 * 3012.34, within(EXACT_TOL));
        assertThat(response.getValues(0).getValueUsd()).isCloseTo(0.9 * 3012.34, within(EXACT_TOL));
        assertThat(response.getValues(1).getScenarioId()).isEqualTo("btc-down-50");
        assertThat(response.getValues(1).getPnlUsd()).as("an unshocked underlying does not move").isCloseTo(0.0, within(EXACT_TOL));
    }

    // ---- watching marks ----

    @Test
    void watchMarksSendsTheCurrentMarksFirstThenANewMarkAfterAPush() throws Exception {
        push(quote("ETH", "coinbase", "3001"));
        try (Watch<WatchMarksResponse> watch = watch("ETH-PERPETUAL")) {
            WatchMarksResponse first = watch.next();
            assertThat(first.getMarksList()).extracting(Mark::getInstrument).containsExactly("ETH-PERPETUAL");
            assertThat(first.getMarks(0).getMarkPrice()).isEqualTo("3001");

            push(quote("ETH", "coinbase", "3002.5"));
            WatchMarksResponse second = watch.next();
            assertThat(second.getMarks(0).getMarkPrice()).isEqualTo("3002.5");
            assertThat(second.getMarks(0).getIndexPrice()).isEqualTo("3002.5");
        }
    }

    @Test
    void watchMarksSurvivesABurstOfPushesAndEndsOnTheNewestMark() throws Exception {
        push(quote("ETH", "coinbase", "3100"));
        try (Watch<WatchMarksResponse> watch = watch("ETH-PERPETUAL")) {
            assertThat(watch.next().getMarks(0).getMarkPrice()).isEqualTo("3100");
            int pushes = 40;
            for (int i = 1; i <= pushes; i++) {
                push(quote("ETH", "coinbase", "31" + String.format(Locale.ROOT, "%02d", i)));
            }
            String newest = "31" + pushes;
            long deadline = System.currentTimeMillis() + STREAM_PATIENCE_MS;
            String seen = "";
            while (!seen.equals(newest)) {
                long left = deadline - System.currentTimeMillis();
                if (left <= 0) {
                    fail("the stream never delivered the newest mark " + newest + ", last seen " + seen);
                }
                seen = watch.next(left).getMarks(0).getMarkPrice();
            }
        }
    }

    // ---- bad input: PushIndexPrices ----

    @Test
    void badQuotesAreRejectedWithTheFieldAndChangeNothing() throws Exception {
        push(quote("ETH", "coinbase", "3333.33"));
        IndexPrice before = index("ETH");
        List<String> quotesBefore = storedQuotes();
        long future = System.currentTimeMillis() + 3_600_000;

        assertRejectedPush("INVALID_QUOTE", "quotes[0].price", quote("ETH", "coinbase", "-1"));
        assertRejectedPush("INVALID_QUOTE", "quotes[0].price", quote("ETH", "coinbase", "0"));
        assertRejectedPush("INVALID_QUOTE", "quotes[0].price", quote("ETH", "coinbase", "12,5"));
        assertRejectedPush("INVALID_QUOTE", "quotes[0].price", quote("ETH", "coinbase", "NaN"));
        assertRejectedPush("INVALID_QUOTE", "quotes[0].price", quote("ETH", "coinbase", ""));
        assertRejectedPush("INVALID_QUOTE", "quotes[0].price", quote("ETH", "coinbase", "1e400"));
        assertRejectedPush("INVALID_QUOTE", "quotes[0].price", quote("ETH", "coinbase", "1e-400"));
        assertRejectedPush("INVALID_QUOTE", "quotes[0].price", quote("ETH", "coinbase", "0.0000000000000000001"));
        assertRejectedPush("INVALID_QUOTE", "quotes[0].observed_at_unix_ms", IndexQuote.newBuilder()
                .setAsset("ETH").setSource("coinbase").setPrice("3400").setObservedAtUnixMs(future).build());
        assertRejectedPush("INVALID_QUOTE", "quotes[0].asset", quote("eth", "coinbase", "3400"));
        assertRejectedPush("INVALID_QUOTE", "quotes[0].asset", quote("ETH-PERPETUAL", "coinbase", "3400"));
        assertRejectedPush("INVALID_QUOTE", "quotes[0].asset", quote("", "coinbase", "3400"));
        assertRejectedPush("INVALID_QUOTE", "quotes[0].source", quote("ETH", "", "3400"));
        assertRejectedPush("INVALID_QUOTE", "quotes[0].source", quote("ETH", "   ", "3400"));
        assertRejectedPush("INVALID_QUOTE", "quotes");
        // One bad quote of two: the good one is not applied either.
        assertRejectedPush("INVALID_QUOTE", "quotes[1].price", quote("ETH", "coinbase", "3500"), quote("ETH", "kraken", "abc"));
        // Every bad quote is named.
        assertRejectedPush("INVALID_QUOTE", List.of("quotes[0].source", "quotes[1].price"),
                quote("ETH", "", "3500"), quote("BTC", "kraken", "-5"));

        assertThat(index("ETH")).isEqualTo(before);
        assertThat(storedQuotes()).isEqualTo(quotesBefore);
        assertThat(catchStatus(() -> index("XRP")).getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
    }

    // ---- bad input: GetIndexPrices, GetMarks, WatchMarks ----

    @Test
    void badAssetNamesInGetIndexPricesAreInvalid() {
        assertInvalid(() -> stub().getIndexPrices(GetIndexPricesRequest.newBuilder().addAssets("eth").build()),
                "UNKNOWN_INSTRUMENT", "assets[0]");
        assertInvalid(() -> stub().getIndexPrices(GetIndexPricesRequest.newBuilder().addAssets("ETH").addAssets("ETH-PERPETUAL").build()),
                "UNKNOWN_INSTRUMENT", "assets[1]");
        assertInvalid(() -> stub().getIndexPrices(GetIndexPricesRequest.newBuilder().addAssets("").build()),
                "UNKNOWN_INSTRUMENT", "assets[0]");
    }

    @Test
    void unknownInstrumentNamesInGetMarksAreInvalid() {
        push(quote("ETH", "coinbase", "3000"));
        for (String bad : List.of("", "eth-perpetual", "ETH-FOO", "ETH-31FEB27-3000-C", "ETH-27DEC26-3000-X",
                "ETH-27DEC26-0-C", "ETH-27DEC26-abc-C", "ETH-27DEC26-3000-C-X", "E")) {
            assertInvalid(() -> marks("ETH-PERPETUAL", bad), "UNKNOWN_INSTRUMENT", "instruments[1]");
        }
        assertInvalid(() -> marks(), "UNKNOWN_INSTRUMENT", "instruments");
        StatusRuntimeException both = assertInvalid(() -> marks("nope", "ETH", "ETH-99ZZZ99"), "UNKNOWN_INSTRUMENT",
                "instruments[0]", "instruments[2]");
        assertThat(both.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    }

    @Test
    void badWatchMarksRequestsFailTheStreamWithInvalidArgument() {
        assertInvalid(() -> stub().watchMarks(WatchMarksRequest.getDefaultInstance()).hasNext(),
                "UNKNOWN_INSTRUMENT", "instruments");
        assertInvalid(() -> stub().watchMarks(WatchMarksRequest.newBuilder().addInstruments("ETH-PERPETUAL")
                .addInstruments("ETH-NOPE").build()).hasNext(), "UNKNOWN_INSTRUMENT", "instruments[1]");
    }

    // ---- bad input: PriceOptions ----

    @Test
    void badOptionInputsAreInvalid() {
        long valuation = Instant.parse("2030-01-01T00:00:00Z").toEpochMilli();
        assertInvalid(() -> stub().priceOptions(PriceOptionsRequest.getDefaultInstance()), "UNKNOWN_INSTRUMENT", "options");
        assertInvalid(() -> stub().priceOptions(PriceOptionsRequest.newBuilder()
                .addOptions(option("ETH-27DEC30-3000-C", 3000, -0.5, valuation)).build()),
                "UNKNOWN_INSTRUMENT", "options[0].volatility");
        assertInvalid(() -> stub().priceOptions(PriceOptionsRequest.newBuilder()
                .addOptions(option("ETH-27DEC30-3000-C", 3000, 0.0, valuation)).build()),
                "UNKNOWN_INSTRUMENT", "options[0].volatility");
        assertInvalid(() -> stub().priceOptions(PriceOptionsRequest.newBuilder()
                .addOptions(option("ETH-27DEC30-3000-C", -3000, 0.5, valuation)).build()),
                "UNKNOWN_INSTRUMENT", "options[0].forward");
        assertInvalid(() -> stub().priceOptions(PriceOptionsRequest.newBuilder()
                .addOptions(option("ETH-27DEC30-3000-C", Double.NaN, 0.5, valuation)).build()),
                "UNKNOWN_INSTRUMENT", "options[0].forward");
        assertInvalid(() -> stub().priceOptions(PriceOptionsRequest.newBuilder()
                .addOptions(option("ETH-27DEC30-3000-C", 3000, 0.5, valuation))
                .addOptions(option("ETH-PERPETUAL", 3000, 0.5, valuation)).build()),
                "UNKNOWN_INSTRUMENT", "options[1].instrument");
        assertInvalid(() -> stub().priceOptions(PriceOptionsRequest.newBuilder()
                .addOptions(option("ETH-27DEC30-3000-Q", 3000, 0.5, valuation))
                .addOptions(option("ETH-27DEC30-3000-C", 3000, -0.1, valuation)).build()),
                "UNKNOWN_INSTRUMENT", "options[0].instrument", "options[1].volatility");
    }

    // ---- bad input: RevalueBook ----

    @Test
    void badBooksAndScenariosAreInvalid() {
        push(quote("ETH", "coinbase", "3000"));
        Scenario ok = scenario("ok", "ETH", -0.1);
        assertInvalid(() -> revalue(List.of(), List.of(ok)), "INVALID_SCENARIO", "positions");
        assertInvalid(() -> revalue(List.of(position("ETH-PERPETUAL", "1")), List.of(scenario("", "ETH", -0.1))),
                "INVALID_SCENARIO", "scenarios[0].scenario_id");
        assertInvalid(() -> revalue(List.of(position("ETH-PERPETUAL", "1")), List.of(ok, scenario("ok", "ETH", 0.1))),
                "INVALID_SCENARIO", "scenarios[1].scenario_id");
        assertInvalid(() -> revalue(List.of(position("ETH-PERPETUAL", "1")), List.of(scenario("wipeout", "ETH", -1.0))),
                "INVALID_SCENARIO", "scenarios[0].spot_shocks[0].relative_move");
        assertInvalid(() -> revalue(List.of(position("ETH-PERPETUAL", "1")), List.of(scenario("below", "ETH", -1.5))),
                "INVALID_SCENARIO", "scenarios[0].spot_shocks[0].relative_move");
        assertInvalid(() -> revalue(List.of(position("ETH-PERPETUAL", "1")), List.of(scenario("nan", "ETH", Double.NaN))),
                "INVALID_SCENARIO", "scenarios[0].spot_shocks[0].relative_move");
        assertInvalid(() -> revalue(List.of(position("ETH-PERPETUAL", "1")), List.of(scenario("lower", "eth", -0.1))),
                "INVALID_SCENARIO", "scenarios[0].spot_shocks[0].underlying");
        assertInvalid(() -> revalue(List.of(position("ETH-PERPETUAL", "1")), List.of(scenario("none", "", -0.1))),
                "INVALID_SCENARIO", "scenarios[0].spot_shocks[0].underlying");
        assertInvalid(() -> revalue(List.of(position("ETH-PERPETUAL", "1"), position("ETH-PERP", "1")), List.of(ok)),
                "UNKNOWN_INSTRUMENT", "positions[1].instrument");
        assertInvalid(() -> revalue(List.of(position("ETH-PERPETUAL", "one")), List.of(ok)),
                "INVALID_SCENARIO", "positions[0].quantity");
        assertInvalid(() -> revalue(List.of(position("ETH-PERPETUAL", "")), List.of(ok)),
                "INVALID_SCENARIO", "positions[0].quantity");
    }

    // ---- helpers ----

    /** Every stored source quote, as asset/source/price/observed_at, in a stable order. */
    List<String> storedQuotes() throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
             ResultSet rs = c.createStatement().executeQuery(
                     "SELECT asset, source, price, observed_at FROM index_quote ORDER BY asset, source")) {
            while (rs.next()) {
                rows.add(rs.getString(1) + "/" + rs.getString(2) + "/" + rs.getBigDecimal(3).toPlainString() + "/" + rs.getTimestamp(4).toInstant());
            }
        }
        return rows;
    }

    static PricingServiceGrpc.PricingServiceBlockingStub stub() {
        return PricingServiceGrpc.newBlockingStub(channel()).withDeadlineAfter(CALL_DEADLINE_S, TimeUnit.SECONDS);
    }

    static IndexQuote quote(String asset, String source, String price) {
        return IndexQuote.newBuilder().setAsset(asset).setSource(source).setPrice(price).build();
    }

    static PushIndexPricesResponse push(IndexQuote... quotes) {
        return stub().pushIndexPrices(PushIndexPricesRequest.newBuilder().addAllQuotes(List.of(quotes)).build());
    }

    static IndexPrice index(String asset) {
        List<IndexPrice> indices = stub().getIndexPrices(GetIndexPricesRequest.newBuilder().addAssets(asset).build()).getIndicesList();
        assertThat(indices).hasSize(1);
        // age_ms moves with the clock; everything else must be identical between two reads.
        return indices.get(0).toBuilder().clearAgeMs().build();
    }

    static List<Mark> marks(String... instruments) {
        return stub().getMarks(GetMarksRequest.newBuilder().addAllInstruments(List.of(instruments)).build()).getMarksList();
    }

    static OptionPricingInput option(String instrument, double forward, double vol, long valuationMs) {
        return OptionPricingInput.newBuilder().setInstrument(instrument).setForward(forward).setVolatility(vol)
                .setValuationTimeUnixMs(valuationMs).build();
    }

    static BookPosition position(String instrument, String quantity) {
        return BookPosition.newBuilder().setInstrument(instrument).setQuantity(quantity).build();
    }

    static Scenario scenario(String id, String underlying, double move) {
        return Scenario.newBuilder().setScenarioId(id)
                .addSpotShocks(SpotShock.newBuilder().setUnderlying(underlying).setRelativeMove(move)).build();
    }

    static RevalueBookResponse revalue(List<BookPosition> positions, List<Scenario> scenarios) {
        return stub().revalueBook(RevalueBookRequest.newBuilder().addAllPositions(positions).addAllScenarios(scenarios).build());
    }

    static void assertRejectedPush(String reason, String field, IndexQuote... quotes) {
        assertRejectedPush(reason, List.of(field), quotes);
    }

    static void assertRejectedPush(String reason, List<String> fields, IndexQuote... quotes) {
        assertInvalid(() -> push(quotes), reason, fields.toArray(String[]::new));
    }

    /** The call fails INVALID_ARGUMENT with this reason and exactly these BadRequest fields. */
    static StatusRuntimeException assertInvalid(Executable call, String reason, String... fields) {
        StatusRuntimeException e = catchStatus(call);
        assertThat(e.getStatus().getCode()).as("status of %s", e).isEqualTo(Status.Code.INVALID_ARGUMENT);
        ErrorInfo info = detail(e, ErrorInfo.class);
        assertThat(info.getReason()).as("reason of %s", e).isEqualTo(reason);
        assertThat(info.getDomain()).isEqualTo(DOMAIN);
        BadRequest badRequest = detail(e, BadRequest.class);
        assertThat(badRequest.getFieldViolationsList()).as("violations of %s", e)
                .extracting(BadRequest.FieldViolation::getField).containsExactly(fields);
        assertThat(badRequest.getFieldViolationsList()).allSatisfy(v -> assertThat(v.getDescription()).isNotBlank());
        return e;
    }

    static StatusRuntimeException catchStatus(Executable call) {
        try {
            call.execute();
        } catch (StatusRuntimeException e) {
            return e;
        } catch (Throwable t) {
            return fail("expected a gRPC status, got " + t, t);
        }
        return fail("expected a gRPC error");
    }

    static <T extends Message> T detail(StatusRuntimeException e, Class<T> type) {
        com.google.rpc.Status status = StatusProto.fromThrowable(e);
        assertThat(status).as("status details of " + e).isNotNull();
        return status.getDetailsList().stream().filter(d -> d.is(type)).findFirst().map(d -> {
            try {
                return d.unpack(type);
            } catch (InvalidProtocolBufferException x) {
                throw new IllegalStateException(x);
            }
        }).orElseThrow(() -> new AssertionError("no " + type.getSimpleName() + " in " + status));
    }

    static String expiryCode(LocalDate date) {
        return date.getDayOfMonth() + MONTHS[date.getMonthValue() - 1] + String.format(Locale.ROOT, "%02d", date.getYear() % 100);
    }

    /** Deribit expiries are at 08:00 UTC. */
    static Instant expiryOf(LocalDate date) {
        return date.atTime(8, 0).toInstant(ZoneOffset.UTC);
    }

    static double years(long nowMs, Instant expiry) {
        return Duration.between(Instant.ofEpochMilli(nowMs), expiry).toMillis() / MILLIS_PER_YEAR;
    }

    /**
     * The vol of the bootstrap surface at ln(K/F), from its definition: one SVI slice of one year
     * centred at the money, a = atm^2 - b sigma (application.properties), flat in time.
     */
    static double bootstrapVol(double atmVol, double strike, double forward) {
        double k = Math.log(strike / forward);
        double a = atmVol * atmVol - BOOTSTRAP_B * BOOTSTRAP_SIGMA;
        return Math.sqrt(a + BOOTSTRAP_B * (BOOTSTRAP_RHO * k + Math.sqrt(k * k + BOOTSTRAP_SIGMA * BOOTSTRAP_SIGMA)));
    }

    static Watch<WatchMarksResponse> watch(String... instruments) {
        Watch<WatchMarksResponse> watch = new Watch<>();
        PricingServiceGrpc.newStub(channel()).watchMarks(
                WatchMarksRequest.newBuilder().addAllInstruments(List.of(instruments)).build(), watch);
        return watch;
    }

    /** An open server stream whose items land in a queue; closing it cancels the call. */
    static final class Watch<T> implements ClientResponseObserver<Object, T>, AutoCloseable {
        private final BlockingQueue<Object> events = new LinkedBlockingQueue<>();
        private volatile ClientCallStreamObserver<Object> call;

        @Override
        public void beforeStart(ClientCallStreamObserver<Object> requestStream) {
            call = requestStream;
        }

        @Override
        public void onNext(T value) {
            events.add(new Item<>(value));
        }

        @Override
        public void onError(Throwable t) {
            events.add(t);
        }

        @Override
        public void onCompleted() {
            events.add("completed");
        }

        T next() throws InterruptedException {
            return next(STREAM_PATIENCE_MS);
        }

        @SuppressWarnings("unchecked")
        T next(long patienceMs) throws InterruptedException {
            Object event = events.poll(patienceMs, TimeUnit.MILLISECONDS);
            if (event instanceof Item<?> item) {
                return (T) item.value();
            }
            if (event instanceof Throwable t) {
                return fail("the stream failed", t);
            }
            return fail("expected an item within " + patienceMs + " ms, got " + event);
        }

        /** Nothing arrives within {@code quietMs}. */
        void assertQuiet(long quietMs) throws InterruptedException {
            Object event = events.poll(quietMs, TimeUnit.MILLISECONDS);
            assertThat(event).as("nothing more on the stream").isNull();
        }

        @Override
        public void close() {
            if (call != null) {
                call.cancel("test done", null);
            }
        }

        private record Item<T>(T value) {
        }
    }
}
