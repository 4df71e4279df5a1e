package dev.crosschain.collateral.domain;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Values balances with index prices and flat haircuts:
 * market value = (available + locked) * price; value for IM = (available + w_pending * pending) * price * (1 - h_im),
 * likewise for MM. A missing index prices the asset at 0 and marks it stale (conservative). Chain and account
 * totals are sums of the rounded asset figures.
 */
public final class CollateralValuer {

    public static final CollateralValuer DEFAULT = new CollateralValuer();

    public CollateralValuation value(String accountId, List<Balance> balances, Map<String, IndexQuote> prices,
                                     ChainRegistry registry, Instant asOf, long ledgerVersion) {
        Map<String, List<Balance>> byChain = new LinkedHashMap<>();
        balances.stream()
                .sorted(Comparator.comparing(Balance::chainId).thenComparing(Balance::asset))
                .forEach(b -> byChain.computeIfAbsent(b.chainId(), k -> new ArrayList<>()).add(b));
        List<CollateralValuation.ChainValuation> chains = new ArrayList<>();
        BigDecimal market = zero();
        BigDecimal im = zero();
        BigDecimal mm = zero();
        boolean stale = false;
        for (Map.Entry<String, List<Balance>> entry : byChain.entrySet()) {
            Optional<ChainSpec> chain = registry.chain(entry.getKey());
            List<CollateralValuation.AssetValuation> assets = new ArrayList<>();
            BigDecimal chainMarket = zero();
            BigDecimal chainIm = zero();
            BigDecimal chainMm = zero();
            for (Balance b : entry.getValue()) {
                CollateralValuation.AssetValuation a = valueAsset(b, chain, prices);
                assets.add(a);
                chainMarket = chainMarket.add(a.marketValueUsd());
                chainIm = chainIm.add(a.valueImUsd());
                chainMm = chainMm.add(a.valueMmUsd());
                stale |= a.priceStale();
            }
            chains.add(new CollateralValuation.ChainValuation(entry.getKey(), assets, chainMarket, chainIm, chainMm));
            market = market.add(chainMarket);
            im = im.add(chainIm);
            mm = mm.add(chainMm);
        }
        return new CollateralValuation(accountId, chains, market, im, mm, stale, asOf, ledgerVersion);
    }

    private static CollateralValuation.AssetValuation valueAsset(Balance b, Optional<ChainSpec> chain,
                                                                 Map<String, IndexQuote> prices) {
        Optional<AssetSpec> spec = chain.flatMap(c -> c.asset(b.asset()));
        // An asset no longer configured keeps its balance on view but counts for nothing.
        String canonical = spec.map(AssetSpec::canonical).orElse(b.asset());
        Haircut im = Haircut.flat(spec.map(a -> a.im().rateAt(BigDecimal.ZERO)).orElse(BigDecimal.ONE));
        Haircut mm = Haircut.flat(spec.map(a -> a.mm().rateAt(BigDecimal.ZERO)).orElse(BigDecimal.ONE));
        BigDecimal pendingWeight = chain.map(ChainSpec::pendingWeight).orElse(BigDecimal.ZERO);
        IndexQuote quote = prices.get(canonical);
        BigDecimal price = quote == null ? BigDecimal.ZERO : quote.price();
        boolean stale = quote == null || quote.stale();
        BigDecimal counted = b.available().add(b.pending().multiply(pendingWeight));
        BigDecimal market = Amounts.usd(b.available().add(b.locked()).multiply(price));
        BigDecimal valueIm = Amounts.usd(counted.multiply(price).multiply(BigDecimal.ONE.subtract(im.total())));
        BigDecimal valueMm = Amounts.usd(counted.multiply(price).multiply(BigDecimal.ONE.subtract(mm.total())));
        return new CollateralValuation.AssetValuation(b.asset(), canonical, b.pending(), b.available(), b.locked(),
                price, stale, market, im, mm, valueIm, valueMm);
    }

    private static BigDecimal zero() {
        return Amounts.usd(BigDecimal.ZERO);
    }
}
