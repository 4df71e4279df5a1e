package dev.crosschain.pricing.grpc;

import dev.crosschain.pricing.app.MarketData;
import dev.crosschain.pricing.app.Surfaces;
import dev.crosschain.pricing.domain.BookPosition;
import dev.crosschain.pricing.domain.BookRevaluer;
import dev.crosschain.pricing.domain.BookValuation;
import dev.crosschain.pricing.domain.ImpliedVolatility;
import dev.crosschain.pricing.domain.IndexLevel;
import dev.crosschain.pricing.domain.Instrument;
import dev.crosschain.pricing.domain.InvalidInputException;
import dev.crosschain.pricing.domain.MarkCalculator;
import dev.crosschain.pricing.domain.MarketSnapshot;
import dev.crosschain.pricing.domain.OptionGreeks;
import dev.crosschain.pricing.domain.PriceOutOfBoundsException;
import dev.crosschain.pricing.domain.Scenario;
import dev.crosschain.pricing.domain.Violation;
import dev.crosschain.pricing.domain.VolSurface;
import dev.crosschain.pricing.domain.VolUsed;
import dev.crosschain.proto.pricing.v1.GetIndexPricesRequest;
import dev.crosschain.proto.pricing.v1.GetIndexPricesResponse;
import dev.crosschain.proto.pricing.v1.GetMarksRequest;
import dev.crosschain.proto.pricing.v1.GetMarksResponse;
import dev.crosschain.proto.pricing.v1.GetVolSurfaceRequest;
import dev.crosschain.proto.pricing.v1.GetVolSurfaceResponse;
import dev.crosschain.proto.pricing.v1.ImpliedVolatilitiesRequest;
import dev.crosschain.proto.pricing.v1.ImpliedVolatilitiesResponse;
import dev.crosschain.proto.pricing.v1.ImpliedVolatilityInput;
import dev.crosschain.proto.pricing.v1.ImpliedVolatilityResult;
import dev.crosschain.proto.pricing.v1.OptionPrice;
import dev.crosschain.proto.pricing.v1.OptionPricingInput;
import dev.crosschain.proto.pricing.v1.OptionQuote;
import dev.crosschain.proto.pricing.v1.PriceOptionsRequest;
import dev.crosschain.proto.pricing.v1.PriceOptionsResponse;
import dev.crosschain.proto.pricing.v1.PricingService;
import dev.crosschain.proto.pricing.v1.PushIndexPricesRequest;
import dev.crosschain.proto.pricing.v1.PushIndexPricesResponse;
import dev.crosschain.proto.pricing.v1.PushOptionQuotesRequest;
import dev.crosschain.proto.pricing.v1.PushOptionQuotesResponse;
import dev.crosschain.proto.pricing.v1.RevalueBookRequest;
import dev.crosschain.proto.pricing.v1.RevalueBookResponse;
import dev.crosschain.proto.pricing.v1.ScenarioValue;
import dev.crosschain.proto.pricing.v1.SpotShock;
import dev.crosschain.proto.pricing.v1.WatchIndexPricesRequest;
import dev.crosschain.proto.pricing.v1.WatchIndexPricesResponse;
import dev.crosschain.proto.pricing.v1.WatchMarksRequest;
import dev.crosschain.proto.pricing.v1.WatchMarksResponse;
import dev.crosschain.proto.pricing.v1.WatchVolSurfacesRequest;
import dev.crosschain.proto.pricing.v1.WatchVolSurfacesResponse;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.Message;
import io.quarkus.grpc.GrpcService;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * gRPC adapter: parses requests into the domain, answers from the use cases. Reads are served
 * from this replica's in-memory market; the batch RPCs run on worker threads (RevalueBook only
 * for a large book), the rest on the event loop, and the watches build their messages on workers
 * ({@link ConflatedStream}).
 */
@GrpcService
public class PricingGrpcService implements PricingService {

    /** Largest batch of PriceOptions, ImpliedVolatilities and GetMarks, and of RevalueBook positions. */
    static final int MAX_BATCH = 10_000;
    static final int MAX_SCENARIOS = 1_000;
    /**
     * Valuation times a caller may ask for: expiry codes name the years 2000 to 2099, so nothing
     * outside can be priced, and far-off instants would overflow the year-fraction arithmetic.
     */
    static final Instant EARLIEST_VALUATION = Instant.parse("2000-01-01T00:00:00Z");
    static final Instant LATEST_VALUATION = Instant.parse("2100-01-01T00:00:00Z");

