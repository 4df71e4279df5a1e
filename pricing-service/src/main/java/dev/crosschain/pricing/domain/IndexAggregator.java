package dev.crosschain.pricing.domain;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * The index of an asset from the latest quote of each of its sources, evaluated at the moment it
 * is read: the median of the fresh sources after dropping those that deviate from the median of
 * all fresh sources by more than {@code maxDeviation} (a share of that median). With no fresh
 * source the index is the last good one, marked stale. Stateless.
 */
public final class IndexAggregator {

    private static final BigDecimal TWO = BigDecimal.valueOf(2);
    private static final Comparator<SourceQuote> BY_PRICE = Comparator.comparing(SourceQuote::price)
            .thenComparing(SourceQuote::source);

    private final Duration staleAfter;
    private final BigDecimal maxDeviation;

    /**
     * @param staleAfter   a quote older than this is not fresh
     * @param maxDeviation largest accepted |price - median| / median of a fresh source, e.g. 0.05
     */
    public IndexAggregator(Duration staleAfter, BigDecimal maxDeviation) {
        if (staleAfter.isNegative() || staleAfter.isZero()) {
            throw new IllegalArgumentException("stale-after must be positive, got " + staleAfter);
        }
        if (maxDeviation.signum() < 0) {
            throw new IllegalArgumentException("max-deviation must not be negative, got " + maxDeviation);
        }
        this.staleAfter = staleAfter;
        this.maxDeviation = maxDeviation;
    }

    public Duration staleAfter() {
        return staleAfter;
    }

    public IndexLevel index(AssetQuotes asset, Instant now) {
        return index(asset.asset(), asset.bySource().values(), asset.lastGood(), now);
    }

    /**
     * The index at {@code now}.
     *
     * @param quotes   the latest quote of each source of the asset
     * @param lastGood the last index that had a fresh source, null if there never was one
     */
    public IndexLevel index(String asset, Collection<SourceQuote> quotes, IndexLevel lastGood, Instant now) {
        List<SourceQuote> fresh = freshAt(quotes, now);
        if (!fresh.isEmpty()) {
            return median(asset, fresh, false);
        }
        if (lastGood != null) {
            return lastGood.withStale(true);
        }
        if (quotes.isEmpty()) {
            throw new IllegalArgumentException("no quote of " + asset);
        }
        // Every quote arrived already stale: the best there is, the index as it stood when the newest was observed.
        Instant newest = quotes.stream().map(SourceQuote::observedAt).max(Comparator.naturalOrder()).orElseThrow();
        return median(asset, freshAt(quotes, newest), true);
    }

    /** What becomes the asset's last good index after a write: the index now, or the one before when no source is fresh. */
    public IndexLevel lastGoodAfterWrite(String asset, Collection<SourceQuote> quotes, IndexLevel previous, Instant now) {
        return index(asset, quotes, previous, now).withStale(false);
    }

    private List<SourceQuote> freshAt(Collection<SourceQuote> quotes, Instant now) {
        return quotes.stream().filter(q -> q.isFresh(now, staleAfter)).sorted(BY_PRICE).toList();
    }

    private IndexLevel median(String asset, List<SourceQuote> byPrice, boolean stale) {
        BigDecimal centre = median(byPrice);
        BigDecimal tolerance = maxDeviation.multiply(centre);
        List<SourceQuote> kept = new ArrayList<>();
        List<SourceQuote> dropped = new ArrayList<>();
        for (SourceQuote q : byPrice) {
            (q.price().subtract(centre).abs().compareTo(tolerance) > 0 ? dropped : kept).add(q);
        }
        if (kept.isEmpty()) {
            // Only an even count whose two middle quotes disagree gets here: no side can be called the
            // outlier, so every source stays and the index is their median.
            kept = byPrice;
            dropped = List.of();
        }
        Instant updatedAt = kept.stream().map(SourceQuote::observedAt).max(Comparator.naturalOrder()).orElseThrow();
        return new IndexLevel(asset, median(kept), updatedAt, stale, names(kept), names(dropped));
    }

    /** Median of quotes sorted by price; of an even count the exact mean of the middle two. */
    private static BigDecimal median(List<SourceQuote> byPrice) {
        int n = byPrice.size();
        BigDecimal upper = byPrice.get(n / 2).price();
        if (n % 2 == 1) {
            return upper;
        }
        // Halving a decimal always terminates, so this division is exact.
        return byPrice.get(n / 2 - 1).price().add(upper).divide(TWO);
    }

    private static List<String> names(List<SourceQuote> quotes) {
        return quotes.stream().map(SourceQuote::source).filter(Objects::nonNull).sorted().toList();
    }
}
