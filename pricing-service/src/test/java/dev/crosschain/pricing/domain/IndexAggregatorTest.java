package dev.crosschain.pricing.domain;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Hand-worked cases of the multi-source index: median, deviation filter, staleness at read time. */
class IndexAggregatorTest {

    static final Duration STALE_AFTER = Duration.ofSeconds(60);
    static final BigDecimal FIVE_PERCENT = new BigDecimal("0.05");
    static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
    static final IndexAggregator AGGREGATOR = new IndexAggregator(STALE_AFTER, FIVE_PERCENT);

    @Test
    void anOddCountGivesTheMiddlePriceExactly() {
        IndexLevel index = AGGREGATOR.index("ETH", List.of(
                quote("kraken", "3010.5", 10), quote("coinbase", "3000.25", 5), quote("binance", "3020", 20)), null, NOW);
        assertThat(index.price()).isEqualByComparingTo("3010.5");
        assertThat(index.price().toPlainString()).isEqualTo("3010.5");
        assertThat(index.stale()).isFalse();
        assertThat(index.sources()).containsExactly("binance", "coinbase", "kraken");
        assertThat(index.droppedSources()).isEmpty();
        assertThat(index.updatedAt()).as("newest observation of the sources used").isEqualTo(NOW.minusSeconds(5));
    }

    @Test
    void anEvenCountGivesTheExactMeanOfTheMiddleTwo() {
        // (3000.01 + 3000.02) / 2 = 3000.015, one more decimal than either price, no rounding.
        IndexLevel index = AGGREGATOR.index("ETH", List.of(
                quote("a", "2999", 1), quote("b", "3000.01", 1), quote("c", "3000.02", 1), quote("d", "3001", 1)), null, NOW);
        assertThat(index.price().toPlainString()).isEqualTo("3000.015");
        assertThat(index.sources()).containsExactly("a", "b", "c", "d");
    }

    @Test
    void halvingKeepsEveryDigitOfEighteenDecimalPrices() {
        IndexLevel index = AGGREGATOR.index("SHIB", List.of(
                quote("a", "0.000012345678901231", 1), quote("b", "0.000012345678901234", 1)), null, NOW);
        assertThat(index.price()).isEqualByComparingTo("0.0000123456789012325");
    }

    @Test
    void aSourceMoreThanTheMaxDeviationFromTheMedianIsDroppedAndTheRestGiveTheIndex() {
        // Median of 100, 101, 102, 110 = 101.5; 5% of it = 5.075. 110 is 8.5 away: dropped.
        // 100 (1.5 away) and 102 (0.5) stay. Index = median(100, 101, 102) = 101.
        IndexLevel index = AGGREGATOR.index("ETH", List.of(
                quote("a", "100", 1), quote("b", "101", 2), quote("c", "102", 3), quote("outlier", "110", 0)), null, NOW);
        assertThat(index.price()).isEqualByComparingTo("101");
        assertThat(index.sources()).containsExactly("a", "b", "c");
        assertThat(index.droppedSources()).containsExactly("outlier");
        assertThat(index.updatedAt()).as("the dropped source's newer quote does not date the index").isEqualTo(NOW.minusSeconds(1));
    }

    @Test
    void aSourceExactlyAtTheMaxDeviationStays() {
        // Median of 100, 100, 105 = 100; 105 is exactly 5% away: kept, index stays 100.
        IndexLevel index = AGGREGATOR.index("ETH", List.of(
                quote("a", "100", 1), quote("b", "100", 1), quote("c", "105", 1)), null, NOW);
        assertThat(index.droppedSources()).isEmpty();
        assertThat(index.price()).isEqualByComparingTo("100");
    }

    @Test
    void theDeviationIsMeasuredFromTheMedianOfAllFreshSourcesBeforeDropping() {
        // Median of 90, 100, 104, 108, 200 = 104; 5% = 5.2. Dropped: 90 (14 away), 200 (96 away).
        // 100 (4) and 108 (4) stay. Index = median(100, 104, 108) = 104.
        IndexLevel index = AGGREGATOR.index("BTC", List.of(
                quote("low", "90", 1), quote("a", "100", 1), quote("b", "104", 1), quote("c", "108", 1), quote("high", "200", 1)),
                null, NOW);
        assertThat(index.price()).isEqualByComparingTo("104");
        assertThat(index.droppedSources()).containsExactly("high", "low");
    }

    @Test
    void twoSourcesThatDisagreeAreBothKeptSinceNeitherCanBeCalledTheOutlier() {
        // Median 110; both are 10 away, over 5.5: dropping both would leave nothing.
        IndexLevel index = AGGREGATOR.index("ETH", List.of(quote("a", "100", 1), quote("b", "120", 1)), null, NOW);
        assertThat(index.price()).isEqualByComparingTo("110");
        assertThat(index.sources()).containsExactly("a", "b");
        assertThat(index.droppedSources()).isEmpty();
    }

