package dev.crosschain.collateral.domain;

import java.math.BigDecimal;

/**
 * How a haircut was made up, fractions of the counted USD value: the effective tiered rate (including the part above
 * the account cap at 1), the add-ons, and the total applied (at most 1). The total is what was applied; it is not
 * recomputed from the parts, because each dollar's haircut is capped at that dollar (see {@link HaircutCalculator}).
 */
public record Haircut(BigDecimal tier, BigDecimal latencyAddon, BigDecimal chainStatusAddon, BigDecimal wrappedAddon,
                      BigDecimal staleAddon, BigDecimal total) {

    /** The sum of the add-ons (not the tier). */
    public BigDecimal addons() {
        return latencyAddon.add(chainStatusAddon).add(wrappedAddon).add(staleAddon);
    }
}
