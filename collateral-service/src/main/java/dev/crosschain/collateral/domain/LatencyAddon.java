package dev.crosschain.collateral.domain;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;

/**
 * The latency add-on: the move a price can make while collateral is liquidated, z * sigma_daily * sqrt(T / 1 day).
 * Risk math in double; the result becomes a BigDecimal fraction rounded UP at 6 decimals (conservative).
 */
public final class LatencyAddon {

    public static final int SCALE = 6;
    private static final double SECONDS_PER_DAY = 86_400.0;
    private static final double DAYS_PER_YEAR = 365.0;

    private LatencyAddon() {
    }

    /**
     * Daily volatility from an annual one: max(surface ATM vol, floor) / sqrt(365). A missing or unusable surface vol
     * (NaN, negative) leaves the floor.
     */
    public static double sigmaDaily(Double atmAnnualVol, double minAnnualVol) {
        double annual = minAnnualVol;
        if (atmAnnualVol != null && Double.isFinite(atmAnnualVol) && atmAnnualVol > annual) {
            annual = atmAnnualVol;
        }
        return annual / Math.sqrt(DAYS_PER_YEAR);
    }

    /** z * sigma_daily * sqrt(T / 1 day) as a fraction in [0, 1], rounded up at 6 decimals. */
    public static BigDecimal fraction(double z, double sigmaDaily, Duration horizon) {
        double seconds = horizon.toMillis() / 1000.0;
        double addon = z * sigmaDaily * Math.sqrt(seconds / SECONDS_PER_DAY);
        if (!Double.isFinite(addon) || addon >= 1.0) {
            return BigDecimal.ONE; // a move this large takes everything: never less than the whole position
        }
        if (addon <= 0) {
            return BigDecimal.ZERO.setScale(SCALE);
        }
        return new BigDecimal(addon).setScale(SCALE, RoundingMode.UP);
    }
}
