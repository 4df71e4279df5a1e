package dev.crosschain.margin.domain;

import dev.crosschain.margin.domain.portfolio.PortfolioResult;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Why an account's requirements are what they are (Explain). In CROSS each position's standard rule; in PORTFOLIO the
 * scenario engine's {@link PortfolioResult} already names the driving scenario and every share, so positions are
 * empty here. Chains and the largest contributor in both modes. USD at scale 8.
 *
 * @param largest what adds most to MM, or null when MM is 0
 */
public record Explanation(List<PositionRule> positions, List<ChainValue> chains, Contributor largest) {

    public Explanation {
        positions = List.copyOf(positions);
        chains = List.copyOf(chains);
    }

    /** Rule names, as the proto documents them. */
    public static final String LINEAR_TIER = "linear_tier";
    public static final String SHORT_OPTION = "short_option";
    public static final String LONG_OPTION = "long_option";

    /**
     * One position under the standard rules.
     *
     * @param tier     index of the linear tier, -1 for options
     * @param notional |qty| x mark used (linear only, else null)
     * @param imRate   the tier's IM fraction (linear only, else null)
     * @param mmRate   the tier's MM fraction (linear only, else null)
     */
    public record PositionRule(String instrument, String rule, int tier, BigDecimal notional, BigDecimal imRate,
                               BigDecimal mmRate, BigDecimal markUsed, BigDecimal initialMargin, BigDecimal maintenanceMargin) {
    }

    /** One chain's collateral summed over its assets. */
    public record ChainValue(String chainId, BigDecimal marketValue, BigDecimal valueIm, BigDecimal valueMm) {
    }

    /** @param kind "position", "chain" or "contingency" */
    public record Contributor(String kind, String name, BigDecimal amount) {
    }

    /** The explanation of {@code risk}, computed under {@code rules} (the set the figures were computed with). */
    public static Explanation of(AccountRisk risk, MarginRules rules) {
        List<PositionRule> positions = risk.mode() == MarginMode.CROSS ? crossRules(risk, rules) : List.of();
        Contributor largest = risk.maintenanceMargin().signum() == 0 ? null
                : risk.portfolio() == null ? largestPosition(positions) : largestShare(risk.portfolio());
        return new Explanation(positions, chains(risk.collateral()), largest);
    }

    private static List<PositionRule> crossRules(AccountRisk risk, MarginRules rules) {
        List<PositionRule> out = new ArrayList<>();
        for (PositionRisk r : risk.positions()) {
            Position p = r.position();
            Instrument instrument = Instrument.parse(p.instrument(), "instrument");
            if (instrument instanceof Instrument.Option) {
                String rule = p.quantity().signum() > 0 ? LONG_OPTION : SHORT_OPTION;
                out.add(new PositionRule(p.instrument(), rule, -1, null, null, null, r.markUsed(), r.initialMargin(),
                        r.maintenanceMargin()));
            } else {
                // the notional MarginCalculator tiers by: the mark it used, stale shock included
                BigDecimal notional = p.quantity().abs().multiply(r.markUsed());
                MarginRules.LinearTier tier = rules.tierOf(notional);
                out.add(new PositionRule(p.instrument(), LINEAR_TIER, rules.linearTiers().indexOf(tier), Decimals.usd(notional),
                        tier.im(), tier.mm(), r.markUsed(), r.initialMargin(), r.maintenanceMargin()));
            }
        }
        return out;
    }

    private static List<ChainValue> chains(Collateral collateral) {
        Map<String, BigDecimal[]> sums = new TreeMap<>();
        for (CollateralLine line : collateral.lines()) {
            BigDecimal[] s = sums.computeIfAbsent(line.chainId(), c -> new BigDecimal[]{BigDecimal.ZERO, BigDecimal.ZERO, BigDecimal.ZERO});
            s[0] = s[0].add(line.marketValue());
            s[1] = s[1].add(line.valueIm());
            s[2] = s[2].add(line.valueMm());
        }
        List<ChainValue> out = new ArrayList<>();
        sums.forEach((chain, s) -> out.add(new ChainValue(chain, Decimals.usd(s[0]), Decimals.usd(s[1]), Decimals.usd(s[2]))));
        return out;
    }

    /** The first position of the largest MM. */
    private static Contributor largestPosition(List<PositionRule> positions) {
        PositionRule best = null;
        for (PositionRule p : positions) {
            if (best == null || p.maintenanceMargin().compareTo(best.maintenanceMargin()) > 0) {
                best = p;
            }
        }
        return best == null || best.maintenanceMargin().signum() <= 0 ? null
                : new Contributor("position", best.instrument(), best.maintenanceMargin());
    }

    /** The first of the largest positive part: a share of a driving loss, or a contingency. */
    private static Contributor largestShare(PortfolioResult result) {
        Contributor best = null;
        for (PortfolioResult.GroupResult g : result.groups()) {
            for (PortfolioResult.Contribution c : g.positions()) {
                best = larger(best, new Contributor("position", c.name(), c.loss()));
            }
            for (PortfolioResult.Contribution c : g.chains()) {
                best = larger(best, new Contributor("chain", c.name(), c.loss()));
            }
        }
        for (PortfolioResult.Contingency c : result.contingencies()) {
            best = larger(best, new Contributor("contingency", c.name(), c.amount()));
        }
        return best == null || best.amount().signum() <= 0 ? null : best;
    }

    private static Contributor larger(Contributor best, Contributor candidate) {
        return best == null || candidate.amount().compareTo(best.amount()) > 0 ? candidate : best;
    }
}