    private final MarketData marketData;
    private final Surfaces surfaces;

    public PricingGrpcService(MarketData marketData, Surfaces surfaces) {
        this.marketData = marketData;
        this.surfaces = surfaces;
    }

    // ---- index ----

    @Override
    public Uni<PushIndexPricesResponse> pushIndexPrices(PushIndexPricesRequest request) {
        List<MarketData.Quote> quotes = request.getQuotesList().stream()
                .map(q -> new MarketData.Quote(q.getAsset(), q.getSource(), q.getPrice(), q.getObservedAtUnixMs()))
                .toList();
        return marketData.push(quotes).map(market -> {
            Set<String> pushed = new TreeSet<>();
            quotes.forEach(q -> pushed.add(q.asset().trim()));
            PushIndexPricesResponse.Builder response = PushIndexPricesResponse.newBuilder();
            pushed.forEach(asset -> response.addIndices(ProtoMapper.index(market.index(asset), market.now())));
            return response.build();
        });
    }

    @Override
    public Uni<GetIndexPricesResponse> getIndexPrices(GetIndexPricesRequest request) {
        List<String> assets = symbols(request.getAssetsList(), "assets");
        MarketSnapshot market = marketData.snapshot();
        if (assets.isEmpty()) {
            assets = new ArrayList<>(new TreeSet<>(market.indices().keySet()));
        }
        GetIndexPricesResponse.Builder response = GetIndexPricesResponse.newBuilder();
        for (String asset : assets) {
            response.addIndices(ProtoMapper.index(market.index(asset), market.now()));
        }
        return Uni.createFrom().item(response.build());
    }

    @Override
    public Multi<WatchIndexPricesResponse> watchIndexPrices(WatchIndexPricesRequest request) {
        List<String> assets = symbols(request.getAssetsList(), "assets");
        Predicate<String> wanted = assets.isEmpty() ? asset -> true : Set.copyOf(assets)::contains;
        Changed<IndexLevel> sent = new Changed<>();
        return watch(wanted, () -> {
            MarketSnapshot market = marketData.snapshot();
            WatchIndexPricesResponse.Builder response = WatchIndexPricesResponse.newBuilder();
            new TreeSet<>(market.indices().keySet()).stream().filter(wanted).forEach(asset -> {
                IndexLevel level = market.index(asset);
                if (sent.isNew(asset, level)) {
                    response.addIndices(ProtoMapper.index(level, market.now()));
                }
            });
            return response.build();
        }, WatchIndexPricesResponse::getIndicesCount);
    }

    // ---- surfaces ----

    @Override
    public Uni<PushOptionQuotesResponse> pushOptionQuotes(PushOptionQuotesRequest request) {
        List<Surfaces.Quote> quotes = request.getQuotesList().stream().map(PricingGrpcService::quote).toList();
        List<Surfaces.Forward> forwards = request.getForwardsList().stream()
                .map(f -> new Surfaces.Forward(f.getExpiry(), f.getForward())).toList();
        return surfaces.push(request.getUnderlying(), request.getQuoteSetId(), quotes, forwards, sha256(request))
                .map(surface -> PushOptionQuotesResponse.newBuilder()
                        .setSurface(ProtoMapper.surface(surface, Instant.now())).build());
    }

    @Override
    public Uni<GetVolSurfaceResponse> getVolSurface(GetVolSurfaceRequest request) {
        String underlying = Instrument.parseAsset(request.getUnderlying(), "underlying");
        return Uni.createFrom().item(GetVolSurfaceResponse.newBuilder()
                .setSurface(ProtoMapper.surface(surfaces.surface(underlying), Instant.now())).build());
    }

