package dev.crosschain.pricing.app;

import dev.crosschain.pricing.domain.AssetQuotes;
import dev.crosschain.pricing.domain.BootstrapSurface;
import dev.crosschain.pricing.domain.IndexAggregator;
import dev.crosschain.pricing.domain.IndexLevel;
import dev.crosschain.pricing.domain.MarketSnapshot;
import dev.crosschain.pricing.domain.VolSurface;
import dev.crosschain.pricing.store.MarketStore;
import dev.crosschain.pricing.store.StoreException;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.operators.multi.processors.BroadcastProcessor;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * This replica's copy of the market, which every read is served from: each asset's quotes and
 * last good index, each underlying's newest accepted surface over its bootstrap surface. Copies
 * are replaced whole (readers never see half an update) and only by newer ones (revision,
 * version), so updates arriving out of order — after a local commit, from a notification, from a
 * reload — all converge.
 */
@ApplicationScoped
public class MarketState {

    /** Cash-settled crypto options are valued undiscounted until a rate curve exists. */
    static final double RATE = 0.0;
    /**
     * The service's clock, in whole microseconds: what PostgreSQL keeps of a timestamp, so a
     * state reloaded from the database equals the one held before.
     */
    public static final Clock CLOCK = Clock.tick(Clock.systemUTC(), Duration.ofNanos(1_000));

    private final IndexAggregator aggregator;
    private final Map<String, VolSurface> bootstrap;
    /** Only emitted to from synchronized methods: a processor must not be called concurrently. */
    private final BroadcastProcessor<Set<String>> changes = BroadcastProcessor.create();

    private volatile boolean loaded;
    private volatile Map<String, AssetQuotes> assets = Map.of();
    private volatile Map<String, VolSurface> fitted = Map.of();
    /** Fitted surfaces over bootstrap ones: what readers get. */
    private volatile Map<String, VolSurface> surfaces;
    /** What the last sweep saw of each index, to tell when one turns stale without a write. */
    private Map<String, IndexLevel> swept = Map.of();

    @Inject
    public MarketState(PricingConfig config) {
        this(new IndexAggregator(config.index().staleAfter(), config.index().maxDeviation()),
                bootstrapSurfaces(config, CLOCK.instant()));
    }

    MarketState(IndexAggregator aggregator, Map<String, VolSurface> bootstrap) {
        this.aggregator = aggregator;
        this.bootstrap = Map.copyOf(bootstrap);
        this.surfaces = this.bootstrap;
    }

    static Map<String, VolSurface> bootstrapSurfaces(PricingConfig config, Instant at) {
        Map<String, VolSurface> result = new HashMap<>();
        config.surface().bootstrap().forEach((underlying, b) ->
                result.put(underlying, BootstrapSurface.of(underlying, b.atmVol(), b.rho(), b.b(), b.sigma(), at)));
        return result;
    }

    public IndexAggregator aggregator() {
        return aggregator;
    }

    /** The market as of {@code now}; every index's staleness is judged at {@code now}. */
    public MarketSnapshot snapshot(Instant now) {
        if (!loaded) {
            throw new StoreException("the market has not been loaded from the database yet", null);
        }
        Map<String, IndexLevel> indices = new HashMap<>();
        assets.forEach((asset, quotes) -> indices.put(asset, aggregator.index(quotes, now)));
        return new MarketSnapshot(indices, surfaces, now, RATE);
    }

    /** Replaces everything that is newer in {@code stored}; the first call makes the state readable. */
    public void load(MarketStore.Stored stored) {
        applyAssets(stored.assets());
        stored.surfaces().forEach(this::applySurface);
        loaded = true;
    }

    public synchronized void applyAssets(Collection<AssetQuotes> updates) {
        Map<String, AssetQuotes> next = new HashMap<>(assets);
        Set<String> changed = new TreeSet<>();
        for (AssetQuotes update : updates) {
            AssetQuotes current = next.get(update.asset());
            if (current == null || update.revision() > current.revision()) {
                next.put(update.asset(), update);
                changed.add(update.asset());
            }
        }
        if (!changed.isEmpty()) {
            assets = Map.copyOf(next);
            changes.onNext(changed);
        }
    }

    public synchronized void applySurface(VolSurface update) {
        VolSurface current = fitted.get(update.underlying());
        if (current != null && update.version() <= current.version()) {
            return;
        }
        Map<String, VolSurface> next = new HashMap<>(fitted);
        next.put(update.underlying(), update);
        fitted = Map.copyOf(next);
        Map<String, VolSurface> merged = new HashMap<>(bootstrap);
        merged.putAll(fitted);
        surfaces = Map.copyOf(merged);
        changes.onNext(Set.of(update.underlying()));
    }

    /** Revision of an asset's copy here, 0 if none. */
    public long revision(String asset) {
        AssetQuotes current = assets.get(asset);
        return current == null ? 0 : current.revision();
    }

    /** Version of an underlying's fitted surface here, 0 if none. */
    public long surfaceVersion(String underlying) {
        VolSurface current = fitted.get(underlying);
        return current == null ? 0 : current.version();
    }

    /**
     * Announces the assets whose index changed since the last sweep without any write, as a
     * source aged out or the index turned stale.
     */
    public synchronized void sweep(Instant now) {
        if (!loaded) {
            return;
        }
        Map<String, IndexLevel> seen = new HashMap<>();
        Set<String> changed = new TreeSet<>();
        assets.forEach((asset, quotes) -> {
            IndexLevel level = aggregator.index(quotes, now);
            seen.put(asset, level);
            IndexLevel before = swept.get(asset);
            if (before != null && !before.equals(level)) {
                changed.add(asset);
            }
        });
        swept = seen;
        if (!changed.isEmpty()) {
            changes.onNext(changed);
        }
    }

    /** Assets and underlyings whose index or surface changed, as they change (hot: no replay). */
    public Multi<Set<String>> changes() {
        return changes;
    }

    List<String> assetNames() {
        return List.copyOf(new TreeSet<>(assets.keySet()));
    }
}
