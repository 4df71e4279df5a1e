package dev.crosschain.liquidation.app;

import dev.crosschain.liquidation.client.PricingClient;
import dev.crosschain.liquidation.domain.BreakerTrip;
import dev.crosschain.liquidation.domain.Decimals;
import dev.crosschain.liquidation.domain.IndexHistory;
import dev.crosschain.proto.pricing.v1.IndexPrice;
import dev.crosschain.proto.pricing.v1.WatchIndexPricesResponse;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Circuit breakers on pricing-service's index (WatchIndexPrices, subscribed from startup, re-subscribed after
 * {@code liquidation.breaker.reconnect}): per underlying STALE (pricing-service says so, or nothing received for
 * max-age, or never received) or MOVED (more than max-move within the window). While pricing-service cannot be
 * reached every underlying counts as STALE. Nothing trips when {@code liquidation.breaker.enabled=false}.
 */
@ApplicationScoped
public class IndexBreakers {

    private static final Logger LOG = Logger.getLogger(IndexBreakers.class);

    private final PricingClient pricing;
    private final Clock clock;
    private final boolean enabled;
    private final IndexHistory.Rules rules;
    private final Duration reconnect;
    /** Guarded by itself. */
    private final Map<String, IndexHistory> histories = new TreeMap<>();
    private volatile boolean connected;
    /** When a disconnection was last warned about (System.nanoTime, never 0); 0 before the first. */
    private volatile long lastWarnNanos;
    /** How often a lasting disconnection is warned about again. */
    private static final Duration WARN_EVERY = Duration.ofMinutes(5);
    private final Resubscription<WatchIndexPricesResponse> subscription;

    public IndexBreakers(PricingClient pricing, Clock clock, LiquidationConfig config) {
        this.pricing = pricing;
        this.clock = clock;
        LiquidationConfig.Breaker breaker = config.breaker();
        this.enabled = breaker.enabled();
        this.rules = breaker.rules();
        this.reconnect = breaker.reconnect();
        this.subscription = new Resubscription<>(pricing::watchIndexPrices, this::observe, this::disconnected);
    }

    void onStart(@Observes StartupEvent event) {
        start();
    }

    void onStop(@Observes ShutdownEvent event) {
        stop();
    }

    /** Subscribes to the index (unless disabled). */
    public void start() {
        if (enabled) {
            subscription.subscribe();
        } else {
            LOG.warn("liquidation.breaker.enabled=false: auctions open whatever the index does");
        }
    }

    /** Ends the subscription for good. */
    public void stop() {
        subscription.stop();
    }

    /** The first response (every index now) marks the stream connected, even when pricing-service has no index yet. */
    private void observe(WatchIndexPricesResponse response) {
        Instant now = clock.instant();
        synchronized (histories) {
            for (IndexPrice index : response.getIndicesList()) {
                BigDecimal price = Decimals.parseOrNull(index.getPrice());
                // an unparsable price counts as a stale index, never as a move
                histories.computeIfAbsent(index.getAsset(), IndexHistory::new)
                        .observe(now, price == null ? BigDecimal.ZERO : price, index.getStale() || price == null, rules);
            }
        }
        if (!connected) {
            LOG.info("receiving pricing-service's index");
        }
        connected = true;
    }

    private Duration disconnected(Throwable failure) {
        long now = System.nanoTime();
        // the first failure since start or since connected, then at most every WARN_EVERY while it lasts
        if (connected || lastWarnNanos == 0 || now - lastWarnNanos >= WARN_EVERY.toNanos()) {
            LOG.warnf("WatchIndexPrices %s: every underlying counts as STALE until it is back",
                    failure == null ? "ended" : "failed (" + failure.getMessage() + ")");
            lastWarnNanos = now == 0 ? 1 : now;
        }
        connected = false;
        return reconnect;
    }

    /** The first trip among these underlyings, if any. */
    public Optional<BreakerTrip> tripped(Collection<String> underlyings) {
        if (!enabled) {
            return Optional.empty();
        }
        if (!connected) {
            return Optional.of(unreachable());
        }
        Instant now = clock.instant();
        synchronized (histories) {
            for (String underlying : underlyings) {
                IndexHistory history = histories.get(underlying);
                Optional<BreakerTrip> trip = history == null
                        ? Optional.of(new BreakerTrip(underlying, BreakerTrip.Kind.STALE, "no index received from pricing-service"))
                        : history.trip(now, rules);
                if (trip.isPresent()) {
                    return trip;
                }
            }
        }
        return Optional.empty();
    }

    /** Whether every underlying counts as tripped (pricing-service unreachable): no account needs to be looked at. */
    public boolean trippedForEvery() {
        return enabled && !connected;
    }

    /** Every trip now among the underlyings pricing-service sent (or the one for every underlying), by underlying. */
    public List<BreakerTrip> trips() {
        if (!enabled) {
            return List.of();
        }
        if (!connected) {
            return List.of(unreachable());
        }
        Instant now = clock.instant();
        List<BreakerTrip> trips = new ArrayList<>();
        synchronized (histories) {
            histories.values().forEach(h -> h.trip(now, rules).ifPresent(trips::add));
        }
        return trips;
    }

    private static BreakerTrip unreachable() {
        return new BreakerTrip(BreakerTrip.EVERY, BreakerTrip.Kind.STALE, "pricing-service's index stream is not connected");
    }
}
