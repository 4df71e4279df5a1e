package dev.crosschain.pricing.grpc;

import dev.crosschain.pricing.app.MarketData;
import dev.crosschain.pricing.domain.BookPosition;
import dev.crosschain.pricing.domain.BookRevaluer;
import dev.crosschain.pricing.domain.BookValuation;
import dev.crosschain.pricing.domain.Decimals;
import dev.crosschain.pricing.domain.Instrument;
import dev.crosschain.pricing.domain.InvalidInputException;
import dev.crosschain.pricing.domain.MarkCalculator;
import dev.crosschain.pricing.domain.MarketSnapshot;
import dev.crosschain.pricing.domain.OptionGreeks;
import dev.crosschain.pricing.domain.Scenario;
import dev.crosschain.pricing.domain.Violation;
import dev.crosschain.proto.pricing.v1.GetIndexPricesRequest;
import dev.crosschain.proto.pricing.v1.GetIndexPricesResponse;
import dev.crosschain.proto.pricing.v1.GetMarksRequest;
import dev.crosschain.proto.pricing.v1.GetMarksResponse;
import dev.crosschain.proto.pricing.v1.OptionPrice;
import dev.crosschain.proto.pricing.v1.OptionPricingInput;
import dev.crosschain.proto.pricing.v1.PriceOptionsRequest;
import dev.crosschain.proto.pricing.v1.PriceOptionsResponse;
import dev.crosschain.proto.pricing.v1.PricingService;
import dev.crosschain.proto.pricing.v1.PushIndexPricesRequest;
import dev.crosschain.proto.pricing.v1.PushIndexPricesResponse;
import dev.crosschain.proto.pricing.v1.RevalueBookRequest;
import dev.crosschain.proto.pricing.v1.RevalueBookResponse;
import dev.crosschain.proto.pricing.v1.ScenarioValue;
import dev.crosschain.proto.pricing.v1.SpotShock;
import dev.crosschain.proto.pricing.v1.WatchMarksRequest;
import dev.crosschain.proto.pricing.v1.WatchMarksResponse;
import io.quarkus.grpc.GrpcService;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** gRPC adapter: parses requests into the domain, answers from the use cases. */
@GrpcService
public class PricingGrpcService implements PricingService {

    private final MarketData marketData;

    public PricingGrpcService(MarketData marketData) {
        this.marketData = marketData;
    }

    @Override
    @Blocking
    public Uni<PushIndexPricesResponse> pushIndexPrices(PushIndexPricesRequest request) {
        List<MarketData.Quote> quotes = request.getQuotesList().stream()
                .map(q -> new MarketData.Quote(q.getAsset(), q.getSource(), q.getPrice(), q.getObservedAtUnixMs()))
                .toList();
        MarketSnapshot market = marketData.push(quotes);
        Set<String> pushed = new TreeSet<>();
        quotes.forEach(q -> pushed.add(q.asset().trim()));
        PushIndexPricesResponse.Builder response = PushIndexPricesResponse.newBuilder();
        pushed.forEach(asset -> response.addIndices(ProtoMapper.index(market.index(asset), market.isStale(asset), market.now())));
        return Uni.createFrom().item(response.build());
    }

