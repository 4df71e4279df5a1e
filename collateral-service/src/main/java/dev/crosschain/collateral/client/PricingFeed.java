package dev.crosschain.collateral.client;

import dev.crosschain.collateral.app.CollateralConfig;
import dev.crosschain.collateral.domain.IndexQuote;
import dev.crosschain.collateral.domain.MarketData;
import dev.crosschain.collateral.domain.PriceFreshness;
import dev.crosschain.collateral.domain.VolSlice;
import dev.crosschain.proto.pricing.v1.IndexPrice;
import dev.crosschain.proto.pricing.v1.PricingServiceGrpc;
import dev.crosschain.proto.pricing.v1.SviSlice;
import dev.crosschain.proto.pricing.v1.VolSurface;
import dev.crosschain.proto.pricing.v1.WatchIndexPricesRequest;
import dev.crosschain.proto.pricing.v1.WatchIndexPricesResponse;
import dev.crosschain.proto.pricing.v1.WatchVolSurfacesRequest;
import dev.crosschain.proto.pricing.v1.WatchVolSurfacesResponse;
import io.grpc.Channel;
import io.grpc.Context;
import io.grpc.stub.StreamObserver;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The market as pricing-service streams it: WatchIndexPrices (every asset) and WatchVolSurfaces (every underlying),
 * subscribed at start-up and kept open; valuation reads the latest values from memory, never a call per request.
 *
 * <p>The service starts without pricing-service: a stream that cannot open or that ends is reopened after a capped
 * exponential backoff (reset once a message arrives). While the price stream is not delivering, every cached price
 * is stale (conservative), and so is any index older than {@code collateral.pricing.max-price-age}. The last vols are
 * kept while the vol stream is down (a vol only raises haircuts above the configured floor, and a surface changes
 * slowly). Listeners hear the canonical assets whose index arrived, and every asset when the price stream drops.
 */
@ApplicationScoped
public class PricingFeed {

    private static final Logger LOG = Logger.getLogger(PricingFeed.class);

    /** Latest index from the stream. */
    private record Cached(BigDecimal price, boolean stale, Instant updatedAt) {
    }

    /** The lazy channel of the configured client (Quarkus injects channels, not async stubs). */
    @GrpcClient("pricing")
    Channel channel;
    private volatile PricingServiceGrpc.PricingServiceStub pricing;