    @Override
    public Multi<WatchVolSurfacesResponse> watchVolSurfaces(WatchVolSurfacesRequest request) {
        List<String> underlyings = symbols(request.getUnderlyingsList(), "underlyings");
        Predicate<String> wanted = underlyings.isEmpty() ? u -> true : Set.copyOf(underlyings)::contains;
        Changed<VolSurface> sent = new Changed<>();
        return watch(wanted, () -> {
            MarketSnapshot market = marketData.snapshot();
            WatchVolSurfacesResponse.Builder response = WatchVolSurfacesResponse.newBuilder();
            new TreeSet<>(market.surfaces().keySet()).stream().filter(wanted).forEach(underlying -> {
                VolSurface surface = market.surface(underlying);
                if (sent.isNew(underlying, surface)) {
                    response.addSurfaces(ProtoMapper.surface(surface, market.now()));
                }
            });
            return response.build();
        }, WatchVolSurfacesResponse::getSurfacesCount);
    }

    // ---- marks ----

    @Override
    @Blocking
    public Uni<GetMarksResponse> getMarks(GetMarksRequest request) {
        List<Instrument> instruments = instruments(request.getInstrumentsList());
        return Uni.createFrom().item(GetMarksResponse.newBuilder().addAllMarks(marks(instruments, marketData.snapshot())).build());
    }

    @Override
    public Multi<WatchMarksResponse> watchMarks(WatchMarksRequest request) {
        List<Instrument> instruments = instruments(request.getInstrumentsList());
        Set<String> underlyings = new TreeSet<>();
        instruments.forEach(i -> underlyings.add(i.underlying()));
        // The sweep also announces an index a push already moved: the same marks again say nothing new.
        Changed<WatchMarksResponse> sent = new Changed<>();
        return ConflatedStream.open(marketData.changes(), underlyings::contains, () -> {
            WatchMarksResponse response = WatchMarksResponse.newBuilder().addAllMarks(marks(instruments, marketData.snapshot())).build();
            return sent.isNew("marks", response) ? response : null;
        });
    }

    // ---- option math ----

    @Override
    @Blocking
    public Uni<PriceOptionsResponse> priceOptions(PriceOptionsRequest request) {
        requireBatch("options", request.getOptionsCount(), MAX_BATCH, "UNKNOWN_INSTRUMENT");
        MarketSnapshot market = marketData.snapshot();
        List<Violation> violations = new ArrayList<>();
        PriceOptionsResponse.Builder response = PriceOptionsResponse.newBuilder();
        for (int i = 0; i < request.getOptionsCount(); i++) {
            try {
                response.addPrices(price(request.getOptions(i), "options[" + i + "]", market));
            } catch (InvalidInputException e) {
                violations.addAll(e.violations());
            }
        }
        if (!violations.isEmpty()) {
            throw new InvalidInputException("UNKNOWN_INSTRUMENT", violations);
        }
        return Uni.createFrom().item(response.build());
    }

    @Override
    @Blocking
    public Uni<ImpliedVolatilitiesResponse> impliedVolatilities(ImpliedVolatilitiesRequest request) {
        requireBatch("inputs", request.getInputsCount(), MAX_BATCH, "INVALID_OPTION_QUOTE");
        MarketSnapshot market = marketData.snapshot();
        List<Violation> violations = new ArrayList<>();
        String reason = null;
        ImpliedVolatilitiesResponse.Builder response = ImpliedVolatilitiesResponse.newBuilder();
        for (int i = 0; i < request.getInputsCount(); i++) {
            try {
                response.addResults(impliedVol(request.getInputs(i), "inputs[" + i + "]", market));
            } catch (InvalidInputException e) {
                violations.addAll(e.violations());
                reason = reason == null ? e.reason() : reason;
            }
        }
        if (!violations.isEmpty()) {
            throw new InvalidInputException(reason, violations);
        }
        return Uni.createFrom().item(response.build());
    }

    /**
     * Books up to this much work, in position-scenario pairs (the engine takes about 40 ns a pair,
     * so about a millisecond), are revalued on the event loop that read the call: a margin grid's
     * book of a few hundred positions then costs no hand-over to a worker thread and back, which
     * took more CPU than the parsing. Larger books, up to MAX_BATCH x MAX_SCENARIOS, would hold the
     * event loop and every call queued behind it, so they go to the worker pool.
     */
    static final long MAX_EVENT_LOOP_PAIRS = 25_000;
    /**
     * What a position costs before any scenario, counted in pairs: its name and quantity are read
     * and it is valued at base. Without it a book of 10,000 positions and one scenario counted as
     * 10,000 pairs and stayed on the event loop although the per-position work dominates.
     */
    static final int PAIRS_PER_POSITION = 20;

