package dev.crosschain.collateral.domain;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** Golden values computed by hand (see each comment) for tiers, latency, wrapped, chain status, stale and cap. */
class TieredValuationTest {

    static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

    /** ETH on a chain with T_liq 600 s: IM tiers 0:0.10, 1M:0.15, z 2.33; MM tiers 0:0.05, 1M:0.08, z 1; vol floor 0.8. */
    static AssetSpec eth(Optional<BigDecimal> cap) {
        return new AssetSpec("ETH", "ETH", 18, false, BigDecimal.ZERO,
                schedule("0", "0.10", "1000000", "0.15"), schedule("0", "0.05", "1000000", "0.08"),
                2.33, 1.0, 0.8, cap);
    }

    static HaircutSchedule schedule(String... fromAndRate) {
        List<HaircutTier> tiers = new java.util.ArrayList<>();
        for (int i = 0; i < fromAndRate.length; i += 2) {
            tiers.add(new HaircutTier(new BigDecimal(fromAndRate[i]), new BigDecimal(fromAndRate[i + 1])));
        }
        return new HaircutSchedule(tiers);
    }

    static ChainRegistry registry(AssetSpec asset) {
        return new ChainRegistry(List.of(Fixtures.chain("ethereum", 3, Duration.ofSeconds(600), Map.of(asset.symbol(), asset))));
    }

    static CollateralValuation.AssetValuation value(AssetSpec asset, String available, IndexQuote quote, Double atmVol,
                                                    ChainStatus status) {
        MarketData market = new MarketData(Map.of(asset.canonical(), quote),
                atmVol == null ? Map.of() : Map.of(asset.canonical(), atmVol));
        AccountHoldings holdings = new AccountHoldings("alice",
                List.of(new Balance("ethereum", asset.symbol(), BigDecimal.ZERO, new BigDecimal(available), BigDecimal.ZERO)),
                1, Optional.empty());
        CollateralValuation v = CollateralValuer.DEFAULT.value(holdings, market, registry(asset),
                Map.of("ethereum", new ChainCondition(status, status == ChainStatus.HEALTHY ? "" : "test")), NOW);
        return v.chains().get(0).assets().get(0);
    }

    static IndexQuote fresh(String price) {
        return new IndexQuote(new BigDecimal(price), false, NOW);
    }

    @Test
    void twoMillionOfEthWithTiersAndLatencyAddOn() {
        // 1000 ETH at 2000 = 2,000,000 USD counted.
        // IM tiered: 1,000,000 x 0.10 + 1,000,000 x 0.15 = 250,000 (effective tier 0.125).
        // sigma_daily = max(0.5 surface, 0.8 floor) / sqrt(365) = 0.8 / 19.10497 = 0.0418739138...
        // IM latency = 2.33 x 0.0418739138 x sqrt(600 / 86400) = 2.33 x 0.0418739138 x 0.0833333 = 0.00813051826 -> 0.008131 (up)
        // IM haircut = 250,000 + 2,000,000 x 0.008131 = 266,262; value 1,733,738; total 266,262 / 2,000,000 = 0.133131.
        // MM tiered: 50,000 + 80,000 = 130,000 (0.065); latency 1 x 0.0418739138 x 0.0833333 = 0.00348949 -> 0.003490;
        // MM haircut = 130,000 + 6,980 = 136,980; value 1,863,020; total 0.06849.
        CollateralValuation.AssetValuation a = value(eth(Optional.empty()), "1000", fresh("2000"), 0.5, ChainStatus.HEALTHY);
        assertThat(a.countedUsd()).isEqualByComparingTo("2000000");
        assertThat(a.sigmaDaily()).isCloseTo(0.041873913807217104, org.assertj.core.data.Offset.offset(1e-15));
        assertThat(a.haircutIm().tier()).isEqualByComparingTo("0.125");
        assertThat(a.haircutIm().latencyAddon()).isEqualByComparingTo("0.008131");
        assertThat(a.haircutIm().total()).isEqualByComparingTo("0.133131");
        assertThat(a.valueImUsd()).isEqualByComparingTo("1733738");
        assertThat(a.haircutMm().tier()).isEqualByComparingTo("0.065");
        assertThat(a.haircutMm().latencyAddon()).isEqualByComparingTo("0.003490");
        assertThat(a.haircutMm().total()).isEqualByComparingTo("0.06849");
        assertThat(a.valueMmUsd()).isEqualByComparingTo("1863020");
        assertThat(a.valueImUsd().scale()).isEqualTo(8);
        assertThat(a.priceStale()).isFalse();
        assertThat(a.priceAgeMs()).isZero();
    }