    @Override
    @Blocking
    public Uni<GetIndexPricesResponse> getIndexPrices(GetIndexPricesRequest request) {
        MarketSnapshot market = marketData.snapshot();
        List<String> assets = new ArrayList<>();
        for (int i = 0; i < request.getAssetsCount(); i++) {
            assets.add(Instrument.parseAsset(request.getAssets(i), "assets[" + i + "]"));
        }
        if (assets.isEmpty()) {
            assets.addAll(new TreeSet<>(market.indices().keySet()));
        }
        GetIndexPricesResponse.Builder response = GetIndexPricesResponse.newBuilder();
        for (String asset : assets) {
            response.addIndices(ProtoMapper.index(market.index(asset), market.isStale(asset), market.now()));
        }
        return Uni.createFrom().item(response.build());
    }

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
        Multi<Set<String>> triggers = Multi.createBy().concatenating().streams(
                Multi.createFrom().item(underlyings),
                // A slow watcher must never fail a push: keep only its newest trigger, which re-reads every mark.
                marketData.changes().filter(changed -> changed.stream().anyMatch(underlyings::contains))
                        .onOverflow().dropPreviousItems());
        return triggers.onItem().transformToUniAndConcatenate(changed -> Uni.createFrom()
                .item(() -> WatchMarksResponse.newBuilder().addAllMarks(marks(instruments, marketData.snapshot())).build())
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool()));
    }

    @Override
    @Blocking
    public Uni<PriceOptionsResponse> priceOptions(PriceOptionsRequest request) {
        MarketSnapshot market = marketData.snapshot();
        List<Violation> violations = new ArrayList<>();
        if (request.getOptionsCount() == 0) {
            violations.add(new Violation("options", "at least one option is required"));
        }
        PriceOptionsResponse.Builder response = PriceOptionsResponse.newBuilder();
        for (int i = 0; i < request.getOptionsCount(); i++) {
            OptionPricingInput input = request.getOptions(i);
            String at = "options[" + i + "]";
            try {
                response.addPrices(price(input, at, market));
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
    public Uni<RevalueBookResponse> revalueBook(RevalueBookRequest request) {
        List<Violation> violations = new ArrayList<>();
        // The reason of the first problem found: UNKNOWN_INSTRUMENT for a name that does not parse,
        // INVALID_SCENARIO for everything else.
        String reason = null;
        List<BookPosition> book = new ArrayList<>();
        if (request.getPositionsCount() == 0) {
            violations.add(new Violation("positions", "at least one position is required"));
            reason = "INVALID_SCENARIO";
        }
        for (int i = 0; i < request.getPositionsCount(); i++) {
            String at = "positions[" + i + "]";
            try {
                Instrument instrument = Instrument.parse(request.getPositions(i).getInstrument(), at + ".instrument");
                double quantity = Decimals.parse(request.getPositions(i).getQuantity(), at + ".quantity", "INVALID_SCENARIO").doubleValue();
                book.add(new BookPosition(instrument, quantity));
            } catch (InvalidInputException e) {
                violations.addAll(e.violations());
                reason = reason == null ? e.reason() : reason;
            }
        }
        List<Scenario> scenarios = new ArrayList<>();
        Set<String> ids = new TreeSet<>();
        for (int s = 0; s < request.getScenariosCount(); s++) {
            var proto = request.getScenarios(s);
            String at = "scenarios[" + s + "]";
            if (proto.getScenarioId().isBlank()) {
                violations.add(new Violation(at + ".scenario_id", "scenario_id is required"));
            } else if (!ids.add(proto.getScenarioId())) {
                violations.add(new Violation(at + ".scenario_id", "duplicate scenario_id " + proto.getScenarioId()));
            }
            Map<String, Double> moves = new HashMap<>();
            for (int k = 0; k < proto.getSpotShocksCount(); k++) {
                SpotShock shock = proto.getSpotShocks(k);
                String shockAt = at + ".spot_shocks[" + k + "]";
                // A shock of a misspelt underlying ("eth") would silently shock nothing.
                try {
                    Instrument.parseAsset(shock.getUnderlying(), shockAt + ".underlying");
                } catch (InvalidInputException e) {
                    violations.addAll(e.violations());
                }
                if (!Double.isFinite(shock.getRelativeMove()) || shock.getRelativeMove() <= -1.0) {
                    violations.add(new Violation(shockAt + ".relative_move", "must be finite and greater than -1"));
                }
                moves.put(shock.getUnderlying(), shock.getRelativeMove());
            }
            if (!Double.isFinite(proto.getVolShift()) || !Double.isFinite(proto.getSkewShift())) {
                violations.add(new Violation(at, "vol_shift and skew_shift must be finite"));
            }
            scenarios.add(new Scenario(proto.getScenarioId(), moves, proto.getVolShift(), proto.getSkewShift()));
        }
        if (!violations.isEmpty()) {
            throw new InvalidInputException(reason == null ? "INVALID_SCENARIO" : reason, violations);
        }
        BookValuation valuation = BookRevaluer.DEFAULT.revalue(book, scenarios, marketData.snapshot());
        RevalueBookResponse.Builder response = RevalueBookResponse.newBuilder()
                .setBaseValueUsd(valuation.baseValue()).setStale(valuation.stale());
        for (int s = 0; s < scenarios.size(); s++) {
            double value = valuation.scenarioValues()[s];
            response.addValues(ScenarioValue.newBuilder().setScenarioId(scenarios.get(s).id())
                    .setValueUsd(value).setPnlUsd(value - valuation.baseValue()));
        }
        return Uni.createFrom().item(response.build());
    }

    // Issue 3 API, built next; until then a clear UNIMPLEMENTED rather than a half answer.
    @Override
    public Multi<dev.crosschain.proto.pricing.v1.WatchIndexPricesResponse> watchIndexPrices(
            dev.crosschain.proto.pricing.v1.WatchIndexPricesRequest request) {
        return Multi.createFrom().failure(io.grpc.Status.UNIMPLEMENTED.asRuntimeException());
    }

    @Override
    public Uni<dev.crosschain.proto.pricing.v1.PushOptionQuotesResponse> pushOptionQuotes(
            dev.crosschain.proto.pricing.v1.PushOptionQuotesRequest request) {
        return Uni.createFrom().failure(io.grpc.Status.UNIMPLEMENTED.asRuntimeException());
    }

    @Override
    public Uni<dev.crosschain.proto.pricing.v1.GetVolSurfaceResponse> getVolSurface(
            dev.crosschain.proto.pricing.v1.GetVolSurfaceRequest request) {
        return Uni.createFrom().failure(io.grpc.Status.UNIMPLEMENTED.asRuntimeException());
    }

    @Override
    public Multi<dev.crosschain.proto.pricing.v1.WatchVolSurfacesResponse> watchVolSurfaces(
            dev.crosschain.proto.pricing.v1.WatchVolSurfacesRequest request) {
        return Multi.createFrom().failure(io.grpc.Status.UNIMPLEMENTED.asRuntimeException());
    }

    @Override
    public Uni<dev.crosschain.proto.pricing.v1.ImpliedVolatilitiesResponse> impliedVolatilities(
            dev.crosschain.proto.pricing.v1.ImpliedVolatilitiesRequest request) {
        return Uni.createFrom().failure(io.grpc.Status.UNIMPLEMENTED.asRuntimeException());
    }

    private static OptionPrice price(OptionPricingInput input, String at, MarketSnapshot market) {
        Instrument instrument = Instrument.parse(input.getInstrument(), at + ".instrument");
        if (!(instrument instanceof Instrument.Option option)) {
            throw new InvalidInputException("UNKNOWN_INSTRUMENT", at + ".instrument", "not an option: " + input.getInstrument());
        }
        double forward = input.hasForward() ? input.getForward() : market.index(option.underlying()).price().doubleValue();
        double vol = input.hasVolatility() ? input.getVolatility() : market.vols().of(option.underlying());
        List<Violation> violations = new ArrayList<>();
        if (!(forward > 0) || !Double.isFinite(forward)) {
            violations.add(new Violation(at + ".forward", "must be positive"));
        }
        if (!(vol > 0) || !Double.isFinite(vol)) {
            violations.add(new Violation(at + ".volatility", "must be positive"));
        }
        if (!violations.isEmpty()) {
            throw new InvalidInputException("UNKNOWN_INSTRUMENT", violations);
        }
        Instant now = input.getValuationTimeUnixMs() == 0 ? market.now() : Instant.ofEpochMilli(input.getValuationTimeUnixMs());
        OptionGreeks greeks = MarkCalculator.DEFAULT.optionGreeks(option, forward, vol, now, market.rate());
        return OptionPrice.newBuilder().setInstrument(option.name()).setPrice(greeks.price())
                .setGreeks(ProtoMapper.greeks(greeks)).setForward(forward).setVolatility(vol)
                .setTimeToExpiryYears(MarkCalculator.yearsUntil(option.expiry(), now)).build();
    }

    private static List<Instrument> instruments(List<String> names) {
        List<Violation> violations = new ArrayList<>();
        List<Instrument> instruments = new ArrayList<>();
        if (names.isEmpty()) {
            violations.add(new Violation("instruments", "at least one instrument is required"));
        }
        for (int i = 0; i < names.size(); i++) {
            try {
                instruments.add(Instrument.parse(names.get(i), "instruments[" + i + "]"));
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
        return instruments.stream().map(i -> ProtoMapper.mark(MarkCalculator.DEFAULT.mark(i, market))).toList();
    }
}
