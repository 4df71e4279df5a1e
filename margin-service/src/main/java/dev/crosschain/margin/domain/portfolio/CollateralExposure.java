package dev.crosschain.margin.domain.portfolio;

import java.math.BigDecimal;

/**
 * One collateral line as portfolio margin sees it. Risky collateral (ETH held on arbitrum) is
 * revalued in each scenario of its underlying's group as {@code amount x price x (1 + move) x (1 - mmHaircut)};
 * a stablecoin does not move in the grid and takes the de-peg contingency instead.
 *
 * @param chainId    chain holding it, e.g. "arbitrum"
 * @param asset      the asset on that chain, e.g. "WETH"
 * @param underlying canonical underlying it moves with, e.g. "ETH"; null for a stablecoin
 * @param stablecoin true for a USD stablecoin
 * @param amount     token units, >= 0
 * @param price      USD per token unit, > 0
 * @param mmHaircut  haircut for maintenance, in [0, 1]
 * @param imHaircut  haircut for initial margin, in [mmHaircut, 1]; enters the equity compared with IM, not the scan
 *
 * <p>Collateral on a HALTED chain counts 0 for margin: give it haircuts of 1, so it neither counts nor hedges.
 */
public record CollateralExposure(String chainId, String asset, String underlying, boolean stablecoin,
                                 BigDecimal amount, BigDecimal price, BigDecimal mmHaircut, BigDecimal imHaircut) {

    /**
     * A line of collateral-service's valuation: a stablecoin when its canonical asset is one of the
     * parameters' stablecoins, else risky collateral moving with the canonical asset.
     */
    public static CollateralExposure of(PortfolioParameters parameters, String chainId, String asset, String canonicalAsset,
                                        BigDecimal amount, BigDecimal price, BigDecimal mmHaircut, BigDecimal imHaircut) {
        boolean stablecoin = parameters.stablecoins().contains(canonicalAsset);
        return new CollateralExposure(chainId, asset, stablecoin ? null : canonicalAsset, stablecoin, amount, price,
                mmHaircut, imHaircut);
    }

    /** USD value after the MM haircut at today's price: what moves in the scenarios. */
    public double valueMm() {
        return amount.doubleValue() * price.doubleValue() * (1 - mmHaircut.doubleValue());
    }
}