    /**
     * Most per-position figures (positions x (scenarios + 1) doubles) one RevalueBook answers: 3.2 MB,
     * under the 4 MiB message a gRPC client accepts by default, so a client never gets an answer it
     * cannot read. A margin grid (a few hundred positions x a hundred scenarios) is far below.
     */
    static final long MAX_PER_POSITION_FIGURES = 400_000;

    /** Whether a book is small enough to revalue on the event loop ({@link #MAX_EVENT_LOOP_PAIRS}). */
    static boolean fitsEventLoop(int positions, int scenarios) {
        return (long) positions * (scenarios + PAIRS_PER_POSITION) <= MAX_EVENT_LOOP_PAIRS;
    }

    @Override
    public Uni<RevalueBookResponse> revalueBook(RevalueBookRequest request) {
        requireBatch("positions", request.getPositionsCount(), MAX_BATCH, "INVALID_SCENARIO");
        if (request.getScenariosCount() > MAX_SCENARIOS) {
            throw tooMany("scenarios", request.getScenariosCount(), MAX_SCENARIOS, "INVALID_SCENARIO");
        }
        long perPositionFigures = (long) request.getPositionsCount() * (request.getScenariosCount() + 1);
        if (request.getPerPosition() && perPositionFigures > MAX_PER_POSITION_FIGURES) {
            throw new InvalidInputException("INVALID_SCENARIO", "per_position", "positions x (scenarios + 1) is "
                    + perPositionFigures + ", at most " + MAX_PER_POSITION_FIGURES + " per-position figures per call: split the book");
        }
        if (fitsEventLoop(request.getPositionsCount(), request.getScenariosCount())) {
            return Uni.createFrom().item(revalue(request));
        }
        return Uni.createFrom().item(() -> revalue(request)).runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    }

