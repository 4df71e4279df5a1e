package dev.crosschain.collateral.domain;

import java.math.BigDecimal;

/** How a haircut was made up, fractions of market value; the total is capped at 1. */
public record Haircut(BigDecimal tier, BigDecimal latencyAddon, BigDecimal chainStatusAddon) {

    /** The flat haircut of an asset, no add-ons (issue 2). */
    public static Haircut flat(BigDecimal tier) {
        return new Haircut(tier, BigDecimal.ZERO, BigDecimal.ZERO);
    }

    public BigDecimal total() {
        return tier.add(latencyAddon).add(chainStatusAddon).min(BigDecimal.ONE);
    }
}
