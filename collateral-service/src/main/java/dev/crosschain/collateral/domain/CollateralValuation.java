package dev.crosschain.collateral.domain;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * An account's valued collateral. USD amounts at scale 8; token amounts in token units. {@code frozenReason} is
 * present while the account's withdrawals are frozen.
 */
public record CollateralValuation(String accountId, List<ChainValuation> chains, BigDecimal marketValueUsd,
                                  BigDecimal valueImUsd, BigDecimal valueMmUsd, boolean priceStale, Instant asOf,
                                  long ledgerVersion, Optional<String> frozenReason) {

    public boolean withdrawalsFrozen() {
        return frozenReason.isPresent();
    }

    /** One chain's assets of the account, and the chain's condition when valued. */
    public record ChainValuation(String chainId, ChainCondition condition, List<AssetValuation> assets,
                                 BigDecimal marketValueUsd, BigDecimal valueImUsd, BigDecimal valueMmUsd) {
    }

    /**
     * One asset's balance and its value: the price and its age, the daily vol used in the latency add-ons, the
     * counted USD value the haircuts apply to, and the haircuts for IM and MM.
     */
    public record AssetValuation(String asset, String canonicalAsset, BigDecimal pending, BigDecimal available,
                                 BigDecimal locked, BigDecimal priceUsd, boolean priceStale, long priceAgeMs,
                                 double sigmaDaily, BigDecimal countedUsd, BigDecimal marketValueUsd,
                                 Haircut haircutIm, Haircut haircutMm, BigDecimal valueImUsd, BigDecimal valueMmUsd) {
    }
}