    @Test
    void aSurfaceVolAboveTheFloorRaisesTheLatencyAddOn() {
        // sigma_daily = 1.6 / sqrt(365) = 0.0837478276; IM latency = 2.33 x 0.0837478276 x 0.0833333 = 0.01626103653 -> 0.016262.
        CollateralValuation.AssetValuation a = value(eth(Optional.empty()), "1000", fresh("2000"), 1.6, ChainStatus.HEALTHY);
        assertThat(a.haircutIm().latencyAddon()).isEqualByComparingTo("0.016262");
        // 250,000 + 2,000,000 x 0.016262 = 282,524 -> value 1,717,476.
        assertThat(a.valueImUsd()).isEqualByComparingTo("1717476");
    }

    @Test
    void aStalePriceAddsTheStaleAddOnAndExtendsTheHorizonByItsAge() {
        // Price set 120 s ago and stale: T = 600 + 120 = 720 s; IM latency = 2.33 x 0.0418739138 x sqrt(720 / 86400)
        // = 2.33 x 0.0418739138 x 0.0912870929 = 0.00890653652 -> 0.008907; stale add-on 0.10.
        // IM haircut = 250,000 + 2,000,000 x (0.008907 + 0.10) = 250,000 + 217,814 = 467,814; value 1,532,186.
        IndexQuote stale = new IndexQuote(new BigDecimal("2000"), true, NOW.minusSeconds(120));
        CollateralValuation.AssetValuation a = value(eth(Optional.empty()), "1000", stale, null, ChainStatus.HEALTHY);
        assertThat(a.priceStale()).isTrue();
        assertThat(a.priceAgeMs()).isEqualTo(120_000);
        assertThat(a.haircutIm().latencyAddon()).isEqualByComparingTo("0.008907");
        assertThat(a.haircutIm().staleAddon()).isEqualByComparingTo("0.10");
        assertThat(a.valueImUsd()).isEqualByComparingTo("1532186");
        // The age of a fresh price does not extend the horizon.
        CollateralValuation.AssetValuation agedFresh = value(eth(Optional.empty()), "1000",
                new IndexQuote(new BigDecimal("2000"), false, NOW.minusSeconds(120)), null, ChainStatus.HEALTHY);
        assertThat(agedFresh.priceAgeMs()).isEqualTo(120_000);
        assertThat(agedFresh.haircutIm().latencyAddon()).isEqualByComparingTo("0.008131");
        assertThat(agedFresh.haircutIm().staleAddon()).isEqualByComparingTo("0");
    }

    @Test
    void aDegradedChainAddsItsAddOnAndAHaltedChainCountsNothing() {
        // Degraded add-on 0.05 (Fixtures.chain): IM haircut = 250,000 + 2,000,000 x (0.008131 + 0.05) = 366,262.
        CollateralValuation.AssetValuation degraded = value(eth(Optional.empty()), "1000", fresh("2000"), null, ChainStatus.DEGRADED);
        assertThat(degraded.haircutIm().chainStatusAddon()).isEqualByComparingTo("0.05");
        assertThat(degraded.valueImUsd()).isEqualByComparingTo("1633738");
        CollateralValuation.AssetValuation halted = value(eth(Optional.empty()), "1000", fresh("2000"), null, ChainStatus.HALTED);
        assertThat(halted.haircutIm().chainStatusAddon()).isEqualByComparingTo("1");
        assertThat(halted.haircutIm().total()).isEqualByComparingTo("1");
        assertThat(halted.haircutMm().total()).isEqualByComparingTo("1");
        assertThat(halted.valueImUsd()).isEqualByComparingTo("0");
        assertThat(halted.valueMmUsd()).isEqualByComparingTo("0");
        assertThat(halted.marketValueUsd()).isEqualByComparingTo("2000000"); // still shown
    }

