package dev.crosschain.margin.domain;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Parameters of the standard (cross) rules.
 *
 * @param linearTiers  perpetual/future rates by the position's notional (|qty| x mark, USD), ascending limits,
 *                     the last one unbounded; the whole position takes the rate of the tier its notional falls in
 * @param optionImBase short option IM fraction before the OTM credit (Deribit 0.15)
 * @param optionImMin  short option IM floor fraction (Deribit 0.10)
 * @param optionMm     short option MM fraction (Deribit 0.075)
 * @param scanRange    relative move against each position applied when its price is stale (0.15)
 */
public record MarginRules(List<LinearTier> linearTiers, BigDecimal optionImBase, BigDecimal optionImMin,
                          BigDecimal optionMm, BigDecimal scanRange) {

    /** Notional below {@code below} (null = no limit) margins at {@code im} and {@code mm} of notional. */
    public record LinearTier(BigDecimal below, BigDecimal im, BigDecimal mm) {
    }

    public static final MarginRules DEFAULT = new MarginRules(List.of(
            new LinearTier(new BigDecimal("1000000"), new BigDecimal("0.02"), new BigDecimal("0.01")),
            new LinearTier(new BigDecimal("5000000"), new BigDecimal("0.04"), new BigDecimal("0.02")),
            new LinearTier(null, new BigDecimal("0.10"), new BigDecimal("0.05"))),
            new BigDecimal("0.15"), new BigDecimal("0.10"), new BigDecimal("0.075"), new BigDecimal("0.15"));

    public MarginRules {
        if (linearTiers.isEmpty() || linearTiers.get(linearTiers.size() - 1).below() != null) {
            throw new IllegalArgumentException("linear tiers must end with an unbounded tier");
        }
        List<LinearTier> sorted = new ArrayList<>(linearTiers);
        sorted.sort(Comparator.comparing(LinearTier::below, Comparator.nullsLast(Comparator.naturalOrder())));
        if (!sorted.equals(linearTiers)) {
            throw new IllegalArgumentException("linear tiers must be in ascending order");
        }
        linearTiers = List.copyOf(linearTiers);
    }

    /** The tier of a position of notional {@code notional} USD. */
    public LinearTier tierOf(BigDecimal notional) {
        for (LinearTier tier : linearTiers) {
            if (tier.below() == null || notional.compareTo(tier.below()) < 0) {
                return tier;
            }
        }
        throw new IllegalStateException("unreachable: last tier is unbounded");
    }

    /**
     * Parses tiers written {@code below:im:mm,...,*:im:mm}, e.g.
     * {@code 1000000:0.02:0.01,5000000:0.04:0.02,*:0.10:0.05}.
     */
    public static List<LinearTier> parseTiers(String text) {
        List<LinearTier> tiers = new ArrayList<>();
        for (String part : text.split(",")) {
            String[] f = part.trim().split(":");
            if (f.length != 3) {
                throw new IllegalArgumentException("tier must be below:im:mm, got " + part);
            }
            BigDecimal below = f[0].trim().equals("*") ? null : new BigDecimal(f[0].trim());
            tiers.add(new LinearTier(below, new BigDecimal(f[1].trim()), new BigDecimal(f[2].trim())));
        }
        return tiers;
    }
}
