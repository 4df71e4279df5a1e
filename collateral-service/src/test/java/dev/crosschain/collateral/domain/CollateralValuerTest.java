package dev.crosschain.collateral.domain;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class CollateralValuerTest {

    static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
    static final MarketData PRICES = new MarketData(Map.of(
            "ETH", new IndexQuote(new BigDecimal("3000"), false, NOW),
            "USDC", new IndexQuote(new BigDecimal("1"), false, NOW)), Map.of());

    @Test
    void valuesAvailableBalanceWithFlatHaircuts() {
        // 2 ETH on ethereum at 3000: market 6000, IM 6000 * 0.90 = 5400, MM 6000 * 0.95 = 5700.
        // 1000 USDC on ethereum at 1: IM 980, MM 990. 1 ETH on arbitrum: IM 3000 * 0.88 = 2640, MM 2820.
        List<Balance> balances = List.of(
                new Balance("ethereum", "ETH", bd("0"), bd("2"), bd("0")),
                new Balance("ethereum", "USDC", bd("0"), bd("1000"), bd("0")),
                new Balance("arbitrum", "ETH", bd("0"), bd("1"), bd("0")));
        CollateralValuation v = value("alice", balances, PRICES, 7);

        assertThat(v.chains()).extracting(CollateralValuation.ChainValuation::chainId).containsExactly("arbitrum", "ethereum");
        CollateralValuation.ChainValuation ethereum = v.chains().get(1);
        CollateralValuation.AssetValuation eth = ethereum.assets().get(0);
        assertThat(eth.asset()).isEqualTo("ETH");
        assertThat(eth.marketValueUsd()).isEqualByComparingTo("6000");
        assertThat(eth.valueImUsd()).isEqualByComparingTo("5400");
        assertThat(eth.valueMmUsd()).isEqualByComparingTo("5700");
        assertThat(eth.haircutIm().total()).isEqualByComparingTo("0.10");
        assertThat(eth.haircutIm().latencyAddon()).isEqualByComparingTo("0");
        assertThat(ethereum.valueImUsd()).isEqualByComparingTo("6380");
        assertThat(ethereum.valueMmUsd()).isEqualByComparingTo("6690");
        assertThat(v.marketValueUsd()).isEqualByComparingTo("10000");
        assertThat(v.valueImUsd()).isEqualByComparingTo("9020");
        assertThat(v.valueMmUsd()).isEqualByComparingTo("9510");
        assertThat(v.valueImUsd().scale()).isEqualTo(8);
        assertThat(v.priceStale()).isFalse();
        assertThat(v.ledgerVersion()).isEqualTo(7);
    }

    @Test
    void pendingCountsZeroAndAMissingIndexIsZeroAndStale() {
        List<Balance> balances = List.of(
                new Balance("ethereum", "ETH", bd("5"), bd("1"), bd("0")),
                new Balance("solana", "SOL", bd("0"), bd("10"), bd("0")));
        CollateralValuation v = value("bob", balances, PRICES, 1);

        CollateralValuation.AssetValuation eth = v.chains().get(0).assets().get(0);
        assertThat(eth.valueImUsd()).isEqualByComparingTo("2700");
        assertThat(eth.marketValueUsd()).isEqualByComparingTo("3000");
        CollateralValuation.AssetValuation sol = v.chains().get(1).assets().get(0);
        assertThat(sol.priceUsd()).isEqualByComparingTo("0");
        assertThat(sol.priceStale()).isTrue();
        assertThat(sol.valueImUsd()).isEqualByComparingTo("0");
        assertThat(v.priceStale()).isTrue();
    }

    @Test
    void roundsMarketValueHalfEvenAndCollateralValueDownAtScaleEight() {
        // 0.000000015 ETH at 1 USD (stale, age 0): market 0.000000015 -> 0.00000002 (half-even);
        // IM haircut 0.10 + stale add-on 0.10: 0.000000015 x 0.80 = 0.000000012 -> 0.00000001 (down).
        MarketData prices = new MarketData(Map.of("ETH", new IndexQuote(bd("1"), true, NOW)), Map.of());
        List<Balance> balances = List.of(new Balance("ethereum", "ETH", bd("0"), bd("0.000000015"), bd("0")));
        CollateralValuation v = value("carol", balances, prices, 1);
        assertThat(v.marketValueUsd().toPlainString()).isEqualTo("0.00000002");
        assertThat(v.valueImUsd().toPlainString()).isEqualTo("0.00000001");
        assertThat(v.priceStale()).isTrue();
    }

    static CollateralValuation value(String account, List<Balance> balances, MarketData market, long version) {
        return CollateralValuer.DEFAULT.value(new AccountHoldings(account, balances, version, Optional.empty()), market,
                Fixtures.REGISTRY, Map.of(), NOW);
    }

    private static BigDecimal bd(String s) {
        return new BigDecimal(s);
    }
}
