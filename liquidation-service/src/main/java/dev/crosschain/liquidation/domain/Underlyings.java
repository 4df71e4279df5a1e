package dev.crosschain.liquidation.domain;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The underlyings a lot touches, the key of per-underlying halts and index breakers. A position counts for its
 * instrument's underlying (Deribit names: the part before the first "-", ETH-PERPETUAL and ETH-27DEC26-3000-C ->
 * ETH); a collateral item for its token symbol (ETH on arbitrum -> ETH). The lot carries no canonical asset, so a
 * token whose symbol differs from its canonical asset (e.g. a wrapped WETH) counts under its own symbol.
 */
public final class Underlyings {

    private Underlyings() {
    }

    public static Set<String> of(List<LotItem> lot) {
        Set<String> underlyings = new TreeSet<>();
        for (LotItem item : lot) {
            String symbol = item.kind() == LotItem.Kind.POSITION ? ofInstrument(item.instrument()) : item.asset();
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
