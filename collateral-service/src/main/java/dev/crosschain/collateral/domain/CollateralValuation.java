package dev.crosschain.collateral.domain;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

/** An account's valued collateral. USD amounts at scale 8; token amounts in token units. */
public record CollateralValuation(String accountId, List<ChainValuation> chains, BigDecimal marketValueUsd,
                                  BigDecimal valueImUsd, BigDecimal valueMmUsd, boolean priceStale, Instant asOf,
                                  long ledgerVersion) {

    /** One chain's assets of the account. */
    public record ChainValuation(String chainId, List<AssetValuation> assets, BigDecimal marketValueUsd,
                                 BigDecimal valueImUsd, BigDecimal valueMmUsd) {
    }

    /** One asset's balance and its value. */
    public record AssetValuation(String asset, String canonicalAsset, BigDecimal pending, BigDecimal available,
                                 BigDecimal locked, BigDecimal priceUsd, boolean priceStale, BigDecimal marketValueUsd,
                                 Haircut haircutIm, Haircut haircutMm, BigDecimal valueImUsd, BigDecimal valueMmUsd) {
    }
}
