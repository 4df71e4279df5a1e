package dev.crosschain.margin.app;

import dev.crosschain.margin.domain.MarginMode;
import dev.crosschain.margin.domain.history.AccountShortfall;
import dev.crosschain.margin.domain.history.ExpectedShortfallParameters;
import dev.crosschain.margin.domain.history.PriceHistory;
import dev.crosschain.margin.store.ReturnHistoryStore;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The expected-shortfall model of each parameter set over the stored histories: one {@link AccountShortfall} per ES
 * section (sets with the same section share it, and so its APC ratios), built on first use. The histories are read
 * once from the database; a read that fails or finds none is not kept, so the next computation tries again, and
 * meanwhile the ES model has no history: the scenario MM stands (never a lower figure).
 */
@ApplicationScoped
public class ShortfallModels {

    private static final Logger LOG = Logger.getLogger(ShortfallModels.class);
    private static final long WARN_EVERY_MS = 10_000;

    private final ReturnHistoryStore store;
    private final Map<ExpectedShortfallParameters, AccountShortfall> models = new ConcurrentHashMap<>();
    private volatile Map<String, PriceHistory> histories;
    private final AtomicLong lastWarning = new AtomicLong();

    public ShortfallModels(ReturnHistoryStore store) {
        this.store = store;
    }

    /** The ES model of {@code parameters} in {@code mode}; null when the set does not apply ES to that mode. */
    public AccountShortfall of(ExpectedShortfallParameters parameters, MarginMode mode) {
        if (!parameters.appliesTo(mode)) {
            return null;
        }
        Map<String, PriceHistory> loaded = histories();
        if (loaded.isEmpty()) {
            return new AccountShortfall(parameters, loaded);
        }
        return models.computeIfAbsent(parameters, p -> new AccountShortfall(p, loaded));
    }

    private Map<String, PriceHistory> histories() {
        Map<String, PriceHistory> now = histories;
        if (now != null) {
            return now;
        }
        synchronized (this) {
            if (histories == null) {
                try {
                    Map<String, PriceHistory> read = new TreeMap<>();
                    for (String underlying : store.underlyings()) {
                        store.load(underlying).ifPresent(h -> read.put(underlying, h));
                    }
                    if (!read.isEmpty()) {
                        histories = Map.copyOf(read);
                    }
                    return read;
                } catch (RuntimeException e) {
                    long at = System.currentTimeMillis();
                    long last = lastWarning.get();
                    if (at - last >= WARN_EVERY_MS && lastWarning.compareAndSet(last, at)) {
                        LOG.warnf("return histories not read, expected shortfall unavailable (the scenario MM stands): %s",
                                e.getMessage());
                    }
                    return Map.of();
                }
            }
            return histories;
        }
    }
}
