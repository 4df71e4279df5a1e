package dev.crosschain.collateral.domain;

import java.math.BigDecimal;
import java.util.List;

/**
 * A marginal haircut schedule, like an income-tax schedule: the first tier starts at 0 USD, bounds strictly
 * increase, rates are fractions in [0, 1] that never decrease with size. A broken rule throws
 * {@link InvalidSpecException} naming the tier ("[i].haircut").
 */
public record HaircutSchedule(List<HaircutTier> tiers) {

    public HaircutSchedule {
        tiers = List.copyOf(tiers);
        if (tiers.isEmpty()) {
            throw new InvalidSpecException("", "a haircut schedule needs at least one tier");
        }
        if (tiers.get(0).fromUsd().signum() != 0) {
            throw new InvalidSpecException("[0].from_usd", "the first tier must start at 0 USD, got " + tiers.get(0).fromUsd().toPlainString());
        }
        for (int i = 0; i < tiers.size(); i++) {
            HaircutTier tier = tiers.get(i);
            String at = "[" + i + "]";
            if (tier.haircut().signum() < 0 || tier.haircut().compareTo(BigDecimal.ONE) > 0) {
                throw new InvalidSpecException(at + ".haircut", "tier " + i + ": haircut must be in [0, 1], got " + tier.haircut().toPlainString());
            }
            if (i > 0) {
                HaircutTier previous = tiers.get(i - 1);
                if (tier.fromUsd().compareTo(previous.fromUsd()) <= 0) {
                    throw new InvalidSpecException(at + ".from_usd", "tier " + i + ": from_usd must exceed the previous tier's "
                            + previous.fromUsd().toPlainString() + ", got " + tier.fromUsd().toPlainString());
                }
                if (tier.haircut().compareTo(previous.haircut()) < 0) {
                    throw new InvalidSpecException(at + ".haircut", "tier " + i + ": haircut " + tier.haircut().toPlainString()
                            + " is below the previous tier's " + previous.haircut().toPlainString() + ": rates never fall with size");
                }
            }
        }
    }

    /** A single tier at {@code rate} from 0 USD. */
    public static HaircutSchedule flat(BigDecimal rate) {
        return new HaircutSchedule(List.of(new HaircutTier(BigDecimal.ZERO, rate)));
    }

    /** The marginal rate of the slice holding {@code usd} (the rate of the last tier starting at or below it). */
    public BigDecimal rateAt(BigDecimal usd) {
        BigDecimal rate = tiers.get(0).haircut();
        for (HaircutTier tier : tiers) {
            if (tier.fromUsd().compareTo(usd) > 0) {
                break;
            }
            rate = tier.haircut();
        }
        return rate;
    }

    /** True when this schedule's rate is at most {@code other}'s at every size. */
    public boolean nowhereAbove(HaircutSchedule other) {
        // Both are step functions: comparing at every bound of either compares them everywhere.
        return java.util.stream.Stream.concat(tiers.stream(), other.tiers.stream())
                .map(HaircutTier::fromUsd)
                .allMatch(usd -> rateAt(usd).compareTo(other.rateAt(usd)) <= 0);
    }
}