    @Test
    void thePartAboveTheAccountCapIsCutAtOne() {
        // Cap 1,500,000: slices [0, 1M) at 0.10 + 0.008131, [1M, 1.5M) at 0.15 + 0.008131, [1.5M, 2M) at 1.
        // = 108,131 + 79,065.5 + 500,000 = 687,196.5; value 1,312,803.5. Tiered 100,000 + 75,000 + 500,000 = 675,000 (0.3375).
        CollateralValuation.AssetValuation a = value(eth(Optional.of(new BigDecimal("1500000"))), "1000", fresh("2000"), null,
                ChainStatus.HEALTHY);
        assertThat(a.haircutIm().tier()).isEqualByComparingTo("0.3375");
        assertThat(a.valueImUsd()).isEqualByComparingTo("1312803.5");
        // total 687,196.5 / 2,000,000 = 0.34359825
        assertThat(a.haircutIm().total()).isEqualByComparingTo("0.34359825");
    }

    @Test
    void aWrappedTokenAddsItsAddOnAndPendingCountsWithTheChainWeight() {
        // wBTC: flat 0.10, wrapped add-on 0.02, no latency (z 0): 0.2 wBTC at 50,000 = 10,000 -> haircut 0.12 -> 8,800.
        // Pending 0.1 with weight 0.5 adds 0.05 wBTC = 2,500 counted -> 12,500 x 0.88 = 11,000. Locked 1 is shown only.
        AssetSpec wbtc = new AssetSpec("WBTC", "BTC", 8, true, new BigDecimal("0.02"), HaircutSchedule.flat(new BigDecimal("0.10")),
                HaircutSchedule.flat(new BigDecimal("0.05")), 0, 0, 0, Optional.empty());
        ChainSpec chain = new ChainSpec("ethereum", FinalityRule.CONFIRMATIONS, 3, Duration.ofSeconds(12), Duration.ofSeconds(600),
                new BigDecimal("0.5"), new BigDecimal("0.05"), Duration.ofSeconds(60), Duration.ofSeconds(120),
                Duration.ofSeconds(600), Map.of("WBTC", wbtc));
        AccountHoldings holdings = new AccountHoldings("alice", List.of(new Balance("ethereum", "WBTC", new BigDecimal("0.1"),
                new BigDecimal("0.2"), new BigDecimal("1"))), 1, Optional.of("orphaned deposit"));
        CollateralValuation v = CollateralValuer.DEFAULT.value(holdings, new MarketData(Map.of("BTC", fresh("50000")), Map.of()),
                new ChainRegistry(List.of(chain)), Map.of(), NOW);
        CollateralValuation.AssetValuation a = v.chains().get(0).assets().get(0);
        assertThat(a.countedUsd()).isEqualByComparingTo("12500");
        assertThat(a.marketValueUsd()).isEqualByComparingTo("60000"); // (0.2 + 1) x 50,000
        assertThat(a.haircutIm().wrappedAddon()).isEqualByComparingTo("0.02");
        assertThat(a.haircutIm().total()).isEqualByComparingTo("0.12");
        assertThat(a.valueImUsd()).isEqualByComparingTo("11000");
        assertThat(a.valueMmUsd()).isEqualByComparingTo("11625"); // 12,500 x 0.93
        assertThat(v.withdrawalsFrozen()).isTrue();
        assertThat(v.frozenReason()).contains("orphaned deposit");
        assertThat(v.chains().get(0).condition()).isEqualTo(ChainCondition.HEALTHY);
    }

    @Test
    void nothingCountedReportsTheFirstTierRate() {
        CollateralValuation.AssetValuation a = value(eth(Optional.empty()), "0", fresh("2000"), null, ChainStatus.HEALTHY);
        assertThat(a.countedUsd()).isEqualByComparingTo("0");
        assertThat(a.haircutIm().tier()).isEqualByComparingTo("0.10");
        assertThat(a.haircutIm().total()).isEqualByComparingTo("0.108131");
        assertThat(a.valueImUsd()).isEqualByComparingTo("0");
    }
}
