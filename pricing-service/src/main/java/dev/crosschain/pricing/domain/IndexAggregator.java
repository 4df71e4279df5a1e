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
 * all fresh sources by more than {@code maxDeviation} (a share of that median). Stateless: the
 * index is a function of the quotes and the time only, so a write, a read and a replica that has
 * just started all agree on it.
 *
 * <p>Stale (consumers must be conservative) in two cases:
 * <ul>
 * <li>No source is fresh: the index is what it showed just before it went stale, i.e. the
 * aggregation over the quotes still fresh at the last instant any was, which are the quotes
 * observed at the newest observation time; {@code updatedAt} is that time. Not a "last good"
 * index kept from some write: that could be a price nobody has quoted for a while (A=100, B=110,
 * then A=100 alone for a minute: the index showed 100, so 100 it stays, not 105).</li>
 * <li>No consensus: every fresh source deviates too far from their median (only possible with
 * an even count whose middle two disagree). No side can be called the outlier, so all are kept
 * and the median is served, but marked stale rather than passed off as a sound price.</li>
 * </ul>
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
        return index(asset.asset(), asset.bySource().values(), now);
    }

    /**
     * The index at {@code now}.
     *
     * @param quotes the latest quote of each source of the asset, at least one
     */
    public IndexLevel index(String asset, Collection<SourceQuote> quotes, Instant now) {
        if (quotes.isEmpty()) {
            throw new IllegalArgumentException("no quote of " + asset);
        }
        List<SourceQuote> fresh = freshAt(quotes, now);
        if (!fresh.isEmpty()) {
            return aggregate(asset, fresh, false);
        }
        Instant newest = quotes.stream().map(SourceQuote::observedAt).max(Comparator.naturalOrder()).orElseThrow();
        // The last instant any quote was fresh: the index as it stood just before it went stale.
        return aggregate(asset, freshAt(quotes, newest.plus(staleAfter)), true);
    }

    private List<SourceQuote> freshAt(Collection<SourceQuote> quotes, Instant now) {
        return quotes.stream().filter(q -> q.isFresh(now, staleAfter)).sorted(BY_PRICE).toList();
    }

    private IndexLevel aggregate(String asset, List<SourceQuote> byPrice, boolean stale) {
        BigDecimal centre = median(byPrice);
        BigDecimal tolerance = maxDeviation.multiply(centre);
        List<SourceQuote> kept = new ArrayList<>();
        List<SourceQuote> dropped = new ArrayList<>();
        for (SourceQuote q : byPrice) {
            (q.price().subtract(centre).abs().compareTo(tolerance) > 0 ? dropped : kept).add(q);
        }
        if (kept.isEmpty()) {
            // No consensus (see the class comment): every source stays, and the median is only
            // served marked stale.
            kept = byPrice;
            dropped = List.of();
            stale = true;
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
