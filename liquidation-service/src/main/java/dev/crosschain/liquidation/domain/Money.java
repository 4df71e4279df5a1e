package dev.crosschain.liquidation.domain;

import java.math.BigDecimal;
import java.math.RoundingMode;

/** Scales and wire forms of amounts. */
public final class Money {

    /** USD values: 8 decimals. */
    public static final int USD_SCALE = 8;
    /** Cash paid in USDC: 6 decimals. */
    public static final int USDC_SCALE = 6;
    public static final RoundingMode ROUNDING = RoundingMode.HALF_EVEN;

    private Money() {
    }

    /** Plain decimal string without trailing zeros ("1.5", "0", "100"). */
    public static String plain(BigDecimal value) {
        if (value.signum() == 0) {
            return "0";
        }
        return value.stripTrailingZeros().toPlainString();
    }

    /** USD at scale 8. */
    public static String usd(BigDecimal value) {
        return value.setScale(USD_SCALE, ROUNDING).toPlainString();
    }
}
