package dev.crosschain.pricing.app;

import dev.crosschain.pricing.domain.MarketSnapshot;
import dev.crosschain.pricing.domain.SviFitter;
import dev.crosschain.pricing.domain.VolSurface;
import dev.crosschain.pricing.store.MarketStore;
import io.quarkus.runtime.Startup;
import io.quarkus.vertx.VertxContextSupport;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Use cases on volatility surfaces: fit pushed option quotes, read the current surface. Created
 * at start-up so that a bad configuration (a retention under a day) stops the service there
 * instead of failing its first push.
 */
@Startup
@ApplicationScoped
public class Surfaces {

    /** Every idempotency key of the suite is kept at least a day (DESIGN.md, wire conventions). */
    static final Duration MIN_RETENTION = Duration.ofHours(24);

    private final MarketStore store;
    private final MarketState state;
    private final Clock clock = MarketState.CLOCK;
    /** How long quote set ids are kept. */
    private final Duration retention;
    private final OptionQuoteValidation.BasisBounds basisBounds;

    public Surfaces(MarketStore store, MarketState state, PricingConfig config) {
        this.store = store;
        this.state = state;
        this.retention = config.idempotency().retention();
        this.basisBounds = new OptionQuoteValidation.BasisBounds(config.surface().maxCarryPerYear(), config.surface().maxBasisBand());
        if (retention.compareTo(MIN_RETENTION) < 0) {
            throw new IllegalArgumentException("pricing.idempotency.retention must be at least " + MIN_RETENTION
                    + ", got " + retention);
        }
    }

    /** One pushed option quote; absent fields are null. */
    public record Quote(String instrument, Double bidVol, Double askVol, Double bidPrice, Double askPrice) {
    }

    /** The forward of one expiry code. */
    public record Forward(String expiry, double forward) {
    }

    /**
     * Validates the quotes, converts prices to vols, fits SVI (on a worker thread: it is the
     * costly part) and, when the fit is free of arbitrage, stores it as the next version with its
     * quote set id and makes it the underlying's surface. Otherwise the failure
     * (InvalidInputException, ArbitrageableSurfaceException, NotFoundException) leaves everything
     * as it was. A quote set id already stored answers with the surface its first push created
     * when the payload (its SHA-256) is the same, ConflictException QUOTE_SET_ID_REUSED when not.
     */
    public Uni<VolSurface> push(String underlying, String quoteSetId, List<Quote> quotes, List<Forward> forwards,
                                byte[] payloadSha256) {
        MarketStore.QuoteSetKey key = new MarketStore.QuoteSetKey(quoteSetId, payloadSha256);
        String symbol = OptionQuoteValidation.keyedUnderlying(underlying, quoteSetId);
        // A malformed key or underlying cannot have been stored: validation reports it with the rest.
        Uni<VolSurface> earlier = symbol == null ? Uni.createFrom().nullItem() : store.replayOf(symbol, key);
        return earlier.chain(replayed -> replayed != null ? Uni.createFrom().item(replayed)
                : VertxContextSupport.executeBlocking(() -> fit(underlying, quoteSetId, quotes, forwards))
                .chain(fitted -> {
                    Instant now = clock.instant();
                    return store.saveSurface(fitted, key, now, now.minus(retention));
                })
                .invoke(saved -> {
                    if (saved.created()) {
                        state.applySurface(saved.surface());
                    }
                })
                .map(MarketStore.SavedSurface::surface));
    }

    private VolSurface fit(String underlying, String quoteSetId, List<Quote> quotes, List<Forward> forwards) {
        Instant now = clock.instant();
        MarketSnapshot market = state.snapshot(now);
        OptionQuoteValidation.FitInput input = OptionQuoteValidation.validate(underlying, quoteSetId, quotes, forwards, market,
                basisBounds);
        return SviFitter.DEFAULT.fit(input.underlying(), input.quotes(), input.forwards(), input.index(), now,
                state.surfaceVersion(input.underlying()) + 1);
    }

    /** The current surface of an underlying: its newest fit, else its bootstrap surface, else NO_SURFACE. */
    public VolSurface surface(String underlying) {
        return state.snapshot(clock.instant()).surface(underlying);
    }
}
