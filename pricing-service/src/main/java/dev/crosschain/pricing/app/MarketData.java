package dev.crosschain.pricing.app;

import dev.crosschain.pricing.domain.InvalidInputException;
import dev.crosschain.pricing.domain.MarketSnapshot;
import dev.crosschain.pricing.domain.SourceQuote;
import dev.crosschain.pricing.domain.Violation;
import dev.crosschain.pricing.store.MarketStore;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
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

    private final MarketStore store;
    private final MarketState state;
    private final Map<String, List<String>> sourcesByAsset;
    private final Clock clock = MarketState.CLOCK;

    public MarketData(MarketStore store, MarketState state, PricingConfig config) {
        this.store = store;
        this.state = state;
        this.sourcesByAsset = Map.copyOf(config.index().sources());
    }

    /** A pushed quote, not yet validated. */
    public record Quote(String asset, String source, String price, long observedAtUnixMs) {
    }

    /**
     * Validates every quote, then stores them all and returns the market after the commit; on any
     * bad quote nothing is stored. The reason is that of the first bad quote.
     */
    public Uni<MarketSnapshot> push(List<Quote> quotes) {
        Instant now = clock.instant();
        List<Violation> violations = new ArrayList<>();
        String reason = null;
        List<SourceQuote> valid = new ArrayList<>();
        if (quotes.isEmpty()) {
            violations.add(new Violation("quotes", "at least one quote is required"));
        }
        for (int i = 0; i < quotes.size(); i++) {
            try {
                valid.add(QuoteValidation.toQuote(quotes.get(i), "quotes[" + i + "]", now, sourcesByAsset));
            } catch (InvalidInputException e) {
                violations.addAll(e.violations());
                reason = reason == null ? e.reason() : reason;
            }
        }
        if (!violations.isEmpty()) {
            throw new InvalidInputException(reason == null ? "INVALID_QUOTE" : reason, violations);
        }
        return store.saveQuotes(valid, now, state.aggregator())
                .invoke(state::applyAssets)
                .map(saved -> snapshot());
    }

    public MarketSnapshot snapshot() {
        return state.snapshot(clock.instant());
    }

    /** Assets and underlyings whose index or surface changed, as they change. */
    public Multi<Set<String>> changes() {
        return state.changes();
    }
}
