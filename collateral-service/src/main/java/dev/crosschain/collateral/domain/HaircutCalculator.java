package dev.crosschain.collateral.domain;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;
import java.util.Optional;

/**
 * The haircut of a counted USD value under a marginal schedule plus add-ons.
 *
 * <p>The counted value is cut into slices by the schedule's tier bounds; a slice is cut at its tier's rate, and the
 * part above the account cap at 1. The add-ons (fractions of the counted value) are added to every slice's rate, and
 * each slice's rate is capped at 1: a dollar never loses more than itself. When no slice's rate plus add-ons exceeds
 * 1 this is exactly {@code min(counted, tiered + counted x add-ons)}; when some would, the cap per slice keeps the
 * value monotone in the position size (capping only the total would let a bigger position be worth less: above the
 * account cap each extra dollar would cost 1 + add-ons).
 */
public final class HaircutCalculator {

    /** Scale of the reported fractions (tier, total). */
    public static final int FRACTION_SCALE = 8;

    private HaircutCalculator() {
    }

    /** The haircut in USD and its breakdown as fractions of {@code countedUsd}. */
    public record Result(BigDecimal haircutUsd, BigDecimal tieredUsd, Haircut breakdown) {
    }

    /**
     * @param countedUsd   counted value, USD, >= 0 (exact: not rounded)
     * @param schedule     the marginal tiers
     * @param accountCap   above it the rate is 1
     * @param latency      latency add-on
     * @param chainStatus  chain status add-on
     * @param wrapped      wrapped/bridged add-on
     * @param stale        stale-price add-on
     */
    public static Result haircut(BigDecimal countedUsd, HaircutSchedule schedule, Optional<BigDecimal> accountCap,
                                 BigDecimal latency, BigDecimal chainStatus, BigDecimal wrapped, BigDecimal stale) {
        BigDecimal addons = latency.add(chainStatus).add(wrapped).add(stale);
        BigDecimal capped = accountCap.map(countedUsd::min).orElse(countedUsd);
        BigDecimal tiered = BigDecimal.ZERO;
        BigDecimal total = BigDecimal.ZERO;
        List<HaircutTier> tiers = schedule.tiers();
        for (int i = 0; i < tiers.size(); i++) {
            BigDecimal from = tiers.get(i).fromUsd();
            if (capped.compareTo(from) <= 0) {
                break;
            }
            BigDecimal to = i + 1 < tiers.size() ? tiers.get(i + 1).fromUsd().min(capped) : capped;
            BigDecimal slice = to.subtract(from);
            BigDecimal rate = tiers.get(i).haircut();
            tiered = tiered.add(slice.multiply(rate));
            total = total.add(slice.multiply(rate.add(addons).min(BigDecimal.ONE)));
        }
        BigDecimal aboveCap = countedUsd.subtract(capped);
        tiered = tiered.add(aboveCap);
        total = total.add(aboveCap);

        BigDecimal tierFraction;
        BigDecimal totalFraction;
        if (countedUsd.signum() == 0) {
            // Nothing counted: report the rate the first dollar would get.
            tierFraction = tiers.get(0).haircut().setScale(FRACTION_SCALE, RoundingMode.UP);
            totalFraction = tierFraction.add(addons).min(BigDecimal.ONE);
        } else {
            tierFraction = tiered.divide(countedUsd, FRACTION_SCALE, RoundingMode.UP);
            totalFraction = total.divide(countedUsd, FRACTION_SCALE, RoundingMode.UP).min(BigDecimal.ONE);
        }
        return new Result(total, tiered,
                new Haircut(tierFraction, latency, chainStatus, wrapped, stale, totalFraction));
    }
}
