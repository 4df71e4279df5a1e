package dev.crosschain.pricing.app;

import dev.crosschain.pricing.domain.IndexLevel;
import dev.crosschain.pricing.domain.InvalidInputException;
import dev.crosschain.pricing.domain.MarketSnapshot;
import dev.crosschain.pricing.domain.Violation;
import dev.crosschain.pricing.domain.Volatilities;
import dev.crosschain.pricing.store.IndexStore;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.operators.multi.processors.BroadcastProcessor;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Use cases on index prices: push quotes, read a consistent market snapshot, hear of changes. */
@ApplicationScoped
public class MarketData {

    /** Cash-settled crypto options are valued undiscounted until a rate curve exists. */
    private static final double RATE = 0.0;

    private final IndexStore store;
    private final PricingConfig config;
    private final Clock clock;
    private final BroadcastProcessor<Set<String>> changes = BroadcastProcessor.create();

    public MarketData(IndexStore store, PricingConfig config) {
        this.store = store;
        this.config = config;
        this.clock = Clock.systemUTC();
    }

    /** A pushed quote, not yet validated. */
    public record Quote(String asset, String source, String price, long observedAtUnixMs) {
    }

    /** Validates every quote, then stores them all; on any bad quote nothing is stored. */
    public MarketSnapshot push(List<Quote> quotes) {
        Instant now = clock.instant();
        List<Violation> violations = new ArrayList<>();
        List<IndexLevel> levels = new ArrayList<>();
        if (quotes.isEmpty()) {
            violations.add(new Violation("quotes", "at least one quote is required"));
        }
        for (int i = 0; i < quotes.size(); i++) {
            Quote q = quotes.get(i);
            String at = "quotes[" + i + "]";
            try {
                IndexLevel level = QuoteValidation.toLevel(q, at, now);
                levels.add(level);
            } catch (InvalidInputException e) {
                violations.addAll(e.violations());
            }
        }
        if (!violations.isEmpty()) {
            throw new InvalidInputException("INVALID_QUOTE", violations);
        }
        store.saveQuotes(levels, now);
        changes.onNext(Set.copyOf(levels.stream().map(IndexLevel::asset).toList()));
        return snapshot();
    }

    public MarketSnapshot snapshot() {
        Map<String, IndexLevel> indices = store.loadIndices();
        Volatilities vols = new Volatilities(config.volatility().byUnderlying(), config.volatility().defaultVol());
        return new MarketSnapshot(indices, vols, clock.instant(), config.index().staleAfter(), RATE);
    }

    /** Assets whose index changed in this replica, as they change. */
    public Multi<Set<String>> changes() {
        return changes;
    }
}
