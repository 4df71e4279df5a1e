package dev.crosschain.collateral.domain;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Values balances (see the proto's AssetCollateral and HaircutBreakdown):
 * <ul>
 *   <li>counted = available + pending weight(chain) x pending, counted USD = counted x price; locked is shown in the
 *       market value (available + locked at price) but never counted;</li>
 *   <li>haircut for IM and for MM, each with its own schedule and z: the tiered haircut of the counted USD (above the
 *       account cap at 1) plus counted USD x (latency + wrapped + chain status + stale add-ons), see
 *       {@link HaircutCalculator};</li>
 *   <li>latency add-on z x sigma_daily x sqrt(T / 1 day), T = chain liquidation latency, plus the price's age when
 *       the price is stale (the price may already be that far off);</li>
 *   <li>chain status add-on: the chain's degraded add-on when DEGRADED, 1 when HALTED;</li>
 *   <li>value = counted USD - haircut USD, rounded DOWN at 8 decimals (conservative).</li>
 * </ul>
 * A missing index prices the asset at 0 and marks it stale; an asset or chain no longer in the registry counts for
 * nothing. Chain and account totals are sums of the rounded asset figures.
 */
public final class CollateralValuer {

    /** The stale add-on when the service does not set one. */
    public static final BigDecimal DEFAULT_STALE_ADDON = new BigDecimal("0.10");
    public static final CollateralValuer DEFAULT = new CollateralValuer(DEFAULT_STALE_ADDON);

    private final BigDecimal staleAddon;

    public CollateralValuer(BigDecimal staleAddon) {
        AssetSpec.requireFraction("collateral.valuation.stale-addon", "stale add-on", staleAddon);
        this.staleAddon = staleAddon;
    }

    public CollateralValuation value(AccountHoldings holdings, MarketData market, ChainRegistry registry,
                                     Map<String, ChainCondition> conditions, Instant asOf) {
        Map<String, List<Balance>> byChain = new LinkedHashMap<>();
        holdings.balances().stream()
                .sorted(Comparator.comparing(Balance::chainId).thenComparing(Balance::asset))
                .forEach(b -> byChain.computeIfAbsent(b.chainId(), k -> new ArrayList<>()).add(b));
        List<CollateralValuation.ChainValuation> chains = new ArrayList<>();
        BigDecimal marketValue = zero();
        BigDecimal im = zero();
        BigDecimal mm = zero();
        boolean stale = false;
        for (Map.Entry<String, List<Balance>> entry : byChain.entrySet()) {
            Optional<ChainSpec> chain = registry.chain(entry.getKey());
            ChainCondition condition = chain.isEmpty()
                    ? new ChainCondition(ChainStatus.HALTED, "chain not in the registry")
                    : conditions.getOrDefault(entry.getKey(), ChainCondition.HEALTHY);
            List<CollateralValuation.AssetValuation> assets = new ArrayList<>();
            BigDecimal chainMarket = zero();
            BigDecimal chainIm = zero();
            BigDecimal chainMm = zero();
            for (Balance b : entry.getValue()) {
                CollateralValuation.AssetValuation a = valueAsset(b, chain, condition.status(), market, asOf);
                assets.add(a);
                chainMarket = chainMarket.add(a.marketValueUsd());
                chainIm = chainIm.add(a.valueImUsd());
                chainMm = chainMm.add(a.valueMmUsd());
                stale |= a.priceStale();
            }
            chains.add(new CollateralValuation.ChainValuation(entry.getKey(), condition, assets, chainMarket, chainIm, chainMm));
            marketValue = marketValue.add(chainMarket);
            im = im.add(chainIm);
            mm = mm.add(chainMm);
        }
        return new CollateralValuation(holdings.accountId(), chains, marketValue, im, mm, stale, asOf,
                holdings.ledgerVersion(), holdings.frozenReason());
    }

    private CollateralValuation.AssetValuation valueAsset(Balance b, Optional<ChainSpec> chain, ChainStatus status,
                                                          MarketData market, Instant asOf) {
        Optional<AssetSpec> spec = chain.flatMap(c -> c.asset(b.asset()));
        String canonical = spec.map(AssetSpec::canonical).orElse(b.asset());
        Optional<IndexQuote> quote = market.price(canonical);
        BigDecimal price = quote.map(IndexQuote::price).orElse(BigDecimal.ZERO);
        boolean stale = quote.map(IndexQuote::stale).orElse(true);
        Duration age = quote.map(q -> q.ageAt(asOf)).orElse(Duration.ZERO);
        BigDecimal marketValue = Amounts.usd(b.available().add(b.locked()).multiply(price));
        if (spec.isEmpty()) {
            // An asset (or chain) no longer configured keeps its balance on view but counts for nothing.
            Haircut all = new Haircut(BigDecimal.ONE, BigDecimal.ZERO, BigDecimal.ZERO, BigDecimal.ZERO, BigDecimal.ZERO, BigDecimal.ONE);
            return new CollateralValuation.AssetValuation(b.asset(), canonical, b.pending(), b.available(), b.locked(),
                    price, stale, age.toMillis(), 0.0, zero(), marketValue, all, all, zero(), zero());
        }
        AssetSpec asset = spec.get();
        ChainSpec c = chain.get();
        BigDecimal counted = b.available().add(b.pending().multiply(c.pendingWeight()));
        BigDecimal countedUsd = counted.multiply(price);
        double sigmaDaily = LatencyAddon.sigmaDaily(market.atmAnnualVol(canonical).orElse(null), asset.minAnnualVol());
        // A stale price may already be off by as much as the market moved since it was set: extend the horizon.
        Duration horizon = stale ? c.liquidationLatency().plus(age) : c.liquidationLatency();
        BigDecimal chainAddon = chainStatusAddon(status, c);
        BigDecimal staleFraction = stale ? staleAddon : BigDecimal.ZERO;
        HaircutCalculator.Result im = HaircutCalculator.haircut(countedUsd, asset.im(), asset.accountCapUsd(),
                LatencyAddon.fraction(asset.latencyZIm(), sigmaDaily, horizon), chainAddon, asset.wrappedAddon(), staleFraction);
        HaircutCalculator.Result mm = HaircutCalculator.haircut(countedUsd, asset.mm(), asset.accountCapUsd(),
                LatencyAddon.fraction(asset.latencyZMm(), sigmaDaily, horizon), chainAddon, asset.wrappedAddon(), staleFraction);
        return new CollateralValuation.AssetValuation(b.asset(), canonical, b.pending(), b.available(), b.locked(),
                price, stale, age.toMillis(), sigmaDaily, Amounts.usd(countedUsd), marketValue,
                im.breakdown(), mm.breakdown(), value(countedUsd, im), value(countedUsd, mm));
    }

    /** The chain's stranded-collateral add-on when DEGRADED, everything when HALTED. */
    static BigDecimal chainStatusAddon(ChainStatus status, ChainSpec chain) {
        switch (status) {
            case DEGRADED:
                return chain.degradedAddon();
            case HALTED:
                return BigDecimal.ONE;
            default:
                return BigDecimal.ZERO;
        }
    }

    private static BigDecimal value(BigDecimal countedUsd, HaircutCalculator.Result haircut) {
        return countedUsd.subtract(haircut.haircutUsd()).max(BigDecimal.ZERO).setScale(Amounts.USD_SCALE, RoundingMode.DOWN);
    }

    private static BigDecimal zero() {
        return Amounts.usd(BigDecimal.ZERO);
    }
}