    private RevalueBookResponse revalue(RevalueBookRequest request) {
        List<Violation> violations = new ArrayList<>();
        // The reason of the first problem found: UNKNOWN_INSTRUMENT for a name that does not parse,
        // INVALID_SCENARIO for everything else.
        String reason = null;
        List<BookPosition> book = new ArrayList<>(request.getPositionsCount());
        for (int i = 0; i < request.getPositionsCount(); i++) {
            int at = i;
            dev.crosschain.proto.pricing.v1.BookPosition position = request.getPositions(i);
            try {
                Instrument instrument = InstrumentNames.parse(position.getInstrument(), () -> "positions[" + at + "].instrument");
                double quantity = InstrumentNames.quantity(position.getQuantity(), () -> "positions[" + at + "].quantity", "INVALID_SCENARIO");
                book.add(new BookPosition(instrument, quantity));
            } catch (InvalidInputException e) {
                violations.addAll(e.violations());
                reason = reason == null ? e.reason() : reason;
            }
        }
        List<Scenario> scenarios = new ArrayList<>(request.getScenariosCount());
        Set<String> ids = new HashSet<>();
        for (int s = 0; s < request.getScenariosCount(); s++) {
            var proto = request.getScenarios(s);
            // Field paths are built only for a violation: 35 scenarios built four each on every call.
            int scenarioIndex = s;
            Supplier<String> scenarioAt = () -> "scenarios[" + scenarioIndex + "]";
            if (proto.getScenarioId().isBlank()) {
                violations.add(new Violation(scenarioAt.get() + ".scenario_id", "scenario_id is required"));
            } else if (!ids.add(proto.getScenarioId())) {
                violations.add(new Violation(scenarioAt.get() + ".scenario_id", "duplicate scenario_id " + proto.getScenarioId()));
            }
            Map<String, Double> moves = new HashMap<>();
            for (int k = 0; k < proto.getSpotShocksCount(); k++) {
                SpotShock shock = proto.getSpotShocks(k);
                int shockIndex = k;
                Supplier<String> shockAt = () -> scenarioAt.get() + ".spot_shocks[" + shockIndex + "]";
                // A shock of a misspelt underlying ("eth") would silently shock nothing; kept under
                // its canonical symbol (" ETH" is ETH) so it shocks what it names.
                String underlying = null;
                try {
                    underlying = InstrumentNames.asset(shock.getUnderlying(), () -> shockAt.get() + ".underlying");
                } catch (InvalidInputException e) {
                    violations.addAll(e.violations());
                }
                if (!Double.isFinite(shock.getRelativeMove()) || shock.getRelativeMove() <= -1.0) {
                    violations.add(new Violation(shockAt.get() + ".relative_move", "must be finite and greater than -1"));
                }
                if (underlying != null && moves.putIfAbsent(underlying, shock.getRelativeMove()) != null) {
                    violations.add(new Violation(shockAt.get() + ".underlying", "a second shock of " + underlying
                            + " in one scenario: which one applies would be a guess"));
                }
            }
            if (!Double.isFinite(proto.getVolShift()) || !Double.isFinite(proto.getSkewShift())) {
                violations.add(new Violation(scenarioAt.get(), "vol_shift and skew_shift must be finite"));
            }
            Scenario.TenorScaling tenorScaling = tenorScaling(proto, scenarioAt, violations);
            scenarios.add(new Scenario(proto.getScenarioId(), moves, proto.getVolShift(), proto.getSkewShift(), tenorScaling));
        }
        if (!violations.isEmpty()) {
            throw new InvalidInputException(reason == null ? "INVALID_SCENARIO" : reason, violations);
        }
        boolean perPosition = request.getPerPosition();
        BookValuation valuation = BookRevaluer.DEFAULT.revalue(book, scenarios, marketData.snapshot(), perPosition);
        RevalueBookResponse.Builder response = RevalueBookResponse.newBuilder()
                .setBaseValueUsd(valuation.baseValue()).setStale(valuation.stale());
        double[] positionBase = valuation.positionBaseValues();
        for (double value : positionBase) {
            response.addPositionBaseValuesUsd(value);
        }
        for (int s = 0; s < scenarios.size(); s++) {
            double value = valuation.scenarioValues()[s];
            ScenarioValue.Builder scenarioValue = ScenarioValue.newBuilder().setScenarioId(scenarios.get(s).id())
                    .setValueUsd(value).setPnlUsd(value - valuation.baseValue());
            if (perPosition) {
                for (int p = 0; p < positionBase.length; p++) {
                    scenarioValue.addPositionPnlUsd(valuation.positionScenarioValues()[p][s] - positionBase[p]);
                }
            }
            response.addValues(scenarioValue);
        }
        return response.build();
    }

    /**
     * A scenario's tenor scaling of its vol shift; each of its three numbers must be finite and not
     * negative, else a violation on that field and {@link Scenario.TenorScaling#NONE} (the call fails).
     */
    private static Scenario.TenorScaling tenorScaling(dev.crosschain.proto.pricing.v1.Scenario proto, Supplier<String> at,
                                                      List<Violation> violations) {
        int before = violations.size();
        requireNotNegative(proto.getVolShiftReferenceDays(), at, ".vol_shift_reference_days", violations);
        requireNotNegative(proto.getVolShiftTenorPower(), at, ".vol_shift_tenor_power", violations);
        requireNotNegative(proto.getVolShiftMaxScale(), at, ".vol_shift_max_scale", violations);
        if (violations.size() > before) {
            return Scenario.TenorScaling.NONE;
        }
        return new Scenario.TenorScaling(proto.getVolShiftReferenceDays(), proto.getVolShiftTenorPower(),
                proto.getVolShiftMaxScale());
    }

    private static void requireNotNegative(double value, Supplier<String> at, String field, List<Violation> violations) {
        if (!(Double.isFinite(value) && value >= 0)) {
            violations.add(new Violation(at.get() + field, "must be finite and not negative, got " + value));
        }
    }

    // ---- helpers ----

