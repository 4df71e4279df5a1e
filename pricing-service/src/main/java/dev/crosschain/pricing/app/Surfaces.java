package dev.crosschain.pricing.app;

import dev.crosschain.pricing.domain.MarketSnapshot;
import dev.crosschain.pricing.domain.SviFitter;
import dev.crosschain.pricing.domain.VolSurface;
import dev.crosschain.pricing.store.MarketStore;
import io.quarkus.vertx.VertxContextSupport;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Clock;
import java.time.Instant;
import java.util.List;

/** Use cases on volatility surfaces: fit pushed option quotes, read the current surface. */
@ApplicationScoped
public class Surfaces {

    private final MarketStore store;
    private final MarketState state;
    private final Clock clock = MarketState.CLOCK;

    public Surfaces(MarketStore store, MarketState state) {
        this.store = store;
        this.state = state;
    }

    /** One pushed option quote; absent fields are null. */
    public record Quote(String instrument, Double bidVol, Double askVol, Double bidPrice, Double askPrice) {
    }

    /** The forward of one expiry code. */
    public record Forward(String expiry, double forward) {
    }

    /**
     * Validates the quotes, converts prices to vols, fits SVI (on a worker thread: it is the
     * costly part) and, when the fit is free of arbitrage, stores it as the next version and
     * makes it the underlying's surface. Otherwise the failure (InvalidInputException,
     * ArbitrageableSurfaceException, NotFoundException) leaves everything as it was.
     */
    public Uni<VolSurface> push(String underlying, List<Quote> quotes, List<Forward> forwards) {
        return VertxContextSupport.executeBlocking(() -> fit(underlying, quotes, forwards))
                .chain(fitted -> store.saveSurface(fitted, clock.instant()))
                .invoke(state::applySurface);
    }

    private VolSurface fit(String underlying, List<Quote> quotes, List<Forward> forwards) {
        Instant now = clock.instant();
        MarketSnapshot market = state.snapshot(now);
        OptionQuoteValidation.FitInput input = OptionQuoteValidation.validate(underlying, quotes, forwards, market);
        return SviFitter.DEFAULT.fit(input.underlying(), input.quotes(), input.forwards(), input.index(), now,
                state.surfaceVersion(input.underlying()) + 1);
    }

    /** The current surface of an underlying: its newest fit, else its bootstrap surface, else NO_SURFACE. */
    public VolSurface surface(String underlying) {
        return state.snapshot(clock.instant()).surface(underlying);
    }
}
