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
                quote("kraken", "3010.5", 10), quote("coinbase", "3000.25", 5), quote("binance", "3020", 20)), NOW);
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
                quote("a", "2999", 1), quote("b", "3000.01", 1), quote("c", "3000.02", 1), quote("d", "3001", 1)), NOW);
        assertThat(index.price().toPlainString()).isEqualTo("3000.015");
        assertThat(index.sources()).containsExactly("a", "b", "c", "d");
    }

    @Test
    void halvingKeepsEveryDigitOfEighteenDecimalPrices() {
        IndexLevel index = AGGREGATOR.index("SHIB", List.of(
                quote("a", "0.000012345678901231", 1), quote("b", "0.000012345678901234", 1)), NOW);
        assertThat(index.price()).isEqualByComparingTo("0.0000123456789012325");
    }

    @Test
    void aSourceMoreThanTheMaxDeviationFromTheMedianIsDroppedAndTheRestGiveTheIndex() {
        // Median of 100, 101, 102, 110 = 101.5; 5% of it = 5.075. 110 is 8.5 away: dropped.
        // 100 (1.5 away) and 102 (0.5) stay. Index = median(100, 101, 102) = 101.
        IndexLevel index = AGGREGATOR.index("ETH", List.of(
                quote("a", "100", 1), quote("b", "101", 2), quote("c", "102", 3), quote("outlier", "110", 0)), NOW);
        assertThat(index.price()).isEqualByComparingTo("101");
        assertThat(index.sources()).containsExactly("a", "b", "c");
        assertThat(index.droppedSources()).containsExactly("outlier");
        assertThat(index.updatedAt()).as("the dropped source's newer quote does not date the index").isEqualTo(NOW.minusSeconds(1));
    }

    @Test
    void aSourceExactlyAtTheMaxDeviationStays() {
        // Median of 100, 100, 105 = 100; 105 is exactly 5% away: kept, index stays 100.
        IndexLevel index = AGGREGATOR.index("ETH", List.of(
                quote("a", "100", 1), quote("b", "100", 1), quote("c", "105", 1)), NOW);
        assertThat(index.droppedSources()).isEmpty();
        assertThat(index.price()).isEqualByComparingTo("100");
    }

    @Test
    void theDeviationIsMeasuredFromTheMedianOfAllFreshSourcesBeforeDropping() {
        // Median of 90, 100, 104, 108, 200 = 104; 5% = 5.2. Dropped: 90 (14 away), 200 (96 away).
        // 100 (4) and 108 (4) stay. Index = median(100, 104, 108) = 104.
        IndexLevel index = AGGREGATOR.index("BTC", List.of(
                quote("low", "90", 1), quote("a", "100", 1), quote("b", "104", 1), quote("c", "108", 1), quote("high", "200", 1)),
                NOW);
        assertThat(index.price()).isEqualByComparingTo("104");
        assertThat(index.droppedSources()).containsExactly("high", "low");
    }

    @Test
    void twoSourcesThatDisagreeAreBothKeptSinceNeitherCanBeCalledTheOutlierButWithoutConsensusTheIndexIsStale() {
        // Median 110; both are 10 away, over 5.5: dropping both would leave nothing.
        IndexLevel index = AGGREGATOR.index("ETH", List.of(quote("a", "100", 1), quote("b", "120", 1)), NOW);
        assertThat(index.price()).isEqualByComparingTo("110");
        assertThat(index.sources()).containsExactly("a", "b");
        assertThat(index.droppedSources()).isEmpty();
        assertThat(index.stale()).as("no consensus: consumers must be conservative").isTrue();
    }

    @Test
    void fourSourcesSplitInTwoCampsHaveNoConsensusEither() {
        // Median of 100, 100, 200, 200 = 150; 5% = 7.5; every source is 50 away.
        IndexLevel index = AGGREGATOR.index("ETH", List.of(
                quote("a", "100", 1), quote("b", "100", 2), quote("c", "200", 1), quote("d", "200", 3)), NOW);
        assertThat(index.price()).isEqualByComparingTo("150");
        assertThat(index.stale()).isTrue();
        // One more source in a camp gives a median at that camp: consensus, fresh.
        IndexLevel decided = AGGREGATOR.index("ETH", List.of(
                quote("a", "100", 1), quote("b", "100", 2), quote("c", "200", 1), quote("d", "200", 3), quote("e", "101", 1)), NOW);
        assertThat(decided.price()).isEqualByComparingTo("100");
        assertThat(decided.droppedSources()).containsExactly("c", "d");
        assertThat(decided.stale()).isFalse();
    }

    @Test
    void aQuoteOlderThanStaleAfterDoesNotCountButOneExactlyThatOldDoes() {
        IndexLevel index = AGGREGATOR.index("ETH", List.of(
                quote("old", "90", 61), quote("edge", "100", 60), quote("new", "102", 0)), NOW);
        assertThat(index.sources()).containsExactly("edge", "new");
        assertThat(index.price()).isEqualByComparingTo("101");
        assertThat(index.stale()).isFalse();
    }

    @Test
    void freshnessIsJudgedAtReadTimeSoTheSameQuotesAgeIntoADifferentIndex() {
        List<SourceQuote> quotes = List.of(quote("a", "100", 50), quote("b", "104", 0), quote("c", "102", 30));
        assertThat(AGGREGATOR.index("ETH", quotes, NOW).price()).isEqualByComparingTo("102");
        // 20 s later "a" is 70 s old: median(102, 104) = 103.
        IndexLevel later = AGGREGATOR.index("ETH", quotes, NOW.plusSeconds(20));
        assertThat(later.price()).isEqualByComparingTo("103");
        assertThat(later.sources()).containsExactly("b", "c");
    }

    @Test
    void withNoFreshSourceTheIndexIsTheOneShownJustBeforeItWentStale() {
        // a at now-90 and b at now-95: the last instant either was fresh is now-30, when only a
        // (observed at the newest time) was; so the index is a's 2900, dated now-90.
        IndexLevel index = AGGREGATOR.index("ETH", List.of(quote("a", "2900", 90), quote("b", "2950", 95)), NOW);
        assertThat(index.stale()).isTrue();
        assertThat(index.price()).isEqualByComparingTo("2900");
        assertThat(index.updatedAt()).isEqualTo(NOW.minusSeconds(90));
        assertThat(index.sources()).containsExactly("a");
        assertThat(index.droppedSources()).isEmpty();
        assertThat(index.age(NOW)).isEqualTo(Duration.ofSeconds(90));
    }

    @Test
    void theStaleIndexIsTheLastShownNotAnOlderPriceFromTheLastWriteWithBothSources() {
        // Stale after 60 s. t0: A=100, B=110 -> 105. t50: A=100 again (B not re-quoted).
        // t60: both fresh (B exactly 60 old) -> 105. t61..t110: only A fresh -> 100.
        // t111: none fresh -> what was shown at t110, 100 dated t50; never 105 again.
        Instant t0 = NOW;
        SourceQuote a0 = new SourceQuote("ETH", "A", new BigDecimal("100"), t0);
        SourceQuote b0 = new SourceQuote("ETH", "B", new BigDecimal("110"), t0);
        SourceQuote a50 = new SourceQuote("ETH", "A", new BigDecimal("100"), t0.plusSeconds(50));
        assertThat(AGGREGATOR.index("ETH", List.of(a0, b0), t0).price()).isEqualByComparingTo("105");
        List<SourceQuote> after50 = List.of(a50, b0);
        assertThat(AGGREGATOR.index("ETH", after50, t0.plusSeconds(60)).price()).isEqualByComparingTo("105");
        for (long t : new long[] {61, 80, 110}) {
            IndexLevel index = AGGREGATOR.index("ETH", after50, t0.plusSeconds(t));
            assertThat(index.price()).as("t%d", t).isEqualByComparingTo("100");
            assertThat(index.stale()).as("t%d", t).isFalse();
            assertThat(index.sources()).as("t%d", t).containsExactly("A");
        }
        for (long t : new long[] {111, 500}) {
            IndexLevel stale = AGGREGATOR.index("ETH", after50, t0.plusSeconds(t));
            assertThat(stale.stale()).as("t%d", t).isTrue();
            assertThat(stale.price()).as("t%d", t).isEqualByComparingTo("100");
            assertThat(stale.updatedAt()).as("t%d", t).isEqualTo(t0.plusSeconds(50));
            assertThat(stale.sources()).as("t%d", t).containsExactly("A");
        }
        // Equal to the index at t110 but for the flag: what watchers saw last, now marked stale.
        assertThat(AGGREGATOR.index("ETH", after50, t0.plusSeconds(111)))
                .isEqualTo(AGGREGATOR.index("ETH", after50, t0.plusSeconds(110)).withStale(true));
    }

    @Test
    void quotesThatArrivedStaleGiveTheIndexOfTheNewestObservationStale() {
        // Newest at now-100: at now-40, the last instant any was fresh, only it was.
        IndexLevel index = AGGREGATOR.index("SOL", List.of(
                quote("a", "180", 100), quote("b", "182", 130), quote("c", "150", 200)), NOW);
        assertThat(index.stale()).isTrue();
        assertThat(index.price()).isEqualByComparingTo("180");
        assertThat(index.sources()).containsExactly("a");
        assertThat(index.updatedAt()).isEqualTo(NOW.minusSeconds(100));
    }

    @Test
    void theStaleIndexFiltersTheQuotesOfTheNewestObservationLikeAFreshOne() {
        // Three sources observed together 100 s ago: median 100, 120 is 20% away and dropped.
        IndexLevel index = AGGREGATOR.index("SOL", List.of(
                quote("a", "99", 100), quote("b", "100", 100), quote("c", "120", 100), quote("d", "50", 170)), NOW);
        assertThat(index.stale()).isTrue();
        assertThat(index.price()).isEqualByComparingTo("99.5");
        assertThat(index.sources()).containsExactly("a", "b");
        assertThat(index.droppedSources()).containsExactly("c");
    }

    @Test
    void aQuoteSlightlyAheadOfOurClockIsFresh() {
        IndexLevel index = AGGREGATOR.index("ETH", List.of(quote("a", "100", -3)), NOW);
        assertThat(index.stale()).isFalse();
        assertThat(index.updatedAt()).isEqualTo(NOW.plusSeconds(3));
    }

    @Test
    void badSettingsAndAnAssetWithNothingAreRefused() {
        assertThatThrownBy(() -> new IndexAggregator(Duration.ZERO, FIVE_PERCENT)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new IndexAggregator(STALE_AFTER, new BigDecimal("-0.01"))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> AGGREGATOR.index("ETH", List.of(), NOW)).isInstanceOf(IllegalArgumentException.class);
    }

    static SourceQuote quote(String source, String price, long secondsAgo) {
        return new SourceQuote("ETH", source, new BigDecimal(price), NOW.minusSeconds(secondsAgo));
    }
}
