package dev.crosschain.liquidation.domain;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The underlyings a lot touches, the key of per-underlying halts and index breakers. A position counts for its
 * instrument's underlying (Deribit names: the part before the first "-", ETH-PERPETUAL and ETH-27DEC26-3000-C ->
 * ETH); a collateral item for its token's canonical asset (the lot carries only the token symbol, so the
 * registry's mapping is passed in: WBTC on ethereum -> BTC), the name pricing-service publishes its index under.
 */
public final class Underlyings {

    private Underlyings() {
    }

    /** Collateral under its token symbol: for when the registry cannot be read. */
    public static Set<String> of(List<LotItem> lot) {
        return of(lot, CanonicalAssets.NONE);
    }

    public static Set<String> of(List<LotItem> lot, CanonicalAssets canonical) {
        Set<String> underlyings = new TreeSet<>();
        for (LotItem item : lot) {
            if (item.kind() == LotItem.Kind.ALLOCATION) {
                continue; // USD: no index moves it
            }
            String symbol = item.kind() == LotItem.Kind.POSITION ? ofInstrument(item.instrument())
                    : canonical.of(item.chainId(), item.asset());
            if (!symbol.isEmpty()) {
                underlyings.add(symbol);
            }
        }
        return underlyings;
    }

    static String ofInstrument(String instrument) {
        int dash = instrument.indexOf('-');
        return (dash < 0 ? instrument : instrument.substring(0, dash)).trim();
    }
}