    private static OptionPrice price(OptionPricingInput input, String at, MarketSnapshot market) {
        Instrument.Option option = option(input.getInstrument(), at + ".instrument", "UNKNOWN_INSTRUMENT");
        List<Violation> violations = new ArrayList<>();
        if (input.hasForward() && !(input.getForward() > 0 && Double.isFinite(input.getForward()))) {
            violations.add(new Violation(at + ".forward", "must be positive"));
        }
        if (input.hasVolatility() && !(input.getVolatility() > 0 && Double.isFinite(input.getVolatility()))) {
            violations.add(new Violation(at + ".volatility", "must be positive"));
        }
        if (!violations.isEmpty()) {
            throw new InvalidInputException("UNKNOWN_INSTRUMENT", violations);
        }
        Instant now = valuationTime(input.getValuationTimeUnixMs(), at, "UNKNOWN_INSTRUMENT", market);
        double forward = input.hasForward() ? input.getForward() : market.forward(option.underlying(), option.expiry(), now);
        VolUsed vol = input.hasVolatility() ? VolUsed.override(input.getVolatility()) : market.surfaceVol(option, forward, now);
        OptionGreeks greeks = MarkCalculator.DEFAULT.optionGreeks(option, forward, vol.vol(), now, market.rate());
        return OptionPrice.newBuilder().setInstrument(option.name()).setPrice(greeks.price())
                .setGreeks(ProtoMapper.greeks(greeks)).setForward(forward).setVolatility(vol.vol())
                .setTimeToExpiryYears(MarkCalculator.yearsUntil(option.expiry(), now))
                .setStale(!input.hasForward() && market.isStale(option.underlying()))
                .setVolSource(ProtoMapper.volSource(vol.source())).build();
    }

    private static ImpliedVolatilityResult impliedVol(ImpliedVolatilityInput input, String at, MarketSnapshot market) {
        Instrument.Option option = option(input.getInstrument(), at + ".instrument", "UNKNOWN_INSTRUMENT");
        List<Violation> violations = new ArrayList<>();
        if (input.hasForward() && !(input.getForward() > 0 && Double.isFinite(input.getForward()))) {
            violations.add(new Violation(at + ".forward", "must be a finite positive price"));
        }
        if (!Double.isFinite(input.getPrice())) {
            violations.add(new Violation(at + ".price", "must be finite, got " + input.getPrice()));
        }
        Instant now = valuationTime(input.getValuationTimeUnixMs(), at, "INVALID_OPTION_QUOTE", market);
        double years = MarkCalculator.yearsUntil(option.expiry(), now);
        if (!(years > 0)) {
            violations.add(new Violation(at + ".valuation_time_unix_ms", option.name() + " has expired by then: no vol exists"));
        }
        if (!violations.isEmpty()) {
            throw new InvalidInputException("INVALID_OPTION_QUOTE", violations);
        }
        double forward = input.hasForward() ? input.getForward() : market.forward(option.underlying(), option.expiry(), now);
        double vol;
        try {
            vol = ImpliedVolatility.DEFAULT.solve(option.type(), forward, option.strike().doubleValue(), years, input.getPrice());
        } catch (PriceOutOfBoundsException e) {
            throw new InvalidInputException("PRICE_OUT_OF_BOUNDS", at + ".price", "price " + e.price()
                    + " is outside the no-arbitrage bounds (" + e.lower() + ", " + e.upper() + ") at forward " + forward);
        } catch (InvalidInputException e) {
            // The solver names its own arguments; the caller needs the request fields they came from.
            throw new InvalidInputException(e.reason(), e.violations().stream().map(v -> new Violation(
                    at + "." + SOLVER_ARGUMENT_FIELDS.getOrDefault(v.field(), v.field()), v.description())).toList());
        }
        return ImpliedVolatilityResult.newBuilder().setInstrument(option.name()).setImpliedVol(vol).setForward(forward)
                .setTimeToExpiryYears(years).setStale(!input.hasForward() && market.isStale(option.underlying())).build();
    }

    private static Instrument.Option option(String name, String field, String reason) {
        Instrument instrument = InstrumentNames.parse(name, field);
        if (!(instrument instanceof Instrument.Option option)) {
            throw new InvalidInputException(reason, field, "not an option: " + name);
        }
        return option;
    }

    /** Request field, under the input, that each argument of {@link ImpliedVolatility#solve} comes from. */
    private static final Map<String, String> SOLVER_ARGUMENT_FIELDS = Map.of(
            "strike", "instrument", "forward", "forward", "years", "valuation_time_unix_ms", "price", "price");

