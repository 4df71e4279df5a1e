package dev.crosschain.collateral.domain;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Properties of the valuation over random schedules, add-ons, vols, prices and balances. The seed is printed; set
 * -Dvaluation.seed=N to replay a failure.
 */
class ValuationPropertiesTest {

    static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
    static final int CASES = 2000;

    @Test
    void valuationProperties() {
        long seed = Long.getLong("valuation.seed", System.nanoTime());
        System.out.println("ValuationPropertiesTest seed " + seed + " (replay: -Dvaluation.seed=" + seed + ")");
        Random random = new Random(seed);
        for (int i = 0; i < CASES; i++) {
            Case c = Case.random(random);
            String context = "seed " + seed + " case " + i + ": " + c;
            CollateralValuation.AssetValuation base = c.value(c.available, c.status, c.stale);

            assertThat(base.valueImUsd().signum()).as(context).isGreaterThanOrEqualTo(0);
            assertThat(base.valueImUsd()).as(context).isLessThanOrEqualTo(base.countedUsd());
            assertThat(base.valueMmUsd()).as(context).isLessThanOrEqualTo(base.countedUsd());
            assertThat(base.valueMmUsd()).as("MM value >= IM value, " + context).isGreaterThanOrEqualTo(base.valueImUsd());
            assertThat(base.haircutIm().total()).as(context).isBetween(BigDecimal.ZERO, BigDecimal.ONE);

            // More of the asset never lowers its value; the haircut fraction never falls with size (marginal tiers).
            BigDecimal more = c.available.add(c.extra);
            CollateralValuation.AssetValuation bigger = c.value(more, c.status, c.stale);
            assertThat(bigger.valueImUsd()).as("monotone IM, " + context).isGreaterThanOrEqualTo(base.valueImUsd());
            assertThat(bigger.valueMmUsd()).as("monotone MM, " + context).isGreaterThanOrEqualTo(base.valueMmUsd());
            if (base.countedUsd().signum() > 0) {
                assertThat(bigger.haircutIm().tier()).as(context).isGreaterThanOrEqualTo(base.haircutIm().tier());
            }

            // HALTED counts nothing; a stale price never values higher than a fresh one, and lower when anything counted.
            CollateralValuation.AssetValuation halted = c.value(c.available, ChainStatus.HALTED, c.stale);
            assertThat(halted.valueImUsd().signum()).as(context).isZero();
            assertThat(halted.valueMmUsd().signum()).as(context).isZero();
            CollateralValuation.AssetValuation fresh = c.value(c.available, c.status, false);
            CollateralValuation.AssetValuation stale = c.value(c.available, c.status, true);
            assertThat(stale.valueImUsd()).as(context).isLessThanOrEqualTo(fresh.valueImUsd());
            if (fresh.valueImUsd().compareTo(BigDecimal.ONE) >= 0) {
                // Each slice keeping d > 0 of its dollars loses at least min(0.10, d) >= 0.10 x d of them.
                assertThat(stale.valueImUsd()).as(context).isLessThan(fresh.valueImUsd());
            }
            // DEGRADED never values higher than HEALTHY.
            assertThat(c.value(c.available, ChainStatus.DEGRADED, c.stale).valueImUsd()).as(context)
                    .isLessThanOrEqualTo(c.value(c.available, ChainStatus.HEALTHY, c.stale).valueImUsd());
        }
    }

    /** One random asset, chain, market and balance. */
    record Case(AssetSpec asset, ChainSpec chain, BigDecimal price, Double atmVol, long ageSeconds, BigDecimal available,
                BigDecimal extra, ChainStatus status, boolean stale) {

        static Case random(Random r) {
            int n = 1 + r.nextInt(4);
            List<HaircutTier> im = new ArrayList<>();
            List<HaircutTier> mm = new ArrayList<>();
            BigDecimal from = BigDecimal.ZERO;
            BigDecimal rate = fraction(r, 0.3);
            double mmShare = r.nextDouble();
            for (int i = 0; i < n; i++) {
                im.add(new HaircutTier(from, rate));
                mm.add(new HaircutTier(from, rate.multiply(BigDecimal.valueOf(mmShare)).setScale(4, RoundingMode.DOWN)));
                from = from.add(BigDecimal.valueOf(1 + r.nextInt(2_000_000)));
                rate = rate.add(fraction(r, 0.4)).min(BigDecimal.ONE);
            }
            double zIm = r.nextDouble() * 4;
            boolean wrapped = r.nextBoolean();
            Optional<BigDecimal> cap = r.nextBoolean() ? Optional.of(BigDecimal.valueOf(1 + r.nextInt(3_000_000))) : Optional.empty();
            AssetSpec asset = new AssetSpec("TOK", "TOK", 6, wrapped, wrapped ? fraction(r, 0.2) : BigDecimal.ZERO,
                    new HaircutSchedule(im), new HaircutSchedule(mm), zIm, zIm * r.nextDouble(), r.nextDouble() * 2, cap);
            ChainSpec chain = new ChainSpec("chain", FinalityRule.CONFIRMATIONS, 1, Duration.ofSeconds(12),
                    Duration.ofSeconds(r.nextInt(7200)), fraction(r, 1), fraction(r, 0.5), Duration.ofSeconds(60),
                    Duration.ofSeconds(120), Duration.ofSeconds(600), Map.of("TOK", asset));
            ChainStatus status = ChainStatus.values()[r.nextInt(2)]; // HEALTHY or DEGRADED; HALTED is checked apart
            return new Case(asset, chain, new BigDecimal(1 + r.nextInt(100_000)).movePointLeft(r.nextInt(4)),
                    r.nextBoolean() ? r.nextDouble() * 3 : null, r.nextInt(3600),
                    new BigDecimal(r.nextInt(5_000_000)).movePointLeft(r.nextInt(7)),
                    new BigDecimal(r.nextInt(5_000_000)).movePointLeft(r.nextInt(7)), status, r.nextBoolean());
        }

        static BigDecimal fraction(Random r, double max) {
            return BigDecimal.valueOf(r.nextDouble() * max).setScale(4, RoundingMode.DOWN);
        }

        CollateralValuation.AssetValuation value(BigDecimal amount, ChainStatus chainStatus, boolean staleQuote) {
            IndexQuote quote = new IndexQuote(price, staleQuote, NOW.minusSeconds(ageSeconds));
            MarketData market = new MarketData(Map.of("TOK", quote), atmVol == null ? Map.of() : Map.of("TOK", atmVol));
            AccountHoldings holdings = new AccountHoldings("a", List.of(new Balance("chain", "TOK", amount, amount, BigDecimal.ZERO)),
                    1, Optional.empty());
            return CollateralValuer.DEFAULT.value(holdings, market, new ChainRegistry(List.of(chain)),
                    Map.of("chain", new ChainCondition(chainStatus, "")), NOW).chains().get(0).assets().get(0);
        }
    }
}
