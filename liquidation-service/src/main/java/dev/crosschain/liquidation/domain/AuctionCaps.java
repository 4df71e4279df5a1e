package dev.crosschain.liquidation.domain;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Map;
import java.util.TreeMap;

/**
 * Caps on the value in auction (Maker's {@code Hole} and {@code hole}): a global one, USD, and one per collateral
 * line "chain/asset", USD. Value in auction is, over the OPEN auctions, the remaining fraction times the lot's value
 * at its current epoch's start (never below 0: an insolvent lot takes no room) for the global cap, and each collateral
 * item's remaining quantity at its market value at the open for the per-asset caps. An auction whose whole lot does not
 * fit opens for the largest fraction of it that does (a partial liquidation); none when nothing fits (the breach waits).
 *
 * @param globalUsd   the global cap, USD; null: none
 * @param perAssetUsd caps by "chain/asset" ({@link #key}), USD; absent: none
 */
public record AuctionCaps(BigDecimal globalUsd, Map<String, BigDecimal> perAssetUsd) {

    public static final AuctionCaps NONE = new AuctionCaps(null, Map.of());
    /** Decimals of a capped lot fraction: rounded DOWN, so the lot never takes more room than there is. */
    public static final int FRACTION_SCALE = 12;

    /** Value in auction now: in all, and per "chain/asset", USD. */
    public record Usage(BigDecimal globalUsd, Map<String, BigDecimal> perAssetUsd) {
        public Usage {
            perAssetUsd = Map.copyOf(perAssetUsd);
        }

        public BigDecimal of(String key) {
            return perAssetUsd.getOrDefault(key, BigDecimal.ZERO);
        }
    }

    public AuctionCaps {
        if (globalUsd != null && globalUsd.signum() < 0) {
            throw new IllegalArgumentException("the global cap must be >= 0, got " + globalUsd.toPlainString());
        }
        perAssetUsd.forEach((key, cap) -> {
            if (cap == null || cap.signum() < 0 || key.indexOf('/') <= 0 || key.indexOf('/') == key.length() - 1) {
                throw new IllegalArgumentException("a cap per asset needs a \"chain/asset\" key and a value >= 0, got "
                        + key + "=" + (cap == null ? null : cap.toPlainString()));
            }
        });
        perAssetUsd = Map.copyOf(new TreeMap<>(perAssetUsd));
    }

    /** The key of a collateral line's cap. */
    public static String key(String chainId, String asset) {
        return chainId + "/" + asset;
    }

    /** Whether any cap is set (none: auctions open whole without reading the value in auction). */
    public boolean any() {
        return globalUsd != null || !perAssetUsd.isEmpty();
    }

    /**
     * The largest fraction of a lot that fits under every cap, given the value already in auction: 1 when the whole lot
     * fits, 0 when nothing does, else rounded DOWN to {@value #FRACTION_SCALE} decimals.
     *
     * @param lotValueUsd the lot's value, USD (counted at 0 when negative)
     * @param lotAssetUsd the market value of the lot's collateral per "chain/asset", USD
     */
    public BigDecimal fraction(Usage used, BigDecimal lotValueUsd, Map<String, BigDecimal> lotAssetUsd) {
        BigDecimal fraction = BigDecimal.ONE;
        if (globalUsd != null) {
            fraction = fraction.min(fits(globalUsd, used.globalUsd(), lotValueUsd));
        }
        for (Map.Entry<String, BigDecimal> cap : perAssetUsd.entrySet()) {
            fraction = fraction.min(fits(cap.getValue(), used.of(cap.getKey()),
                    lotAssetUsd.getOrDefault(cap.getKey(), BigDecimal.ZERO)));
        }
        return fraction;
    }

    private static BigDecimal fits(BigDecimal cap, BigDecimal used, BigDecimal value) {
        if (value.signum() <= 0) {
            return BigDecimal.ONE;
        }
        BigDecimal room = cap.subtract(used);
        if (room.compareTo(value) >= 0) {
            return BigDecimal.ONE;
        }
        return room.signum() <= 0 ? BigDecimal.ZERO : room.divide(value, FRACTION_SCALE, RoundingMode.DOWN);
    }
}
