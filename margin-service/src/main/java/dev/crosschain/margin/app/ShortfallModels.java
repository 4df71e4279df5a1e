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

/**
 * The expected-shortfall model of each parameter set over the stored histories: one {@link AccountShortfall} per ES
 * section (sets with the same section share it, and so its APC ratios), built on first use. The histories are read
 * from the database and kept only once every shipped underlying ({@link ReturnHistoryLoader#SHIPPED}) is there: a
 * partial read (or a failed one, which finds none) serves one computation and the next reads again, so an underlying
 * missing at first is not excluded for the life of the process. Without a history the ES model leaves that underlying
 * out (the scan still covers it); without any, the scenario MM stands (never a lower figure).
 */
@ApplicationScoped
public class ShortfallModels implements ShortfallSource {

    private static final Logger LOG = Logger.getLogger(ShortfallModels.class);

    private final ReturnHistoryStore store;
    private final Map<ExpectedShortfallParameters, AccountShortfall> models = new ConcurrentHashMap<>();
    private volatile Map<String, PriceHistory> histories;
    private final WarnEvery unreadWarning = new WarnEvery(10_000);

    public ShortfallModels(ReturnHistoryStore store) {
        this.store = store;
    }

    @Override
    public AccountShortfall of(ExpectedShortfallParameters parameters, MarginMode mode) {
        if (!parameters.appliesTo(mode)) {
            return null;
        }
        Map<String, PriceHistory> complete = histories;
        if (complete == null) {
            Map<String, PriceHistory> read = read();
            if (!read.keySet().containsAll(ReturnHistoryLoader.SHIPPED)) {
                // a partial read (a seed still running, a history deleted): used once, kept for no one
                return new AccountShortfall(parameters, read);
            }
            complete = keep(read);
        }
        Map<String, PriceHistory> loaded = complete;
        return models.computeIfAbsent(parameters, p -> new AccountShortfall(p, loaded));
    }

    private synchronized Map<String, PriceHistory> keep(Map<String, PriceHistory> read) {
        if (histories == null) {
            histories = Map.copyOf(read);
        }
        return histories;
    }

    /** Every stored history; none when the store cannot be read (logged at most once every 10 s). */
    private Map<String, PriceHistory> read() {
        try {
            Map<String, PriceHistory> read = new TreeMap<>();
            for (String underlying : store.underlyings()) {
                store.load(underlying).ifPresent(h -> read.put(underlying, h));
            }
            return read;
        } catch (RuntimeException e) {
            if (unreadWarning.due()) {
                LOG.warnf("return histories not read, expected shortfall unavailable (the scenario MM stands): %s",
                        e.getMessage());
            }
            return Map.of();
        }
    }
}
