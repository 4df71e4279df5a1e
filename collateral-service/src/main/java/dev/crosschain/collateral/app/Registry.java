package dev.crosschain.collateral.app;

import dev.crosschain.collateral.domain.AssetSpec;
import dev.crosschain.collateral.domain.ChainRegistry;
import dev.crosschain.collateral.domain.ChainSpec;
import dev.crosschain.collateral.domain.FinalityRule;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The chain registry in force. Read {@link #current()} at each use, never keep it: it can change while the service
 * runs. Built from configuration; a bad entry fails the start.
 */
@ApplicationScoped
public class Registry {

    private volatile ChainRegistry current;

    public Registry(CollateralConfig config) {
        this.current = of(config);
    }

    /** The registry now: an immutable snapshot. */
    public ChainRegistry current() {
        return current;
    }

    static ChainRegistry of(CollateralConfig config) {
        List<ChainSpec> chains = new ArrayList<>();
        for (Map.Entry<String, CollateralConfig.Chain> c : config.chains().entrySet()) {
            Map<String, AssetSpec> assets = new TreeMap<>();
            for (Map.Entry<String, CollateralConfig.Asset> a : c.getValue().assets().entrySet()) {
                CollateralConfig.Asset asset = a.getValue();
                assets.put(a.getKey(), AssetSpec.flat(a.getKey(), asset.canonical(), asset.decimals(),
                        asset.haircutIm(), asset.haircutMm()));
            }
            CollateralConfig.Chain chain = c.getValue();
            chains.add(new ChainSpec(c.getKey(), FinalityRule.CONFIRMATIONS, chain.confirmations(), chain.blockTime(),
                    chain.liquidationLatency(), chain.pendingWeight(), chain.degradedAddon(), chain.heartbeatLateAfter(),
                    chain.headStallAfter(), chain.haltAfterSilence(), assets));
        }
        return new ChainRegistry(chains);
    }
}