    private static Instant valuationTime(long unixMs, String at, String reason, MarketSnapshot market) {
        if (unixMs == 0) {
            return market.now();
        }
        Instant time = Instant.ofEpochMilli(unixMs);
        if (time.isBefore(EARLIEST_VALUATION) || !time.isBefore(LATEST_VALUATION)) {
            throw new InvalidInputException(reason, at + ".valuation_time_unix_ms", "must be 0 (now) or from "
                    + EARLIEST_VALUATION + " to before " + LATEST_VALUATION + ", got " + unixMs);
        }
        return time;
    }

    /**
     * SHA-256 of the request's bytes in deterministic serialization: the same message always
     * gives the same bytes here, so a replay of a quote set hashes alike and any change does not.
     */
    static byte[] sha256(Message request) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(request.getSerializedSize());
            CodedOutputStream out = CodedOutputStream.newInstance(bytes);
            out.useDeterministicSerialization();
            request.writeTo(out);
            out.flush();
            return MessageDigest.getInstance("SHA-256").digest(bytes.toByteArray());
        } catch (IOException | NoSuchAlgorithmException e) {
            throw new IllegalStateException("hashing a request in memory cannot fail", e);
        }
    }

    private static Surfaces.Quote quote(OptionQuote q) {
        return new Surfaces.Quote(q.getInstrument(),
                q.hasBidVol() ? q.getBidVol() : null, q.hasAskVol() ? q.getAskVol() : null,
                q.hasBidPrice() ? q.getBidPrice() : null, q.hasAskPrice() ? q.getAskPrice() : null);
    }

    private static void requireBatch(String field, int count, int max, String reason) {
        if (count == 0) {
            throw new InvalidInputException(reason, field, "at least one is required");
        }
        if (count > max) {
            throw tooMany(field, count, max, reason);
        }
    }

    private static InvalidInputException tooMany(String field, int count, int max, String reason) {
        return new InvalidInputException(reason, field, "at most " + max + " per call, got " + count + ": split the batch");
    }

    /** Asset symbols of a request, each checked; empty means all. */
    private static List<String> symbols(List<String> names, String field) {
        List<Violation> violations = new ArrayList<>();
        List<String> symbols = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            try {
                symbols.add(Instrument.parseAsset(names.get(i), field + "[" + i + "]"));
            } catch (InvalidInputException e) {
                violations.addAll(e.violations());
            }
        }
        if (!violations.isEmpty()) {
            throw new InvalidInputException("UNKNOWN_INSTRUMENT", violations);
        }
        return symbols;
    }

    private static List<Instrument> instruments(List<String> names) {
        requireBatch("instruments", names.size(), MAX_BATCH, "UNKNOWN_INSTRUMENT");
        List<Violation> violations = new ArrayList<>();
        List<Instrument> instruments = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            try {
                instruments.add(InstrumentNames.parse(names.get(i), "instruments[" + i + "]"));
            } catch (InvalidInputException e) {
                violations.addAll(e.violations());
            }
        }
        if (!violations.isEmpty()) {
            throw new InvalidInputException("UNKNOWN_INSTRUMENT", violations);
        }
        return instruments;
    }

    private static List<dev.crosschain.proto.pricing.v1.Mark> marks(List<Instrument> instruments, MarketSnapshot market) {
        return instruments.stream().map(i -> ProtoMapper.mark(MarkCalculator.DEFAULT.mark(i, market), market.now())).toList();
    }

    /** A conflated watch: the current state first, later only what the watcher has not seen yet. */
    private <R> Multi<R> watch(Predicate<String> wanted, Supplier<R> read, Function<R, Integer> size) {
        // Only the stream's drain touches it, one pass at a time.
        boolean[] first = {true};
        return ConflatedStream.open(marketData.changes(), wanted, () -> {
            R response = read.get();
            boolean send = first[0] || size.apply(response) > 0;
            first[0] = false;
            return send ? response : null;
        });
    }

    /** What one stream last sent of each symbol. */
    private static final class Changed<T> {
        private final Map<String, T> sent = new HashMap<>();

        boolean isNew(String symbol, T value) {
            return !value.equals(sent.put(symbol, value));
        }
    }
}