    @Test
    void aQuoteOlderThanStaleAfterDoesNotCountButOneExactlyThatOldDoes() {
        IndexLevel index = AGGREGATOR.index("ETH", List.of(
                quote("old", "90", 61), quote("edge", "100", 60), quote("new", "102", 0)), null, NOW);
        assertThat(index.sources()).containsExactly("edge", "new");
        assertThat(index.price()).isEqualByComparingTo("101");
        assertThat(index.stale()).isFalse();
    }

    @Test
    void freshnessIsJudgedAtReadTimeSoTheSameQuotesAgeIntoADifferentIndex() {
        List<SourceQuote> quotes = List.of(quote("a", "100", 50), quote("b", "104", 0), quote("c", "102", 30));
        assertThat(AGGREGATOR.index("ETH", quotes, null, NOW).price()).isEqualByComparingTo("102");
        // 20 s later "a" is 70 s old: median(102, 104) = 103.
        IndexLevel later = AGGREGATOR.index("ETH", quotes, null, NOW.plusSeconds(20));
        assertThat(later.price()).isEqualByComparingTo("103");
        assertThat(later.sources()).containsExactly("b", "c");
    }

    @Test
    void withNoFreshSourceTheLastGoodIndexIsServedStale() {
        IndexLevel lastGood = new IndexLevel("ETH", new BigDecimal("3000"), NOW.minusSeconds(100), false,
                List.of("a", "b"), List.of("c"));
        IndexLevel index = AGGREGATOR.index("ETH", List.of(quote("a", "2900", 90), quote("b", "2950", 95)), lastGood, NOW);
        assertThat(index.stale()).isTrue();
        assertThat(index.price()).isEqualByComparingTo("3000");
        assertThat(index.updatedAt()).isEqualTo(NOW.minusSeconds(100));
        assertThat(index.sources()).containsExactly("a", "b");
        assertThat(index.droppedSources()).containsExactly("c");
        assertThat(index.age(NOW)).isEqualTo(Duration.ofSeconds(100));
    }

    @Test
    void quotesThatArrivedStaleWithNoLastGoodIndexGiveTheIndexAsOfTheNewestObservationStale() {
        // Newest at now-100; fresh then: itself (100) and now-130 (30 earlier); now-200 was not.
        IndexLevel index = AGGREGATOR.index("SOL", List.of(
                quote("a", "180", 100), quote("b", "182", 130), quote("c", "150", 200)), null, NOW);
        assertThat(index.stale()).isTrue();
        assertThat(index.price()).isEqualByComparingTo("181");
        assertThat(index.sources()).containsExactly("a", "b");
        assertThat(index.updatedAt()).isEqualTo(NOW.minusSeconds(100));
    }

    @Test
    void afterAWriteTheLastGoodIndexIsTheFreshIndexOrElseTheOneBefore() {
        IndexLevel before = new IndexLevel("ETH", new BigDecimal("3000"), NOW.minusSeconds(100), false, List.of("a"), List.of());
        IndexLevel fresh = AGGREGATOR.lastGoodAfterWrite("ETH", List.of(quote("a", "3100", 1)), before, NOW);
        assertThat(fresh.price()).isEqualByComparingTo("3100");
        assertThat(fresh.stale()).isFalse();
        IndexLevel kept = AGGREGATOR.lastGoodAfterWrite("ETH", List.of(quote("a", "2000", 90)), before, NOW);
        assertThat(kept).isEqualTo(before);
    }

    @Test
    void aQuoteSlightlyAheadOfOurClockIsFresh() {
        IndexLevel index = AGGREGATOR.index("ETH", List.of(quote("a", "100", -3)), null, NOW);
        assertThat(index.stale()).isFalse();
        assertThat(index.updatedAt()).isEqualTo(NOW.plusSeconds(3));
    }

    @Test
    void badSettingsAndAnAssetWithNothingAreRefused() {
        assertThatThrownBy(() -> new IndexAggregator(Duration.ZERO, FIVE_PERCENT)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new IndexAggregator(STALE_AFTER, new BigDecimal("-0.01"))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> AGGREGATOR.index("ETH", List.of(), null, NOW)).isInstanceOf(IllegalArgumentException.class);
    }

    static SourceQuote quote(String source, String price, long secondsAgo) {
        return new SourceQuote("ETH", source, new BigDecimal(price), NOW.minusSeconds(secondsAgo));
    }
}