    private final CollateralConfig.Pricing config;
    private final Clock clock = Clock.systemUTC();
    private final Map<String, Cached> prices = new ConcurrentHashMap<>();
    private final Map<String, List<VolSlice>> vols = new ConcurrentHashMap<>();
    private final List<Consumer<Set<String>>> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final Stream priceStream = new Stream("WatchIndexPrices");
    private final Stream volStream = new Stream("WatchVolSurfaces");
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "pricing-feed");
        t.setDaemon(true);
        return t;
    });
    private volatile boolean stopped;

    public PricingFeed(CollateralConfig config) {
        this.config = config.pricing();
    }

    void start(@Observes StartupEvent event) {
        pricing = PricingServiceGrpc.newStub(channel);
        scheduler.execute(this::openPrices);
        scheduler.execute(this::openVols);
    }

    void stop(@Observes ShutdownEvent event) {
        stopped = true;
        priceStream.cancel();
        volStream.cancel();
        scheduler.shutdownNow();
    }

    /** Called with canonical assets whose valuation may have changed (on a feed thread: return quickly). */
    public void onChange(Consumer<Set<String>> listener) {
        listeners.add(listener);
    }

    /** True while the index stream is open and has delivered since it (re)opened. */
    public boolean pricesConnected() {
        return priceStream.delivering;
    }

    /** The market now: every cached index with its staleness at this instant, and each underlying's ATM vol. */
    public MarketData market(Instant now) {
        boolean connected = priceStream.delivering;
        Map<String, IndexQuote> quotes = new HashMap<>();
        prices.forEach((asset, p) -> quotes.put(asset,
                PriceFreshness.quote(p.price(), p.stale(), p.updatedAt(), connected, now, config.maxPriceAge())));
        Map<String, Double> atm = new HashMap<>();
        vols.forEach((underlying, slices) -> VolSlice.atmVolAt(slices, now).ifPresent(v -> atm.put(underlying, v)));
        return new MarketData(quotes, atm);
    }

    private void openPrices() {
        if (stopped) {
            return;
        }
        priceStream.open(observer -> pricing.watchIndexPrices(WatchIndexPricesRequest.getDefaultInstance(), observer),
                (WatchIndexPricesResponse response) -> {
                    Set<String> changed = new java.util.TreeSet<>();
                    for (IndexPrice index : response.getIndicesList()) {
                        if (accept(index)) {
                            changed.add(index.getAsset());
                        }
                    }
                    return changed;
                }, this::openPrices);
    }

    private void openVols() {
        if (stopped) {
            return;
        }
        volStream.open(observer -> pricing.watchVolSurfaces(WatchVolSurfacesRequest.getDefaultInstance(), observer),
                (WatchVolSurfacesResponse response) -> {
                    Set<String> changed = new java.util.TreeSet<>();
                    for (VolSurface surface : response.getSurfacesList()) {
                        List<VolSlice> slices = new ArrayList<>();
                        for (SviSlice s : surface.getSlicesList()) {
                            if (Double.isFinite(s.getAtmVol()) && s.getAtmVol() >= 0) {
                                slices.add(new VolSlice(s.getExpiryUnixMs(), s.getAtmVol()));
                            }
                        }
                        vols.put(surface.getUnderlying(), List.copyOf(slices));
                        changed.add(surface.getUnderlying());
                    }
                    return changed;
                }, this::openVols);
    }

    /** Stores an index; false when it is unreadable (kept out: the asset then keeps its previous index, or none). */
    private boolean accept(IndexPrice index) {
        BigDecimal price;
        try {
            price = new BigDecimal(index.getPrice());
        } catch (NumberFormatException e) {
            LOG.warnf("pricing-service sent an unreadable index price for %s: %s", index.getAsset(), index.getPrice());
            return false;
        }
        if (price.signum() <= 0 || index.getAsset().isEmpty()) {
            LOG.warnf("pricing-service sent a non-positive index price for %s: %s", index.getAsset(), index.getPrice());
            return false;
        }
        Instant updatedAt = index.getUpdatedAtUnixMs() > 0 ? Instant.ofEpochMilli(index.getUpdatedAtUnixMs()) : clock.instant();
        prices.put(index.getAsset(), new Cached(price, index.getStale(), updatedAt));
        return true;
    }

    private void announce(Set<String> assets) {
        if (assets.isEmpty()) {
            return;
        }
        for (Consumer<Set<String>> listener : listeners) {
            try {
                listener.accept(assets);
            } catch (RuntimeException e) {
                LOG.warnf(e, "pricing feed listener failed");
            }
        }
    }

    /** One server stream with reconnects: delivering once a message arrived, down (and reopened later) when it ends. */
    private final class Stream {
        private final String name;
        private volatile boolean delivering;
        private volatile Context.CancellableContext context;
        private long backoffMs;

        Stream(String name) {
            this.name = name;
        }

        <T> void open(Consumer<StreamObserver<T>> call, java.util.function.Function<T, Set<String>> handle, Runnable reopen) {
            // A root context: the stream must not inherit the cancellation or deadline of whatever runs this thread.
            Context.CancellableContext ctx = Context.ROOT.withCancellation();
            context = ctx;
            ctx.run(() -> call.accept(new StreamObserver<T>() {
                @Override
                public void onNext(T value) {
                    boolean wasDown = !delivering;
                    delivering = true;
                    synchronized (Stream.this) {
                        backoffMs = 0;
                    }
                    if (wasDown) {
                        LOG.infof("pricing-service %s delivering", name);
                    }
                    announce(handle.apply(value));
                }

                @Override
                public void onError(Throwable t) {
                    ended("failed: " + t);
                }

                @Override
                public void onCompleted() {
                    ended("ended by the server");
                }

                private void ended(String why) {
                    boolean wasDelivering = delivering;
                    delivering = false;
                    if (wasDelivering && Stream.this == priceStream) {
                        announce(Set.copyOf(prices.keySet())); // every cached price is stale now
                    }
                    if (stopped) {
                        return;
                    }
                    long delay;
                    synchronized (Stream.this) {
                        backoffMs = backoffMs == 0 ? config.initialBackoff().toMillis()
                                : Math.min(backoffMs * 2, config.maxBackoff().toMillis());
                        delay = backoffMs;
                    }
                    LOG.debugf("pricing-service %s %s; reopening in %d ms", name, why, delay);
                    try {
                        scheduler.schedule(reopen, delay, TimeUnit.MILLISECONDS);
                    } catch (java.util.concurrent.RejectedExecutionException e) {
                        // shutting down
                    }
                }
            }));
        }

        void cancel() {
            Context.CancellableContext ctx = context;
            if (ctx != null) {
                ctx.cancel(null);
            }
        }
    }
}
