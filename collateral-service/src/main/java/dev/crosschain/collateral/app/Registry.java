package dev.crosschain.collateral.app;

import dev.crosschain.collateral.domain.AssetSpec;
import dev.crosschain.collateral.domain.ChainRegistry;
import dev.crosschain.collateral.domain.ChainSpec;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Builds the chain registry from configuration; a bad entry fails the start. */
@ApplicationScoped
public class Registry {

    @Produces
    @ApplicationScoped
    ChainRegistry chainRegistry(CollateralConfig config) {
        return of(config);
    }

    static ChainRegistry of(CollateralConfig config) {
        List<ChainSpec> chains = new ArrayList<>();
        for (Map.Entry<String, CollateralConfig.Chain> c : config.chains().entrySet()) {
            Map<String, AssetSpec> assets = new TreeMap<>();
            for (Map.Entry<String, CollateralConfig.Asset> a : c.getValue().assets().entrySet()) {
                CollateralConfig.Asset asset = a.getValue();
                assets.put(a.getKey(), new AssetSpec(a.getKey(), asset.canonical(), asset.decimals(),
                        asset.haircutIm(), asset.haircutMm()));
            }
            CollateralConfig.Chain chain = c.getValue();
            chains.add(new ChainSpec(c.getKey(), chain.confirmations(), chain.liquidationLatency(),
                    chain.pendingWeight(), chain.credential(), assets));
        }
        return new ChainRegistry(chains);
    }
}
