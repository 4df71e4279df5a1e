package dev.crosschain.collateral.grpc;

import dev.crosschain.proto.pricing.v1.GetIndexPricesRequest;
import dev.crosschain.proto.pricing.v1.GetIndexPricesResponse;
import dev.crosschain.proto.pricing.v1.IndexPrice;
import dev.crosschain.proto.pricing.v1.PricingServiceGrpc;
import dev.crosschain.proto.pricing.v1.SviSlice;
import dev.crosschain.proto.pricing.v1.VolSurface;
import dev.crosschain.proto.pricing.v1.WatchIndexPricesRequest;
import dev.crosschain.proto.pricing.v1.WatchIndexPricesResponse;
import dev.crosschain.proto.pricing.v1.WatchVolSurfacesRequest;
import dev.crosschain.proto.pricing.v1.WatchVolSurfacesResponse;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback pricing-service: ETH 3000 and USDC 1 (fresh), no SOL index; an ETH vol surface with an expired slice
 * (ATM 2.0), the nearest unexpired one (ATM 0.6) and a later one (ATM 0.9). Serves WatchIndexPrices and
 * WatchVolSurfaces (current values first, then each change); {@link #down()} ends every open stream with UNAVAILABLE
 * and refuses new ones until {@link #up()}. GetIndexPrices is still served, and counted, to show nobody calls it.
 * Like a live feeder, it re-publishes every index once a second with a fresh timestamp, so a price only turns stale
 * through the service's own age rule when the fake is down, never because a test class ran long.
 */
final class FakePricing extends PricingServiceGrpc.PricingServiceImplBase {

    /** Port the service under test calls (quarkus.grpc.clients.pricing.test-port). */
    static final int PORT = 19192;
    static final double NEAREST_ATM_VOL = 0.6;
    private static FakePricing instance;

    final List<GetIndexPricesRequest> requests = new CopyOnWriteArrayList<>();
    final AtomicInteger priceSubscriptions = new AtomicInteger();
    private final Map<String, IndexPrice> indices = new ConcurrentHashMap<>();
    private final List<StreamObserver<WatchIndexPricesResponse>> priceWatchers = new CopyOnWriteArrayList<>();
    private final List<StreamObserver<WatchVolSurfacesResponse>> volWatchers = new CopyOnWriteArrayList<>();
    private volatile boolean down;
    private final Server server;

    private FakePricing() {
        setPrice("ETH", "3000");
        setPrice("USDC", "1");
        server = ServerBuilder.forPort(PORT).addService(this).build();
        try {
            server.start();
        } catch (IOException e) {
            throw new UncheckedIOException("fake pricing-service did not start on " + PORT, e);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(server::shutdownNow));
        java.util.concurrent.ScheduledExecutorService ticker = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "fake-pricing-ticker");
            t.setDaemon(true);
            return t;
        });
        ticker.scheduleAtFixedRate(this::republish, 1, 1, java.util.concurrent.TimeUnit.SECONDS);
    }

    /** Every index again, stamped now, to every open price stream. */
    private synchronized void republish() {
        if (down) {
            return;
        }
        for (IndexPrice index : indices.values()) {
            setPrice(index.getAsset(), index.getPrice());
        }
    }

    static synchronized FakePricing get() {
        if (instance == null) {
            instance = new FakePricing();
        }
        return instance;
    }

    /** A fresh index now; sent at once to every open price stream. */
    synchronized void setPrice(String asset, String price) {
        IndexPrice index = IndexPrice.newBuilder().setAsset(asset).setPrice(price).setStale(false)
                .setUpdatedAtUnixMs(System.currentTimeMillis()).build();
        indices.put(asset, index);
        send(priceWatchers, WatchIndexPricesResponse.newBuilder().addIndices(index).build());
    }

    /** Ends every open stream with UNAVAILABLE; new ones are refused until {@link #up()}. */
    void down() {
        down = true;
        for (StreamObserver<?> w : priceWatchers) {
            end(w);
        }
        for (StreamObserver<?> w : volWatchers) {
            end(w);
        }
        priceWatchers.clear();
        volWatchers.clear();
    }

    void up() {
        down = false;
    }

    @Override
    public void getIndexPrices(GetIndexPricesRequest request, StreamObserver<GetIndexPricesResponse> observer) {
        requests.add(request);
        observer.onNext(GetIndexPricesResponse.newBuilder().addAllIndices(indices.values()).build());
        observer.onCompleted();
    }

    @Override
    public void watchIndexPrices(WatchIndexPricesRequest request, StreamObserver<WatchIndexPricesResponse> observer) {
        if (down) {
            observer.onError(Status.UNAVAILABLE.withDescription("fake pricing down").asRuntimeException());
            return;
        }
        priceSubscriptions.incrementAndGet();
        forget(observer, priceWatchers);
        synchronized (observer) {
            observer.onNext(WatchIndexPricesResponse.newBuilder().addAllIndices(indices.values()).build());
        }
        priceWatchers.add(observer);
    }

    @Override
    public void watchVolSurfaces(WatchVolSurfacesRequest request, StreamObserver<WatchVolSurfacesResponse> observer) {
        if (down) {
            observer.onError(Status.UNAVAILABLE.withDescription("fake pricing down").asRuntimeException());
            return;
        }
        forget(observer, volWatchers);
        Instant now = Instant.now();
        VolSurface eth = VolSurface.newBuilder().setUnderlying("ETH").setVersion(1).setFittedAtUnixMs(now.toEpochMilli())
                .addSlices(slice(now.minus(Duration.ofDays(1)), 2.0))
                .addSlices(slice(now.plus(Duration.ofDays(7)), NEAREST_ATM_VOL))
                .addSlices(slice(now.plus(Duration.ofDays(30)), 0.9))
                .build();
        synchronized (observer) {
            observer.onNext(WatchVolSurfacesResponse.newBuilder().addSurfaces(eth).build());
        }
        volWatchers.add(observer);
    }

    private static SviSlice slice(Instant expiry, double atmVol) {
        return SviSlice.newBuilder().setExpiryUnixMs(expiry.toEpochMilli()).setAtmVol(atmVol).build();
    }

    private static <T> void forget(StreamObserver<T> observer, List<StreamObserver<T>> watchers) {
        if (observer instanceof ServerCallStreamObserver<T> call) {
            call.setOnCancelHandler(() -> watchers.remove(observer));
        }
    }

    private static <T> void send(List<StreamObserver<T>> watchers, T message) {
        for (StreamObserver<T> w : watchers) {
            try {
                synchronized (w) {
                    w.onNext(message);
                }
            } catch (RuntimeException e) {
                watchers.remove(w);
            }
        }
    }

    private static void end(StreamObserver<?> w) {
        try {
            synchronized (w) {
                w.onError(Status.UNAVAILABLE.withDescription("fake pricing down").asRuntimeException());
            }
        } catch (RuntimeException e) {
            // already cancelled by the client
        }
    }
}
