package dev.crosschain.collateral.app;

import dev.crosschain.collateral.client.PricingFeed;
import dev.crosschain.collateral.domain.AssetSpec;
import dev.crosschain.collateral.domain.ChainSpec;
import dev.crosschain.collateral.domain.IndexQuote;
import dev.crosschain.collateral.store.BalanceStore;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Re-publishes (through {@link LedgerChanges}) the accounts holding an asset whose valuation input changed, so that
 * watchers, above all margin-service's all-accounts WatchCollateral, see re-valued views without asking.
 *
 * <p>Throttled: changed canonical assets are collected and, once per {@code collateral.pricing.republish-interval}
 * (default 1 s), the holders of all of them are published together, each account once. A busy index (several ticks
 * a second) thus costs one re-publication per interval, not one per tick. Besides new indices and vols, an index
 * turning stale by age (no tick for {@code max-price-age}) and the price stream dropping or coming back count as
 * changes: the views must show the price as stale (and the value lowered) without waiting for the next ledger change.
 */
@ApplicationScoped
public class PriceRepublisher {

    private static final Logger LOG = Logger.getLogger(PriceRepublisher.class);

    private final PricingFeed feed;
    private final Registry registry;
    private final BalanceStore balances;
    private final LedgerChanges changes;
    private final CollateralConfig.Pricing config;
    private final Clock clock = Clock.systemUTC();
    private final Set<String> dirty = ConcurrentHashMap.newKeySet();
    private final Map<String, Boolean> lastStale = new HashMap<>();
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "price-republisher");
        t.setDaemon(true);
        return t;
    });

    public PriceRepublisher(PricingFeed feed, Registry registry, BalanceStore balances, LedgerChanges changes,
                            CollateralConfig config) {
        this.feed = feed;
        this.registry = registry;
        this.balances = balances;
        this.changes = changes;
        this.config = config.pricing();
    }

    void start(@Observes StartupEvent event) {
        feed.onChange(dirty::addAll);
        long interval = Math.max(1, config.republishInterval().toMillis());
        scheduler.scheduleWithFixedDelay(this::republish, interval, interval, TimeUnit.MILLISECONDS);
    }

    void stop(@Observes ShutdownEvent event) {
        scheduler.shutdownNow();
    }

    /** One round: the holders of every asset that changed since the last round are published once. */
    void republish() {
        try {
            for (Map.Entry<String, IndexQuote> e : feed.market(clock.instant()).prices().entrySet()) {
                Boolean before = lastStale.put(e.getKey(), e.getValue().stale());
                if (before != null && before != e.getValue().stale()) {
                    dirty.add(e.getKey());
                }
            }
            if (dirty.isEmpty()) {
                return;
            }
            Set<String> assets = new TreeSet<>(dirty);
            dirty.removeAll(assets);
            List<Map.Entry<String, String>> held = new ArrayList<>();
            for (ChainSpec chain : registry.current().chains()) {
                for (AssetSpec asset : chain.assets().values()) {
                    if (assets.contains(asset.canonical())) {
                        held.add(new AbstractMap.SimpleImmutableEntry<>(chain.id(), asset.symbol()));
                    }
                }
            }
            List<String> accounts = balances.accountsHolding(held);
            if (!accounts.isEmpty()) {
                LOG.debugf("re-publishing %d accounts after price changes of %s", accounts.size(), assets);
                changes.publish(accounts);
            }
        } catch (RuntimeException e) {
            // Keep the schedule alive (a database hiccup); the assets of this round are lost, the next tick re-marks them.
            LOG.warnf("re-publishing repriced accounts failed: %s", e.toString());
        }
    }
}
