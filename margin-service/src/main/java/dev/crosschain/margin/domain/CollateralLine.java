package dev.crosschain.margin.domain;

import java.math.BigDecimal;

/**
 * One asset on one chain as collateral-service valued it.
 *
 * @param available      final and free, token units
 * @param price          USD per token unit
 * @param marketValue    USD, no haircut
 * @param valueIm        USD after the IM haircut
 * @param valueMm        USD after the MM haircut
 * @param canonicalAsset the priced asset the token stands for, e.g. "ETH" for WETH, "USDC" for USDC.e
 * @param mmHaircut      collateral-service's total MM haircut, fraction of the counted value in [0, 1];
 *                       1 on a HALTED chain (the line counts 0)
 * @param imHaircut      the same for IM
 */
public record CollateralLine(String chainId, String asset, BigDecimal available, BigDecimal price,
                             BigDecimal marketValue, BigDecimal valueIm, BigDecimal valueMm, boolean priceStale,
                             String canonicalAsset, BigDecimal mmHaircut, BigDecimal imHaircut) {

    /** The line after {@code amount} left it: the same asset and haircuts, the amounts and values given. */
    public CollateralLine withdrawn(BigDecimal amount, BigDecimal marketValueOut, BigDecimal valueImOut, BigDecimal valueMmOut) {
        return new CollateralLine(chainId, asset, available.subtract(amount), price, marketValue.subtract(marketValueOut),
                valueIm.subtract(valueImOut), valueMm.subtract(valueMmOut), priceStale, canonicalAsset, mmHaircut, imHaircut);
    }
}
